// Event batches for a window, at most one every few milliseconds. The engine's bus delivers a
// batch per event-loop turn — hundreds a second under load (seven nodes' telemetry, the workload's
// samples). Each batch sent to a renderer is a task there, and a renderer that wakes up hundreds
// of times a second loses the CPU in the middle of its work on a busy machine. The window redraws
// at most ten times a second anyway, so the transports (browser mode's WebSocket, Electron's IPC)
// send what gathered in the last EVENT_THROTTLE_MS in one message: the first batch after a quiet spell
// goes at once (a click's answer is not held back), the rest wait for the next slot.
import type { LabEvent } from '../../../shared/lab/events'

/** EVENT_THROTTLE_MS: at most one event message per this many ms to each window. */
export const EVENT_THROTTLE_MS = 50

/** EventThrottle gathers batches and hands them to `send` at most once per `ms`. */
export class EventThrottle {
  private pending: LabEvent[] = []
  private timer: ReturnType<typeof setTimeout> | null = null
  private lastSentMs = -Infinity
  private closed = false

  constructor(
    private readonly send: (events: LabEvent[]) => void,
    private readonly ms = EVENT_THROTTLE_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** push adds a batch: sent now if the last message went out at least `ms` ago, else with the
   * next one. */
  push(events: LabEvent[]): void {
    if (this.closed || events.length === 0) return
    for (const e of events) this.pending.push(e)
    if (this.timer !== null) return
    const wait = this.lastSentMs + this.ms - this.now()
    if (wait <= 0) this.flush()
    else this.timer = setTimeout(() => this.flush(), wait)
  }

  /** flush sends whatever is pending now (a new client's hello must not overtake it). */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    if (this.pending.length === 0) return
    const batch = this.pending
    this.pending = []
    this.lastSentMs = this.now()
    this.send(batch)
  }

  /** close drops anything pending and sends nothing more. */
  close(): void {
    this.closed = true
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    this.pending = []
  }
}
