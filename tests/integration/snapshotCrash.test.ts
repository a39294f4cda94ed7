// Crash at every step of taking and of installing a snapshot: a real process (the fixture
// fixtures/snapshotCrash.mts) runs a node's storage through the sequence — snapshot file written,
// fsynced, renamed, directory fsynced, the log compacted, WAL segments and older snapshot files
// deleted — and is SIGKILLed before its Nth file-system step, for every N. After each kill the
// directory must open, hold every entry the process acknowledged, and rebuild exactly the key-value
// state those entries make. (It found a node that could not restart after a kill during an
// install: the snapshot was durable before the new term it came with.)
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { buildSync } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DiskStorage } from '../../electron/node/storage'
import { KvStore } from '../../shared/kv'
import type { Entry } from '../../shared/raft/types'
import { stateAt } from './fixtures/snapshotCrashData.mts'

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'raftlab-snapcrash-'))
// The fixture is bundled once: a plain Node start per kill point (about 60 of them) rather than
// a TypeScript loader's.
const FIXTURE = path.join(root, 'snapshotCrash.mjs')
beforeAll(() => {
  buildSync({
    entryPoints: [path.join(__dirname, 'fixtures/snapshotCrash.mts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: FIXTURE,
    logLevel: 'error',
  })
})
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

interface Run {
  killed: boolean
  acked: number
  calls: number | null
  stderr: string
}

/** run runs the fixture in a fresh directory, killed at step `killAt` (0: never). */
function run(dir: string, mode: 'take' | 'install', killAt: number): Run {
  const r = spawnSync(process.execPath, [FIXTURE, dir, mode, String(killAt)], {
    encoding: 'utf8',
    timeout: 30_000,
  })
  const lines = r.stdout.split('\n')
  const acked = Math.max(
    0,
    ...lines
      .map((l) => /^acked (\d+)$/.exec(l)?.[1])
      .filter(Boolean)
      .map(Number),
  )
  const calls = lines.map((l) => /^calls (\d+)$/.exec(l)?.[1]).find(Boolean)
  return {
    killed: r.signal === 'SIGKILL',
    acked,
    calls: calls ? Number(calls) : null,
    stderr: r.stderr,
  }
}

/** recover opens `dir` as a restarting node would and rebuilds its key-value state from the
 * newest snapshot and the log after it. */
function recover(dir: string): { kv: KvStore; lastIndex: number; snapshotIndex: number } {
  const disk = DiskStorage.open({ dir, members: [1, 2, 3] })
  try {
    const st = disk.storage()
    const snap = st.snapshot()
    if (snap === 'temporarily-unavailable') throw new Error('no snapshot to read')
    const kv = new KvStore()
    if (snap.metadata.index > 0) kv.restore(snap.data)
    expect(kv.appliedIndex).toBe(snap.metadata.index)
    const last = st.lastIndex()
    if (last > kv.appliedIndex) {
      const es = st.entries(kv.appliedIndex + 1, last + 1, Infinity, Infinity) as Entry[]
      expect(Array.isArray(es), `entries after the snapshot: ${String(es)}`).toBe(true)
      for (const e of es) kv.apply(e)
    }
    return { kv, lastIndex: last, snapshotIndex: snap.metadata.index }
  } finally {
    disk.close()
  }
}

describe.each(['take', 'install'] as const)('a node killed while it %ss a snapshot', (mode) => {
  it('loses nothing it acknowledged, at any step of the sequence', () => {
    const clean = run(path.join(root, `${mode}-clean`), mode, 0)
    expect(clean.stderr).toBe('')
    const steps = clean.calls as number
    // Writing a snapshot file alone is open, write, fsync, rename, open + fsync of the directory.
    expect(steps).toBeGreaterThanOrEqual(6)
    const cleanState = recover(path.join(root, `${mode}-clean`))
    expect(cleanState.snapshotIndex).toBe(mode === 'take' ? 300 : 500)
    const seen = new Set<string>()
    for (let killAt = 1; killAt <= steps; killAt++) {
      const dir = path.join(root, `${mode}-${killAt}`)
      const r = run(dir, mode, killAt)
      expect(r.killed, `step ${killAt}: not killed (${r.stderr})`).toBe(true)
      const { kv, lastIndex, snapshotIndex } = recover(dir)
      // Every acknowledged entry is there, and the state is exactly the one they make.
      expect(lastIndex, `step ${killAt}`).toBeGreaterThanOrEqual(r.acked)
      expect(kv.digest(), `step ${killAt}: state at ${lastIndex}`).toBe(stateAt(lastIndex).digest())
      seen.add(`snapshot ${snapshotIndex}, log to ${lastIndex}`)
      fs.rmSync(dir, { recursive: true, force: true })
    }
    // The kills landed on both sides of the snapshot becoming durable.
    expect(seen.size).toBeGreaterThan(1)
  })
})
