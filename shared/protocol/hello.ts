// The handshake: the first frame in each direction of every connection says who is talking,
// which protocol version it speaks and which cluster it belongs to.
import { BinaryReader, BinaryWriter, utf8Encode } from '../util/binary'
import type { NodeId } from '../raft/types'
import { asMalformed, ProtocolError } from './errors'
import { encodeFrame } from './framing'
import { FRAME_KIND, PROTOCOL_VERSION, type ProtocolVersion } from './kinds'
import { checkUint, checkWellFormed, decodeUtf8, readBytes, readUvarint, uvarintSize } from './wire'

/** HELLO_MAGIC opens every hello body, so a stray connection (another program, another
 * protocol) is refused at its first bytes. */
export const HELLO_MAGIC = 'RAFTLAB'

const MAGIC_BYTES = utf8Encode(HELLO_MAGIC)

/** MAX_CLUSTER_ID_BYTES bounds a cluster id's UTF-8 length; an id is 1 to this many bytes. */
export const MAX_CLUSTER_ID_BYTES = 128

/** HELLO_ROLES lists HelloRole values; a role's wire code is its position here. */
export const HELLO_ROLES = ['peer', 'client', 'control'] as const

/** HelloRole is what a connection is for: 'peer' (Raft node to Raft node), 'client' (KV client
 * to node) or 'control' (supervisor and node: fault rules one way, telemetry the other). */
export type HelloRole = (typeof HELLO_ROLES)[number]

/** Hello is the content of a hello frame. `nodeId` is the sender's Raft id when the sender is a
 * node, and 0 (NONE) otherwise; `clusterId` names the cluster the sender belongs to. */
export interface Hello {
  readonly version: ProtocolVersion
  readonly role: HelloRole
  readonly nodeId: NodeId
  readonly clusterId: string
}

/** makeHello builds this build's hello (PROTOCOL_VERSION) for a sender. */
export function makeHello(role: HelloRole, nodeId: NodeId, clusterId: string): Hello {
  return { version: PROTOCOL_VERSION, role, nodeId, clusterId }
}

/** encodeHello returns a hello body: magic, major, minor, role, nodeId, clusterId (see
 * docs/formats/protocol.md). It throws ProtocolError('malformed') for an unknown role, a
 * negative or unsafe number, or a cluster id that is empty, too long or not well-formed. */
export function encodeHello(h: Hello): Uint8Array {
  const roleCode = HELLO_ROLES.indexOf(h.role)
  if (roleCode < 0) throw new ProtocolError('malformed', `hello: unknown role ${String(h.role)}`)
  const major = checkUint(h.version.major, 'hello', 'major version')
  const minor = checkUint(h.version.minor, 'hello', 'minor version')
  const nodeId = checkUint(h.nodeId, 'hello', 'nodeId')
  const cluster = utf8Encode(checkWellFormed(h.clusterId, 'hello', 'clusterId'))
  if (cluster.length === 0 || cluster.length > MAX_CLUSTER_ID_BYTES) {
    throw new ProtocolError(
      'malformed',
      `hello: clusterId must be 1 to ${MAX_CLUSTER_ID_BYTES} UTF-8 bytes, got ${cluster.length}`,
    )
  }
  const size =
    MAGIC_BYTES.length +
    uvarintSize(major) +
    uvarintSize(minor) +
    1 +
    uvarintSize(nodeId) +
    uvarintSize(cluster.length) +
    cluster.length
  return new BinaryWriter(size)
    .raw(MAGIC_BYTES)
    .uvarint(major)
    .uvarint(minor)
    .u8(roleCode)
    .uvarint(nodeId)
    .bytes(cluster)
    .finish()
}

/** encodeHelloFrame returns a complete hello frame, ready to write. */
export function encodeHelloFrame(h: Hello): Uint8Array {
  return encodeFrame(FRAME_KIND.hello, encodeHello(h))
}

/**
 * decodeHello parses a hello body. It throws ProtocolError 'handshake' when the magic is wrong,
 * 'version' when the remote's major version differs from PROTOCOL_VERSION.major (the rest of the
 * layout may then differ, so it is not read), and 'malformed' for any other bad byte. Bytes after
 * the cluster id are refused, unless the remote's minor is newer than ours: later minors may
 * append fields, which this build ignores.
 */
export function decodeHello(body: Uint8Array): Hello {
  const r = new BinaryReader(body)
  const n = Math.min(MAGIC_BYTES.length, body.length)
  if (n < MAGIC_BYTES.length || MAGIC_BYTES.some((b, i) => body[i] !== b)) {
    throw new ProtocolError(
      'handshake',
      `not a raftlab hello: expected magic "${HELLO_MAGIC}", got ${hex(body.subarray(0, n))}`,
    )
  }
  r.raw(MAGIC_BYTES.length)
  return asMalformed('hello', () => {
    const major = readUvarint(r)
    const minor = readUvarint(r)
    if (major !== PROTOCOL_VERSION.major) {
      throw new ProtocolError('version', versionMismatch({ major, minor }, PROTOCOL_VERSION))
    }
    const roleCode = r.u8()
    const role = HELLO_ROLES[roleCode]
    if (role === undefined) throw new ProtocolError('malformed', `hello: unknown role ${roleCode}`)
    const nodeId = readUvarint(r)
    const cluster = readBytes(r)
    if (cluster.length === 0 || cluster.length > MAX_CLUSTER_ID_BYTES) {
      throw new ProtocolError(
        'malformed',
        `hello: clusterId must be 1 to ${MAX_CLUSTER_ID_BYTES} UTF-8 bytes, got ${cluster.length}`,
      )
    }
    const clusterId = decodeUtf8(cluster)
    if (minor <= PROTOCOL_VERSION.minor) r.end()
    return { version: { major, minor }, role, nodeId, clusterId }
  })
}

/** HelloCheck is the verdict of checkHello: on success, `minor` is the feature level both sides
 * understand (the smaller minor); on failure, the error to report when closing. */
export type HelloCheck = { ok: true; minor: number } | { ok: false; error: ProtocolError }

/** HelloExpectations narrows which remotes checkHello accepts on a given listening socket. */
export interface HelloExpectations {
  /** roles lists the roles accepted from the remote; default all. */
  roles?: readonly HelloRole[]
}

/**
 * checkHello decides whether a connection whose remote sent `remote` may proceed, given our own
 * `local` hello. It refuses with 'version' when the majors differ (minors may differ: they only
 * add features, used up to the smaller minor), and with 'handshake' when the remote belongs to
 * another cluster, has a role not in `expect.roles`, claims to be a peer without a node id, or
 * claims our own node id.
 */
export function checkHello(
  local: Hello,
  remote: Hello,
  expect: HelloExpectations = {},
): HelloCheck {
  const refuse = (code: 'version' | 'handshake', message: string): HelloCheck => ({
    ok: false,
    error: new ProtocolError(code, message),
  })
  if (remote.version.major !== local.version.major) {
    return refuse('version', versionMismatch(remote.version, local.version))
  }
  if (remote.clusterId !== local.clusterId) {
    return refuse(
      'handshake',
      `remote belongs to cluster "${remote.clusterId}", this end to cluster "${local.clusterId}"`,
    )
  }
  if (expect.roles !== undefined && !expect.roles.includes(remote.role)) {
    return refuse(
      'handshake',
      `remote role '${remote.role}' is not accepted here (expected ${expect.roles.join(' or ')})`,
    )
  }
  if (remote.role === 'peer' && remote.nodeId === 0) {
    return refuse('handshake', 'remote claims to be a peer but sent node id 0')
  }
  if (remote.role === 'peer' && local.role === 'peer' && remote.nodeId === local.nodeId) {
    return refuse('handshake', `remote claims node id ${remote.nodeId}, which is this node's own`)
  }
  return { ok: true, minor: Math.min(local.version.minor, remote.version.minor) }
}

function versionMismatch(remote: ProtocolVersion, local: ProtocolVersion): string {
  return (
    `remote speaks protocol ${remote.major}.${remote.minor}, this end ${local.major}.` +
    `${local.minor}: major versions must match`
  )
}

function hex(b: Uint8Array): string {
  return b.length === 0 ? '(nothing)' : [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ')
}
