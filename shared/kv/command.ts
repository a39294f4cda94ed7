// The KV store's commands as they travel in log entries (a compact, versioned binary encoding),
// and the results they give.
import { BinaryReader, BinaryWriter, DecodeError } from '../util/binary'

/** KV_COMMAND_VERSION is the first byte of every encoded command; readers refuse others. */
export const KV_COMMAND_VERSION = 1

/**
 * KvCommand is one client operation. `clientId` and `seq` form the client session of diss. §6.3:
 * a command retried with the same pair takes effect once. `clientId` 0 means "no session".
 * `get` in the log is a read through consensus (slow but simple); normal reads use ReadIndex.
 */
export type KvCommand =
  | { op: 'put'; key: string; value: string; clientId: number; seq: number }
  | { op: 'delete'; key: string; clientId: number; seq: number }
  | {
      op: 'cas'
      key: string
      expected: string | null
      value: string
      clientId: number
      seq: number
    }
  | { op: 'get'; key: string; clientId: number; seq: number }

/** KvResult is what an applied command returned. Errors are results too: every replica reaches
 * the same verdict for the same entry. */
export type KvResult =
  | { op: 'put'; prev: string | null }
  | { op: 'delete'; prev: string | null }
  | { op: 'cas'; swapped: boolean; current: string | null }
  | { op: 'get'; value: string | null }
  | { op: 'error'; code: 'stale-seq' | 'malformed'; message: string }

const OP_CODES = { put: 1, delete: 2, cas: 3, get: 4 } as const

/** encodeKvCommand returns the bytes of a command for a log entry. */
export function encodeKvCommand(cmd: KvCommand): Uint8Array {
  const w = new BinaryWriter(32 + cmd.key.length + ('value' in cmd ? cmd.value.length : 0))
  w.u8(KV_COMMAND_VERSION).u8(OP_CODES[cmd.op]).uvarint(cmd.clientId).uvarint(cmd.seq)
  w.string(cmd.key)
  if (cmd.op === 'put') w.string(cmd.value)
  else if (cmd.op === 'cas') {
    if (cmd.expected === null) w.u8(0)
    else w.u8(1).string(cmd.expected)
    w.string(cmd.value)
  }
  return w.finish()
}

/** decodeKvCommand parses bytes made by encodeKvCommand; it throws DecodeError on bad input. */
export function decodeKvCommand(bytes: Uint8Array): KvCommand {
  const r = new BinaryReader(bytes)
  const version = r.u8()
  if (version !== KV_COMMAND_VERSION) throw new DecodeError(`unknown KV command version ${version}`)
  const code = r.u8()
  const clientId = r.uvarint()
  const seq = r.uvarint()
  const key = r.string()
  let cmd: KvCommand
  switch (code) {
    case OP_CODES.put:
      cmd = { op: 'put', key, value: r.string(), clientId, seq }
      break
    case OP_CODES.delete:
      cmd = { op: 'delete', key, clientId, seq }
      break
    case OP_CODES.cas: {
      const hasExpected = r.u8()
      if (hasExpected > 1) throw new DecodeError(`bad cas flag ${hasExpected}`)
      const expected = hasExpected === 1 ? r.string() : null
      cmd = { op: 'cas', key, expected, value: r.string(), clientId, seq }
      break
    }
    case OP_CODES.get:
      cmd = { op: 'get', key, clientId, seq }
      break
    default:
      throw new DecodeError(`unknown KV op code ${code}`)
  }
  r.end()
  return cmd
}
