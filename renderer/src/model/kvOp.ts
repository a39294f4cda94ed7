// The outcome of one key-value operation from the workload panel, in words: what a get found (a
// missing key says so), what a put replaced, whether a cas swapped and what the key holds. Pure.
import { nodeName } from '../../../shared/lab/config'
import type { CommandResult } from '../../../shared/lab/commands'
import { formatMs } from './format'

/** KvOpRequest is the operation as the panel sent it. */
export type KvOpRequest =
  | { op: 'put'; key: string; value: string }
  | { op: 'get'; key: string }
  | { op: 'cas'; key: string; expected: string | null; value: string }

/** KvOpLine is the panel's result line: its words and whether it is good news. */
export interface KvOpLine {
  kind: 'ok' | 'miss' | 'error'
  text: string
}

const quote = (v: string | null): string => (v === null ? 'nothing' : JSON.stringify(v))

/** describeKvResult says what happened to one operation. */
export function describeKvResult(req: KvOpRequest, r: CommandResult): KvOpLine {
  if (!r.ok) return { kind: 'error', text: `${req.op} ${req.key}: ${r.error}` }
  const k = r.kv
  if (!k) return { kind: 'error', text: `${req.op} ${req.key}: the engine sent no result` }
  const how = `at index ${k.index} (term ${k.term}) via ${nodeName(k.node)} in ${formatMs(k.latencyMs)} ms`
  switch (req.op) {
    case 'get':
      return k.value === null
        ? { kind: 'miss', text: `get ${req.key}: not found (read ${how})` }
        : { kind: 'ok', text: `get ${req.key} = ${quote(k.value)} (read ${how})` }
    case 'put':
      return {
        kind: 'ok',
        text: `put ${req.key} = ${quote(req.value)}: committed ${how}; it held ${quote(k.value)}`,
      }
    case 'cas':
      return k.swapped
        ? {
            kind: 'ok',
            text: `cas ${req.key}: swapped ${quote(req.expected)} → ${quote(req.value)}, committed ${how}`,
          }
        : {
            kind: 'miss',
            text: `cas ${req.key}: not swapped — it holds ${quote(k.value)}, not ${quote(req.expected)} (decided ${how})`,
          }
  }
}
