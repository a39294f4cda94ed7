// The client protocol: key-value requests to a node and its answers, in compact binary (clients
// drive benchmarks, so this path is hot). Byte layout: docs/formats/protocol.md, "Client frames".
import { BinaryReader, BinaryWriter } from '../util/binary'
import { asMalformed, ProtocolError } from './errors'
import { decodeUtf8, readUvarint } from './wire'

/** ClientOp is a key-value operation. */
export type ClientOp = 'put' | 'get' | 'delete' | 'cas'

/** ReadMode chooses how a get is served: 'linearizable' through ReadIndex (diss. §6.4, the
 * default), 'log' through the replicated log like a write, 'local' from the node's applied state
 * without any check (fast, possibly stale: for demonstrations). */
export type ReadMode = 'linearizable' | 'log' | 'local'

/** ClientRequest is one request. (clientId, seq) is the session of diss. §6.3: a retried write
 * keeps both, so it is applied once. `requestId` matches the answer on this connection. */
export interface ClientRequest {
  requestId: number
  op: ClientOp
  clientId: number
  seq: number
  key: string
  /** value: the value to write (put), the new value (cas); '' otherwise. */
  value: string
  /** expected: the value a cas expects (null = the key must be absent); null otherwise. */
  expected: string | null
  readMode: ReadMode
  /** timing asks the node to report where the request's time went (latency attribution). */
  timing: boolean
}

/** TimingStage names a moment in a write's life on the leader, for latency attribution. */
export type TimingStage =
  'proposed' | 'leaderPersisted' | 'quorumAcked' | 'committed' | 'applied' | 'readConfirmed'

const STAGES: readonly TimingStage[] = [
  'proposed',
  'leaderPersisted',
  'quorumAcked',
  'committed',
  'applied',
  'readConfirmed',
]

/** TimingMark is a stage reached `micros` microseconds after the node received the request. For
 * 'quorumAcked', `node` is the follower whose acknowledgement completed the quorum and
 * `followerPersistMicros` how long that follower's disk write took. */
export interface TimingMark {
  stage: TimingStage
  micros: number
  node?: number
  followerPersistMicros?: number
}

/** ClientResult is a successful answer's data; `value` means: the value read (get), the previous
 * value (put, delete), the current value before the operation (cas). */
export interface ClientResult {
  index: number
  term: number
  value: string | null
  swapped: boolean
}

/** ClientResponse answers one request.
 * - 'ok': it took effect (writes) or was read, at `result.index`/`result.term`;
 * - 'not-leader': refused before anything happened; `leaderHint` names the leader if known (0 if
 *   not) — the client retries there;
 * - 'unavailable': no answer possible now; `maybeApplied` says whether the write may still take
 *   effect (it was proposed, then leadership was lost: Jepsen's 'info') or certainly will not;
 * - 'error': a request the node refuses (malformed, or a stale session sequence number). */
export type ClientResponse =
  | { requestId: number; status: 'ok'; result: ClientResult; timing: TimingMark[] }
  | { requestId: number; status: 'not-leader'; leaderHint: number }
  | { requestId: number; status: 'unavailable'; reason: string; maybeApplied: boolean }
  | { requestId: number; status: 'error'; message: string }

const OPS: readonly ClientOp[] = ['put', 'get', 'delete', 'cas']
const READ_MODES: readonly ReadMode[] = ['linearizable', 'log', 'local']
const STATUSES = ['ok', 'not-leader', 'unavailable', 'error'] as const

/** encodeClientRequest returns the body of a clientRequest frame. */
export function encodeClientRequest(q: ClientRequest): Uint8Array {
  const w = new BinaryWriter(32 + q.key.length * 3 + q.value.length * 3)
  w.uvarint(q.requestId).u8(OPS.indexOf(q.op)).uvarint(q.clientId).uvarint(q.seq).string(q.key)
  if (q.op === 'put' || q.op === 'cas') w.string(q.value)
  if (q.op === 'cas') {
    if (q.expected === null) w.u8(0)
    else w.u8(1).string(q.expected)
  }
  if (q.op === 'get') w.u8(READ_MODES.indexOf(q.readMode))
  w.u8(q.timing ? 1 : 0)
  return w.finish()
}

/** decodeClientRequest parses a clientRequest body; it throws ProtocolError('malformed'). */
export function decodeClientRequest(body: Uint8Array): ClientRequest {
  return asMalformed('client request', () => {
    const r = new BinaryReader(body)
    const requestId = readUvarint(r)
    const op = OPS[r.u8()]
    if (op === undefined) throw new ProtocolError('malformed', 'client request: unknown op')
    const clientId = readUvarint(r)
    const seq = readUvarint(r)
    const key = decodeUtf8(r.bytes())
    let value = ''
    let expected: string | null = null
    let readMode: ReadMode = 'linearizable'
    if (op === 'put' || op === 'cas') value = decodeUtf8(r.bytes())
    if (op === 'cas') expected = readFlag(r, 'expected') ? decodeUtf8(r.bytes()) : null
    if (op === 'get') {
      const mode = READ_MODES[r.u8()]
      if (mode === undefined)
        throw new ProtocolError('malformed', 'client request: unknown read mode')
      readMode = mode
    }
    const timing = readFlag(r, 'timing')
    r.end()
    return { requestId, op, clientId, seq, key, value, expected, readMode, timing }
  })
}

/** encodeClientResponse returns the body of a clientResponse frame. */
export function encodeClientResponse(a: ClientResponse): Uint8Array {
  const w = new BinaryWriter(32)
  w.uvarint(a.requestId).u8(STATUSES.indexOf(a.status))
  switch (a.status) {
    case 'ok': {
      const { index, term, value, swapped } = a.result
      w.uvarint(index)
        .uvarint(term)
        .u8(swapped ? 1 : 0)
      if (value === null) w.u8(0)
      else w.u8(1).string(value)
      w.uvarint(a.timing.length)
      for (const t of a.timing) {
        w.u8(STAGES.indexOf(t.stage)).uvarint(Math.max(0, Math.round(t.micros)))
        w.uvarint(t.node ?? 0).uvarint(Math.max(0, Math.round(t.followerPersistMicros ?? 0)))
      }
      break
    }
    case 'not-leader':
      w.uvarint(a.leaderHint)
      break
    case 'unavailable':
      w.string(a.reason).u8(a.maybeApplied ? 1 : 0)
      break
    case 'error':
      w.string(a.message)
      break
  }
  return w.finish()
}

/** decodeClientResponse parses a clientResponse body; it throws ProtocolError('malformed'). */
export function decodeClientResponse(body: Uint8Array): ClientResponse {
  return asMalformed('client response', () => {
    const r = new BinaryReader(body)
    const requestId = readUvarint(r)
    const status = STATUSES[r.u8()]
    let out: ClientResponse
    switch (status) {
      case 'ok': {
        const index = readUvarint(r)
        const term = readUvarint(r)
        const swapped = readFlag(r, 'swapped')
        const value = readFlag(r, 'value') ? decodeUtf8(r.bytes()) : null
        const timing: TimingMark[] = []
        const n = readUvarint(r)
        for (let i = 0; i < n; i++) {
          const stage = STAGES[r.u8()]
          if (stage === undefined)
            throw new ProtocolError('malformed', 'client response: bad stage')
          const micros = readUvarint(r)
          const node = readUvarint(r)
          const persist = readUvarint(r)
          const mark: TimingMark = { stage, micros }
          if (node !== 0) mark.node = node
          if (persist !== 0) mark.followerPersistMicros = persist
          timing.push(mark)
        }
        out = { requestId, status, result: { index, term, value, swapped }, timing }
        break
      }
      case 'not-leader':
        out = { requestId, status, leaderHint: readUvarint(r) }
        break
      case 'unavailable':
        out = {
          requestId,
          status,
          reason: decodeUtf8(r.bytes()),
          maybeApplied: readFlag(r, 'maybeApplied'),
        }
        break
      case 'error':
        out = { requestId, status, message: decodeUtf8(r.bytes()) }
        break
      default:
        throw new ProtocolError('malformed', 'client response: unknown status')
    }
    r.end()
    return out
  })
}

function readFlag(r: BinaryReader, field: string): boolean {
  const b = r.u8()
  if (b > 1) throw new ProtocolError('malformed', `${field} flag must be 0 or 1, got ${b}`)
  return b === 1
}
