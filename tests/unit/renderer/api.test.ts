import { describe, expect, it } from 'vitest'
import { BridgeLabClient, isBridge } from '../../../renderer/src/api/bridgeClient'
import { FakeLab } from '../../../renderer/src/api/fakeLab'
import type { ConnectionState } from '../../../renderer/src/api/types'
import { NotConnectedError } from '../../../renderer/src/api/types'
import { labSocketUrl, WsLabClient, type SocketLike } from '../../../renderer/src/api/wsClient'
import type { LabEvent } from '../../../shared/lab/events'
import type { HelloMessage } from '../../../shared/lab/ipc'
import { LAB_EVENT_VERSION } from '../../../shared/lab/events'

class FakeSocket implements SocketLike {
  readyState = 0
  sent: string[] = []
  onopen: ((ev: unknown) => void) | null = null
  onmessage: ((ev: { data: unknown }) => void) | null = null
  onclose: ((ev: { code: number; reason: string }) => void) | null = null
  onerror: ((ev: unknown) => void) | null = null
  send(data: string): void {
    this.sent.push(data)
  }
  close(code = 1000, reason = ''): void {
    this.readyState = 3
    this.onclose?.({ code, reason })
  }
  open(): void {
    this.readyState = 1
    this.onopen?.({})
  }
  receive(msg: unknown): void {
    this.onmessage?.({ data: JSON.stringify(msg) })
  }
}

const hello = (lastSeq = 0): HelloMessage => ({
  eventVersion: { ...LAB_EVENT_VERSION },
  appVersion: 't',
  lastSeq,
  recent: [],
  status: {
    running: false,
    clusterId: null,
    config: null,
    nodes: [],
    leader: null,
    term: 0,
    links: [],
  },
})

function harness(hasToken = true) {
  const sockets: FakeSocket[] = []
  const timers: { fn: () => void; ms: number }[] = []
  const states: ConnectionState[] = []
  const hellos: HelloMessage[] = []
  const batches: LabEvent[][] = []
  const client = new WsLabClient('ws://127.0.0.1:1/lab?token=t', {
    createSocket: () => {
      const s = new FakeSocket()
      sockets.push(s)
      return s
    },
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => {},
    random: () => 0.5,
    hasToken,
  })
  client.connect({
    hello: (h) => hellos.push(h),
    events: (e) => batches.push(e),
    state: (s) => states.push(s),
  })
  return { client, sockets, timers, states, hellos, batches }
}

describe('the WebSocket client', () => {
  it('builds the lab address from the page address and its token', () => {
    expect(labSocketUrl({ host: '127.0.0.1:4173', protocol: 'http:', search: '?token=a+b' })).toBe(
      'ws://127.0.0.1:4173/lab?token=a%20b',
    )
  })

  it('is open once the hello arrives, matches results to commands, and passes event batches on', async () => {
    const h = harness()
    const s = h.sockets[0]!
    s.open()
    await expect(h.client.command({ type: 'heal.all' })).rejects.toBeInstanceOf(NotConnectedError)
    s.receive({ kind: 'hello', hello: hello(7) })
    expect(h.hellos[0]?.lastSeq).toBe(7)
    expect(h.states.at(-1)?.status).toBe('open')
    const p = h.client.command({ type: 'cluster.status' })
    const sent = JSON.parse(s.sent[0] as string) as { id: number }
    s.receive({
      kind: 'result',
      id: sent.id,
      result: { ok: false, error: 'no cluster', code: 'state' },
    })
    await expect(p).resolves.toEqual({ ok: false, error: 'no cluster', code: 'state' })
    s.receive({
      kind: 'events',
      events: [{ type: 'fault', action: 'healed', description: 'x', seq: 8, timeMs: 1 }],
    })
    expect(h.batches).toHaveLength(1)
  })

  it('on a lost connection fails what was in flight, says so, and reconnects with backoff', async () => {
    const h = harness()
    const s = h.sockets[0]!
    s.open()
    s.receive({ kind: 'hello', hello: hello() })
    const p = h.client.command({ type: 'heal.all' })
    s.close(1006, '')
    await expect(p).rejects.toBeInstanceOf(NotConnectedError)
    expect(h.states.at(-1)).toMatchObject({ status: 'lost', attempt: 1, retryInMs: 250 })
    h.timers.shift()?.fn()
    h.sockets[1]!.close(1006, '')
    expect(h.states.at(-1)).toMatchObject({ status: 'lost', attempt: 2, retryInMs: 500 })
    h.timers.shift()?.fn()
    h.sockets[2]!.open()
    h.sockets[2]!.receive({ kind: 'hello', hello: hello(3) })
    expect(h.states.at(-1)).toMatchObject({ status: 'open', attempt: 0 })
    expect(h.hellos).toHaveLength(2)
  })

  it('explains a refusal when the address has no token', () => {
    const h = harness(false)
    h.sockets[0]!.close(1006, '')
    expect(h.states.at(-1)?.message).toMatch(/token/)
  })

  it('resyncs by reconnecting at once', () => {
    const h = harness()
    h.sockets[0]!.open()
    h.sockets[0]!.receive({ kind: 'hello', hello: hello() })
    h.client.resync()
    expect(h.timers.at(-1)?.ms).toBe(0)
  })
})

describe('the bridge client over the fake lab', () => {
  it('recognises a bridge', () => {
    expect(isBridge(new FakeLab())).toBe(true)
    expect(isBridge({ isDesktop: true })).toBe(false)
  })

  it('delivers a hello, then later events; commands run and record', async () => {
    let now = 0
    const lab = new FakeLab({ now: () => now })
    const client = new BridgeLabClient(lab, 'fake')
    const hellos: HelloMessage[] = []
    const events: LabEvent[] = []
    client.connect({
      hello: (h) => hellos.push(h),
      events: (e) => events.push(...e),
      state: () => {},
    })
    await Promise.resolve()
    await Promise.resolve()
    expect(hellos).toHaveLength(1)
    now = 100
    const r = await client.command({ type: 'cluster.start', config: { nodes: 3 } })
    expect(r.ok).toBe(true)
    expect(events[0]).toMatchObject({ type: 'cluster.started', timeMs: 100 })
    expect(lab.commands).toEqual([{ type: 'cluster.start', config: { nodes: 3 } }])
    lab.failNext = { error: 'nope', code: 'state' }
    expect(await client.command({ type: 'heal.all' })).toEqual({
      ok: false,
      error: 'nope',
      code: 'state',
    })
    client.close()
    lab.close()
  })
})
