// In the packaged app the lab's child entries (node.js, reaper.js, workload.js) are unpacked
// beside app.asar, and children start from there; from source and in the CLI they stay in out/.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  asarUnpackedPath,
  builtEntry,
  findBuiltEntry,
} from '../../../electron/lab/supervisor/paths'

const dir = mkdtempSync(join(tmpdir(), 'raftlab-paths-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('asarUnpackedPath', () => {
  it('maps a path inside app.asar to app.asar.unpacked', () => {
    expect(asarUnpackedPath('/opt/raftlab/resources/app.asar/out/main')).toBe(
      '/opt/raftlab/resources/app.asar.unpacked/out/main',
    )
    expect(asarUnpackedPath('C:\\raftlab\\resources\\app.asar\\out\\main')).toBe(
      'C:\\raftlab\\resources\\app.asar.unpacked\\out\\main',
    )
    expect(asarUnpackedPath('/r/app.asar')).toBe('/r/app.asar.unpacked')
  })

  it('leaves other paths alone, including look-alikes', () => {
    for (const p of ['/work/main/out/main', '/r/app.asar.unpacked/out', '/r/my-app.asar/x']) {
      expect(asarUnpackedPath(p)).toBe(p)
    }
  })
})

describe('findBuiltEntry', () => {
  it('prefers the unpacked copy of an entry packed in app.asar', () => {
    const resources = join(dir, 'resources')
    mkdirSync(join(resources, 'app.asar.unpacked', 'out', 'main'), { recursive: true })
    writeFileSync(join(resources, 'app.asar'), 'not a directory to plain Node')
    writeFileSync(join(resources, 'app.asar.unpacked', 'out', 'main', 'node.js'), '')
    expect(findBuiltEntry('node', join(resources, 'app.asar', 'out', 'main'))).toBe(
      join(resources, 'app.asar.unpacked', 'out', 'main', 'node.js'),
    )
  })

  it('says to build when an entry is missing', () => {
    expect(() => findBuiltEntry('nope', join(dir, 'x'))).toThrow(/run: npm run build/)
  })

  it('still finds the built entries from source (tests, CLI)', () => {
    expect(builtEntry('node')).toMatch(/out[\\/]main[\\/]node\.js$/)
  })
})
