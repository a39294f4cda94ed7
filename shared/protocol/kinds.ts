// The frame-kind code table and the protocol version: the numbers both ends must agree on.

/**
 * FRAME_KIND maps each frame kind to its one-byte wire code (the first payload byte of a frame).
 * Codes are never reused: a retired kind keeps its number. New kinds take a code from their
 * range in FRAME_KIND_RANGES and arrive in a minor version (see PROTOCOL_VERSION).
 */
export const FRAME_KIND = {
  /** hello: the handshake, the first frame in each direction of every connection (hello.ts). */
  hello: 1,
  /** raft: one Raft message (message.ts). */
  raft: 2,
  /** raftBatch: several Raft messages for one peer in one frame (batch.ts). */
  raftBatch: 3,
  /** diskTiming: a node's disk time for the acknowledgements that follow it (diskTiming.ts;
   * protocol 1.1, sent only to peers that announced it). */
  diskTiming: 4,
  /** snapshotChunk: a piece of a MsgSnap (snapshotChunk.ts; protocol 1.3, sent only to peers
   * that announced it). */
  snapshotChunk: 5,
  /** clientRequest / clientResponse: key-value requests and their answers (client.ts). */
  clientRequest: 16,
  clientResponse: 17,
  /** control: a supervisor command to a node; telemetry: a node's batch of reports (control.ts). */
  control: 32,
  telemetry: 33,
} as const

/** FrameKindName names a defined frame kind. */
export type FrameKindName = keyof typeof FRAME_KIND

/** FrameKind is a defined frame-kind code. */
export type FrameKind = (typeof FRAME_KIND)[FrameKindName]

/**
 * FRAME_KIND_RANGES reserves blocks of codes (inclusive) for each family of frames, so families
 * defined by different modules never collide. Code 0 is never valid; 64–255 are unassigned.
 * - core 1–15: handshake and peer-to-peer Raft traffic;
 * - client 16–31: client requests and responses (client.ts);
 * - control 32–63: supervisor control and node telemetry (control.ts).
 */
export const FRAME_KIND_RANGES = {
  core: { first: 1, last: 15 },
  client: { first: 16, last: 31 },
  control: { first: 32, last: 63 },
} as const

const KIND_NAMES = new Map<number, FrameKindName>(
  (Object.keys(FRAME_KIND) as FrameKindName[]).map((name) => [FRAME_KIND[name], name]),
)

/** FRAME_KINDS lists every defined frame-kind code in ascending order. */
export const FRAME_KINDS: readonly FrameKind[] = [...KIND_NAMES.keys()].sort(
  (a, b) => a - b,
) as FrameKind[]

/** isFrameKind tells whether `code` is a defined frame kind (not merely inside a reserved range). */
export function isFrameKind(code: number): code is FrameKind {
  return KIND_NAMES.has(code)
}

/** frameKindName describes a kind code for error messages: its name ('raft') when defined, else
 * which range it falls in ('unassigned client kind 17'), so a log line says what was received. */
export function frameKindName(code: number): string {
  const name = KIND_NAMES.get(code)
  if (name !== undefined) return name
  for (const [range, r] of Object.entries(FRAME_KIND_RANGES)) {
    if (code >= r.first && code <= r.last) return `unassigned ${range} kind ${code}`
  }
  return `unassigned kind ${code}`
}

/** ProtocolVersion is a protocol version: `major` changes break compatibility, `minor` changes
 * only add things a peer uses once both sides announce them in their hellos. */
export interface ProtocolVersion {
  readonly major: number
  readonly minor: number
}

/**
 * PROTOCOL_VERSION is the version this build speaks. Rules (docs/formats/protocol.md):
 * bump `major` for any change an older peer would misread (field order, a flag's meaning, the
 * frame header); bump `minor` for additions (a new frame kind, a new message flag, a hello field
 * appended at the end), which a sender uses only when the remote's hello announces that minor.
 * Minor history: 1.1 added the diskTiming frame (kind 4); 1.2 MsgSnap (message type 11) and the
 * message flag `snapshot` (0x80); 1.3 the snapshotChunk frame (kind 5).
 */
export const PROTOCOL_VERSION: ProtocolVersion = Object.freeze({ major: 1, minor: 3 })
