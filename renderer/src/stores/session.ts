// The session: the connection to the lab engine, the plain (non-reactive) model every view draws
// from, and the pipeline that folds event batches into it. Events arrive in bursts of hundreds a
// second; they are queued and folded at most every FLUSH_MS, on a timer (see schedule()), and
// only the parts of the model a batch touched are published to their stores.
import { defineStore } from 'pinia'
import { nextTick, ref, shallowRef } from 'vue'
import type { ClusterStatus, CommandResult, LabCommand } from '../../../shared/lab/commands'
import { LAB_EVENT_VERSION, type LabEvent } from '../../../shared/lab/events'
import type { HelloMessage } from '../../../shared/lab/ipc'
import { createLabClient, type ConnectionState, type LabClient } from '../api'
import {
  applyEvents,
  createLabModel,
  finishHello,
  modelFromSnapshot,
  noChanges,
  type Changes,
  type LabModel,
} from '../model/lab'
import { describeCommand } from '../model/narrative'
import { perfEnabled, record, timed } from '../perf'
import { useReplayStore } from '../replay/store'
import { useBenchStore } from './bench'
import { useClusterStore } from './cluster'
import { useLogsStore } from './logs'
import { useNarrativeStore } from './narrative'
import { useTimelineStore } from './timeline'
import { useToastStore } from './toasts'
import { useUiStore } from './ui'

/** ReplaySnapshot is where a replay (re)starts the views: the cluster as of `fromMs` (its state
 * folded up to event `statusSeq`) and the events after it, up to the playhead. */
export interface ReplaySnapshot {
  fromMs: number
  status: ClusterStatus
  statusSeq: number
  events: LabEvent[]
}

/** REPLAY_COMMANDS may still be sent while a recording is replayed (none of them touches what is
 * shown): recording the live session, listing recordings, and re-running a recording on a fresh
 * cluster. */
const REPLAY_COMMANDS = new Set<LabCommand['type']>([
  'record.start',
  'record.stop',
  'record.list',
  'rerun.start',
  'rerun.cancel',
])

/** HELLO_SLICE: how many of a hello's events are folded per task. */
const HELLO_SLICE = 1000

/** FLUSH_MS: the shortest time between two publications of new events (≤ 10 a second): the
 * batching that coalesces hundreds of events a second into a few UI updates. */
export const FLUSH_MS = 100

/** useSessionStore owns the connection and the model. */
export const useSessionStore = defineStore('session', () => {
  const connection = shallowRef<ConnectionState>({
    status: 'connecting',
    transport: 'browser',
    attempt: 0,
    retryInMs: null,
    message: null,
  })
  /** engine: versions from the last hello. */
  const engine = shallowRef<{ appVersion: string; eventVersion: string } | null>(null)
  /** incompatible: the engine speaks a newer major event version; its events are ignored. */
  const incompatible = ref<string | null>(null)
  /** busy: command types on their way, so buttons can show it (starting a cluster takes seconds). */
  const busy = shallowRef<ReadonlySet<string>>(new Set())
  /** mode: 'live' follows the engine; 'replay' shows a recording (the replay store drives it). */
  const mode = ref<'live' | 'replay'>('live')

  // The model and the pipeline are deliberately outside Vue's reactivity. `model` is what the
  // views show: the live model, or a replay's while a recording is shown (the live one keeps
  // folding the engine's events meanwhile, unpublished, so going back is instant).
  let liveModel: LabModel = createLabModel()
  let model: LabModel = liveModel
  let client: LabClient | null = null
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

  /** currentModel gives views read access to the plain model (charts read rings directly). */
  function currentModel(): LabModel {
    return model
  }

  function publish(ch: Changes): void {
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

  function onHello(hello: HelloMessage): void {
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
    // A recording in progress keeps its record button lit across a reload.
    if (hello.recording !== undefined) useReplayStore().recording = hello.recording
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
      liveModel = m
      if (mode.value === 'live') model = m
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
    useReplayStore().onLiveEvents(events)
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
    const ch = timed('events.apply', () => applyEvents(liveModel, batch))
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
    if (ch.gap) client?.resync()
  }

  /** enterReplay shows a recording from a snapshot (opening it, or seeking): the views are
   * rebuilt, live events stop reaching them, and the clock is the playhead. */
  function enterReplay(r: ReplaySnapshot, at: number): void {
    mode.value = 'replay'
    model = timed('replay.seek', () => modelFromSnapshot(r.status, r.statusSeq, r.fromMs, r.events))
    playheadMs = at
    publishAll()
  }

  /** feedReplay plays a recording's next events and moves the clock to the playhead. */
  function feedReplay(events: readonly LabEvent[], at: number): void {
    if (mode.value !== 'replay') return
    playheadMs = at
    publish(events.length > 0 ? applyEvents(model, events) : { ...noChanges(), timeline: true })
  }

  /** leaveReplay goes back to the live lab, as it is now. */
  function leaveReplay(): void {
    if (mode.value !== 'replay') return
    mode.value = 'live'
    model = liveModel
    publishAll()
  }

  /** connect starts the session (once). */
  function connect(given: LabClient | Promise<LabClient> = createLabClient()): void {
    if (client || connecting) return
    if (given instanceof Promise) {
      connecting = true
      void given.then((c) => {
        connecting = false
        connect(c)
      })
      return
    }
    const c = given
    client = c
    c.connect({
      hello: onHello,
      events: onEvents,
      state: (s) => (connection.value = s),
    })
    c.onMenu?.(({ action }) => useUiStore().onMenu(action))
  }

  /** disconnect stops the session (tests, page unload). */
  function disconnect(): void {
    client?.close()
    client = null
  }

  /** liveCluster is the live lab's cluster as the page knows it, even while a replay is shown
   * (the views then show the recording's). */
  function liveCluster(): { running: boolean; nodes: number } {
    const c = liveModel.cluster
    return { running: c.running, nodes: c.nodes.length }
  }

  /** run sends a command. A failure shows a toast with the engine's message (never silent); the
   * result is returned either way so callers can react to it. While a replay is shown, commands
   * that would act on the live lab are refused unless `live` says the person asked for exactly
   * that (e.g. confirmed stopping the live cluster to re-run the recording). */
  async function run(
    cmd: LabCommand,
    opts: { quiet?: boolean; live?: boolean } = {},
  ): Promise<CommandResult> {
    const toasts = useToastStore()
    const what = describeCommand(cmd)
    if (mode.value === 'replay' && !opts.live && !REPLAY_COMMANDS.has(cmd.type)) {
      const error = 'a recording is being replayed: close it to act on the live lab'
      if (!opts.quiet) toasts.push('info', `${what}: ${error}`)
      return { ok: false, error, code: 'state' }
    }
    if (!client) {
      toasts.push('error', `${what}: not connected to the lab engine`)
      return { ok: false, error: 'not connected to the lab engine', code: 'unavailable' }
    }
    busy.value = new Set([...busy.value, cmd.type])
    try {
      const r = await client.command(cmd)
      if (!r.ok && !opts.quiet) toasts.push('error', `${what} failed: ${r.error}`)
      return r
    } catch (e) {
      const error = (e as Error).message
      if (!opts.quiet) toasts.push('error', `${what}: ${error}`)
      return { ok: false, error, code: 'unavailable' }
    } finally {
      const next = new Set(busy.value)
      next.delete(cmd.type)
      busy.value = next
    }
  }

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
    currentModel,
    liveCluster,
    connect,
    disconnect,
    run,
    flush,
  }
})
