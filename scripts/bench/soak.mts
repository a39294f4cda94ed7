// The long-running figures of snapshots and log compaction (docs/guide/benchmarks.md, "Soak"):
// memory and disk of nodes under a long open-loop load, restart time after a million applied
// entries, a follower rejoining after a long absence, and the cost of snapshots in throughput.
// Real time, real processes: run after `npm run build`, on a quiet machine:
//
//   npm run bench:soak                          every phase with the issue's figures (~55 min)
//   npm run bench:soak -- --phase memory --minutes 5
//   npm run bench:soak -- --quick               every phase, scaled down (~4 min)
//   npm run bench:soak -- --phase memory-off --minutes 10   the control: no snapshots at all
//
// Each phase prints its progress as it goes and a summary; .tmp/soak-<phase>.json keeps the raw
// samples.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, platform, release, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Lab } from '../../electron/lab/engine/lab.ts'
import { residentMiB } from '../../electron/lab/activities/bench.ts'
import type { ClusterConfig } from '../../shared/lab/config.ts'
import type { LabEvent } from '../../shared/lab/events.ts'
import type { WorkloadProgress, WorkloadSpec } from '../../shared/lab/workload.ts'

const { values } = parseArgs({
  options: {
    phase: { type: 'string', default: 'memory,restart,rejoin,onoff' },
    quick: { type: 'boolean', default: false },
    minutes: { type: 'string' },
    rate: { type: 'string' },
    keys: { type: 'string' },
    'restart-entries': { type: 'string' },
    'away-minutes': { type: 'string' },
    rounds: { type: 'string' },
    'snapshot-every': { type: 'string' },
  },
})
const quick = values.quick === true
const num = (v: string | undefined, full: number, short: number): number =>
  v === undefined ? (quick ? short : full) : Number(v)
const MINUTES = num(values.minutes, 30, 2)
const RATE = num(values.rate, 2000, 2000)
const KEYS = num(values.keys, 100_000, 100_000)
const RESTART_ENTRIES = num(values['restart-entries'], 1_000_000, 100_000)
const AWAY_MINUTES = num(values['away-minutes'], 10, 1)
const ROUNDS = num(values.rounds, 3, 2)
const SNAPSHOT_EVERY = num(values['snapshot-every'], 10_000, 10_000)
const phases = new Set(String(values.phase).split(','))

const OUT = '.tmp'
mkdirSync(OUT, { recursive: true })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '—')
const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length

/** rssMiB is a process's resident memory (NaN when unknown, so means and maxima say so). */
const rssMiB = (pid: number | null): number => residentMiB(pid) ?? NaN

function duMiB(dir: string): number {
  try {
    const out = execFileSync('du', ['-sk', dir], { encoding: 'utf8' })
    return Number(out.split(/\s/)[0]) / 1024
  } catch {
    return NaN
  }
}

/** KEPT: the events the phases look at. */
const KEPT = new Set(['node.snapshot', 'node.recovered', 'node.lag', 'node.leader'])

/** lagSummary says how late the nodes' event loops ran timers (node.lag: reported each second
 * while at least 20 ms late): a stalled node delays heartbeats and every write it handles. */
function lagSummary(events: LabEvent[]): string {
  const lags = events.flatMap((e) => (e.type === 'node.lag' ? [e.maxMs] : []))
  if (lags.length === 0) return 'no node ran its timers 20 ms late or more'
  return (
    `node seconds with timers ≥ 20 ms late: ${lags.length}, worst ${Math.max(...lags)} ms, ` +
    `median of those ${quantile(lags, 0.5)} ms`
  )
}

/** Soak is one lab with its data in a directory of our own (so its size can be measured) and the
 * events it emitted, kept for the phases that need them. */
class Soak {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'raftlab-soak-'))
  readonly lab = new Lab({ dataDir: this.dataDir })
  readonly events: LabEvent[] = []
  private readonly unsubscribe = this.lab.subscribe((evs) => {
    for (const e of evs) if (KEPT.has(e.type)) this.events.push(e)
  })

  async start(config: Partial<ClusterConfig>): Promise<void> {
    const res = await this.lab.command({ type: 'cluster.start', config })
    if (!res.ok) throw new Error(res.error)
    if (!(await this.lab.waitFor((s) => s.leader !== null, 20_000))) throw new Error('no leader')
  }

  leader(): number {
    const l = this.lab.status().leader
    if (l === null) throw new Error('no leader')
    return l
  }

  node(id: number) {
    const n = this.lab.status().nodes.find((x) => x.id === id)
    if (!n) throw new Error(`no node n${id}`)
    return n
  }

  async close(): Promise<void> {
    this.unsubscribe()
    await this.lab.close()
    rmSync(this.dataDir, { recursive: true, force: true })
  }
}

/** snapshotPolicy: the default policy (every SNAPSHOT_EVERY entries or 16 MiB of applied data),
 * or none at all — both thresholds off. */
function snapshotPolicy(on: boolean): Partial<ClusterConfig> {
  return on
    ? { snapshotEveryEntries: SNAPSHOT_EVERY }
    : { snapshotEveryEntries: 0, snapshotEveryMiB: 0 }
}

function header(title: string): void {
  const load = loadavg()[0] ?? 0
  console.log(`\n== ${title}`)
  console.log(
    `machine: ${cpus().length} CPUs, ${platform()} ${release()}, Node ${process.version}, ` +
      `load ${load.toFixed(2)}`,
  )
}

const openLoop = (rate: number, durationMs: number): Partial<WorkloadSpec> => ({
  mode: 'open',
  rate,
  concurrency: 64,
  durationMs,
  warmupMs: 0,
  keys: KEYS,
  valueSizeBytes: 64,
  timeoutMs: 5000,
})

// -------------------------------------------------------------------------------------------
// Memory: 3 nodes, fsync always, an open loop at RATE writes/s for MINUTES minutes; every 10 s the
// resident memory of every node and the size of its data directory.

async function memory(snapshots = true): Promise<void> {
  const policy = snapshots ? `snapshot every ${SNAPSHOT_EVERY} entries or 16 MiB` : 'NO snapshots'
  header(
    `memory: 3 nodes, fsync always, open loop ${RATE} writes/s over ${KEYS} keys for ${MINUTES} ` +
      `min, ${policy}`,
  )
  const s = new Soak()
  const rows: { t: number; rss: number[]; disk: number[]; wps: number; p99: number }[] = []
  try {
    await s.start({ nodes: 3, fsync: 'always', ...snapshotPolicy(snapshots) })
    let last: WorkloadProgress | null = null
    const t0 = performance.now()
    const done = s.lab.runWorkload(openLoop(RATE, MINUTES * 60_000), (p) => (last = p))
    let finished = false
    void done.finally(() => (finished = true))
    console.log('   t(s)  RSS n1/n2/n3 (MiB)         data n1/n2/n3 (MiB)      writes/s  p99 ms')
    while (!finished) {
      await Promise.race([sleep(10_000), done.catch(() => {})])
      if (finished) break
      const nodes = s.lab.status().nodes
      const p = last as WorkloadProgress | null
      const row = {
        t: (performance.now() - t0) / 1000,
        rss: nodes.map((n) => rssMiB(n.pid)),
        disk: nodes.map((n) => duMiB(join(s.dataDir, `n${n.id}`))),
        wps: p?.sample.writesPerSec ?? NaN,
        p99: p?.sample.p99Ms ?? NaN,
      }
      rows.push(row)
      console.log(
        `${fmt(row.t, 0).padStart(7)}  ${row.rss.map((x) => fmt(x).padStart(6)).join(' ')}` +
          `        ${row.disk.map((x) => fmt(x).padStart(6)).join(' ')}` +
          `       ${fmt(row.wps, 0).padStart(6)}  ${fmt(row.p99, 2).padStart(6)}`,
      )
    }
    const result = await done
    const taken = s.events.filter((e) => e.type === 'node.snapshot' && e.kind === 'taken')
    const third = Math.max(1, Math.floor(rows.length / 3))
    const early = rows.slice(third, 2 * third)
    const late = rows.slice(-third)
    const perNode = (pick: (r: (typeof rows)[number]) => number[], xs: typeof rows) =>
      [0, 1, 2].map((i) => mean(xs.map((r) => pick(r)[i] ?? NaN)))
    const maxRss = Math.max(...rows.flatMap((r) => r.rss))
    console.log(
      `result: ${fmt(result.writesPerSec, 0)} writes/s ok, p50 ${fmt(result.writeLatency.p50, 2)} ms, ` +
        `p99 ${fmt(result.writeLatency.p99, 2)} ms, failed ${result.counts.put.fail}, unknown ${result.counts.put.info}`,
    )
    const took = taken.map((e) => (e.type === 'node.snapshot' ? e.durationMs : NaN))
    const size = taken.map((e) => (e.type === 'node.snapshot' ? e.bytes / 1048576 : NaN))
    console.log(
      `snapshots taken: ${taken.length} (all nodes), each took median ${fmt(quantile(took, 0.5))} ms, ` +
        `max ${fmt(Math.max(...took))} ms; size median ${fmt(quantile(size, 0.5), 2)} MiB`,
    )
    console.log(lagSummary(s.events))
    console.log(`RSS max over the run: ${fmt(maxRss)} MiB (goal < 150 MiB per node)`)
    console.log(
      `RSS mean, middle third → last third: ${perNode((r) => r.rss, early)
        .map((x) => fmt(x))
        .join('/')} → ` +
        `${perNode((r) => r.rss, late)
          .map((x) => fmt(x))
          .join('/')} MiB`,
    )
    console.log(
      `data dir mean, middle third → last third: ${perNode((r) => r.disk, early)
        .map((x) => fmt(x))
        .join('/')} → ` +
        `${perNode((r) => r.disk, late)
          .map((x) => fmt(x))
          .join('/')} MiB`,
    )
    const file = snapshots ? 'soak-memory.json' : 'soak-memory-off.json'
    writeFileSync(join(OUT, file), JSON.stringify({ rows, result }, null, 1))
  } finally {
    await s.close()
  }
}

// -------------------------------------------------------------------------------------------
// Restart: fill a 3-node cluster (fsync never, to get there sooner) until a follower has applied
// RESTART_ENTRIES entries, then kill that follower and restart it: the time from the restart
// command to its process listening, what its storage recovery took, and until it applied the
// leader's commit index again. With snapshots off as well, for comparison.

async function restart(): Promise<void> {
  for (const every of [SNAPSHOT_EVERY, 0]) {
    header(
      `restart after ${RESTART_ENTRIES} applied entries, snapshots ${every ? `every ${every}` : 'off'}`,
    )
    const s = new Soak()
    try {
      await s.start({ nodes: 3, fsync: 'never', ...snapshotPolicy(every > 0) })
      const leader = s.leader()
      const follower = s.lab.status().nodes.find((n) => n.id !== leader)!.id
      const filling = new AbortController()
      const t0 = performance.now()
      const fill = s.lab.runWorkload(
        { mode: 'closed', concurrency: 64, durationMs: 3_600_000, warmupMs: 0, keys: KEYS },
        () => {},
        filling.signal,
      )
      let lastPrint = 0
      for (;;) {
        const applied = s.node(follower).status?.applied ?? 0
        if (applied >= RESTART_ENTRIES) break
        if (performance.now() - lastPrint > 10_000) {
          lastPrint = performance.now()
          const secs = (performance.now() - t0) / 1000
          console.log(`  filling: n${follower} applied ${applied} after ${fmt(secs, 0)} s`)
        }
        await sleep(200)
      }
      filling.abort()
      await fill.catch(() => {})
      await sleep(500)
      const before = s.node(follower).status
      console.log(
        `  n${follower}: applied ${before?.applied}, RSS ${fmt(rssMiB(s.node(follower).pid))} MiB, ` +
          `data ${fmt(duMiB(join(s.dataDir, `n${follower}`)))} MiB`,
      )
      await s.lab.command({ type: 'node.crash', node: follower })
      const commit = Math.max(...s.lab.status().nodes.map((n) => n.status?.commit ?? 0))
      const recoveredBefore = s.events.length
      const r0 = performance.now()
      const res = await s.lab.command({ type: 'node.restart', node: follower })
      if (!res.ok) throw new Error(res.error)
      await s.lab.waitFor(
        (st) => st.nodes.find((n) => n.id === follower)?.state === 'running',
        60_000,
      )
      const runningMs = performance.now() - r0
      await s.lab.waitFor(
        (st) => (st.nodes.find((n) => n.id === follower)?.status?.applied ?? 0) >= commit,
        120_000,
      )
      const appliedMs = performance.now() - r0
      const rec = s.events
        .slice(recoveredBefore)
        .find((e) => e.type === 'node.recovered' && e.node === follower)
      const recovery = rec?.type === 'node.recovered' ? rec : null
      console.log(
        `  restart → listening: ${fmt(runningMs, 0)} ms; storage recovery ${fmt(recovery?.durationMs ?? NaN, 0)} ms ` +
          `(snapshot at ${recovery?.snapshotIndex ?? 0}, ${recovery?.entries ?? '?'} log entries replayed); ` +
          `applied the commit index ${commit} again after ${fmt(appliedMs, 0)} ms`,
      )
      writeFileSync(
        join(OUT, `soak-restart-${every}.json`),
        JSON.stringify({ every, commit, runningMs, appliedMs, recovery }, null, 1),
      )
    } finally {
      await s.close()
    }
  }
}

// -------------------------------------------------------------------------------------------
// Rejoin: 3 nodes, fsync always, open loop at RATE writes/s; a follower is stopped for
// AWAY_MINUTES minutes, then restarted: how long until its applied index is within 100 of the
// leader's, and the write p99 of the clients before, during the absence, and while it catches up.

async function rejoin(): Promise<void> {
  header(
    `rejoin: 3 nodes, fsync always, open loop ${RATE} writes/s; a follower stopped for ${AWAY_MINUTES} min`,
  )
  const s = new Soak()
  try {
    await s.start({ nodes: 3, fsync: 'always', ...snapshotPolicy(true) })
    const windows: { t: number; p99: number; wps: number; phase: string }[] = []
    let phase = 'before'
    const t0 = performance.now()
    const stop = new AbortController()
    const totalMs = (AWAY_MINUTES + 3) * 60_000
    const load = s.lab.runWorkload(
      openLoop(RATE, totalMs),
      (p) =>
        windows.push({
          t: (performance.now() - t0) / 1000,
          p99: p.sample.p99Ms,
          wps: p.sample.writesPerSec,
          phase,
        }),
      stop.signal,
    )
    await sleep(60_000)
    const leader = s.leader()
    const follower = s.lab.status().nodes.find((n) => n.id !== leader)!.id
    await s.lab.command({ type: 'node.stop', node: follower })
    phase = 'away'
    console.log(`  n${follower} stopped at ${fmt((performance.now() - t0) / 1000, 0)} s`)
    for (let m = 0; m < AWAY_MINUTES * 6; m++) {
      await sleep(10_000)
      const lead = s.lab.status().nodes.find((n) => n.id === s.lab.status().leader)
      console.log(`  … away, leader applied ${lead?.status?.applied ?? '?'}`)
    }
    const transfers0 = s.events.length
    phase = 'catching up'
    const r0 = performance.now()
    const res = await s.lab.command({ type: 'node.restart', node: follower })
    if (!res.ok) throw new Error(res.error)
    const caughtUp = await s.lab.waitFor((st) => {
      const f = st.nodes.find((n) => n.id === follower)?.status
      const l = st.nodes.find((n) => n.id === st.leader)?.status
      return !!f && !!l && l.applied - f.applied <= 100 && f.applied > 0
    }, 300_000)
    const rejoinMs = performance.now() - r0
    phase = 'after'
    const installed = s.events
      .slice(transfers0)
      .filter((e) => e.type === 'node.snapshot' && e.node === follower && e.kind === 'installed')
    console.log(
      `  n${follower} restarted; within 100 entries of the leader after ${fmt(rejoinMs, 0)} ms ` +
        `(${caughtUp ? 'caught up' : 'NOT caught up in 300 s'}); snapshots installed: ${installed.length}` +
        (installed[0]?.type === 'node.snapshot'
          ? ` (≤ ${installed[0].index}, ${fmt(installed[0].bytes / 1048576, 2)} MiB)`
          : ''),
    )
    await sleep(30_000)
    stop.abort()
    const result = await load.catch(() => null)
    const p99 = (ph: string) => windows.filter((w) => w.phase === ph).map((w) => w.p99)
    for (const ph of ['before', 'away', 'catching up', 'after']) {
      const xs = p99(ph)
      if (xs.length === 0) continue
      console.log(
        `  write p99 per window, ${ph.padEnd(11)}: median ${fmt(quantile(xs, 0.5), 2)} ms, ` +
          `worst ${fmt(Math.max(...xs), 2)} ms (${xs.length} windows)`,
      )
    }
    if (result) {
      console.log(
        `  whole run: ${fmt(result.writesPerSec, 0)} writes/s ok, p99 ${fmt(result.writeLatency.p99, 2)} ms, ` +
          `failed ${result.counts.put.fail}, unknown ${result.counts.put.info}`,
      )
    }
    writeFileSync(
      join(OUT, 'soak-rejoin.json'),
      JSON.stringify({ follower, rejoinMs, caughtUp, windows, installed }, null, 1),
    )
  } finally {
    await s.close()
  }
}

// -------------------------------------------------------------------------------------------
// On vs off: `raftlab bench`'s default workload (closed loop, 16 clients, 64-byte values, 10 s
// after 2 s warm-up, fsync always, 3 nodes) on a fresh cluster per round, snapshots on and off in
// alternating rounds, so drift of the machine hits both alike.

async function onoff(): Promise<void> {
  header(
    `snapshots on (every ${SNAPSHOT_EVERY}) vs off: bench default workload, ${ROUNDS} rounds each`,
  )
  const out: Record<string, { wps: number; p50: number }[]> = { on: [], off: [] }
  for (let r = 0; r < ROUNDS; r++) {
    for (const which of r % 2 === 0 ? ['on', 'off'] : ['off', 'on']) {
      const s = new Soak()
      try {
        await s.start({
          nodes: 3,
          fsync: 'always',
          ...snapshotPolicy(which === 'on'),
        })
        // The lab's live workload runs until stopped: the bench's measured period, explicitly.
        const res = await s.lab.runWorkload({ durationMs: 10_000, warmupMs: 2000 })
        const taken = s.events.filter((e) => e.type === 'node.snapshot').length
        out[which]!.push({ wps: res.writesPerSec, p50: res.writeLatency.p50 })
        console.log(
          `  round ${r + 1} ${which.padEnd(3)}: ${fmt(res.writesPerSec, 0)} writes/s, p50 ${fmt(res.writeLatency.p50, 2)} ms, ` +
            `p99 ${fmt(res.writeLatency.p99, 2)} ms, snapshots taken ${taken}`,
        )
      } finally {
        await s.close()
      }
    }
  }
  for (const which of ['on', 'off']) {
    const xs = out[which]!
    const w = xs.map((x) => x.wps)
    const p = xs.map((x) => x.p50)
    console.log(
      `  ${which.padEnd(3)}: throughput mean ${fmt(mean(w), 0)} writes/s (spread ${fmt(Math.min(...w), 0)}–${fmt(Math.max(...w), 0)}), ` +
        `p50 mean ${fmt(mean(p), 2)} ms (spread ${fmt(Math.min(...p), 2)}–${fmt(Math.max(...p), 2)})`,
    )
  }
  writeFileSync(join(OUT, 'soak-onoff.json'), JSON.stringify(out, null, 1))
}

const order: [string, () => Promise<void>][] = [
  ['memory', memory],
  // The control: the same load with no snapshots at all (not run unless asked for).
  ['memory-off', () => memory(false)],
  ['restart', restart],
  ['rejoin', rejoin],
  ['onoff', onoff],
]
for (const [name, run] of order) if (phases.has(name)) await run()
