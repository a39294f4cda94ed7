// The engine's LabEvent stream: stamps every event with the next sequence number and a monotonic
// time, and delivers them to subscribers in batches, in order.
import type { LabActivityEvent, LabEvent, LabEventBody } from '../../../shared/lab/events'

/** EventBus numbers, timestamps and fans out LabEvents. */
export class EventBus {
  private seq = 0
  private readonly startMs = performance.now()
  /** startNs: process.hrtime.bigint() at startMs (CLOCK_MONOTONIC on Linux, which every process
   * shares), so that node processes' stamps convert to the session clock. */
  private readonly startNs = process.hrtime.bigint()
  private readonly listeners = new Set<(events: LabEvent[]) => void>()
  private pending: LabEvent[] = []
  private scheduled = false

  /** emit stamps an event and queues it for delivery (batched per event-loop turn). */
  emit(body: LabEventBody | LabActivityEvent): LabEvent {
    const event = { ...body, seq: ++this.seq, timeMs: this.nowMs() } as LabEvent
    this.pending.push(event)
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(() => this.flush())
    }
    return event
  }

  /** lastSeq is the sequence number of the last event emitted (0 before the first). */
  get lastSeq(): number {
    return this.seq
  }

  /** nowMs is the session clock: milliseconds since the bus was created, monotonic. */
  nowMs(): number {
    return Math.round((performance.now() - this.startMs) * 1000) / 1000
  }

  /** monoToSessionMs converts a process.hrtime.bigint() reading (of any process on this machine)
   * to the session clock. */
  monoToSessionMs(monoNs: bigint): number {
    return Math.round(Number(monoNs - this.startNs) / 1000) / 1000
  }

  /** subscribe delivers later batches to `listener` until the returned function is called. */
  subscribe(listener: (events: LabEvent[]) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** flush delivers everything pending now. */
  flush(): void {
    this.scheduled = false
    if (this.pending.length === 0) return
    const batch = this.pending
    this.pending = []
    for (const l of this.listeners) {
      try {
        l(batch)
      } catch {
        // A failing subscriber must not starve the others or the engine.
      }
    }
  }
}
