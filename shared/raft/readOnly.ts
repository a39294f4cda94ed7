// ReadIndex bookkeeping on a leader (dissertation §6.4): each read request remembers the commit
// index at the time it arrived; once a quorum has answered a heartbeat carrying the request's
// context, the leader knows it was still leader then, and the read index is safe to serve.
import type { NodeId } from './types'

/** ReadRequest is one pending ReadIndex request; `from` is the node that will serve the read. */
export interface ReadRequest {
  index: number
  context: string
  from: NodeId
}

interface Pending {
  req: ReadRequest
  acks: Set<NodeId>
}

/** ReadOnlyQueue holds ReadIndex requests in arrival order until a quorum confirms leadership. */
export class ReadOnlyQueue {
  private readonly pending = new Map<string, Pending>()
  private queue: string[] = []

  add(req: ReadRequest): void {
    if (this.pending.has(req.context)) return
    this.pending.set(req.context, { req, acks: new Set() })
    this.queue.push(req.context)
  }

  /** ack records that `from` answered the heartbeat for `context`; it returns the ack count. */
  ack(from: NodeId, context: string): number {
    const p = this.pending.get(context)
    if (!p) return 0
    p.acks.add(from)
    return p.acks.size
  }

  /** release removes and returns every request up to and including `context`: an ack for a later
   * heartbeat also confirms leadership for the requests queued before it. */
  release(context: string): ReadRequest[] {
    const at = this.queue.indexOf(context)
    if (at < 0) return []
    const done = this.queue.slice(0, at + 1)
    this.queue = this.queue.slice(at + 1)
    return done.map((ctx) => {
      const p = this.pending.get(ctx) as Pending
      this.pending.delete(ctx)
      return p.req
    })
  }

  /** lastContext is the newest pending context, carried by heartbeats to re-ask for acks. */
  lastContext(): string {
    return this.queue[this.queue.length - 1] ?? ''
  }

  size(): number {
    return this.queue.length
  }
}
