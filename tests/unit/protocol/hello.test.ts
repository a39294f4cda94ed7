import { describe, expect, it } from 'vitest'
import {
  FRAME_KIND,
  FrameDecoder,
  HELLO_MAGIC,
  PROTOCOL_VERSION,
  ProtocolError,
  checkHello,
  decodeHello,
  encodeHello,
  encodeHelloFrame,
  makeHello,
  type Hello,
} from '../../../shared/protocol'
import { thrownBy } from './arbitraries'

const te = new TextEncoder()
const local = makeHello('peer', 1, 'lab-7')

function expectProtocolError(f: () => unknown, code: ProtocolError['code'], pattern: RegExp) {
  const e = thrownBy(f)
  expect(e).toBeInstanceOf(ProtocolError)
  expect((e as ProtocolError).code).toBe(code)
  expect((e as ProtocolError).message).toMatch(pattern)
}

function refusal(remote: Hello, expect_?: Parameters<typeof checkHello>[2]): ProtocolError {
  const verdict = checkHello(local, remote, expect_)
  if (verdict.ok) throw new Error('expected checkHello to refuse')
  return verdict.error
}

/** helloBytes builds a hello body by hand, to send what this build's encoder would refuse. */
function helloBytes(major: number, minor: number, rest: number[] = [0, 2, 1, 0x41]) {
  return Uint8Array.from([...te.encode(HELLO_MAGIC), major, minor, ...rest])
}

describe('hello encoding', () => {
  it('round-trips every role, opening with the magic bytes', () => {
    for (const h of [
      makeHello('peer', 9, 'lab-7'),
      makeHello('client', 0, 'lab-7'),
      makeHello('control', 0, 'кластер-🐘'),
      makeHello('peer', 2, '\ufefflab'),
    ]) {
      const body = encodeHello(h)
      expect(new TextDecoder().decode(body.subarray(0, 7))).toBe('RAFTLAB')
      expect(decodeHello(body)).toEqual(h)
    }
  })

  it('lays out magic, major, minor, role, node id and cluster id in that order', () => {
    const body = encodeHello(makeHello('client', 300, 'ab'))
    expect([...body.subarray(7)]).toEqual([1, 3, 1, 0xac, 0x02, 2, 0x61, 0x62])
  })

  it('travels as the first frame of a connection', () => {
    const [frame] = new FrameDecoder().push(encodeHelloFrame(local))
    expect(frame!.kind).toBe(FRAME_KIND.hello)
    expect(decodeHello(frame!.body)).toEqual(local)
  })

  it('refuses to encode a bad role, an empty or long cluster id, a negative node id', () => {
    expectProtocolError(
      () => encodeHello({ ...local, role: 'admin' as Hello['role'] }),
      'malformed',
      /unknown role admin/,
    )
    expectProtocolError(() => encodeHello({ ...local, clusterId: '' }), 'malformed', /1 to 128/)
    expectProtocolError(
      () => encodeHello({ ...local, clusterId: 'x'.repeat(129) }),
      'malformed',
      /got 129/,
    )
    expectProtocolError(() => encodeHello({ ...local, nodeId: -1 }), 'malformed', /nodeId/)
  })
})

describe('decodeHello', () => {
  it('refuses a wrong magic as a handshake error that shows the bytes received', () => {
    const body = encodeHello(local)
    body[0] = 0x47 // 'G'
    expectProtocolError(
      () => decodeHello(body),
      'handshake',
      /not a raftlab hello: expected magic "RAFTLAB", got 47 41 46/,
    )
    expectProtocolError(() => decodeHello(te.encode('GET / H')), 'handshake', /47 45 54 20 2f/)
    expectProtocolError(() => decodeHello(new Uint8Array(0)), 'handshake', /got \(nothing\)/)
    expectProtocolError(() => decodeHello(te.encode('RAFT')), 'handshake', /expected magic/)
  })

  it('refuses another major version without reading further', () => {
    expectProtocolError(
      () => decodeHello(helloBytes(2, 0, [0xff, 0xff])),
      'version',
      /remote speaks protocol 2\.0, this end 1\.3: major versions must match/,
    )
    expectProtocolError(() => decodeHello(helloBytes(0, 9, [])), 'version', /protocol 0\.9/)
  })

  it('accepts a newer minor, ignoring fields it appends, but not trailing bytes otherwise', () => {
    const newer = decodeHello(helloBytes(1, 4, [0, 2, 1, 0x41, 0xde, 0xad]))
    expect(newer).toEqual({
      version: { major: 1, minor: 4 },
      role: 'peer',
      nodeId: 2,
      clusterId: 'A',
    })
    expectProtocolError(
      () => decodeHello(helloBytes(1, 0, [0, 2, 1, 0x41, 0xde])),
      'malformed',
      /hello: 1 trailing bytes/,
    )
  })

  it('refuses an unknown role code, an empty cluster id, bad UTF-8 and truncation', () => {
    expectProtocolError(() => decodeHello(helloBytes(1, 0, [3, 2, 1, 0x41])), 'malformed', /role 3/)
    expectProtocolError(() => decodeHello(helloBytes(1, 0, [0, 2, 0])), 'malformed', /got 0/)
    expectProtocolError(() => decodeHello(helloBytes(1, 0, [0, 2, 1, 0xff])), 'malformed', /UTF-8/)
    expectProtocolError(
      () => decodeHello(helloBytes(1, 0, [0, 2, 0x81, 0x00, 0x41])),
      'malformed',
      /non-minimal varint/,
    )
    const body = encodeHello(local)
    for (let n = 7; n < body.length; n++) {
      expectProtocolError(() => decodeHello(body.subarray(0, n)), 'malformed', /^hello: /)
    }
  })
})

describe('checkHello', () => {
  it('accepts a peer of the same cluster and major, at the smaller minor', () => {
    expect(checkHello(local, makeHello('peer', 2, 'lab-7'))).toEqual({
      ok: true,
      minor: PROTOCOL_VERSION.minor,
    })
    const older = { ...makeHello('peer', 2, 'lab-7'), version: { major: 1, minor: 0 } }
    expect(checkHello(local, older)).toEqual({ ok: true, minor: 0 })
    const newer = { ...makeHello('peer', 2, 'lab-7'), version: { major: 1, minor: 4 } }
    expect(checkHello(local, newer)).toEqual({ ok: true, minor: PROTOCOL_VERSION.minor })
    const olderLocal = { ...local, version: { major: 1, minor: 2 } }
    expect(checkHello(olderLocal, newer)).toEqual({ ok: true, minor: 2 })
  })

  it('refuses another major version, naming both versions', () => {
    const e = refusal({ ...makeHello('peer', 2, 'lab-7'), version: { major: 2, minor: 0 } })
    expect(e.code).toBe('version')
    expect(e.message).toBe('remote speaks protocol 2.0, this end 1.3: major versions must match')
  })

  it('refuses a node from another cluster, naming both clusters', () => {
    const e = refusal(makeHello('peer', 2, 'lab-8'))
    expect(e.code).toBe('handshake')
    expect(e.message).toBe('remote belongs to cluster "lab-8", this end to cluster "lab-7"')
  })

  it('refuses a role the socket does not serve, a peer without id, and our own id', () => {
    const client = refusal(makeHello('client', 0, 'lab-7'), { roles: ['peer'] })
    expect(client.code).toBe('handshake')
    expect(client.message).toMatch(/remote role 'client' is not accepted here \(expected peer\)/)
    expect(checkHello(local, makeHello('client', 0, 'lab-7'), { roles: ['client'] }).ok).toBe(true)
    expect(refusal(makeHello('peer', 0, 'lab-7')).message).toMatch(/peer but sent node id 0/)
    expect(refusal(makeHello('peer', 1, 'lab-7')).message).toMatch(/node id 1, which is this/)
  })
})
