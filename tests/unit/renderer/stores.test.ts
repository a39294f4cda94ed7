// The stores wired to the in-memory engine: commands go out, events come back through the batch
// pipeline, and failures become toasts. Pinia without components (no DOM needed).
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { BridgeLabClient } from '../../../renderer/src/api/bridgeClient'
import { FakeLab } from '../../../renderer/src/api/fakeLab'
import { useClusterStore } from '../../../renderer/src/stores/cluster'
import { useSessionStore } from '../../../renderer/src/stores/session'
import { useTimeAxisStore } from '../../../renderer/src/stores/timeAxis'
import { useToastStore } from '../../../renderer/src/stores/toasts'

const settle = () => new Promise((r) => setTimeout(r, 0))

describe('the session with a fake engine', () => {
  let lab: FakeLab
  beforeEach(async () => {
    setActivePinia(createPinia())
    lab = new FakeLab()
    useSessionStore().connect(new BridgeLabClient(lab, 'fake'))
    await settle()
  })

  it('is open after the hello, and folds events into the cluster view', async () => {
    const session = useSessionStore()
    const cluster = useClusterStore()
    expect(session.connection.status).toBe('open')
    const r = await cluster.start({ nodes: 3 })
    expect(r.ok).toBe(true)
    session.flush()
    expect(cluster.view.running).toBe(true)
    expect(cluster.view.nodes.map((n) => n.state)).toEqual(['running', 'running', 'running'])
    lab.close()
  })

  it('turns a failed command into a toast with the engine’s words', async () => {
    const cluster = useClusterStore()
    lab.failNext = { error: 'n2 is not paused', code: 'state' }
    const r = await cluster.togglePause(2)
    expect(r.ok).toBe(false)
    expect(useToastStore().toasts.map((t) => t.message)).toEqual([
      'pause n2 failed: n2 is not paused',
    ])
  })

  it('refuses live commands while a recording is replayed, and follows the playhead', () => {
    const session = useSessionStore()
    session.enterReplay(
      {
        fromMs: 1000,
        status: {
          running: false,
          clusterId: null,
          config: null,
          nodes: [],
          leader: null,
          term: 0,
          links: [],
        },
        statusSeq: 0,
        events: [],
      },
      1500,
    )
    expect(session.mode).toBe('replay')
    expect(session.nowMs()).toBe(1500)
    session.feedReplay([], 2500)
    expect(session.nowMs()).toBe(2500)
    return session.run({ type: 'heal.all' }).then((r) => {
      expect(r).toMatchObject({ ok: false, code: 'state' })
      session.leaveReplay()
      expect(session.mode).toBe('live')
    })
  })
})

describe('the time axis', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('follows now, shows [0, span] early on, freezes, zooms and jumps to a moment', () => {
    const a = useTimeAxisStore()
    expect(a.windowAt(10_000)).toEqual({ fromMs: 0, toMs: 60_000 })
    expect(a.windowAt(100_000)).toEqual({ fromMs: 40_000, toMs: 100_000 })
    a.freeze(100_000)
    expect(a.windowAt(200_000)).toEqual({ fromMs: 40_000, toMs: 100_000 })
    a.stepSpan(-1, 200_000)
    expect(a.spanMs).toBe(30_000)
    a.follow()
    a.showMoment(10_000, 200_000)
    expect(a.frozen).toBe(true)
    const w = a.windowAt(200_000)
    expect(w.fromMs <= 10_000 && 10_000 <= w.toMs).toBe(true)
    expect(a.pinnedMs).toBe(10_000)
  })
})
