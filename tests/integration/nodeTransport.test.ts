// A node's transport in process: two Transports over real Unix-domain sockets in a temporary
// directory, no node processes. The fault plane sits between a send and the socket; a disk
// timing travels just before the acknowledgements it concerns, and only with them.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import net from 'node:net'
import {
  decodeFrameMessages,
  encodeHelloFrame,
  FRAME_KIND,
  FrameDecoder,
  makeHello,
  type DiskTiming,
} from '../../shared/protocol'
import type { Message, MessageType } from '../../shared/raft/types'
import { createRng } from '../../shared/util/rng'
import { Transport } from '../../electron/node/transport/transport'
import { waitUntil } from './helpers'
import { message } from '../unit/protocol/arbitraries'

const dir = mkdtempSync(join(tmpdir(), 'raftlab-transport-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const sock = (id: number): string => join(dir, `n${id}.sock`)
/** dataDir is node `id`'s data directory (where an incoming snapshot is assembled). */
const dataDir = (id: number): string => {
  const d = join(dir, `data-n${id}`)
  mkdirSync(d, { recursive: true })
  return d
}

type Seen = { disk: DiskTiming } | { messages: MessageType[] }

const WARM_UP_TERM = 99
const WARM_UP_DISK: DiskTiming = { firstIndex: 99, lastIndex: 99, micros: 0 }
const warm = { messages: 0, disk: 0 }

/** connected sends warm-up acknowledgements (term 99) with a disk timing until one arrives with
 * its timing: the link is up and knows its peer speaks protocol 1.1. */
async function connected(t1: Transport): Promise<boolean> {
  warm.messages = 0
  warm.disk = 0
  return waitUntil(() => {
    t1.send(2, [msg('MsgAppResp', { term: WARM_UP_TERM, index: 99 })], WARM_UP_DISK)
    return warm.disk > 0 && warm.messages > 0
  }, 10_000)
}

let open: Transport[] = []
afterEach(() => {
  for (const t of open) t.close()
  open = []
})

async function pair(): Promise<{
  t1: Transport
  t2: Transport
  seen: Seen[]
  warnings: string[]
  snapReports: string[]
}> {
  const seen: Seen[] = []
  const warnings: string[] = []
  const snapReports: string[] = []
  const make = (id: number, other: number): Transport =>
    new Transport({
      id,
      clusterId: 'lab-transport',
      listenPath: sock(id),
      dataDir: dataDir(id),
      peers: new Map([[other, sock(other)]]),
      timeScale: 1,
      faultRng: createRng(id),
      hooks: {
        onMessages: (_from, ms) => {
          // Term 99 marks the messages sent only to wait for the connection.
          const real = ms.filter((m) => m.term !== WARM_UP_TERM)
          if (id === 2 && real.length > 0) seen.push({ messages: real.map((m) => m.type) })
          if (id === 2 && real.length < ms.length) warm.messages++
        },
        onDiskTiming: (_from, disk) => {
          if (id === 2 && disk.firstIndex === WARM_UP_DISK.firstIndex) warm.disk++
          else if (id === 2) seen.push({ disk })
        },
        onClientFrame: () => {},
        onClientClosed: () => {},
        onWarning: (m) => warnings.push(m),
        onSnapshotSent: (to, status) => snapReports.push(`n${to} ${status}`),
      },
    })
  const t1 = make(1, 2)
  const t2 = make(2, 1)
  open.push(t1, t2)
  await Promise.all([t1.listen(), t2.listen()])
  t1.connectAll()
  t2.connectAll()
  return { t1, t2, seen, warnings, snapReports }
}

const msg = (type: MessageType, over: Partial<Message> = {}): Message => message({ type, ...over })

const disk: DiskTiming = { firstIndex: 5, lastIndex: 7, micros: 321 }

describe('a node transport', () => {
  it('sends a disk timing just before the acknowledgements it concerns', async () => {
    const { t1, seen, warnings } = await pair()
    expect(await connected(t1)).toBe(true)
    t1.send(2, [msg('MsgHeartbeatResp'), msg('MsgAppResp', { index: 7 })], disk)
    expect(await waitUntil(() => seen.length >= 2, 10_000)).toBe(true)
    expect(seen).toEqual([{ disk }, { messages: ['MsgHeartbeatResp', 'MsgAppResp'] }])
    expect(warnings).toEqual([])
  })

  it('sends none without an acknowledgement, nor when the rules drop every acknowledgement', async () => {
    const { t1, seen } = await pair()
    expect(await connected(t1)).toBe(true)
    const { dropped } = t1.stats
    t1.send(2, [msg('MsgHeartbeat'), msg('MsgAppResp', { index: 6, reject: true })], disk)
    t1.setRules([{ from: 1, to: 2, cut: false, latencyMs: 0, jitterMs: 0, lossPercent: 100 }])
    t1.send(2, [msg('MsgAppResp', { index: 7 })], disk)
    t1.setRules([])
    t1.send(2, [msg('MsgHeartbeat')])
    expect(await waitUntil(() => seen.length >= 2, 10_000)).toBe(true)
    expect(seen).toEqual([
      { messages: ['MsgHeartbeat', 'MsgAppResp'] },
      { messages: ['MsgHeartbeat'] },
    ])
    expect(t1.stats.dropped).toBe(dropped + 1) // the lost acknowledgement
  })

  it('drops what a cut link carries, counts it, and delivers again once healed', async () => {
    const { t1, seen } = await pair()
    expect(await connected(t1)).toBe(true)
    const { sent, dropped } = t1.stats
    t1.setRules([{ from: 1, to: 2, cut: true, latencyMs: 0, jitterMs: 0, lossPercent: 0 }])
    t1.send(2, [msg('MsgHeartbeat'), msg('MsgApp', { index: 0 })])
    expect(t1.stats).toMatchObject({ sent, dropped: dropped + 2 })
    t1.setRules([{ from: 1, to: 2, cut: false, latencyMs: 30, jitterMs: 0, lossPercent: 0 }])
    t1.send(2, [msg('MsgHeartbeat', { commit: 1 })])
    t1.send(2, [msg('MsgHeartbeat', { commit: 2 })])
    expect(await waitUntil(() => seen.length >= 2, 10_000)).toBe(true)
    expect(seen).toEqual([{ messages: ['MsgHeartbeat'] }, { messages: ['MsgHeartbeat'] }])
  })

  it('sends a MsgSnap whole and reports it finished; over a cut link, failed', async () => {
    const { t1, seen, snapReports } = await pair()
    expect(await connected(t1)).toBe(true)
    const snapshot = { metadata: { index: 40, term: 1, peers: [1, 2] }, data: new Uint8Array(5000) }
    t1.send(2, [msg('MsgSnap', { snapshot }), msg('MsgHeartbeat')])
    expect(snapReports).toEqual([]) // reported after send returns, never inside it
    expect(await waitUntil(() => seen.length >= 2, 10_000)).toBe(true)
    expect(seen).toContainEqual({ messages: ['MsgSnap'] })
    expect(snapReports).toEqual(['n2 finished'])
    t1.setRules([{ from: 1, to: 2, cut: true, latencyMs: 0, jitterMs: 0, lossPercent: 0 }])
    t1.send(2, [msg('MsgSnap', { snapshot })])
    expect(await waitUntil(() => snapReports.length >= 2, 10_000)).toBe(true)
    expect(snapReports).toEqual(['n2 finished', 'n2 failed'])
  })

  it('reports a MsgSnap to an unreachable peer as failed', async () => {
    const reports: string[] = []
    const t1 = new Transport({
      id: 1,
      clusterId: 'lab-transport',
      listenPath: sock(1),
      dataDir: dataDir(1),
      peers: new Map([[2, sock(2)]]),
      timeScale: 1,
      faultRng: createRng(1),
      hooks: {
        onMessages: () => {},
        onDiskTiming: () => {},
        onClientFrame: () => {},
        onClientClosed: () => {},
        onWarning: () => {},
        onSnapshotSent: (to, status) => reports.push(`n${to} ${status}`),
      },
    })
    open.push(t1)
    const snapshot = { metadata: { index: 40, term: 1, peers: [1, 2] }, data: new Uint8Array(8) }
    t1.send(2, [msg('MsgSnap', { snapshot })])
    expect(await waitUntil(() => reports.length >= 1, 10_000)).toBe(true)
    expect(reports).toEqual(['n2 failed'])
  })

  it('sends no MsgSnap to a peer that announced protocol 1.1: failed, with a warning', async () => {
    const kinds: number[] = []
    const types: MessageType[] = []
    const old = net.createServer((socket) => {
      const hello = { ...makeHello('peer', 2, 'lab-transport'), version: { major: 1, minor: 1 } }
      socket.write(encodeHelloFrame(hello))
      const decoder = new FrameDecoder()
      socket.on('data', (chunk) => {
        for (const f of decoder.push(chunk)) {
          kinds.push(f.kind)
          if (f.kind !== FRAME_KIND.hello && f.kind !== FRAME_KIND.diskTiming) {
            types.push(...decodeFrameMessages(f).map((m) => m.type))
          }
        }
      })
    })
    await new Promise<void>((resolve) => old.listen(sock(2), resolve))
    const reports: string[] = []
    const warnings: string[] = []
    const t1 = new Transport({
      id: 1,
      clusterId: 'lab-transport',
      listenPath: sock(1),
      dataDir: dataDir(1),
      peers: new Map([[2, sock(2)]]),
      timeScale: 1,
      faultRng: createRng(1),
      hooks: {
        onMessages: () => {},
        onDiskTiming: () => {},
        onClientFrame: () => {},
        onClientClosed: () => {},
        onWarning: (m) => warnings.push(m),
        onSnapshotSent: (to, status) => reports.push(`n${to} ${status}`),
      },
    })
    open.push(t1)
    t1.connectAll()
    try {
      // Once the peer's hello is in (a disk timing goes out to a 1.1 peer), send the snapshot.
      const up = await waitUntil(() => {
        t1.send(2, [msg('MsgAppResp', { index: 7 })], disk)
        return kinds.includes(FRAME_KIND.diskTiming)
      }, 10_000)
      expect(up).toBe(true)
      const snapshot = { metadata: { index: 40, term: 1, peers: [1, 2] }, data: new Uint8Array(8) }
      t1.send(2, [msg('MsgSnap', { snapshot }), msg('MsgHeartbeat')])
      expect(await waitUntil(() => reports.length >= 1, 10_000)).toBe(true)
      expect(reports).toEqual(['n2 failed'])
      expect(warnings.join('\n')).toMatch(/n2 speaks protocol minor 1, before MsgSnap/)
      // The heartbeat beside it still goes; the snapshot never does.
      expect(await waitUntil(() => types.includes('MsgHeartbeat'), 10_000)).toBe(true)
      expect(types).not.toContain('MsgSnap')
    } finally {
      old.close()
    }
  })

  it('sends no disk timing to a peer that announced protocol 1.0', async () => {
    // A stand-in for an older n2: it announces 1.0 and records the kinds of the frames it gets.
    const kinds: number[] = []
    const old = net.createServer((socket) => {
      const hello = { ...makeHello('peer', 2, 'lab-transport'), version: { major: 1, minor: 0 } }
      socket.write(encodeHelloFrame(hello))
      const decoder = new FrameDecoder()
      socket.on('data', (chunk) => kinds.push(...decoder.push(chunk).map((f) => f.kind)))
    })
    await new Promise<void>((resolve) => old.listen(sock(2), resolve))
    const t1 = new Transport({
      id: 1,
      clusterId: 'lab-transport',
      listenPath: sock(1),
      dataDir: dataDir(1),
      peers: new Map([[2, sock(2)]]),
      timeScale: 1,
      faultRng: createRng(1),
      hooks: {
        onMessages: () => {},
        onDiskTiming: () => {},
        onClientFrame: () => {},
        onClientClosed: () => {},
        onWarning: () => {},
      },
    })
    open.push(t1)
    t1.connectAll()
    try {
      const sent = await waitUntil(() => {
        t1.send(2, [msg('MsgAppResp', { index: 7 })], disk)
        return kinds.filter((k) => k === FRAME_KIND.raft).length >= 5
      }, 10_000)
      expect(sent).toBe(true)
      expect(kinds[0]).toBe(FRAME_KIND.hello)
      expect(kinds).not.toContain(FRAME_KIND.diskTiming)
    } finally {
      old.close()
    }
  })
})
