// Runs many simulator seeds, spread over worker threads, and sums up what they found. The
// simulation itself is shared/sim; this module adds parallelism, progress and reproduction help.
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { runSimulation, type SimOptions, type SimStats, type Violation } from '../../../shared/sim'

/** SimRunOptions selects the seeds and the cluster sizes of a sweep. */
export interface SimRunOptions {
  firstSeed: number
  seeds: number
  steps: number
  /** nodeCounts are used in turn: seed s runs with nodeCounts[s % nodeCounts.length] nodes. */
  nodeCounts: readonly number[]
  jobs: number
  /** traceLines is how many trace lines before a violation to keep for the report. */
  traceLines: number
}

/** SeedViolation is a violation with what it takes to reproduce it. */
export interface SeedViolation extends Violation {
  seed: number
  nodeCount: number
  repro: string
  trace: string[]
}

/** SimSummary adds up a sweep. */
export interface SimSummary {
  seeds: number
  steps: number
  livenessSteps: number
  nodeCounts: number[]
  elections: number
  leadersElected: number
  maxTerm: number
  commits: number
  messagesSent: number
  messagesDropped: number
  faults: number
  crashes: number
  readsAnswered: number
  maxLivenessCommitTicks: number
  maxLivenessConvergeTicks: number
  /** maxLivenessBoundShare is the largest fraction of its liveness bound any run used. */
  maxLivenessBoundShare: number
  violations: SeedViolation[]
  durationMs: number
  stepsPerSecond: number
  jobs: number
}

/** nodeCountFor returns the cluster size used for a seed. */
export function nodeCountFor(seed: number, nodeCounts: readonly number[]): number {
  return nodeCounts[seed % nodeCounts.length] as number
}

/** runSeedRange runs seeds [from, to) in this thread and returns their stats and violations. */
export function runSeedRange(
  from: number,
  to: number,
  opts: Pick<SimRunOptions, 'steps' | 'nodeCounts' | 'traceLines'>,
  onSeed?: (stats: SimStats) => void,
): { stats: SimStats[]; violations: SeedViolation[] } {
  const stats: SimStats[] = []
  const violations: SeedViolation[] = []
  for (let seed = from; seed < to; seed++) {
    const nodeCount = nodeCountFor(seed, opts.nodeCounts)
    const res = runSimulation(seed, { nodes: nodeCount, steps: opts.steps })
    stats.push(res.stats)
    onSeed?.(res.stats)
    if (res.violation)
      violations.push(explain(seed, nodeCount, opts.steps, res.violation, opts.traceLines))
  }
  return { stats, violations }
}

/** explain re-runs a failing seed with tracing on, keeping the last lines before the violation,
 * and gives the shortest command that reproduces it. */
export function explain(
  seed: number,
  nodeCount: number,
  steps: number,
  v: Violation,
  traceLines: number,
): SeedViolation {
  // A safety violation happens at a known step, so running just past it reproduces it; a
  // liveness failure needs the full run and its heal phase.
  const reproSteps = v.kind === 'liveness' ? steps : Math.min(steps, v.step + 1)
  const trace: string[] = []
  const onTrace = (line: string): void => {
    trace.push(line)
    if (trace.length > traceLines * 2) trace.splice(0, trace.length - traceLines)
  }
  const opts: Partial<SimOptions> = { nodes: nodeCount, steps: reproSteps, onTrace }
  if (v.kind !== 'liveness') opts.liveness = false
  runSimulation(seed, opts)
  return {
    ...v,
    seed,
    nodeCount,
    repro: `raftlab sim --seed ${seed} --nodes ${nodeCount} --steps ${reproSteps}`,
    trace: trace.slice(-traceLines),
  }
}

/** simWorkerPath is the built worker entry, present after `npm run build`. */
export function simWorkerPath(): string | null {
  const p = join(__dirname, 'simWorker.js')
  return existsSync(p) ? p : null
}

/** runSeeds runs a sweep on `jobs` worker threads (in this thread when jobs is 1 or the worker
 * is not built) and calls onProgress after every seed. */
export async function runSeeds(
  opts: SimRunOptions,
  onProgress: (done: number, violations: number) => void,
): Promise<SimSummary> {
  const started = performance.now()
  const summary = emptySummary(opts)
  const add = (s: SimStats): void => addStats(summary, s)
  const worker = simWorkerPath()
  const jobs = Math.max(1, Math.min(opts.jobs, opts.seeds, worker ? availableParallelism() * 2 : 1))
  let done = 0
  if (jobs === 1) {
    const res = runSeedRange(opts.firstSeed, opts.firstSeed + opts.seeds, opts, (s) => {
      add(s)
      onProgress(++done, summary.violations.length)
    })
    summary.violations.push(...res.violations)
  } else {
    // Interleave seeds in small chunks so every worker stays busy until the end.
    const chunk = Math.max(1, Math.min(50, Math.ceil(opts.seeds / (jobs * 8))))
    let next = opts.firstSeed
    const end = opts.firstSeed + opts.seeds
    await Promise.all(
      Array.from({ length: jobs }, () =>
        runWorker(
          worker as string,
          (w) => {
            if (next >= end) return false
            const from = next
            next = Math.min(end, next + chunk)
            w.postMessage({
              from,
              to: next,
              steps: opts.steps,
              nodeCounts: opts.nodeCounts,
              traceLines: opts.traceLines,
            })
            return true
          },
          (msg) => {
            if (msg.type === 'seed') {
              add(msg.stats)
              onProgress(++done, summary.violations.length)
            } else if (msg.type === 'violation') {
              summary.violations.push(msg.violation)
            }
          },
        ),
      ),
    )
    summary.violations.sort((a, b) => a.seed - b.seed)
  }
  summary.jobs = jobs
  summary.durationMs = performance.now() - started
  summary.stepsPerSecond = ((summary.steps + summary.livenessSteps) / summary.durationMs) * 1000
  return summary
}

type WorkerMessage =
  | { type: 'seed'; stats: SimStats }
  | { type: 'violation'; violation: SeedViolation }
  | { type: 'done' }

function runWorker(
  path: string,
  feed: (w: Worker) => boolean,
  onMessage: (m: WorkerMessage) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const w = new Worker(path)
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'done') {
        if (!feed(w)) void w.terminate().then(() => resolve())
      } else onMessage(m)
    })
    w.on('error', reject)
    w.on('exit', (code) => {
      if (code !== 0 && code !== 1) reject(new Error(`simulator worker exited with code ${code}`))
    })
    if (!feed(w)) void w.terminate().then(() => resolve())
  })
}

function emptySummary(opts: SimRunOptions): SimSummary {
  return {
    seeds: opts.seeds,
    steps: 0,
    livenessSteps: 0,
    nodeCounts: [...new Set(opts.nodeCounts)].sort((a, b) => a - b),
    elections: 0,
    leadersElected: 0,
    maxTerm: 0,
    commits: 0,
    messagesSent: 0,
    messagesDropped: 0,
    faults: 0,
    crashes: 0,
    readsAnswered: 0,
    maxLivenessCommitTicks: 0,
    maxLivenessConvergeTicks: 0,
    maxLivenessBoundShare: 0,
    violations: [],
    durationMs: 0,
    stepsPerSecond: 0,
    jobs: 1,
  }
}

function addStats(sum: SimSummary, s: SimStats): void {
  sum.steps += s.steps
  sum.livenessSteps += s.livenessSteps
  sum.elections += s.elections
  sum.leadersElected += s.leadersElected
  sum.maxTerm = Math.max(sum.maxTerm, s.maxTerm)
  sum.commits += s.committed
  sum.messagesSent += s.messagesSent
  sum.messagesDropped += s.messagesDropped
  sum.faults += s.faults
  sum.crashes += s.crashes
  sum.readsAnswered += s.readsAnswered
  sum.maxLivenessCommitTicks = Math.max(sum.maxLivenessCommitTicks, s.livenessCommitTicks ?? 0)
  sum.maxLivenessConvergeTicks = Math.max(
    sum.maxLivenessConvergeTicks,
    s.livenessConvergeTicks ?? 0,
  )
  if (s.livenessBoundTicks > 0 && s.livenessConvergeTicks !== null) {
    const share = s.livenessConvergeTicks / s.livenessBoundTicks
    sum.maxLivenessBoundShare = Math.max(sum.maxLivenessBoundShare, share)
  }
}
