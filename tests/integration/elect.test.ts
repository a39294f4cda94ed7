// `raftlab elect` on real processes: a short run of the Figure 16 experiment, through the engine
// and through the built CLI. It asserts what every trial must satisfy, not how fast it was.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runElect } from '../../electron/lab/activities/elect'
import { Lab } from '../../electron/lab/engine/lab'
import { isAlive, waitUntil } from './helpers'

const dir = mkdtempSync(join(tmpdir(), 'raftlab-elect-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('raftlab elect', () => {
  it('crashes the leader of a 5-node cluster and times each new election', async () => {
    const pids = new Set<number>()
    const ranges = [
      { minMs: 150, maxMs: 300 },
      { minMs: 25, maxMs: 50 },
    ]
    const run = await runElect((o) => new Lab(o), {
      ranges,
      trials: 3,
      nodes: 5,
      preVote: false,
      checkQuorum: false,
      fsync: 'always',
      seed: 1,
      trialTimeoutMs: 20_000,
      onClusterStarted: (lab) => {
        // Every pid now (nodes and the reaper), and every node restarted later.
        for (const pid of lab.processIds()) pids.add(pid)
        lab.subscribe((events) => {
          for (const e of events) if (e.type === 'node.process' && e.pid !== null) pids.add(e.pid)
        })
      },
    })
    expect(run.aborted).toBe(false)
    expect(run.ranges.map((r) => [r.range, r.trials, r.failures, r.error])).toEqual([
      ['150-300', 3, 0, undefined],
      ['25-50', 3, 0, undefined],
    ])
    expect(run.trials).toHaveLength(6)
    for (const t of run.trials) {
      const r = ranges.find((x) => `${x.minMs}-${x.maxMs}` === t.range)
      if (!r) throw new Error(`unexpected range ${t.range}`)
      const detail = JSON.stringify(t)
      expect(t.ok, detail).toBe(true)
      // No follower times out before a minimum timeout has passed since its last heartbeat,
      // which the crash followed by at most a heartbeat interval (half the minimum).
      expect(t.ms, detail).toBeGreaterThan(r.minMs / 4)
      expect(t.ms, detail).toBeLessThan(10 * r.maxMs + 2000)
      // The new leader knows before the others can: they learn it from its messages.
      expect(t.electedMs, detail).toBeGreaterThan(0)
      expect(t.electedMs, detail).toBeLessThanOrEqual(t.ms as number)
      // The first election began after the crash and no later than the new leader won it.
      expect(t.detectedMs, detail).toBeGreaterThan(0)
      expect(t.detectedMs, detail).toBeLessThanOrEqual(t.electedMs as number)
      expect(t.newLeader, detail).not.toBe(t.crashedLeader)
      expect(t.newTerm, detail).toBeGreaterThan(t.crashedTerm)
      expect(t.crashDelayMs).toBeGreaterThanOrEqual(0)
      expect(t.crashDelayMs).toBeLessThan(Math.floor(r.minMs / 2))
    }
    for (const r of run.ranges) {
      expect(r.stats?.count).toBe(3)
      expect(r.stats?.min).toBeLessThanOrEqual(r.stats?.median as number)
    }
    // Two clusters of 5 nodes plus a reaper each, and a restarted node per trial.
    expect(pids.size).toBeGreaterThanOrEqual(2 * 6 + 6)
    const gone = await waitUntil(() => [...pids].filter(isAlive).length === 0, 5000)
    expect(gone, `processes left behind: ${[...pids].filter(isAlive).join(', ')}`).toBe(true)
  })

  it('runs from the built CLI and writes one CSV row per trial', () => {
    const dataDir = join(dir, 'data')
    const out = join(dir, 'trials.csv')
    const bin = join(__dirname, '..', '..', 'bin', 'raftlab.cjs')
    const res = spawnSync(
      process.execPath,
      [bin, 'elect', '--timeouts', '50-100', '--trials', '2', '--nodes', '3', '--seed', '5'].concat(
        ['--data-dir', dataDir, '--csv', '--out', out],
      ),
      { encoding: 'utf8', timeout: 120_000 },
    )
    expect(res.status, res.stderr).toBe(0)
    expect(res.stderr).toMatch(/1 range\(s\) × 2 trials on 3 nodes; expect about/)
    expect(res.stdout).toMatch(/^50-100\s+25\s+2\s+0\s/m)
    expect(res.stdout.replace(/\n {2}/g, ' ')).toMatch(
      /PreVote off, CheckQuorum off \(as in the paper\)/,
    )
    const rows = readFileSync(out, 'utf8').trimEnd().split('\n')
    expect(rows).toHaveLength(3)
    expect(rows[1]).toMatch(/^50-100,1,\d+(\.\d+)?,true,/)
    expect(rows[2]).toMatch(/^50-100,2,\d+(\.\d+)?,true,/)
    // The per-range data directory is removed, and no node still runs on it (Linux: a node's
    // environment names its data directory).
    expect(readdirSync(dataDir)).toEqual([])
    expect(processesUsing(dataDir)).toEqual([])
  })
})

/** processesUsing lists pids whose environment mentions `path` (Linux only; [] elsewhere). */
function processesUsing(path: string): number[] {
  if (process.platform !== 'linux') return []
  const pids: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').includes(path)) pids.push(Number(name))
    } catch {
      // gone, or not ours to read
    }
  }
  return pids
}
