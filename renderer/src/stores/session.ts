// The session: the pipeline that folds the engine's event batches into the plain (non-reactive)
// model every view draws from, and publishes to the stores. Events arrive in bursts of hundreds a
// second; they are queued and folded at most every FLUSH_MS, on a timer (see schedule()), and
// only the parts of the model a batch touched are published to their stores. The connection and
// the command channel are the link store's (stores/link.ts), which the other stores use: this
// pipeline depends on them, never the reverse. What else follows the live stream (recordings,
// re-runs, the desktop menu) registers a hook here (stores/wiring.ts), so nothing here imports it.
import { defineStore, storeToRefs } from 'pinia'
import { nextTick } from 'vue'
import type { ClusterStatus } from '../../../shared/lab/commands'
import type { LabMenuAction } from '../../../shared/lab/ipc'
import { LAB_EVENT_VERSION, type LabEvent } from '../../../shared/lab/events'
import type { HelloMessage } from '../../../shared/lab/ipc'
import { createLabClient, type LabClient } from '../api'
import {
  applyEvents,
  createLabModel,
  finishHello,
  modelFromSnapshot,
  noChanges,
  type Changes,
} from '../model/lab'
import { perfEnabled, record, timed } from '../perf'
import { useBenchStore } from './bench'
import { useClusterStore } from './cluster'
import { useLinkStore } from './link'
import { useLogsStore } from './logs'
import { useNarrativeStore } from './narrative'
import { useTimelineStore } from './timeline'

/** ReplaySnapshot is where a replay (re)starts the views: the cluster as of `fromMs` (its state
 * folded up to event `statusSeq`) and the events after it, up to the playhead. */
export interface ReplaySnapshot {
  fromMs: number
  status: ClusterStatus
  statusSeq: number
  events: LabEvent[]
}

/** HELLO_SLICE: how many of a hello's events are folded per task. */
const HELLO_SLICE = 1000

/** FLUSH_MS: the shortest time between two publications of new events (≤ 10 a second): the
 * batching that coalesces hundreds of events a second into a few UI updates. */
export const FLUSH_MS = 100

/** SessionHooks: what follows the live stream besides the views. */
interface SessionHooks {
  liveEvents: ((events: LabEvent[]) => void)[]
  hello: ((hello: HelloMessage) => void)[]
  menu: ((action: LabMenuAction) => void)[]
}

/** useSessionStore owns the event pipeline; the connection's state and the command channel are
 * the link store's, exposed here too for the views. */
export const useSessionStore = defineStore('session', () => {
  const link = useLinkStore()
  const { connection, engine, incompatible, busy, mode } = storeToRefs(link)
  const models = link.models
  const hooks: SessionHooks = { liveEvents: [], hello: [], menu: [] }
  /** connecting: a client is being loaded (the ?fake stand-in is a chunk of its own). */
  let connecting = false
  let queue: LabEvent[] = []
  let scheduled = false
  let lastFlush = 0
  /** catchingUp: a hello's events are still being folded; live events wait. */
  let catchingUp = false
  let helloToken = 0
  /** flushMs: FLUSH_MS, stretched while updates are slow (see flush). */
  let flushMs = FLUSH_MS
  /** clock maps the engine's session time to this page's clock, so charts can scroll between
   * events: the newest event's time and when it arrived here. */
  const clock = { eventMs: 0, arrivedAt: 0 }
  /** playheadMs: a replay's clock (it does not move by itself). */
  let playheadMs = 0

  /** nowMs is the engine's session time now, as best the page can tell; in a replay, the
   * playhead. */
  function nowMs(): number {
    if (mode.value === 'replay') return playheadMs
    return clock.eventMs + (performance.now() - clock.arrivedAt)
  }

  function publish(ch: Changes): void {
    const model = models.shown()
    if (ch.cluster) useClusterStore().publish(model.cluster)
    if (ch.logs) useLogsStore().publish()
    if (ch.timeline) useTimelineStore().publish()
    if (ch.narrative) useNarrativeStore().publish(model.narrative)
    if (ch.activity) useBenchStore().publish(model.activity)
  }

  function publishAll(): void {
    publish({
      cluster: true,
      logs: true,
      timeline: true,
      narrative: true,
      activity: true,
      gap: false,
    })
  }

  function receiveHello(hello: HelloMessage): void {
    engine.value = {
      appVersion: hello.appVersion,
      eventVersion: `${hello.eventVersion.major}.${hello.eventVersion.minor}`,
    }
    if (hello.eventVersion.major > LAB_EVENT_VERSION.major) {
      incompatible.value =
        `the lab engine speaks event version ${hello.eventVersion.major}.x; ` +
        `this window understands ${LAB_EVENT_VERSION.major}.x — update raftlab`
      return
    }
    incompatible.value = null
    for (const h of hooks.hello) h(hello)
    // Fold the recent events (up to 20,000) in slices, each its own task, so a reconnect does
    // not freeze the page; the old picture stays up meanwhile and live events wait in the queue.
    const token = ++helloToken
    const helloAt = performance.now()
    catchingUp = true
    queue = []
    const m = createLabModel()
    const recent = hello.recent
    let i = 0
    const step = (): void => {
      if (token !== helloToken) return
      const end = Math.min(recent.length, i + HELLO_SLICE)
      timed('hello.slice', () => applyEvents(m, recent.slice(i, end)))
      i = end
      if (i < recent.length) {
        setTimeout(step, 0)
        return
      }
      finishHello(m, hello)
      models.set(mode.value === 'live' ? { live: m, shown: m } : { live: m })
      catchingUp = false
      // The session's time: what the hello said when it arrived, else (an older engine) its
      // newest event.
      // (Live events queued meanwhile have set the clock already, and are newer.)
      if (queue.length === 0) {
        clock.eventMs = hello.nowMs ?? m.timeline.lastTimeMs
        clock.arrivedAt = helloAt
      }
      if (mode.value === 'live') publishAll()
      if (queue.length > 0) schedule()
    }
    step()
  }

  function onEvents(events: LabEvent[]): void {
    if (incompatible.value) return
    // Recordings and re-runs are followed even while a recording is replayed.
    for (const h of hooks.liveEvents) h(events)
    queue.push(...events)
    const last = events[events.length - 1]
    if (last) {
      clock.eventMs = last.timeMs
      clock.arrivedAt = performance.now()
    }
    schedule()
  }

  function schedule(): void {
    if (scheduled) return
    scheduled = true
    const wait = Math.max(0, flushMs - (performance.now() - lastFlush))
    // A timer, not an animation frame: run inside a frame, the fold and Vue's re-render would
    // share one task with the browser's style, layout and paint, and on a machine busy running
    // the cluster that task grows past 50 ms. Separately, each stays short; the browser still
    // paints at most once per frame. (A hidden page gets no frames, and needs none.)
    setTimeout(flush, wait)
  }

  function flush(): void {
    scheduled = false
    lastFlush = performance.now()
    if (queue.length === 0 || catchingUp) return
    const batch = queue
    queue = []
    const t0 = performance.now()
    const ch = timed('events.apply', () => applyEvents(models.live(), batch))
    if (mode.value === 'live') timed('events.publish', () => publish(ch))
    const t1 = performance.now()
    // Vue re-renders in a microtask after this: nextTick resolves once it has. When the whole
    // update was slow (the machine is busy), the next ones come less often, up to 2.5 a second.
    void nextTick(() => {
      const t2 = performance.now()
      const ms = t2 - t0
      flushMs = ms > 20 ? Math.min(400, FLUSH_MS * Math.ceil(ms / 20)) : FLUSH_MS
      if (perfEnabled) record('vue.render', t2 - t1)
    })
    if (perfEnabled) record('events.batch', batch.length)
    if (ch.gap) models.client()?.resync()
  }

  /** enterReplay shows a recording from a snapshot (opening it, or seeking): the views are
   * rebuilt, live events stop reaching them, and the clock is the playhead. */
  function enterReplay(r: ReplaySnapshot, at: number): void {
    mode.value = 'replay'
    models.set({
      shown: timed('replay.seek', () =>
        modelFromSnapshot(r.status, r.statusSeq, r.fromMs, r.events),
      ),
    })
    playheadMs = at
    publishAll()
  }

  /** feedReplay plays a recording's next events and moves the clock to the playhead. */
  function feedReplay(events: readonly LabEvent[], at: number): void {
    if (mode.value !== 'replay') return
    playheadMs = at
    publish(
      events.length > 0 ? applyEvents(models.shown(), events) : { ...noChanges(), timeline: true },
    )
  }

  /** leaveReplay goes back to the live lab, as it is now. */
  function leaveReplay(): void {
    if (mode.value !== 'replay') return
    mode.value = 'live'
    models.set({ shown: models.live() })
    publishAll()
  }

  /** connect starts the session (once). */
  function connect(given: LabClient | Promise<LabClient> = createLabClient()): void {
    if (models.client() || connecting) return
    if (given instanceof Promise) {
      connecting = true
      void given.then((c) => {
        connecting = false
        connect(c)
      })
      return
    }
    const c = given
    models.setClient(c)
    c.connect({
      hello: receiveHello,
      events: onEvents,
      state: (s) => (connection.value = s),
    })
    c.onMenu?.(({ action }) => {
      for (const h of hooks.menu) h(action)
    })
  }

  /** disconnect stops the session (tests, page unload). */
  function disconnect(): void {
    models.client()?.close()
    models.setClient(null)
  }

  /** onLiveEvents, onHello and onMenu register what follows the live stream besides the views
   * (see stores/wiring.ts); each returns a function that removes it. */
  function hook<K extends keyof SessionHooks>(kind: K, fn: SessionHooks[K][number]): () => void {
    const list = hooks[kind] as SessionHooks[K][number][]
    list.push(fn)
    return () => {
      const i = list.indexOf(fn)
      if (i >= 0) list.splice(i, 1)
    }
  }
  const onLiveEvents = (fn: (events: LabEvent[]) => void) => hook('liveEvents', fn)
  const onHello = (fn: (hello: HelloMessage) => void) => hook('hello', fn)
  const onMenu = (fn: (action: LabMenuAction) => void) => hook('menu', fn)

  return {
    connection,
    engine,
    incompatible,
    busy,
    mode,
    nowMs,
    enterReplay,
    feedReplay,
    leaveReplay,
    currentModel: link.currentModel,
    liveCluster: link.liveCluster,
    connect,
    disconnect,
    run: link.run,
    flush,
    onLiveEvents,
    onHello,
    onMenu,
  }
})
