// A key-value client for a lab cluster: finds the leader (following redirect hints), retries a
// write with the same session (clientId, seq) so it applies at most once (diss. §6.3), bounds
// each attempt and the whole request by timeouts, and reports outcomes in Jepsen's terms.
import net from 'node:net'
import { randomInt } from 'node:crypto'
import { nodeSocketPath } from '../../shared/lab/sockets'
import {
  checkHello,
  decodeClientResponse,
  decodeHello,
  encodeClientRequest,
  encodeFrame,
  encodeHelloFrame,
  FRAME_KIND,
  FrameDecoder,
  makeHello,
  ProtocolError,
  type ClientOp,
  type ClientRequest,
  type ClientResponse,
  type ReadMode,
  type TimingMark,
} from '../../shared/protocol'
import type { NodeId } from '../../shared/raft/types'

/** KvOutcome is how a request ended: 'ok' (it happened; `value` etc. are set), 'fail' (it
 * certainly did not), 'info' (unknown: it may have happened, e.g. a timeout after sending). */
export interface KvOutcome {
  result: 'ok' | 'fail' | 'info'
  value: string | null
  swapped: boolean
  index: number
  term: number
  /** node is the node that answered last (0 if none did). */
  node: NodeId
  latencyMs: number
  attempts: number
  error?: string
  timing?: TimingMark[]
}

/** KvClientOptions configures a client. */
export interface KvClientOptions {
  clusterId: string
  runDir: string
  nodes: readonly NodeId[]
  /** timeoutMs bounds a whole request, retries included (default 5000). */
  timeoutMs?: number
  /** attemptTimeoutMs bounds one attempt at one node (default 1000). */
  attemptTimeoutMs?: number
  /** clientId is this client's session id (default: random). */
  clientId?: number
}

interface Waiter {
  resolve(a: ClientResponse | null): void
  timer: NodeJS.Timeout
}

/** Connection is one client connection to one node, with pipelined requests. */
class Connection {
  readonly socket: net.Socket
  private readonly decoder = new FrameDecoder({
    kinds: [FRAME_KIND.hello, FRAME_KIND.clientResponse],
  })
  private readonly waiters = new Map<number, Waiter>()
  private greeted = false
  closed = false

  constructor(
    path: string,
    private readonly clusterId: string,
  ) {
    this.socket = net.createConnection(path)
    this.socket.setNoDelay?.(true)
    this.socket.write(encodeHelloFrame(makeHello('client', 0, clusterId)))
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk))
    this.socket.on('error', () => {})
    this.socket.on('close', () => this.fail())
  }

  /** request sends a request; resolves with the answer, or null on timeout or a lost link. */
  request(q: ClientRequest, timeoutMs: number): Promise<ClientResponse | null> {
    if (this.closed) return Promise.resolve(null)
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(q.requestId)
        resolve(null)
      }, timeoutMs)
      this.waiters.set(q.requestId, { resolve, timer })
      this.socket.write(encodeFrame(FRAME_KIND.clientRequest, encodeClientRequest(q)))
    })
  }

  close(): void {
    this.socket.destroy()
    this.fail()
  }

  private onData(chunk: Buffer): void {
    try {
      for (const f of this.decoder.push(chunk)) {
        if (!this.greeted) {
          const v = checkHello(makeHello('client', 0, this.clusterId), decodeHello(f.body), {
            roles: ['peer'],
          })
          if (!v.ok) throw v.error
          this.greeted = true
          continue
        }
        const a = decodeClientResponse(f.body)
        const w = this.waiters.get(a.requestId)
        if (!w) continue
        this.waiters.delete(a.requestId)
        clearTimeout(w.timer)
        w.resolve(a)
      }
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e
      this.close()
    }
  }

  private fail(): void {
    this.closed = true
    for (const w of this.waiters.values()) {
      clearTimeout(w.timer)
      w.resolve(null)
    }
    this.waiters.clear()
  }
}

/** KvClient talks to a cluster's nodes over their sockets. */
export class KvClient {
  readonly clientId: number
  private seq = 0
  private nextRequestId = 1
  private leaderGuess: NodeId
  private readonly conns = new Map<NodeId, Connection>()
  private closed = false

  constructor(private readonly opts: KvClientOptions) {
    this.clientId = opts.clientId ?? randomInt(1, 2 ** 47)
    this.leaderGuess = opts.nodes[0] ?? 1
  }

  put(key: string, value: string, timing = false): Promise<KvOutcome> {
    return this.run('put', key, value, null, 'linearizable', timing)
  }

  get(key: string, readMode: ReadMode = 'linearizable', timing = false): Promise<KvOutcome> {
    return this.run('get', key, '', null, readMode, timing)
  }

  delete(key: string): Promise<KvOutcome> {
    return this.run('delete', key, '', null, 'linearizable', false)
  }

  cas(key: string, expected: string | null, value: string, timing = false): Promise<KvOutcome> {
    return this.run('cas', key, value, expected, 'linearizable', timing)
  }

  /** close drops every connection; outstanding requests end as 'info' (writes) or 'fail'. */
  close(): void {
    this.closed = true
    for (const c of this.conns.values()) c.close()
    this.conns.clear()
  }

  private conn(id: NodeId): Connection {
    let c = this.conns.get(id)
    if (!c || c.closed) {
      c = new Connection(
        nodeSocketPath(this.opts.runDir, id, process.platform),
        this.opts.clusterId,
      )
      this.conns.set(id, c)
    }
    return c
  }

  private async run(
    op: ClientOp,
    key: string,
    value: string,
    expected: string | null,
    readMode: ReadMode,
    timing: boolean,
  ): Promise<KvOutcome> {
    const started = performance.now()
    const deadline = started + (this.opts.timeoutMs ?? 5000)
    const isWrite = op !== 'get' || readMode === 'log'
    // A write keeps one seq across retries: that is what makes a retry safe.
    const seq = isWrite ? ++this.seq : 0
    let maybeApplied = false
    let lastError = 'no node answered'
    let lastNode: NodeId = 0
    let attempts = 0
    let backoffMs = 5
    const nodes = this.opts.nodes
    while (!this.closed && performance.now() < deadline) {
      attempts++
      const target = this.leaderGuess
      lastNode = target
      const q: ClientRequest = {
        requestId: this.nextRequestId++,
        op,
        clientId: isWrite ? this.clientId : 0,
        seq,
        key,
        value,
        expected,
        readMode,
        timing,
      }
      const budget = Math.min(this.opts.attemptTimeoutMs ?? 1000, deadline - performance.now())
      const a = await this.conn(target).request(q, Math.max(1, budget))
      if (a === null) {
        // No answer: the request may have reached the leader and be committing.
        if (isWrite) maybeApplied = true
        lastError = `no answer from n${target}`
        this.leaderGuess = nextNode(nodes, target)
        continue
      }
      if (a.status === 'ok') {
        const latencyMs = performance.now() - started
        return { result: 'ok', ...a.result, node: target, latencyMs, attempts, timing: a.timing }
      }
      if (a.status === 'not-leader') {
        lastError = a.leaderHint ? `n${target} is not the leader` : 'no leader known'
        if (a.leaderHint && a.leaderHint !== target) {
          this.leaderGuess = a.leaderHint
          continue
        }
        this.leaderGuess = nextNode(nodes, target)
      } else if (a.status === 'unavailable') {
        lastError = `n${target}: ${a.reason}`
        if (a.maybeApplied) maybeApplied = true
      } else {
        // The node refused the request itself: retrying cannot help.
        return this.failed(started, attempts, target, a.message, isWrite && maybeApplied)
      }
      await sleep(Math.min(backoffMs, Math.max(0, deadline - performance.now())))
      backoffMs = Math.min(100, backoffMs * 2)
    }
    return this.failed(
      started,
      attempts,
      lastNode,
      `timed out: ${lastError}`,
      isWrite && maybeApplied,
    )
  }

  private failed(
    started: number,
    attempts: number,
    node: NodeId,
    error: string,
    unknown: boolean,
  ): KvOutcome {
    return {
      result: unknown ? 'info' : 'fail',
      value: null,
      swapped: false,
      index: 0,
      term: 0,
      node,
      latencyMs: performance.now() - started,
      attempts,
      error,
    }
  }
}

function nextNode(nodes: readonly NodeId[], current: NodeId): NodeId {
  const i = nodes.indexOf(current)
  return nodes[(i + 1) % nodes.length] ?? current
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
