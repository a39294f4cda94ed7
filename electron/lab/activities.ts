// The lab's long-running work besides the live cluster: a benchmark sweep or a Figure 16 run,
// one at a time, reported as LabEvents and cancellable. Each runs clusters of its own.
import type { CommandResult, LabCommand } from '../../shared/lab/commands'
import { parseTimeoutRanges } from '../../shared/lab/figure16'
import type { WorkloadSpec } from '../../shared/lab/workload'
import { runBench } from './bench'
import { LabStateError } from './cluster'
import { runElect } from './elect'
import type { LabFactory } from './clusterLab'
import type { EventBus } from './eventBus'

/** InvalidArgument is a command whose arguments are out of range. */
export class InvalidArgument extends Error {
  override name = 'InvalidArgument'
}

function within(v: number, name: string, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
    throw new InvalidArgument(`${name} must be from ${lo} to ${hi}, got ${String(v)}`)
  }
  return v
}

/** checkWorkload validates a workload's numbers (they may come from a form in the app). */
export function checkWorkload(spec: WorkloadSpec): WorkloadSpec {
  within(spec.concurrency, 'concurrency', 1, 4096)
  within(spec.rate, 'rate', 1, 1_000_000)
  within(spec.durationMs, 'durationMs', 100, 24 * 3_600_000)
  within(spec.warmupMs, 'warmupMs', 0, 3_600_000)
  within(spec.keys, 'keys', 1, 100_000_000)
  within(spec.valueSizeBytes, 'valueSizeBytes', 0, 1 << 20)
  within(spec.timeoutMs, 'timeoutMs', 10, 600_000)
  if (spec.abandonPercent !== undefined) within(spec.abandonPercent, 'abandonPercent', 0, 100)
  if (spec.mode !== 'closed' && spec.mode !== 'open')
    throw new InvalidArgument('mode must be closed or open')
  const { put, get, cas } = spec.mix
  if (![put, get, cas].every((w) => typeof w === 'number' && w >= 0) || put + get + cas <= 0) {
    throw new InvalidArgument('mix needs non-negative weights, at least one positive')
  }
  return spec
}

/** Activities runs at most one benchmark or Figure 16 run at a time. */
export class Activities {
  private current: { kind: 'bench' | 'elect'; abort: AbortController; done: Promise<void> } | null =
    null

  /** `newLab` builds the labs the activities run their clusters on (the owning Lab passes its
   * own constructor: activities never import the Lab). */
  constructor(
    private readonly bus: EventBus,
    private readonly newLab: LabFactory,
  ) {}

  /** run starts or cancels an activity. */
  run(cmd: LabCommand): CommandResult {
    switch (cmd.type) {
      case 'bench.start': {
        this.idle()
        for (const [k, xs] of Object.entries(cmd.sweep)) {
          if (!Array.isArray(xs) || xs.length === 0)
            throw new InvalidArgument(`sweep.${k} needs at least one value`)
        }
        const abort = new AbortController()
        const done = runBench(
          this.newLab,
          cmd.sweep,
          cmd.workload,
          (p) => {
            this.bus.emit({
              type: 'bench.progress',
              index: p.index,
              total: p.total,
              config: p.config,
              elapsedMs: p.workload?.elapsedMs ?? 0,
              totalMs: p.workload?.totalMs ?? 0,
              opsPerSec: p.workload?.opsPerSec ?? 0,
            })
          },
          abort.signal,
        ).then(
          (report) =>
            this.bus.emit({ type: 'bench.done', report, cancelled: abort.signal.aborted }),
          (e: Error) =>
            this.bus.emit({
              type: 'bench.done',
              report: null,
              cancelled: abort.signal.aborted,
              error: e.message,
            }),
        )
        this.track('bench', abort, done)
        return { ok: true }
      }
      case 'elect.start': {
        this.idle()
        let ranges
        try {
          ranges = parseTimeoutRanges(cmd.ranges.join(','))
        } catch (e) {
          throw new InvalidArgument((e as Error).message)
        }
        within(cmd.trials, 'trials', 1, 10_000)
        within(cmd.nodes, 'nodes', 3, 9)
        const abort = new AbortController()
        const done = runElect(this.newLab, {
          ranges,
          trials: cmd.trials,
          nodes: cmd.nodes,
          preVote: cmd.preVote,
          checkQuorum: cmd.checkQuorum,
          fsync: 'always',
          seed: Math.floor(Math.random() * 2 ** 31),
          signal: abort.signal,
          onProgress: (p) =>
            this.bus.emit({
              type: 'elect.progress',
              range: p.range,
              rangeIndex: p.rangeIndex,
              ranges: ranges.length,
              trial: p.trial,
              trials: cmd.trials,
              failures: p.failures,
            }),
        }).then(
          (run) => this.bus.emit({ type: 'elect.done', run, cancelled: abort.signal.aborted }),
          (e: Error) =>
            this.bus.emit({
              type: 'elect.done',
              run: null,
              cancelled: abort.signal.aborted,
              error: e.message,
            }),
        )
        this.track('elect', abort, done)
        return { ok: true }
      }
      case 'bench.cancel':
      case 'elect.cancel': {
        const kind = cmd.type === 'bench.cancel' ? 'bench' : 'elect'
        if (this.current?.kind !== kind)
          throw new LabStateError(
            `no ${kind === 'bench' ? 'benchmark' : 'election run'} is running`,
          )
        this.current.abort.abort()
        return { ok: true }
      }
      default:
        throw new LabStateError(`not an activity command: ${cmd.type}`)
    }
  }

  /** close cancels what runs and waits for it to stop (its clusters included). */
  async close(): Promise<void> {
    const c = this.current
    if (!c) return
    c.abort.abort()
    await c.done
  }

  private idle(): void {
    if (this.current)
      throw new LabStateError(
        `a ${this.current.kind === 'bench' ? 'benchmark' : 'Figure 16 run'} is running; cancel it first`,
      )
  }

  private track(kind: 'bench' | 'elect', abort: AbortController, done: Promise<unknown>): void {
    const entry = {
      kind,
      abort,
      done: done.then(() => {
        if (this.current === entry) this.current = null
      }),
    }
    this.current = entry
  }
}
