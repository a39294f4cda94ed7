// The lab's long-running work besides the live cluster: a benchmark sweep or a Figure 16 run,
// one at a time, reported as LabEvents and cancellable. Each runs clusters of its own, on labs
// built by the factory the owning Lab injects.
import type { CommandResult, LabCommand } from '../../../shared/lab/commands'
import { parseTimeoutRanges } from '../../../shared/lab/figure16'
import { runBench } from './bench'
import { InvalidArgument, LabStateError, within } from '../errors'
import { runElect } from './elect'
import type { LabFactory } from './clusterLab'
import type { EventBus } from '../events/eventBus'

/** ActivityRunner runs the lab's activity commands (bench.*, elect.*): at most one benchmark or
 * Figure 16 run at a time, reported as LabEvents, cancellable. */
export class ActivityRunner {
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
