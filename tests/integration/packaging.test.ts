// Packaging (electron-builder.yml): the config passes electron-builder's own schema, and packing
// it for Linux with a stand-in Electron folder (Electron's binary cannot be downloaded here) gives
// an app.asar holding the main, preload, renderer and node-process bundles, the production
// dependencies and no dev dependency, with the node processes' files unpacked beside it.
// Needs `npm run build` first (npm test builds before it runs vitest). Never downloads: the
// mirrors point at a closed port, so a download attempt fails the test instead.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { writeFileSync } from 'node:fs'
import { builtinModules, createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { listPackage } from '@electron/asar'
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config'
import { DebugLogger } from 'builder-util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findBuiltEntry } from '../../electron/lab/supervisor/paths'

const root = join(__dirname, '..', '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string
  dependencies: Record<string, string>
  devDependencies: Record<string, string>
}
const tmp = mkdtempSync(join(tmpdir(), 'raftlab-pack-test-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('electron-builder.yml', () => {
  it("passes electron-builder's schema, which does refuse a misspelt key", async () => {
    const config = await getConfig(root, 'electron-builder.yml', null)
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined()
    const misspelt = { ...config, linux: { ...config.linux, tagret: ['deb'] } }
    await expect(validateConfiguration(misspelt, new DebugLogger(false))).rejects.toThrow(
      /configuration\.linux/,
    )
  })

  it('targets AppImage and deb, dmg, nsis; ships out/ with the node entries unpacked', async () => {
    const config = await getConfig(root, 'electron-builder.yml', null)
    expect(config.linux?.target).toEqual(['AppImage', 'deb'])
    expect(config.mac?.target).toEqual(['dmg'])
    expect(config.win?.target).toEqual(['nsis'])
    expect(config.asar).toBe(true)
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['out/main/**']))
    expect(JSON.stringify(config.files)).toMatch(/"out\/\*\*"/)
  })
})

describe('a packed app (Linux, stand-in Electron)', () => {
  let resources = ''
  let files: Set<string>

  beforeAll(() => {
    if (!existsSync(join(root, 'out', 'main', 'index.js'))) {
      throw new Error('the app is not built (out/main/index.js is missing); run: npm run build')
    }
    // What electron-builder copies from an Electron distribution; the binary is a stand-in.
    const dist = join(tmp, 'electron-dist')
    mkdirSync(join(dist, 'resources'), { recursive: true })
    writeFileSync(join(dist, 'electron'), '#!/bin/sh\necho stand-in Electron\n', { mode: 0o755 })
    writeFileSync(join(dist, 'version'), pkg.devDependencies.electron ?? '45.5.0')
    writeFileSync(join(dist, 'LICENSE'), 'stand-in\n')
    writeFileSync(join(dist, 'LICENSES.chromium.html'), '<p>stand-in</p>\n')
    const output = join(tmp, 'dist')
    const nowhere = 'http://127.0.0.1:9/'
    const res = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules', 'electron-builder', 'cli.js'),
        '--linux',
        '--dir',
        `-c.electronDist=${dist}`,
        `-c.directories.output=${output}`,
      ],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 120_000,
        env: {
          ...process.env,
          ELECTRON_MIRROR: nowhere,
          ELECTRON_BUILDER_BINARIES_MIRROR: nowhere,
          CSC_IDENTITY_AUTO_DISCOVERY: 'false',
        },
      },
    )
    if (res.status !== 0) {
      throw new Error(`electron-builder failed (${res.status}):\n${res.stdout}\n${res.stderr}`)
    }
    const unpackedDir = readdirSync(output).find((d) => /^linux-.*unpacked$/.test(d))
    if (!unpackedDir) throw new Error(`no linux-*unpacked folder in ${readdirSync(output)}`)
    resources = join(output, unpackedDir, 'resources')
    files = new Set(listPackage(join(resources, 'app.asar'), { isPack: false }).map(slash))
  }, 150_000)

  it('holds the main, preload, renderer and node-process bundles', () => {
    for (const f of [
      '/package.json',
      '/out/main/index.js',
      '/out/main/node.js',
      '/out/main/reaper.js',
      '/out/main/workload.js',
      '/out/main/cli.js',
      '/out/preload/index.js',
      '/out/renderer/index.html',
    ]) {
      expect(files.has(f), f).toBe(true)
    }
    expect([...files].some((f) => /^\/out\/renderer\/assets\/.+\.js$/.test(f))).toBe(true)
  })

  it('holds the production dependencies and nothing else: no dev dependency, no sources', () => {
    for (const dep of Object.keys(pkg.dependencies)) {
      expect(files.has(`/node_modules/${dep}/package.json`), dep).toBe(true)
    }
    const production = productionClosure()
    const packed = new Set(
      [...files].flatMap((f) => /^\/node_modules\/(@[^/]+\/[^/]+|[^@/][^/]*)/.exec(f)?.[1] ?? []),
    )
    expect(packed.size).toBeGreaterThan(0)
    for (const name of packed) {
      expect(production.has(name), `${name} is not a production dependency`).toBe(true)
    }
    for (const dev of Object.keys(pkg.devDependencies)) {
      expect(files.has(`/node_modules/${dev}`), dev).toBe(false)
    }
    for (const f of files) {
      expect(f, 'sources, tests or source maps').not.toMatch(
        /^\/(electron|shared|renderer|tests|scripts)\/|\.map$|\/\.bin\//,
      )
    }
  })

  it('unpacks the node processes and everything they require beside the archive', () => {
    const unpacked = join(resources, 'app.asar.unpacked')
    for (const name of ['node', 'reaper', 'workload']) {
      const entry = findBuiltEntry(name, join(resources, 'app.asar', 'out', 'main'))
      expect(entry).toBe(join(unpacked, 'out', 'main', `${name}.js`))
      for (const file of requiredFiles(entry)) {
        expect(relative(unpacked, file), `${name} requires ${file}`).not.toMatch(/^\.\./)
      }
    }
  })

  it('has a sandbox-compatible preload: one CommonJS file that requires only electron', () => {
    const preload = readFileSync(join(root, 'out', 'preload', 'index.js'), 'utf8')
    const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1])
    expect(new Set(required)).toEqual(new Set(['electron']))
    expect(preload).not.toMatch(/^\s*(import|export)\s/m)
  })
})

function slash(p: string): string {
  return p.split('\\').join('/')
}

/** productionClosure is every package reachable from package.json's dependencies. */
function productionClosure(): Set<string> {
  const seen = new Set<string>()
  const visit = (name: string, from: string): void => {
    if (seen.has(name)) return
    seen.add(name)
    const manifest = packageManifest(name, join(from, 'x.js'))
    const deps = (JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: object })
      .dependencies
    for (const d of Object.keys(deps ?? {})) visit(d, dirname(manifest))
  }
  for (const d of Object.keys(pkg.dependencies)) visit(d, root)
  return seen
}

/** packageManifest finds the package.json of package `name` as Node would from `file` (not by
 * resolving `name/package.json`, which a package's "exports" may hide). */
function packageManifest(name: string, file: string): string {
  for (const dir of createRequire(file).resolve.paths(name) ?? []) {
    const manifest = join(dir, name, 'package.json')
    if (existsSync(manifest)) return manifest
  }
  throw new Error(`cannot find package ${name} from ${file}`)
}

/** requiredFiles follows an entry's require() calls, through its chunks and into the packages
 * they use (and theirs), as a child process would load them; returns every file resolved. */
function requiredFiles(entry: string): string[] {
  const builtins = new Set(builtinModules)
  const found = new Set<string>()
  const queue = [entry]
  while (queue.length > 0) {
    const file = queue.pop() as string
    if (found.has(file)) continue
    found.add(file)
    const req = createRequire(file)
    if (file.endsWith('package.json')) {
      const deps = (JSON.parse(readFileSync(file, 'utf8')) as { dependencies?: object })
        .dependencies
      for (const d of Object.keys(deps ?? {})) queue.push(packageManifest(d, file))
      continue
    }
    const text = readFileSync(file, 'utf8')
    for (const [, spec] of text.matchAll(/require\("([^"]+)"\)/g)) {
      if (spec === undefined || spec.startsWith('node:') || builtins.has(spec)) continue
      if (spec.startsWith('.')) queue.push(req.resolve(spec))
      else queue.push(packageManifest(spec, file), req.resolve(spec))
    }
  }
  return [...found]
}
