// Snapshots in chunks (protocol 1.3) between two in-process Transports over real Unix-domain
// sockets in a temporary directory, no node processes: the receiver gets one MsgSnap identical
// to the one sent, messages sent meanwhile overtake the transfer, a cut link fails it, and bad
// chunks are rejected without reaching the node.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import {
  FRAME_KIND,
  FrameDecoder,
  decodeFrameMessages,
  encodeHelloFrame,
  encodeSnapshotChunkFrame,
  makeHello,
  snapshotChunkAt,
  type DiskTiming,
  type SnapshotTransferReport,
} from '../../shared/protocol'
import type { Message, MessageType } from '../../shared/raft/types'
import { crc32c } from '../../shared/util/crc32c'
import { createRng } from '../../shared/util/rng'
import { Transport, type TransportHooks } from '../../electron/node/transport/transport'
import { INCOMING_SNAPSHOT_FILE } from '../../electron/node/transport/snapshotReceiver'
import { waitUntil } from './helpers'
import { message } from '../unit/protocol/arbitraries'

const dir = mkdtempSync(join(tmpdir(), 'raftlab-snapxfer-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const CLUSTER = 'lab-snapxfer'
const sock = (id: number): string => join(dir, `n${id}.sock`)
const dataDir = (id: number): string => {
  const d = join(dir, `data-n${id}`)
  mkdirSync(d, { recursive: true })
  return d
}
const incoming = (id: number): string => join(dataDir(id), INCOMING_SNAPSHOT_FILE)

/** WARM_UP_TERM marks messages sent only to wait for the connection. */
const WARM_UP_TERM = 99
const WARM_UP_DISK: DiskTiming = { firstIndex: 99, lastIndex: 99, micros: 0 }

/** Node is one Transport and what reached it. */
interface Node {
  t: Transport
  /** got: the Raft messages delivered to the node, in order (warm-up ones left out). */
  got: Message[]
  warmDisk: number
  warnings: string[]
  snapStatus: string[]
  transfers: SnapshotTransferReport[]
}

let open: Transport[] = []
afterEach(() => {
  for (const t of open) t.close()
  open = []
})

function makeNode(
  id: number,
  peers: number[],
  extra: { snapshotIdleTimeoutMs?: number; onReport?: (r: SnapshotTransferReport) => void } = {},
): Node {
  const n: Partial<Node> = { got: [], warmDisk: 0, warnings: [], snapStatus: [], transfers: [] }
  const hooks: TransportHooks = {
    onMessages: (_from, ms) => n.got!.push(...ms.filter((m) => m.term !== WARM_UP_TERM)),
    onDiskTiming: () => {
      n.warmDisk!++
    },
    onClientFrame: () => {},
    onClientClosed: () => {},
    onWarning: (m) => n.warnings!.push(m),
    onSnapshotSent: (to, status) => n.snapStatus!.push(`n${to} ${status}`),
    onSnapshotTransfer: (r) => {
      n.transfers!.push(r)
      extra.onReport?.(r)
    },
  }
  n.t = new Transport({
    id,
    clusterId: CLUSTER,
    listenPath: sock(id),
    dataDir: dataDir(id),
    peers: new Map(peers.map((p) => [p, sock(p)])),
    timeScale: 1,
    faultRng: createRng(id),
    hooks,
    ...(extra.snapshotIdleTimeoutMs !== undefined
      ? { snapshotIdleTimeoutMs: extra.snapshotIdleTimeoutMs }
      : {}),
  })
  open.push(n.t)
  return n as Node
}

const msg = (type: MessageType, over: Partial<Message> = {}): Message => message({ type, ...over })

/** bytes makes `n` bytes that differ from chunk to chunk (a misplaced chunk would show). */
function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n)
  let x = seed
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0
    out[i] = x >>> 24
  }
  return out
}

function snapMsg(data: Uint8Array, index = 400, term = 1): Message {
  return msg('MsgSnap', { snapshot: { metadata: { index, term, peers: [1, 2] }, data } })
}

/** pair starts n1 and n2 and waits until n1 knows n2's protocol minor (a disk timing got
 * through: n1 sends one only once n2's hello arrived). */
async function pair(extra: Parameters<typeof makeNode>[2] = {}): Promise<{ n1: Node; n2: Node }> {
  const n1 = makeNode(1, [2])
  const n2 = makeNode(2, [1], extra)
  await Promise.all([n1.t.listen(), n2.t.listen()])
  n1.t.connectAll()
  n2.t.connectAll()
  const up = await waitUntil(() => {
    n1.t.send(2, [msg('MsgAppResp', { term: WARM_UP_TERM, index: 99 })], WARM_UP_DISK)
    return n2.warmDisk > 0
  }, 10_000)
  expect(up).toBe(true)
  return { n1, n2 }
}

const states = (n: Node, direction: 'send' | 'receive'): string[] =>
  n.transfers.filter((r) => r.direction === direction).map((r) => r.state)

describe('a snapshot sent in chunks', () => {
  it('arrives as one MsgSnap identical to the one sent, overtaken by a heartbeat sent after it', async () => {
    const { n1, n2 } = await pair()
    const data = bytes(6 * 1024 * 1024 + 123)
    n1.t.send(2, [snapMsg(data)])
    n1.t.send(2, [msg('MsgHeartbeat', { commit: 7 })])
    expect(await waitUntil(() => n2.got.some((m) => m.type === 'MsgSnap'), 20_000)).toBe(true)
    expect(n2.got.map((m) => m.type)).toEqual(['MsgHeartbeat', 'MsgSnap'])
    const got = n2.got[1] as Message
    expect({ ...got, snapshot: null }).toEqual({ ...snapMsg(data), snapshot: null })
    expect(got.snapshot?.metadata).toEqual({ index: 400, term: 1, peers: [1, 2] })
    expect(got.snapshot?.data.length).toBe(data.length)
    expect(crc32c(got.snapshot?.data as Uint8Array)).toBe(crc32c(data))
    expect(Buffer.compare(got.snapshot?.data as Uint8Array, data)).toBe(0)
    expect(await waitUntil(() => n1.snapStatus.length > 0, 10_000)).toBe(true)
    expect(n1.snapStatus).toEqual(['n2 finished'])
    // Both ends told the lab: started, perhaps progress, finished, with every byte counted.
    for (const [n, direction] of [
      [n1, 'send'],
      [n2, 'receive'],
    ] as const) {
      const s = states(n, direction)
      expect(s[0]).toBe('started')
      expect(s[s.length - 1]).toBe('finished')
      const last = n.transfers[n.transfers.length - 1] as SnapshotTransferReport
      expect(last).toMatchObject({ index: 400, term: 1, totalBytes: data.length })
      expect(last.doneBytes).toBe(data.length)
      expect(last.durationMs).toBeGreaterThanOrEqual(0)
    }
    expect(n2.transfers[0]?.peer).toBe(1)
    expect(n1.transfers[0]?.peer).toBe(2)
    expect(existsSync(incoming(2))).toBe(false)
    expect(n2.warnings).toEqual([])
  })

  it('fails when the link is cut mid-transfer, and the next transfer replaces the partial one', async () => {
    let n1: Node | null = null
    const { n1: a, n2 } = await pair({
      onReport: (r) => {
        // Cut n1→n2 as soon as the first chunk is in.
        if (r.state === 'started' && n1) {
          n1.t.setRules([{ from: 1, to: 2, cut: true, latencyMs: 0, jitterMs: 0, lossPercent: 0 }])
        }
      },
    })
    n1 = a
    const data = bytes(8 * 1024 * 1024, 2)
    a.t.send(2, [snapMsg(data)])
    expect(await waitUntil(() => a.snapStatus.length > 0, 10_000)).toBe(true)
    expect(a.snapStatus).toEqual(['n2 failed'])
    const sent = a.transfers[a.transfers.length - 1] as SnapshotTransferReport
    expect(sent).toMatchObject({ direction: 'send', state: 'failed' })
    expect(sent.reason).toMatch(/dropped by the link's fault rule/)
    expect(sent.doneBytes).toBeLessThan(data.length)
    // The receiver holds a partial file and nothing reached the node.
    expect(existsSync(incoming(2))).toBe(true)
    expect(n2.got).toEqual([])

    // Healed, the leader sends it again: the partial transfer is replaced, the new one delivered.
    a.t.setRules([])
    n1 = null
    a.t.send(2, [snapMsg(data)])
    expect(await waitUntil(() => n2.got.length > 0, 20_000)).toBe(true)
    expect(n2.got.map((m) => m.type)).toEqual(['MsgSnap'])
    expect(Buffer.compare(n2.got[0]?.snapshot?.data as Uint8Array, data)).toBe(0)
    const received = n2.transfers.filter((r) => r.direction === 'receive')
    expect(received.map((r) => r.state).filter((s) => s !== 'progress')).toEqual([
      'started',
      'rejected',
      'started',
      'finished',
    ])
    expect(received.find((r) => r.state === 'rejected')?.reason).toBe('restarted by its sender')
    expect(existsSync(incoming(2))).toBe(false)
  })

  it('fails when the receiver goes away mid-transfer', async () => {
    let n2: Node | null = null
    const { n1, n2: b } = await pair({
      onReport: (r) => {
        if (r.state === 'started') n2?.t.close()
      },
    })
    n2 = b
    n1.t.send(2, [snapMsg(bytes(8 * 1024 * 1024, 6))])
    expect(await waitUntil(() => n1.snapStatus.length > 0, 10_000)).toBe(true)
    expect(n1.snapStatus).toEqual(['n2 failed'])
    expect(n1.transfers[n1.transfers.length - 1]?.reason).toBe('the connection to n2 broke')
    // The receiver gave up its part too, and removed its file.
    expect(b.transfers.map((r) => r.state)).toEqual(['started', 'rejected'])
    expect(existsSync(incoming(2))).toBe(false)
  })

  it('gives up a transfer that stops coming, and a restart removes a stale partial file', async () => {
    let n1: Node | null = null
    const { n1: a, n2 } = await pair({
      snapshotIdleTimeoutMs: 300,
      onReport: (r) => {
        if (r.state === 'started' && n1) {
          n1.t.setRules([{ from: 1, to: 2, cut: true, latencyMs: 0, jitterMs: 0, lossPercent: 0 }])
        }
      },
    })
    n1 = a
    a.t.send(2, [snapMsg(bytes(4 * 1024 * 1024, 3))])
    const gaveUp = await waitUntil(() => states(n2, 'receive').includes('rejected'), 10_000)
    expect(gaveUp).toBe(true)
    expect(n2.transfers.find((r) => r.state === 'rejected')?.reason).toBe('no chunk for 300 ms')
    expect(existsSync(incoming(2))).toBe(false)
    expect(n2.got).toEqual([])

    // A crash leaves a partial file behind: the next start removes it.
    n2.t.close()
    writeFileSync(incoming(2), bytes(1000))
    makeNode(2, [1])
    expect(existsSync(incoming(2))).toBe(false)
  })

  it('rejects a chunk with a bad checksum, and a whole with one, and then takes a good transfer', async () => {
    // n2 alone; a raw socket plays n1 and writes chunks by hand.
    const n2 = makeNode(2, [1])
    await n2.t.listen()
    const socket = net.createConnection(sock(2))
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
    socket.write(encodeHelloFrame(makeHello('peer', 1, CLUSTER)))
    const m = snapMsg(bytes(3 * 1000, 4))
    const chunk = (offset: number, crcBefore: number) => snapshotChunkAt(m, offset, crcBefore, 1000)
    const c0 = chunk(0, 0)
    const c1 = chunk(1000, crc32c(c0.data))
    const c2 = chunk(2000, crc32c(c1.data, crc32c(c0.data)))
    const flipped = (d: Uint8Array): Uint8Array => d.map((b, i) => (i === 17 ? b ^ 1 : b))
    try {
      // A flipped byte in the second chunk.
      socket.write(encodeSnapshotChunkFrame(c0))
      socket.write(encodeSnapshotChunkFrame({ ...c1, data: flipped(c1.data) }))
      socket.write(encodeSnapshotChunkFrame(c2)) // the rest of a rejected transfer: ignored
      expect(await waitUntil(() => states(n2, 'receive').includes('rejected'), 10_000)).toBe(true)
      expect(n2.transfers.find((r) => r.state === 'rejected')?.reason).toBe(
        'a bad checksum in the chunk at byte 1000',
      )
      // A whole-data checksum that does not match.
      socket.write(encodeSnapshotChunkFrame(c0))
      socket.write(encodeSnapshotChunkFrame(c1))
      socket.write(encodeSnapshotChunkFrame({ ...c2, snapshotCrc: c2.snapshotCrc ^ 1 }))
      const twice = () => states(n2, 'receive').filter((s) => s === 'rejected').length === 2
      expect(await waitUntil(twice, 10_000)).toBe(true)
      expect(n2.transfers[n2.transfers.length - 1]?.reason).toBe(
        'a bad checksum of the whole snapshot',
      )
      expect(existsSync(incoming(2))).toBe(false)
      expect(n2.got).toEqual([])
      expect(n2.warnings.join('\n')).toMatch(/snapshot from n1 rejected: a bad checksum/)
      // The connection stayed open: a good transfer goes through.
      for (const c of [c0, c1, c2]) socket.write(encodeSnapshotChunkFrame(c))
      expect(await waitUntil(() => n2.got.length > 0, 10_000)).toBe(true)
      expect(n2.got[0]).toEqual({ ...m, snapshot: n2.got[0]?.snapshot })
      expect(Buffer.compare(n2.got[0]?.snapshot?.data as Uint8Array, m.snapshot!.data)).toBe(0)
    } finally {
      socket.destroy()
    }
  })

  it('goes whole, in one raft frame, to a peer that announced protocol 1.2', async () => {
    const kinds: number[] = []
    const types: MessageType[] = []
    const old = net.createServer((socket) => {
      const hello = { ...makeHello('peer', 2, CLUSTER), version: { major: 1, minor: 2 } }
      socket.write(encodeHelloFrame(hello))
      const decoder = new FrameDecoder()
      socket.on('data', (chunk) => {
        for (const f of decoder.push(chunk)) {
          kinds.push(f.kind)
          if (f.kind === FRAME_KIND.raft || f.kind === FRAME_KIND.raftBatch) {
            types.push(...decodeFrameMessages(f).map((x) => x.type))
          }
        }
      })
    })
    await new Promise<void>((resolve) => old.listen(sock(2), resolve))
    const n1 = makeNode(1, [2])
    n1.t.connectAll()
    try {
      const up = await waitUntil(() => {
        n1.t.send(2, [msg('MsgAppResp', { index: 7 })], WARM_UP_DISK)
        return kinds.includes(FRAME_KIND.diskTiming)
      }, 10_000)
      expect(up).toBe(true)
      n1.t.send(2, [snapMsg(bytes(600 * 1024, 5))])
      expect(await waitUntil(() => types.includes('MsgSnap'), 10_000)).toBe(true)
      expect(kinds).not.toContain(FRAME_KIND.snapshotChunk)
      expect(await waitUntil(() => n1.snapStatus.length > 0, 10_000)).toBe(true)
      expect(n1.snapStatus).toEqual(['n2 finished'])
      expect(n1.transfers).toEqual([])
    } finally {
      old.close()
    }
  })
})
