// `raftlab elect`'s engine: the Raft paper's Figure 16 experiment (§9.3) on real node processes.
// The leader of a cluster is crashed (SIGKILL) at a uniformly random moment within its heartbeat
// interval, and the trial lasts until every surviving node has heard from a new leader. Plain
// Node: it drives labs built by the factory it is given and never imports 'electron'.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { FsyncPolicy } from '../../../shared/lab/config'
import type { LabEvent } from '../../../shared/lab/events'
import type { NodeId } from '../../../shared/raft/types'
import type { Rng } from '../../../shared/util/rng'
import {
  crashDelayRng,
  heartbeatFor,
  PAPER_FIGURE16,
  rangeLabel,
  summarize,
  type TimeoutRange,
  type ElectRun,
  type ElectTrial,
  type RangeResult,
} from '../../../shared/lab/figure16'
import type { ClusterLab, LabFactory } from './clusterLab'
import { ownValue } from '../../../shared/util/own'

export {
  crashDelayRng,
  heartbeatFor,
  PAPER_FIGURE16,
  PAPER_RANGES,
  rangeLabel,
  summarize,
  type Stats,
  type TimeoutRange,
  type ElectRun,
  type ElectTrial,
  type RangeResult,
} from '../../../shared/lab/figure16'
import { sleep } from '../sleep'

/** ElectOptions configures a run. */
export interface ElectOptions {
  ranges: readonly TimeoutRange[]
  trials: number
  nodes: number
  preVote: boolean
  checkQuorum: boolean
  fsync: FsyncPolicy
  /** seed drives the crash delays only; the nodes draw their timeouts at random. */
  seed: number
  /** dataDir: a directory under which each range gets a fresh one; default: the lab's temp dir. */
  dataDir?: string
  /** trialTimeoutMs: a trial without a new leader by then fails (default 30 s). */
  trialTimeoutMs?: number
  signal?: AbortSignal
  onProgress?: (p: { range: string; rangeIndex: number; trial: number; failures: number }) => void
  /** onClusterStarted sees each range's lab once its cluster runs (tests track its pids). */
  onClusterStarted?: (lab: ClusterLab) => void
}

interface Known {
  leaderId: NodeId
  term: number
  monoNs: bigint
}

/** LeaderWatch keeps the latest node.leader report of each live node. */
class LeaderWatch {
  readonly known = new Map<NodeId, Known>()
  /** termSeenNs: the earliest instant any node reported each term. */
  private readonly termSeenNs = new Map<number, bigint>()
  changes = 0

  observe(events: LabEvent[]): void {
    for (const e of events) {
      if (e.type === 'node.leader') {
        const monoNs = BigInt(e.monoNs)
        this.known.set(e.node, { leaderId: e.leaderId, term: e.term, monoNs })
        const seen = this.termSeenNs.get(e.term)
        if (seen === undefined || monoNs < seen) this.termSeenNs.set(e.term, monoNs)
        this.changes++
      } else if (e.type === 'node.process' && e.state !== 'running' && e.state !== 'paused') {
        this.known.delete(e.node)
      }
    }
  }

  /** firstAbove is the earliest instant a node reported a term above `term`: when the first
   * election after it began. */
  firstAbove(term: number): bigint | null {
    let first: bigint | null = null
    for (const [t, ns] of this.termSeenNs)
      if (t > term && (first === null || ns < first)) first = ns
    return first
  }

  /** agreed returns the leader and term every node in `ids` knows, if they all know the same. */
  agreed(ids: readonly NodeId[]): { leaderId: NodeId; term: number } | null {
    const first = this.known.get(ids[0] as NodeId)
    if (!first || first.leaderId === 0) return null
    for (const id of ids) {
      const k = this.known.get(id)
      if (!k || k.leaderId !== first.leaderId || k.term !== first.term) return null
    }
    return { leaderId: first.leaderId, term: first.term }
  }
}

/** runElect runs every range in turn, each on a fresh lab from `newLab` (a fresh cluster, a
 * fresh data directory). */
export async function runElect(newLab: LabFactory, opts: ElectOptions): Promise<ElectRun> {
  const started = performance.now()
  const rng = crashDelayRng(opts.seed)
  const ranges: RangeResult[] = []
  const trials: ElectTrial[] = []
  for (const [i, r] of opts.ranges.entries()) {
    if (opts.signal?.aborted) break
    ranges.push(await runRange(newLab, r, i, opts, rng, trials))
  }
  return {
    ranges,
    trials,
    durationMs: performance.now() - started,
    aborted: opts.signal?.aborted ?? false,
  }
}

async function runRange(
  newLab: LabFactory,
  r: TimeoutRange,
  rangeIndex: number,
  opts: ElectOptions,
  rng: Rng,
  all: ElectTrial[],
): Promise<RangeResult> {
  const label = rangeLabel(r)
  const heartbeatMs = heartbeatFor(r)
  const result: RangeResult = {
    range: label,
    ...r,
    heartbeatMs,
    trials: 0,
    failures: 0,
    discarded: 0,
    splitVotes: 0,
    stats: null,
    paper: ownValue(PAPER_FIGURE16, label) ?? null,
  }
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true })
  const ownDir = opts.dataDir ? mkdtempSync(join(opts.dataDir, 'raftlab-elect-')) : undefined
  const lab = newLab(ownDir ? { dataDir: ownDir } : {})
  const watch = new LeaderWatch()
  lab.subscribe((events) => watch.observe(events))
  const timeoutMs = opts.trialTimeoutMs ?? 30_000
  const mine: ElectTrial[] = []
  try {
    const res = await lab.command({
      type: 'cluster.start',
      config: {
        nodes: opts.nodes,
        electionTimeoutMinMs: r.minMs,
        electionTimeoutMaxMs: r.maxMs,
        heartbeatMs,
        tickIntervalMs: 1,
        fsync: opts.fsync,
        preVote: opts.preVote,
        checkQuorum: opts.checkQuorum,
      },
    })
    if (!res.ok) throw new Error(`the cluster did not start: ${res.error}`)
    opts.onClusterStarted?.(lab)
    const ids = lab.status().nodes.map((n) => n.id)
    // Quiet for a whole maximum timeout: nobody is about to time out, the restarted node included.
    const quietMs = Math.max(100, r.maxMs)
    while (mine.length < opts.trials && !opts.signal?.aborted) {
      const stable = await settle(lab, watch, ids, quietMs, timeoutMs, opts.signal)
      if (!stable) {
        if (!opts.signal?.aborted)
          result.error = `no stable leader within ${timeoutMs / 1000} s before trial ${mine.length + 1}`
        break
      }
      // Waiting a uniform delay over one whole heartbeat period makes the crash's phase within the
      // leader's heartbeat cycle uniform, wherever that cycle stood when the wait began.
      const crashDelayMs = rng.float() * heartbeatMs
      await preciseDelay(crashDelayMs)
      const now = watch.agreed(ids)
      if (!now || now.leaderId !== stable.leaderId || now.term !== stable.term) {
        result.discarded++
        continue
      }
      const crashed = now.leaderId
      const survivors = ids.filter((id) => id !== crashed)
      const t0 = process.hrtime.bigint()
      // The Lab sends SIGKILL synchronously inside this call, before its first await.
      const crash = lab.command({ type: 'node.crash', node: crashed })
      const killUs = Number(process.hrtime.bigint() - t0) / 1000
      const crashRes = await crash
      if (!crashRes.ok) throw new Error(`could not crash n${crashed}: ${crashRes.error}`)
      const elected = (): { leaderId: NodeId; term: number } | null => {
        const a = watch.agreed(survivors)
        return a && a.term > now.term && a.leaderId !== crashed ? a : null
      }
      await until(lab, () => elected() !== null, timeoutMs, opts.signal)
      const got = elected()
      const trial: ElectTrial = {
        range: label,
        trial: mine.length + 1,
        ok: false,
        ms: null,
        electedMs: null,
        detectedMs: null,
        crashedLeader: crashed,
        crashedTerm: now.term,
        newLeader: got?.leaderId ?? null,
        newTerm: got?.term ?? null,
        crashDelayMs: Math.floor(crashDelayMs * 1000) / 1000,
        killUs: round3(killUs),
      }
      if (got) {
        const learned = survivors.map((id) => (watch.known.get(id) as Known).monoNs)
        if (learned.some((ns) => ns < t0)) {
          // Someone learned of this leader before the crash: an election was already under way.
          result.discarded++
          await restart(lab, crashed)
          continue
        }
        const last = learned.reduce((a, b) => (b > a ? b : a))
        const leaderNs = (watch.known.get(got.leaderId) as Known).monoNs
        trial.ok = true
        trial.ms = nsToMs(last - t0)
        trial.electedMs = nsToMs(leaderNs - t0)
        trial.detectedMs = nsToMs((watch.firstAbove(now.term) as bigint) - t0)
        if (got.term > now.term + 1) result.splitVotes++
      } else if (opts.signal?.aborted) {
        break
      } else {
        trial.error = `no new leader known to every surviving node within ${timeoutMs / 1000} s`
        result.failures++
      }
      mine.push(trial)
      all.push(trial)
      opts.onProgress?.({
        range: label,
        rangeIndex,
        trial: mine.length,
        failures: result.failures,
      })
      await restart(lab, crashed)
    }
  } catch (e) {
    result.error = (e as Error).message
  } finally {
    await lab.close()
    if (ownDir) rmSync(ownDir, { recursive: true, force: true })
  }
  result.trials = mine.length
  result.stats = summarize(mine.filter((t) => t.ok).map((t) => t.ms as number))
  return result
}

async function restart(lab: ClusterLab, id: NodeId): Promise<void> {
  const res = await lab.command({ type: 'node.restart', node: id })
  if (!res.ok) throw new Error(`could not restart n${id}: ${res.error}`)
}

/** settle waits until every node runs, knows the same leader in the same term and holds its full
 * log (a restarted node has caught up), and that stays so for quietMs. */
async function settle(
  lab: ClusterLab,
  watch: LeaderWatch,
  ids: readonly NodeId[],
  quietMs: number,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<{ leaderId: NodeId; term: number } | null> {
  const settled = (): { leaderId: NodeId; term: number } | null => {
    const a = watch.agreed(ids)
    if (!a) return null
    const nodes = lab.status().nodes
    const lead = nodes.find((n) => n.id === a.leaderId)?.status
    if (!lead) return null
    const ok = nodes.every(
      (n) =>
        n.state === 'running' &&
        n.status !== null &&
        n.status.term === a.term &&
        n.status.lastIndex === lead.lastIndex,
    )
    return ok ? a : null
  }
  const deadline = performance.now() + timeoutMs
  while (!signal?.aborted) {
    const left = deadline - performance.now()
    if (left <= 0 || !(await until(lab, () => settled() !== null, left, signal))) return null
    const changes = watch.changes
    await sleep(quietMs)
    const a = settled()
    if (a && watch.changes === changes) return a
  }
  return null
}

/** until resolves true once check() holds (re-checked on every event batch), false on timeout
 * or abort. */
function until(
  lab: ClusterLab,
  check: () => boolean,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (check()) return Promise.resolve(true)
  return new Promise((resolve) => {
    const done = (v: boolean): void => {
      clearTimeout(timer)
      stop()
      signal?.removeEventListener('abort', onAbort)
      resolve(v)
    }
    const onAbort = (): void => done(false)
    const timer = setTimeout(() => done(check()), timeoutMs)
    const stop = lab.subscribe(() => {
      if (check()) done(true)
    })
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** preciseDelay waits `ms` to within a few µs: a timer for most of it (timers are only good to
 * about 1 ms), then a spin on the monotonic clock. */
async function preciseDelay(ms: number): Promise<void> {
  const end = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6))
  if (ms > 2) await sleep(ms - 2)
  while (process.hrtime.bigint() < end) {
    // spin: at most ~2 ms, and this process is not on the Raft path
  }
}

function nsToMs(ns: bigint): number {
  return Number(ns / 1000n) / 1000
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000
}
