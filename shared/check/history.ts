// Client histories as the workload runner records them (Jepsen style: one event per invocation and
// one per completion), and their pairing into operations with a total real-time order. The same
// records are written as JSON Lines, so the types are plain data.

/** OpKind is a client operation on the key-value store. */
export type OpKind = 'put' | 'get' | 'cas' | 'delete'

/** EventType tells an invocation from its completion. 'fail' means the operation is known not to
 * have taken effect; 'info' means its outcome is unknown (a timeout, a lost connection). */
export type EventType = 'invoke' | 'ok' | 'fail' | 'info'

/**
 * HistoryEvent is one record of a client history.
 *
 * `value`: for put, the value written; for cas, the new value; for a get that completes ok, the
 * value read (null = absent). `expected`: for cas, the value it expects (null = expects absent).
 * `observed`, on the completion of a write the node answered (an ok put, delete or cas, and a cas
 * that completed 'fail' because it did not swap): the value the key held when the operation took
 * effect, as the node reported it (null = absent). A write is applied at one point of the log, so
 * that is the value at its linearization point; a cas that failed with it is a read of it.
 * `time` is a monotonic timestamp in any unit; only the order matters (see pairOperations for
 * ties). `index` names the record in messages and witnesses: parseHistory sets it to the record's
 * line number in its file (from 1); without it, a record is named by its position in the array
 * (from 0).
 */
export interface HistoryEvent {
  type: EventType
  process: number
  op: OpKind
  key: string
  value?: string | null
  expected?: string | null
  observed?: string | null
  time: number
  index?: number
}

/** OpStatus is how an operation in a checked history ended: 'ok' (it took effect, with the
 * recorded result) or 'info' (it may have taken effect at any point after its call, or never). */
export type OpStatus = 'ok' | 'info'

/**
 * Operation is an invocation paired with its completion.
 *
 * `value` follows HistoryEvent: the value written (put), the new value (cas), the value read (get)
 * or null (delete). `expected` is the expected value for cas and null otherwise. `observed` is the
 * value a write reported the key held when it took effect (see HistoryEvent), undefined when
 * unknown (no answer, an info outcome). `swapped` is false for a cas that completed 'fail' with an
 * observed value: it took effect as a read of `observed` and wrote nothing (and is 'ok': it
 * certainly happened); it is undefined otherwise (an ok or info cas is a swap, if it happened). `return` is
 * Infinity for an 'info' operation. `callRank` and `returnRank` place the invocation and completion
 * in the history's total real-time order (returnRank is Infinity for 'info'); the checker compares
 * only ranks, never times. `index` and `returnIndex` name the two events in messages.
 */
export interface Operation {
  id: number
  process: number
  op: OpKind
  key: string
  value: string | null
  expected: string | null
  observed?: string | null
  swapped?: false
  call: number
  return: number
  status: OpStatus
  callRank: number
  returnRank: number
  index: number
  returnIndex?: number
}

/** MalformedHistoryError reports a history that breaks the recording rules (a completion with no
 * open invocation, two open invocations on one process, a missing value) or, from parseHistory, a
 * line that is not a record. `eventIndex` names the offending event (for parseHistory, its line
 * number), `unit` says which ('event' or 'line'), and `detail` is the message without the place. */
export class MalformedHistoryError extends Error {
  override name = 'MalformedHistoryError'

  constructor(
    readonly eventIndex: number,
    readonly detail: string,
    readonly unit: 'event' | 'line' = 'event',
  ) {
    super(`malformed history at ${unit} ${eventIndex}: ${detail}`)
  }
}

const OP_KINDS: ReadonlySet<string> = new Set(['put', 'get', 'cas', 'delete'])
const EVENT_TYPES: ReadonlySet<string> = new Set(['invoke', 'ok', 'fail', 'info'])

function isValue(v: unknown): v is string | null {
  return v === null || typeof v === 'string'
}

/** validateEvent checks the shape of one record (it may come from a JSON file). */
function validateEvent(e: HistoryEvent, at: number, unit: 'event' | 'line' = 'event'): void {
  const bad = (msg: string): never => {
    throw new MalformedHistoryError(at, msg, unit)
  }
  if (typeof e !== 'object' || e === null || Array.isArray(e)) bad('not an object')
  if (!EVENT_TYPES.has(e.type)) bad(`unknown type ${JSON.stringify(e.type)}`)
  if (!OP_KINDS.has(e.op)) bad(`unknown op ${JSON.stringify(e.op)}`)
  if (typeof e.process !== 'number' || !Number.isFinite(e.process)) bad('process is not a number')
  if (typeof e.key !== 'string') bad('key is not a string')
  if (typeof e.time !== 'number' || !Number.isFinite(e.time)) bad('time is not a finite number')
  if (e.value !== undefined && !isValue(e.value)) bad('value is not a string or null')
  if (e.expected !== undefined && !isValue(e.expected)) bad('expected is not a string or null')
  if (e.observed !== undefined && !isValue(e.observed)) bad('observed is not a string or null')
}

/**
 * parseHistory reads a history file's text (JSON Lines: one HistoryEvent per line; blank lines are
 * skipped, and a line may end in CRLF) and sets each event's `index` to its line number (from 1),
 * so every later message and witness names events by line. It throws MalformedHistoryError with
 * unit 'line' for a line that is not JSON or not a record of the right shape; pairing errors
 * (pairOperations) come later, naming lines as events.
 */
export function parseHistory(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = []
  const lines = text.split('\n')
  lines.forEach((raw, i) => {
    const lineNo = i + 1
    const line = raw.trim()
    if (line === '') return
    let e: HistoryEvent
    try {
      e = JSON.parse(line) as HistoryEvent
    } catch (err) {
      throw new MalformedHistoryError(lineNo, `not JSON (${(err as Error).message})`, 'line')
    }
    validateEvent(e, lineNo, 'line')
    events.push({ ...e, index: lineNo })
  })
  return events
}

interface Open {
  event: HistoryEvent
  at: number
  position: number
}

/**
 * pairOperations pairs each invocation with the next completion of the same process and returns
 * the operations that constrain the history, ordered by invocation.
 *
 * Dropped: operations that completed with 'fail' (Jepsen semantics: they did not happen) — except
 * a cas that failed with an `observed` value, which is kept as an 'ok' read of that value with
 * `swapped: false` — and gets that did not complete ok (a read with an unknown result constrains
 * nothing). An invocation still open at the end of the history counts as 'info'. `observed` is
 * kept from ok and failed writes' completions only; what an info completion reports is ignored.
 *
 * Real-time order: events are ordered by `time`, and events with equal times by their position
 * in `events`. The recorder appends events in the order it observes them, so a completion listed
 * before an invocation with the same timestamp really happened first; that is the Jepsen
 * convention (the history's order is the truth) with timestamps as the primary key, so histories
 * merged from several writers still order correctly.
 *
 * Throws MalformedHistoryError (naming the event) for: a completion with no open invocation on its
 * process, an invocation on a process that already has one open, a completion whose op or key
 * differs from its invocation or whose time precedes it, a put or cas without its values, an ok
 * get without the value read, or a record of the wrong shape.
 */
export function pairOperations(events: readonly HistoryEvent[]): Operation[] {
  // rankOf[position] = the event's place in the total order (time, then position).
  const order = events.map((_, i) => i)
  events.forEach((e, i) => validateEvent(e, e?.index ?? i))
  order.sort((a, b) => (events[a] as HistoryEvent).time - (events[b] as HistoryEvent).time || a - b)
  const rankOf = new Array<number>(events.length)
  order.forEach((position, rank) => (rankOf[position] = rank))

  const open = new Map<number, Open>()
  const ops: Operation[] = []
  const add = (inv: Open, done: Open | null, status: OpStatus, noSwap = false): void => {
    const e = inv.event
    const op = e.op
    if (op === 'get' && status !== 'ok') return
    let value: string | null = null
    let expected: string | null = null
    if (op === 'put' || op === 'cas') {
      const v = e.value !== undefined ? e.value : done?.event.value
      if (typeof v !== 'string') {
        throw new MalformedHistoryError(inv.at, `${op} without a string value to write`)
      }
      value = v
    }
    if (op === 'cas') {
      const x = e.expected !== undefined ? e.expected : done?.event.expected
      if (x === undefined) throw new MalformedHistoryError(inv.at, 'cas without expected value')
      expected = x
    }
    if (op === 'get') {
      const v = done?.event.value
      if (v === undefined) {
        throw new MalformedHistoryError(done?.at ?? inv.at, 'ok get without the value read')
      }
      value = v
    }
    const isOk = status === 'ok' && done !== null
    const observed = isOk && op !== 'get' ? done.event.observed : undefined
    ops.push({
      id: 0,
      process: e.process,
      op,
      key: e.key,
      value,
      expected,
      ...(observed !== undefined ? { observed } : {}),
      ...(noSwap ? { swapped: false as const } : {}),
      call: e.time,
      return: isOk ? done.event.time : Infinity,
      status: isOk ? 'ok' : 'info',
      callRank: rankOf[inv.position] as number,
      returnRank: isOk ? (rankOf[done.position] as number) : Infinity,
      index: inv.at,
      ...(done !== null ? { returnIndex: done.at } : {}),
    })
  }

  events.forEach((e, position) => {
    const at = e.index ?? position
    const pending = open.get(e.process)
    if (e.type === 'invoke') {
      if (pending !== undefined) {
        throw new MalformedHistoryError(
          at,
          `process ${e.process} invokes ${e.op} while its ${pending.event.op} from event ${pending.at} is still open`,
        )
      }
      open.set(e.process, { event: e, at, position })
      return
    }
    if (pending === undefined) {
      throw new MalformedHistoryError(at, `'${e.type}' on process ${e.process} with no open invoke`)
    }
    const inv = pending.event
    if (inv.op !== e.op || inv.key !== e.key) {
      throw new MalformedHistoryError(
        at,
        `'${e.type}' ${e.op} ${JSON.stringify(e.key)} completes ${inv.op} ${JSON.stringify(inv.key)} from event ${pending.at}`,
      )
    }
    if (e.time < inv.time) {
      throw new MalformedHistoryError(
        at,
        `completes at ${e.time}, before its invoke at ${inv.time}`,
      )
    }
    open.delete(e.process)
    if (e.type === 'fail') {
      // A cas that did not swap but said what it saw happened: as a read of that value.
      if (e.op === 'cas' && e.observed !== undefined)
        add(pending, { event: e, at, position }, 'ok', true)
      return
    }
    add(pending, { event: e, at, position }, e.type === 'ok' ? 'ok' : 'info')
  })
  for (const pending of open.values()) add(pending, null, 'info')

  ops.sort((a, b) => a.callRank - b.callRank)
  ops.forEach((op, id) => (op.id = id))
  return ops
}

/** partitionByKey groups operations by key, keeping their order and the keys' first-call order.
 * Linearizability is local (Herlihy & Wing 1990, P-compositionality in Porcupine): a history is
 * linearizable iff each key's sub-history is, so each group can be checked on its own. */
export function partitionByKey(ops: readonly Operation[]): Map<string, Operation[]> {
  const byKey = new Map<string, Operation[]>()
  for (const op of ops) {
    const group = byKey.get(op.key)
    if (group === undefined) byKey.set(op.key, [op])
    else group.push(op)
  }
  return byKey
}
