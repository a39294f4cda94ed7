// layering: an ESLint rule that enforces STYLE.md's layering table. Each source folder (a "zone")
// lists the zones it may import from and the kinds of packages it may use; arrows point inwards.
import path from 'node:path'
import { builtinModules } from 'node:module'

const ROOT = path.resolve(import.meta.dirname, '..', '..')

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
  shared: { may: ['shared'], node: false, electron: false, vue: false },
  'electron/node': { may: ['shared', 'electron/node'], node: true, electron: false, vue: false },
  'electron/lab': { may: ['shared', 'electron/lab'], node: true, electron: false, vue: false },
  // Inside the lab engine, folders by concern, lowest first; a folder imports only those before it
  // (and the leaf modules errors.ts and version.ts), so no cycle can come back (docs/architecture.md).
  ...labZones({
    events: [],
    supervisor: ['events', 'errors'],
    clients: ['supervisor', 'errors'],
    recording: ['version'],
    sim: [],
    activities: ['events', 'supervisor', 'clients', 'recording', 'errors'],
    engine: ['events', 'supervisor', 'clients', 'recording', 'activities', 'errors', 'version'],
    browserMode: ['events', 'recording'],
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
const VUE_PACKAGES = new Set(['vue', 'pinia', 'chart.js', 'vue-chartjs'])
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
  if (from === 'shared' && !PURE_PACKAGES.has(name)) {
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

export default { rules: { imports: rule } }
