// Workloads, benchmarks and Jepsen-style tests against real clusters (short runs).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { runWorkload } from '../../electron/lab/clients/workloadRunner'
import { checkHistory } from '../../shared/check'
import type { HistoryEvent } from '../../shared/check/history'
import { DEFAULT_WORKLOAD, resultNotes } from '../../shared/lab/workload'
import { closeAndCheck, startLab, type TestLab } from './helpers'

const dir = mkdtempSync(join(tmpdir(), 'raftlab-workload-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let t: TestLab | null = null
afterEach(async () => {
  if (t) await closeAndCheck(t)
  t = null
})

const bin = join(__dirname, '..', '..', 'bin', 'raftlab.cjs')
function raftlab(args: string[]) {
  const res = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 180_000 })
  return { code: res.status, stdout: res.stdout, stderr: res.stderr }
}

async function target(t: TestLab) {
  await t.leader()
  const s = t.status()
  return {
    clusterId: s.clusterId as string,
    runDir: t.lab.runDir(),
    nodes: s.nodes.map((n) => n.id),
  }
}

describe('the workload process', () => {
  it('closed loop: measures latency and throughput, and attributes sampled writes', async () => {
    t = await startLab({ nodes: 3 })
    const progress: number[] = []
    const r = await runWorkload(
      await target(t),
      {
        ...DEFAULT_WORKLOAD,
        concurrency: 4,
        warmupMs: 300,
        durationMs: 1500,
        timingSampleEvery: 5,
      },
      (p) => progress.push(p.elapsedMs),
    )
    expect(r.counts.put.ok).toBeGreaterThan(20)
    expect(r.counts.put.fail + r.counts.put.info).toBe(0)
    expect(r.writesPerSec).toBeGreaterThan(0)
    expect(r.writeLatency.count).toBe(r.counts.put.ok)
    expect(r.writeLatency.p50).toBeGreaterThan(0)
    expect(r.writeLatency.p99).toBeGreaterThanOrEqual(r.writeLatency.p50)
    expect(progress.length).toBeGreaterThan(1)
    const a = r.attribution
    expect(a?.samples).toBeGreaterThan(0)
    expect(a?.stages.map((s) => s.stage)).toEqual([
      'leaderQueue',
      'leaderDisk',
      'replication',
      'followerDisk',
      'commitApply',
      'clientNetwork',
    ])
    expect(a?.stages.every((s) => s.medianMs >= 0)).toBe(true)
    // Followers report their disk time beside their acknowledgements (a diskTiming frame), and
    // the one completing a quorum is attributed to followerDisk.
    expect(a?.stages.find((s) => s.stage === 'followerDisk')?.meanMs).toBeGreaterThan(0)
  })

  it('open loop with a history: every operation recorded, and the history is linearizable', async () => {
    t = await startLab({ nodes: 3 })
    const historyFile = join(dir, 'h.jsonl')
    const r = await runWorkload(await target(t), {
      ...DEFAULT_WORKLOAD,
      mode: 'open',
      rate: 200,
      concurrency: 8,
      warmupMs: 0,
      durationMs: 1500,
      keys: 3,
      mix: { put: 1, get: 1, cas: 1 },
      historyFile,
      valueSizeBytes: 0,
    })
    const events = readFileSync(historyFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as HistoryEvent)
    const invokes = events.filter((e) => e.type === 'invoke').length
    expect(invokes).toBeGreaterThan(200)
    expect(events.length).toBe(2 * invokes)
    expect(r.opsPerSec).toBeGreaterThan(100)
    // Every write the node answered says what the key held; a cas that did not swap too.
    const answered = events.filter((e) => e.op !== 'get' && e.type === 'ok')
    expect(answered.length).toBeGreaterThan(0)
    expect(answered.every((e) => e.observed !== undefined)).toBe(true)
    const noSwap = events.filter((e) => e.op === 'cas' && e.type === 'fail' && 'observed' in e)
    expect(noSwap.length).toBeGreaterThan(0)
    const verdict = checkHistory(events)
    expect(verdict.valid).toBe(true)
    expect(verdict.keys).toBe(3)
    // The failed cas that saw a value are checked, as reads.
    expect(verdict.ops).toBe(
      invokes - events.filter((e) => e.type === 'fail').length + noSwap.length,
    )
  })
})

describe('an open loop its clients cannot keep up with', () => {
  it('still measures what completed, and says how far behind the clients fell', async () => {
    t = await startLab({ nodes: 3 })
    // 20 ms each way between the nodes: one client completes at most ~25 writes a second, a
    // quarter of the 100 offered. Counting by due time, nothing due in the measured second was
    // ever sent before it ended: the Benchmarks tab showed 0 ok, 0 fail, 0 info.
    for (const [from, to] of [
      [1, 2],
      [1, 3],
      [2, 3],
    ] as const) {
      const r = await t.lab.command({ type: 'link.set', from, to, both: true, latencyMs: 20 })
      expect(r.ok, JSON.stringify(r)).toBe(true)
    }
    const r = await runWorkload(await target(t), {
      ...DEFAULT_WORKLOAD,
      mode: 'open',
      rate: 100,
      concurrency: 1,
      warmupMs: 1000,
      durationMs: 1000,
      valueSizeBytes: 0,
    })
    expect(r.counts.put.ok).toBeGreaterThan(5)
    expect(r.writeLatency.count).toBe(r.counts.put.ok)
    expect(r.open?.offeredPerSec).toBe(100)
    expect(r.open?.due).toBeGreaterThan(90)
    expect(r.open?.unsent).toBeGreaterThan(r.open?.due ? r.open.due / 2 : 0)
    expect(resultNotes(r).join('\n')).toMatch(/^the clients could not keep up: 100\/s offered/m)
  })
})

describe('workloads one after another on one cluster', () => {
  it('a second run counts its writes as ok and both histories check as one (sessions are new)', async () => {
    t = await startLab({ nodes: 3 })
    const tg = await target(t)
    const events: HistoryEvent[] = []
    const runs = []
    for (const [i, mode] of (['closed', 'open'] as const).entries()) {
      const historyFile = join(dir, `seq-${i}.jsonl`)
      runs.push(
        await runWorkload(tg, {
          ...DEFAULT_WORKLOAD,
          mode,
          rate: 150,
          concurrency: 4,
          warmupMs: 0,
          durationMs: 1200,
          keys: 4,
          mix: { put: 2, get: 1, cas: 0 },
          historyFile,
          valueSizeBytes: 0,
        }),
      )
      events.push(
        ...readFileSync(historyFile, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as HistoryEvent),
      )
    }
    // Same seed, same cluster: the second run once reused the first's session ids, and its writes
    // were answered from the first run's session cache or refused as stale — all 'fail'.
    for (const r of runs) {
      expect(r.counts.put.ok, JSON.stringify(r.errors)).toBeGreaterThan(20)
      expect(r.counts.put.fail + r.counts.get.fail).toBe(0)
    }
    expect(checkHistory(events).valid).toBe(true)
  })
})

describe('raftlab bench and raftlab test (built CLI)', () => {
  it('bench sweeps configurations and writes JSON with the machine and the configuration', () => {
    const out = join(dir, 'bench.json')
    const r = raftlab([
      'bench',
      '--clients',
      '1,4',
      '--duration',
      '1s',
      '--warmup',
      '300ms',
      '--json',
      '--out',
      out,
    ])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/writes\/s/)
    expect(r.stdout).toMatch(/where the time went/)
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      machine: { cpus: number }
      rows: {
        config: { concurrency: number; nodes: number }
        result: { writesPerSec: number }
        stability: { unforcedLeaderChanges: number; rssMiB: (number | null)[] }
      }[]
    }
    expect(report.machine.cpus).toBeGreaterThan(0)
    expect(report.rows.map((row) => row.config.concurrency)).toEqual([1, 4])
    expect(report.rows.every((row) => row.result.writesPerSec > 0)).toBe(true)
    // Each configuration says how stable its cluster was and how big each node ended.
    for (const row of report.rows) {
      expect(row.stability.unforcedLeaderChanges).toBeGreaterThanOrEqual(0)
      expect(row.stability.rssMiB).toHaveLength(row.config.nodes)
      if (process.platform === 'linux')
        for (const mib of row.stability.rssMiB) expect(mib).toBeGreaterThan(10)
    }
    expect(r.stdout).toMatch(/elections +max RSS MiB/)
  })

  it('bench --csv prints one line per configuration', () => {
    const r = raftlab([
      'bench',
      '--nodes',
      '1',
      '--fsync',
      'never',
      '--clients',
      '2',
      '--duration',
      '500ms',
      '--warmup',
      '200ms',
      '--csv',
    ])
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^nodes,fsync,clients/)
    expect(lines[1]).toMatch(/^1,never,2,/)
  })

  it('test runs a workload under faults and reports a verdict as JSON', () => {
    const history = join(dir, 'test-history.jsonl')
    const r = raftlab([
      'test',
      '--nodes',
      '3',
      '--duration',
      '6s',
      '--rate',
      '100',
      '--fault-every',
      '2s',
      '--history',
      history,
      '--json',
    ])
    expect(r.code, r.stdout + r.stderr).toBe(0)
    const rep = JSON.parse(r.stdout) as {
      valid: unknown
      ops: { total: number; ok: number }
      faults: number
      leaderChanges: number
      unforcedLeaderChanges: number
      historyFile: string
    }
    expect(rep.valid).toBe(true)
    expect(rep.ops.total).toBeGreaterThan(300)
    expect(rep.ops.ok).toBeGreaterThan(0)
    expect(rep.faults).toBeGreaterThanOrEqual(1)
    expect(typeof rep.leaderChanges).toBe('number')
    // Those no fault explains are among them.
    expect(rep.unforcedLeaderChanges).toBeGreaterThanOrEqual(0)
    expect(rep.unforcedLeaderChanges).toBeLessThanOrEqual(rep.leaderChanges)
    expect(rep.historyFile).toBe(history)
  })
})
