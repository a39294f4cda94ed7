// ProtocolError: the one error type the wire codec throws for bad bytes. A receiver that catches
// it closes the connection and reports an event; it never crashes the node.
import { DecodeError } from '../util/binary'

/** PROTOCOL_ERROR_CODES lists every ProtocolErrorCode, for validation and exhaustive reporting. */
export const PROTOCOL_ERROR_CODES = [
  'oversized',
  'truncated',
  'malformed',
  'unknown-kind',
  'version',
  'handshake',
] as const

/**
 * ProtocolErrorCode classifies a ProtocolError:
 * - 'oversized': a frame header declares more bytes than the receiver accepts;
 * - 'truncated': the stream ended inside a frame;
 * - 'malformed': bytes that do not decode (zero-length frame, bad varint, bad UTF-8, unknown
 *   message type, trailing bytes, a value out of range…), or a message the encoder refuses;
 * - 'unknown-kind': a frame kind that is unassigned or not accepted on this connection;
 * - 'version': the remote speaks another major protocol version;
 * - 'handshake': a missing or duplicate hello, bad magic, another cluster, an unexpected role.
 */
export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number]

/** ProtocolError reports input that breaks the wire protocol. Its `code` says what kind of
 * breakage it was (see ProtocolErrorCode); its message says exactly what was wrong, for the
 * event a transport emits when it closes the connection. */
export class ProtocolError extends Error {
  override name = 'ProtocolError'

  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/** asMalformed runs `decode`, turning a DecodeError from BinaryReader (truncated or overlong
 * varint, short read, invalid UTF-8, trailing bytes) into a ProtocolError ('malformed') whose
 * message starts with `what`; any other error passes through unchanged. */
export function asMalformed<T>(what: string, decode: () => T): T {
  try {
    return decode()
  } catch (e) {
    if (e instanceof DecodeError) throw new ProtocolError('malformed', `${what}: ${e.message}`)
    throw e
  }
}
