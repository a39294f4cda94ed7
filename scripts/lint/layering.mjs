// layering: an ESLint rule that enforces STYLE.md's layering table. Each source folder (a "zone")
// lists the zones it may import from and the kinds of packages it may use; arrows point inwards.
import fs from 'node:fs'
import path from 'node:path'
import { builtinModules } from 'node:module'

const ROOT = path.resolve(import.meta.dirname, '..', '..')

/** SHARED makes the rules of a shared/ sub-layer: pure, and importing only `may`. */
function SHARED(may) {
  return { may, node: false, electron: false, vue: false, pure: true }
}
const BELOW_LAB = ['shared/protocol', 'shared/kv', 'shared/check', 'shared/raft', 'shared/util']

/** labZones makes one zone per electron/lab folder, allowed its own folder and those listed. */
function labZones(folders) {
  return Object.fromEntries(
    Object.entries(folders).map(([name, below]) => [
      `electron/lab/${name}`,
      {
        may: ['shared', ...[name, ...below].map((b) => `electron/lab/${b}`)],
        node: true,
        electron: false,
        vue: false,
      },
    ]),
  )
}

/** ZONES: the layering table of STYLE.md. `may` names zones (folder prefixes) a zone may import. */
export const ZONES = {
  shared: { may: ['shared'], node: false, electron: false, vue: false, pure: true },
  // Inside shared/, sub-layers: the core at the bottom (with its utilities), then the key-value
  // machine, the wire protocol, the checker and the simulator, then the lab's contract, then
  // sessions (recordings, re-runs) on top. Arrows point down only.
  'shared/util': SHARED(['shared/util']),
  'shared/raft': SHARED(['shared/raft', 'shared/util']),
  'shared/kv': SHARED(['shared/kv', 'shared/raft', 'shared/util']),
  'shared/check': SHARED(['shared/check', 'shared/util']),
  'shared/protocol': SHARED(['shared/protocol', 'shared/kv', 'shared/raft', 'shared/util']),
  'shared/sim': SHARED(['shared/sim', 'shared/kv', 'shared/raft', 'shared/util']),
  'shared/lab': SHARED(['shared/lab', ...BELOW_LAB]),
  'shared/session': SHARED(['shared/session', 'shared/lab', ...BELOW_LAB]),
  'electron/node': { may: ['shared', 'electron/node'], node: true, electron: false, vue: false },
  'electron/lab': { may: ['shared', 'electron/lab'], node: true, electron: false, vue: false },
  // Inside the lab engine, folders by concern, lowest first; a folder imports only those before it
  // (and the leaf modules errors.ts, sleep.ts and version.ts), so no cycle can come back (docs/architecture.md).
  ...labZones({
    events: [],
    supervisor: ['events', 'errors'],
    clients: ['supervisor', 'errors', 'sleep'],
    recording: ['version'],
    sim: [],
    activities: ['events', 'supervisor', 'clients', 'recording', 'errors', 'sleep'],
    engine: ['events', 'supervisor', 'clients', 'recording', 'activities', 'errors', 'version'],
    browserMode: ['events', 'recording', 'sleep'],
    entries: ['clients', 'sim'],
  }),
  'electron/cli': {
    may: ['shared', 'electron/lab', 'electron/cli'],
    node: true,
    electron: false,
    vue: false,
  },
  'electron/main': {
    may: ['shared', 'electron/lab', 'electron/main'],
    node: true,
    electron: true,
    vue: false,
  },
  'electron/preload': { may: ['shared/lab', 'electron/preload'], node: false, electron: true },
  renderer: { may: ['shared', 'renderer'], node: false, electron: false, vue: true },
}

/** PURE_PACKAGES: npm packages with no I/O, clock or global state that shared/ may bundle. */
const PURE_PACKAGES = new Set(['pure-rand'])
const VUE_PACKAGES = new Set(['vue', 'pinia', 'chart.js'])
const BUILTINS = new Set(builtinModules)

function zoneOf(relPath) {
  const norm = relPath.split(path.sep).join('/')
  let best = null
  for (const zone of Object.keys(ZONES)) {
    if ((norm === zone || norm.startsWith(zone + '/')) && (!best || zone.length > best.length)) {
      best = zone
    }
  }
  return best
}

function packageName(spec) {
  const parts = spec.split('/')
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

/** check: the reason `spec` may not be imported from `file`, or null when it may. */
export function check(file, spec) {
  const from = zoneOf(path.relative(ROOT, file))
  if (!from) return null
  const rules = ZONES[from]
  if (spec.startsWith('.')) {
    const target = path.relative(ROOT, path.resolve(path.dirname(file), spec))
    const targetPath = target.split(path.sep).join('/')
    const to = zoneOf(target) ?? targetPath
    // The app's own metadata (its version) may be read by the processes built from electron/.
    if (to === 'package.json' && from.startsWith('electron/')) return null
    // `may` entries are folders, some narrower than a zone (preload may use shared/lab only).
    const inside = (p, z) => p === z || p.startsWith(z + '/')
    const ok = rules.may.some((z) => inside(to, z) || inside(targetPath, z))
    return ok ? null : `${from}/ may not import ${to}/ (allowed: ${rules.may.join(', ')})`
  }
  const name = packageName(spec)
  if (spec.startsWith('node:') || BUILTINS.has(name)) {
    return rules.node ? null : `${from}/ may not use Node built-ins ('${spec}')`
  }
  if (name === 'electron') {
    return rules.electron ? null : `${from}/ may not import 'electron'; only main/ and preload/ may`
  }
  if (VUE_PACKAGES.has(name)) {
    return rules.vue ? null : `${from}/ may not import '${name}'; only renderer/ may`
  }
  if (rules.pure && !PURE_PACKAGES.has(name)) {
    return `shared/ may only import pure packages (${[...PURE_PACKAGES].join(', ')}), not '${name}'`
  }
  if (from === 'electron/preload') return `preload/ may only import electron and shared/lab`
  return null
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: "enforce STYLE.md's folder layering" },
    schema: [],
    messages: { layering: '{{reason}} (STYLE.md layering)' },
  },
  create(context) {
    const report = (node, source) => {
      if (!source || typeof source.value !== 'string') return
      const reason = check(context.filename, source.value)
      if (reason) context.report({ node: source, messageId: 'layering', data: { reason } })
    }
    return {
      ImportDeclaration: (node) => report(node, node.source),
      ExportNamedDeclaration: (node) => report(node, node.source),
      ExportAllDeclaration: (node) => report(node, node.source),
      ImportExpression: (node) => report(node, node.source),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') {
          report(node, node.arguments[0])
        }
      },
    }
  },
}

// ---------------------------------------------------------------------------------------------
// no-cycle: no module may import, directly or through others, a module that imports it. Relative
// imports only (packages cannot import us back), type-only imports included (they tie the files'
// meanings together all the same). The graph is read from disk, with the file being linted taken
// as its current text, and cached per file by modification time.

const CYCLE_ROOTS = ['shared', 'electron', 'renderer/src'].map((d) => path.join(ROOT, d))
const EXTENSIONS = ['.ts', '.mts', '.vue', '.js', '.mjs']
const IMPORT_RES = [
  /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
  /\bimport\s*['"]([^'"]+)['"]/g,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
]

/** importSpecifiers lists the relative specifiers a module's text imports. */
export function importSpecifiers(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
  const out = []
  for (const re of IMPORT_RES) {
    for (const m of code.matchAll(re)) if (m[1].startsWith('.')) out.push(m[1])
  }
  return out
}

/** resolveModule finds the file a relative specifier names, or null. */
function resolveModule(fromFile, spec) {
  const base = path.resolve(path.dirname(fromFile), spec)
  const candidates = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts')]
  for (const ext of EXTENSIONS) candidates.push(base + ext, path.join(base, 'index' + ext))
  for (const c of candidates) {
    try {
      if (fs.statSync(c).isFile()) return c
    } catch {
      // not this one
    }
  }
  return null
}

const graphCache = new Map()

/** depsOf lists the files `file` imports (from `text` when given, else from disk). */
function depsOf(file, text) {
  if (text === undefined) {
    let st
    try {
      st = fs.statSync(file)
    } catch {
      return []
    }
    const hit = graphCache.get(file)
    if (hit && hit.mtimeMs === st.mtimeMs) return hit.deps
    text = fs.readFileSync(file, 'utf8')
    const deps = resolveAll(file, text)
    graphCache.set(file, { mtimeMs: st.mtimeMs, deps })
    return deps
  }
  return resolveAll(file, text)
}

function resolveAll(file, text) {
  const deps = []
  for (const spec of importSpecifiers(text)) {
    const target = resolveModule(file, spec)
    if (
      target &&
      CYCLE_ROOTS.some((r) => target.startsWith(r + path.sep)) &&
      !deps.includes(target)
    )
      deps.push(target)
  }
  return deps
}

/** cycleThrough returns the path back to `file` from its import `dep` (file → dep → … → file),
 * or null when `dep` does not lead back. */
export function cycleThrough(file, dep, text) {
  if (dep === file) return [file, file]
  const parent = new Map([[dep, null]])
  const queue = [dep]
  while (queue.length > 0) {
    const at = queue.shift()
    for (const next of at === file ? depsOf(file, text) : depsOf(at)) {
      if (next === file) {
        const chain = [file]
        for (let p = at; p !== null; p = parent.get(p)) chain.splice(1, 0, p)
        chain.push(file)
        return chain
      }
      if (!parent.has(next)) {
        parent.set(next, at)
        queue.push(next)
      }
    }
  }
  return null
}

const noCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'forbid import cycles between modules' },
    schema: [],
    messages: { cycle: 'import cycle: {{chain}} (dependencies must run one way)' },
  },
  create(context) {
    const file = context.filename
    if (!CYCLE_ROOTS.some((r) => file.startsWith(r + path.sep))) return {}
    const text = context.sourceCode.text
    const check = (source) => {
      if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return
      const dep = resolveModule(file, source.value)
      if (!dep) return
      const chain = cycleThrough(file, dep, text)
      if (chain) {
        const rel = chain.map((f) => path.relative(ROOT, f).split(path.sep).join('/'))
        context.report({ node: source, messageId: 'cycle', data: { chain: rel.join(' → ') } })
      }
    }
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    }
  },
}

export default { rules: { imports: rule, 'no-cycle': noCycle } }
