// A key-value client for a lab cluster: finds the leader (following redirect hints), retries a
// write with the same session (clientId, seq) so it applies at most once (diss. §6.3), bounds
// each attempt and the whole request by timeouts, and reports outcomes in Jepsen's terms.
import net from 'node:net'
import { randomInt } from 'node:crypto'
import { nodeSocketPath } from '../../../shared/lab/sockets'
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
} from '../../../shared/protocol'
import type { NodeId } from '../../../shared/raft/types'
import { sleep } from '../sleep'

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
  private corked = false
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
      // Requests issued in the same tick leave in one write (many sessions share a socket).
      if (!this.corked) {
        this.corked = true
        this.socket.cork()
        process.nextTick(() => {
          this.corked = false
          this.socket.uncork()
        })
      }
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

/** KvPoolOptions configures a pool of connections to a cluster. */
export interface KvPoolOptions {
  clusterId: string
  runDir: string
  nodes: readonly NodeId[]
  /** attemptTimeoutMs bounds one attempt at one node (default 1000). */
  attemptTimeoutMs?: number
}

/** KvPool holds one pipelined connection per node and the current guess of the leader, shared
 * by any number of sessions (a benchmark's many clients share a handful of sockets). */
export class KvPool {
  leaderGuess: NodeId
  private readonly conns = new Map<NodeId, Connection>()
  private nextRequestId = 1
  closed = false

  constructor(readonly opts: KvPoolOptions) {
    this.leaderGuess = opts.nodes[0] ?? 1
  }

  /** requestId returns a fresh id for a request. */
  requestId(): number {
    return this.nextRequestId++
  }

  /** conn returns the (re)opened connection to a node. */
  conn(id: NodeId): Connection {
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

  /** close drops every connection; outstanding requests end as 'info' (writes) or 'fail'. */
  close(): void {
    this.closed = true
    for (const c of this.conns.values()) c.close()
    this.conns.clear()
  }
}

/** RequestOptions changes how one request is pursued. `abandonOnNoAnswer`: give up as soon as an
 * attempt gets no answer (a timeout, a lost connection) instead of retrying — a write then ends
 * 'info' (it may still take effect), a read 'fail' — as a client that crashed would. */
export interface RequestOptions {
  abandonOnNoAnswer?: boolean
}

/** KvSessionOptions configures one client session. */
export interface KvSessionOptions {
  /** timeoutMs bounds a whole request, retries included (default 5000). */
  timeoutMs?: number
  /** clientId is the session id (default: random). */
  clientId?: number
}

/** KvSession is one client: a session id and sequence numbers (diss. §6.3), one request at a
 * time, over a shared pool. */
export class KvSession {
  readonly clientId: number
  private seq = 0

  constructor(
    private readonly pool: KvPool,
    private readonly sopts: KvSessionOptions = {},
  ) {
    this.clientId = sopts.clientId ?? randomInt(1, 2 ** 47)
  }

  put(key: string, value: string, timing = false, opts: RequestOptions = {}): Promise<KvOutcome> {
    return this.run('put', key, value, null, 'linearizable', timing, opts)
  }

  get(
    key: string,
    readMode: ReadMode = 'linearizable',
    timing = false,
    opts: RequestOptions = {},
  ): Promise<KvOutcome> {
    return this.run('get', key, '', null, readMode, timing, opts)
  }

  delete(key: string, opts: RequestOptions = {}): Promise<KvOutcome> {
    return this.run('delete', key, '', null, 'linearizable', false, opts)
  }

  cas(
    key: string,
    expected: string | null,
    value: string,
    timing = false,
    opts: RequestOptions = {},
  ): Promise<KvOutcome> {
    return this.run('cas', key, value, expected, 'linearizable', timing, opts)
  }

  private async run(
    op: ClientOp,
    key: string,
    value: string,
    expected: string | null,
    readMode: ReadMode,
    timing: boolean,
    opts: RequestOptions,
  ): Promise<KvOutcome> {
    const pool = this.pool
    const started = performance.now()
    const deadline = started + (this.sopts.timeoutMs ?? 5000)
    const isWrite = op !== 'get' || readMode === 'log'
    // A write keeps one seq across retries: that is what makes a retry safe.
    const seq = isWrite ? ++this.seq : 0
    let maybeApplied = false
    let lastError = 'no node answered'
    let lastNode: NodeId = 0
    let attempts = 0
    let backoffMs = 5
    const nodes = pool.opts.nodes
    while (!pool.closed && performance.now() < deadline) {
      attempts++
      // A 'local' read may be served by any node — that is the point of it (and its danger: a
      // lagging follower answers with stale data). Everything else goes to the leader.
      const anyNode = op === 'get' && readMode === 'local'
      const target = anyNode
        ? (nodes[Math.floor(Math.random() * nodes.length)] ?? pool.leaderGuess)
        : pool.leaderGuess
      lastNode = target
      const q: ClientRequest = {
        requestId: pool.requestId(),
        op,
        clientId: isWrite ? this.clientId : 0,
        seq,
        key,
        value,
        expected,
        readMode,
        timing,
      }
      const budget = Math.min(pool.opts.attemptTimeoutMs ?? 1000, deadline - performance.now())
      const a = await pool.conn(target).request(q, Math.max(1, budget))
      if (a === null) {
        // No answer: the request may have reached the leader and be committing.
        if (isWrite) maybeApplied = true
        lastError = `no answer from n${target}`
        if (pool.leaderGuess === target) pool.leaderGuess = nextNode(nodes, target)
        if (opts.abandonOnNoAnswer) {
          return failed(started, attempts, target, `abandoned: ${lastError}`, isWrite)
        }
        // Back off before the next attempt as after any refusal: when every node is down (a
        // whole-cluster crash), connecting fails at once, and retrying without a pause would
        // spin the client's CPU against the nodes that are trying to restart.
      } else if (a.status === 'ok') {
        const latencyMs = performance.now() - started
        return { result: 'ok', ...a.result, node: target, latencyMs, attempts, timing: a.timing }
      } else if (a.status === 'not-leader') {
        lastError = a.leaderHint ? `n${target} is not the leader` : 'no leader known'
        if (a.leaderHint && a.leaderHint !== target) {
          pool.leaderGuess = a.leaderHint
          continue
        }
        if (pool.leaderGuess === target) pool.leaderGuess = nextNode(nodes, target)
      } else if (a.status === 'unavailable') {
        lastError = `n${target}: ${a.reason}`
        if (a.maybeApplied) maybeApplied = true
      } else {
        // The node refused the request itself: retrying cannot help.
        return failed(started, attempts, target, a.message, isWrite && maybeApplied)
      }
      await sleep(Math.min(backoffMs, Math.max(0, deadline - performance.now())))
      backoffMs = Math.min(100, backoffMs * 2)
    }
    return failed(started, attempts, lastNode, `timed out: ${lastError}`, isWrite && maybeApplied)
  }
}

/** KvClientOptions configures a standalone client: a session with its own pool. */
export type KvClientOptions = KvPoolOptions & KvSessionOptions

/** KvClient is a session with its own connections: the simple way to talk to a cluster. */
export class KvClient extends KvSession {
  private readonly ownPool: KvPool

  constructor(opts: KvClientOptions) {
    const pool = new KvPool(opts)
    super(pool, opts)
    this.ownPool = pool
  }

  /** close drops the client's connections. */
  close(): void {
    this.ownPool.close()
  }
}

function failed(
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

function nextNode(nodes: readonly NodeId[], current: NodeId): NodeId {
  const i = nodes.indexOf(current)
  return nodes[(i + 1) % nodes.length] ?? current
}
