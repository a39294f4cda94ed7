// Browser mode: the lab contract over a WebSocket to `raftlab serve` (WsClientMessage out,
// WsServerMessage in). Reconnects with backoff forever; each connection starts with a hello.
import type { CommandResult, LabCommand } from '../../../shared/lab/commands'
import {
  WS_CLOSE,
  WS_PATH,
  type WsClientMessage,
  type WsServerMessage,
} from '../../../shared/lab/ipc'
import { backoffDelay } from '../model/backoff'
import { record, timed } from '../perf'
import {
  NotConnectedError,
  type ClientHandlers,
  type ConnectionState,
  type LabClient,
} from './types'

/** SocketLike is the part of the DOM WebSocket the client uses (a fake stands in for tests). */
export interface SocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((ev: unknown) => void) | null
  onmessage: ((ev: { data: unknown }) => void) | null
  onclose: ((ev: { code: number; reason: string }) => void) | null
  onerror: ((ev: unknown) => void) | null
}

/** WsClientOptions injects the socket, the timers and randomness (for tests). */
export interface WsClientOptions {
  createSocket: (url: string) => SocketLike
  setTimer: (fn: () => void, ms: number) => unknown
  clearTimer: (handle: unknown) => void
  random: () => number
  /** hasToken: false when the page's address carried no token (the usual cause of refusals). */
  hasToken: boolean
}

const OPEN = 1
/** RESYNC is the close code the client uses to ask for a fresh hello (4000–4999: private use). */
const RESYNC = 4000

/** labSocketUrl is the WebSocket address for a page served by `raftlab serve`. */
export function labSocketUrl(loc: { host: string; protocol: string; search: string }): string {
  const token = new URLSearchParams(loc.search).get('token') ?? ''
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws'
  return `${scheme}://${loc.host}${WS_PATH}?token=${encodeURIComponent(token)}`
}

/** WsLabClient speaks the lab contract over a WebSocket. */
export class WsLabClient implements LabClient {
  readonly transport = 'browser' as const
  private socket: SocketLike | null = null
  private handlers: ClientHandlers | null = null
  private nextId = 1
  private readonly pending = new Map<number, (r: CommandResult | Error) => void>()
  private attempt = 0
  private timer: unknown = null
  private closed = false
  private hadHello = false

  constructor(
    private readonly url: string,
    private readonly opts: WsClientOptions,
  ) {}

  connect(handlers: ClientHandlers): void {
    this.handlers = handlers
    this.open()
  }

  command(cmd: LabCommand): Promise<CommandResult> {
    const s = this.socket
    if (!s || s.readyState !== OPEN || !this.hadHello) {
      return Promise.reject(new NotConnectedError())
    }
    const id = this.nextId++
    const msg: WsClientMessage = { id, command: cmd }
    return new Promise((resolve, reject) => {
      this.pending.set(id, (r) => (r instanceof Error ? reject(r) : resolve(r)))
      s.send(JSON.stringify(msg))
    })
  }

  resync(): void {
    // The server sends a hello on every new connection: reconnecting is the way to get one.
    this.socket?.close(RESYNC, 'resync')
  }

  close(): void {
    this.closed = true
    if (this.timer !== null) this.opts.clearTimer(this.timer)
    this.timer = null
    this.socket?.close(1000, 'closed')
    this.socket = null
    this.failPending('the connection was closed')
  }

  private state(s: Omit<ConnectionState, 'transport'>): void {
    this.handlers?.state({ ...s, transport: this.transport })
  }

  private open(): void {
    if (this.closed) return
    this.hadHello = false
    let s: SocketLike
    try {
      s = this.opts.createSocket(this.url)
    } catch (e) {
      this.lost(`could not open a WebSocket: ${(e as Error).message}`)
      return
    }
    this.socket = s
    if (this.attempt === 0)
      this.state({ status: 'connecting', attempt: 0, retryInMs: null, message: null })
    s.onmessage = (ev) => this.onMessage(ev.data)
    s.onclose = (ev) => {
      if (this.socket !== s) return
      this.socket = null
      this.failPending('lost connection to the lab engine')
      if (ev.code === RESYNC) {
        // Asked for: reconnect at once, without calling it a lost connection.
        this.state({ status: 'connecting', attempt: 0, retryInMs: 0, message: 'resynchronizing' })
        this.timer = this.opts.setTimer(() => {
          this.timer = null
          this.open()
        }, 0)
        return
      }
      const why =
        !this.hadHello && !this.opts.hasToken
          ? 'the address has no ?token=… — open the address `raftlab serve` printed'
          : !this.hadHello
            ? 'the lab engine refused or is not running (is `raftlab serve` still up? is the token current?)'
            : ev.code === WS_CLOSE.tooSlow
              ? 'this page fell behind the event stream; catching up from a fresh snapshot'
              : ev.reason || 'the lab engine closed the connection'
      this.lost(why)
    }
    s.onerror = () => {
      // A close event follows; it carries the news.
    }
  }

  private lost(message: string): void {
    if (this.closed) return
    const delay =
      message === 'resynchronizing' ? 0 : backoffDelay(this.attempt, undefined, this.opts.random)
    this.attempt++
    this.state({ status: 'lost', attempt: this.attempt, retryInMs: delay, message })
    this.timer = this.opts.setTimer(() => {
      this.timer = null
      this.open()
    }, delay)
  }

  private failPending(message: string): void {
    for (const done of this.pending.values()) done(new NotConnectedError(message))
    this.pending.clear()
  }

  private onMessage(data: unknown): void {
    let msg: WsServerMessage
    try {
      const text = String(data)
      msg = timed('ws.parse', () => JSON.parse(text) as WsServerMessage)
      if (msg?.kind === 'hello') record('ws.helloKB', text.length / 1024)
    } catch {
      return
    }
    switch (msg?.kind) {
      case 'hello':
        this.hadHello = true
        this.attempt = 0
        this.handlers?.hello(msg.hello)
        this.state({ status: 'open', attempt: 0, retryInMs: null, message: null })
        break
      case 'result': {
        const done = this.pending.get(msg.id)
        this.pending.delete(msg.id)
        done?.(msg.result)
        break
      }
      case 'events':
        if (Array.isArray(msg.events) && msg.events.length > 0) this.handlers?.events(msg.events)
        break
      default:
        break
    }
  }
}
