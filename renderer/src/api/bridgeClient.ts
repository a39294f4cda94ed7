// Desktop mode: the lab contract through the preload bridge (window.raftlab). Also wraps the
// in-memory fake, which offers the same interface.
import type { CommandResult, LabCommand } from '../../../shared/lab/commands'
import type { LabEvent } from '../../../shared/lab/events'
import type { MenuMessage, RaftlabBridge } from '../../../shared/lab/ipc'
import { backoffDelay } from '../model/backoff'
import {
  NotConnectedError,
  type ClientHandlers,
  type ConnectionState,
  type LabClient,
} from './types'

/** isBridge tells whether a value offers the RaftlabBridge methods (the preload may expose an
 * older, partial object while the desktop shell is being built). */
export function isBridge(x: unknown): x is RaftlabBridge {
  const b = x as Partial<RaftlabBridge> | null | undefined
  return (
    typeof b?.hello === 'function' &&
    typeof b.command === 'function' &&
    typeof b.onEvents === 'function'
  )
}

/** BridgeLabClient asks the bridge for a hello, then follows its event batches. Events that
 * arrive while a hello is on its way are held back and delivered after it, so none is lost
 * between the snapshot and the stream (the model drops those the hello already covers). */
export class BridgeLabClient implements LabClient {
  private handlers: ClientHandlers | null = null
  private unsubscribe: (() => void) | null = null
  private held: LabEvent[] | null = null
  private attempt = 0
  private closed = false
  private ready = false

  constructor(
    private readonly bridge: RaftlabBridge,
    readonly transport: 'desktop' | 'fake' = 'desktop',
    private readonly setTimer: (fn: () => void, ms: number) => unknown = (fn, ms) =>
      setTimeout(fn, ms),
  ) {}

  connect(handlers: ClientHandlers): void {
    this.handlers = handlers
    this.unsubscribe = this.bridge.onEvents((events) => {
      if (this.held) this.held.push(...events)
      else if (this.ready) this.handlers?.events(events)
    })
    this.state({ status: 'connecting', attempt: 0, retryInMs: null, message: null })
    this.fetchHello()
  }

  async command(cmd: LabCommand): Promise<CommandResult> {
    if (this.closed) throw new NotConnectedError('the connection was closed')
    try {
      return await this.bridge.command(cmd)
    } catch (e) {
      throw new NotConnectedError(`the lab engine did not answer: ${(e as Error).message}`)
    }
  }

  resync(): void {
    if (!this.held) this.fetchHello()
  }

  onMenu(listener: (message: MenuMessage) => void): () => void {
    return this.bridge.onMenu?.(listener) ?? (() => {})
  }

  close(): void {
    this.closed = true
    this.unsubscribe?.()
    this.unsubscribe = null
  }

  private state(s: Omit<ConnectionState, 'transport'>): void {
    this.handlers?.state({ ...s, transport: this.transport })
  }

  private fetchHello(): void {
    this.held = []
    this.bridge.hello().then(
      (hello) => {
        if (this.closed) return
        const held = this.held ?? []
        this.held = null
        this.ready = true
        this.attempt = 0
        this.handlers?.hello(hello)
        if (held.length > 0) this.handlers?.events(held)
        this.state({ status: 'open', attempt: 0, retryInMs: null, message: null })
      },
      (e: Error) => {
        if (this.closed) return
        this.held = null
        const delay = backoffDelay(this.attempt++)
        this.state({
          status: 'lost',
          attempt: this.attempt,
          retryInMs: delay,
          message: `the lab engine did not answer: ${e.message}`,
        })
        this.setTimer(() => this.fetchHello(), delay)
      },
    )
  }
}
