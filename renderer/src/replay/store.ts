// Replay mode and re-runs, as the views see them. Opening a recording (File → Open recording…,
// drag and drop, the Open button) reads the file in the page and switches the session to replay:
// the same views, driven by the player instead of the engine, and no command reaches a live
// cluster. A re-run sends the recording's plan to the engine, goes back to live mode to watch it,
// and keeps both runs' series for the compare panel. The record button lives here too.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { RecordingInfo } from '../../../shared/lab/commands'
import type { LabEvent } from '../../../shared/lab/events'
import { RecordingFormatError, type SessionMeta } from '../../../shared/session/format'
import type { Marker } from '../../../shared/session/markers'
import type { GapInfo, Problem, RecordingReader } from '../../../shared/session/reader'
import { planRerun } from '../../../shared/session/rerun'
import { applyEvent, emptyState, type SessionState } from '../../../shared/session/state'
import { useSessionStore } from '../stores/session'
import { useToastStore } from '../stores/toasts'
import { runSeries, type RunSeries } from './compare'
import { openRecordingBytes, Player, SPEEDS } from './player'

/** MAX_FILE_BYTES: files larger than this are refused before reading (a recording of many hours
 * is about 32 MB an hour). */
export const MAX_FILE_BYTES = 1024 * 1024 * 1024

/** OpenedRecording describes the recording in replay. */
export interface OpenedRecording {
  name: string
  bytes: number
  meta: SessionMeta
  startMs: number
  endMs: number
  events: number
  markers: Marker[]
  gaps: GapInfo[]
  problems: Problem[]
}

/** Comparison is an original run and its re-run. */
export interface Comparison {
  name: string
  original: RunSeries
  rerun: RunSeries
  /** running: the re-run has not finished. */
  running: boolean
  failedCommands: { atMs: number; type: string; error: string }[]
  recording: RecordingInfo | null
}

/** describeOpenError words why a file did not open, for a toast. */
export function describeOpenError(name: string, e: unknown): string {
  if (e instanceof RecordingFormatError) return `${name}: ${e.message}`
  return `${name} could not be read: ${(e as Error).message}`
}

export const useReplayStore = defineStore('replay', () => {
  const opened = shallowRef<OpenedRecording | null>(null)
  const playheadMs = ref(0)
  const playing = ref(false)
  const speed = ref(1)
  const loading = ref<string | null>(null)
  /** recording: the engine's recording in progress (the record button), if any. */
  const recording = shallowRef<RecordingInfo | null>(null)
  /** lastRecording: the last recording the engine finished, to show where it went. */
  const lastRecording = shallowRef<RecordingInfo | null>(null)
  const comparison = shallowRef<Comparison | null>(null)
  const active = computed(() => opened.value !== null)

  let player: Player | null = null
  let reader: RecordingReader | null = null
  let frame = 0
  /** rerunState folds the live events of a re-run, for the compare panel. */
  let rerunState: SessionState | null = null
  let rerunOriginal: RunSeries | null = null

  function toast(
    kind: 'error' | 'info' | 'success',
    message: string,
    opts: Parameters<ReturnType<typeof useToastStore>['push']>[2] = {},
  ): void {
    useToastStore().push(kind, message, opts)
  }

  /** openBytes opens a recording's bytes in replay mode; false (with a toast saying why) when
   * the file is not a readable recording. */
  function openBytes(name: string, bytes: Uint8Array): boolean {
    let r: RecordingReader
    try {
      r = openRecordingBytes(bytes)
    } catch (e) {
      toast('error', describeOpenError(name, e))
      return false
    }
    if (r.events === 0) {
      toast('error', `${name}: the recording holds no events (it was stopped at once)`)
      return false
    }
    stopLoop()
    reader = r
    player = new Player(r)
    opened.value = {
      name,
      bytes: bytes.length,
      meta: r.meta,
      startMs: r.startMs,
      endMs: r.endMs,
      events: r.events,
      markers: r.markers(),
      gaps: r.gaps,
      problems: r.problems,
    }
    for (const p of r.problems) toast('error', `${name}: ${p.message}`)
    speed.value = 1
    useSessionStore().enterReplay(player.seek(r.startMs), r.startMs)
    sync()
    return true
  }

  /** openFile reads a File (picker or drop) and opens it. */
  async function openFile(file: File): Promise<boolean> {
    if (file.size > MAX_FILE_BYTES) {
      toast('error', `${file.name} is ${(file.size / 1048576).toFixed(0)} MB: too large to open`)
      return false
    }
    loading.value = file.name
    try {
      const bytes = new Uint8Array(await file.arrayBuffer())
      return openBytes(file.name, bytes)
    } catch (e) {
      toast('error', describeOpenError(file.name, e))
      return false
    } finally {
      loading.value = null
    }
  }

  /** openRecorded opens a recording the engine has finished. In browser mode the page fetches it
   * from `raftlab serve` (with this page's token); the desktop app has no such route, so it says
   * where the file is, for File → Open recording…. */
  async function openRecorded(info: RecordingInfo): Promise<boolean> {
    const token = new URLSearchParams(location.search).get('token')
    if (useSessionStore().connection.transport !== 'browser' || token === null) {
      toast('info', `Open ${info.path} with File → Open recording…`)
      return false
    }
    loading.value = info.name
    try {
      const url = `/recordings/${encodeURIComponent(info.name)}?token=${encodeURIComponent(token)}`
      const res = await fetch(url)
      if (!res.ok) {
        const why = (await res.text()).trim()
        toast('error', `${info.name} could not be fetched: ${why || res.statusText}`)
        return false
      }
      return openBytes(info.name, new Uint8Array(await res.arrayBuffer()))
    } catch (e) {
      toast('error', describeOpenError(info.name, e))
      return false
    } finally {
      loading.value = null
    }
  }

  /** close leaves replay mode and goes back to the live lab. */
  function close(): void {
    stopLoop()
    player = null
    reader = null
    opened.value = null
    playing.value = false
    useSessionStore().leaveReplay()
  }

  function sync(): void {
    if (!player) return
    playheadMs.value = player.playheadMs
    playing.value = player.playing
    speed.value = player.speed
  }

  function loop(): void {
    frame = 0
    if (!player?.playing) {
      sync()
      return
    }
    const events = player.tick(performance.now())
    useSessionStore().feedReplay(events, player.playheadMs)
    sync()
    frame = requestAnimationFrame(loop)
  }

  function stopLoop(): void {
    if (frame) cancelAnimationFrame(frame)
    frame = 0
  }

  function play(): void {
    if (!player) return
    if (player.atEnd) seek(player.startMs)
    player.play(performance.now())
    sync()
    if (!frame) frame = requestAnimationFrame(loop)
  }

  function pause(): void {
    player?.pause()
    stopLoop()
    sync()
  }

  function togglePlay(): void {
    if (player?.playing) pause()
    else play()
  }

  /** seek jumps to a moment (rebuilding the views from the nearest keyframe). */
  function seek(timeMs: number): void {
    if (!player) return
    const wasPlaying = player.playing
    const r = player.seek(timeMs)
    useSessionStore().enterReplay(r, player.playheadMs)
    if (wasPlaying) player.play(performance.now())
    sync()
  }

  function setSpeed(s: number): void {
    player?.setSpeed(s, performance.now())
    sync()
  }

  /** faster / slower step through SPEEDS. */
  function changeSpeed(dir: 1 | -1): void {
    const i = SPEEDS.findIndex((s) => s >= speed.value - 1e-9)
    const next = SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, (i < 0 ? 3 : i) + dir))]
    if (next !== undefined) setSpeed(next)
  }

  /** step moves one event forward or back. */
  function step(dir: 1 | -1): void {
    if (!player) return
    stopLoop()
    if (dir === 1) {
      const events = player.stepForward()
      useSessionStore().feedReplay(events, player.playheadMs)
    } else {
      const r = player.stepBack()
      if (r) useSessionStore().enterReplay(r, player.playheadMs)
    }
    sync()
  }

  /** jumpMarker moves to the next (+1) or previous (-1) marker. */
  function jumpMarker(dir: 1 | -1): void {
    const o = opened.value
    if (!o) return
    const t = playheadMs.value
    const list = dir === 1 ? o.markers : [...o.markers].reverse()
    const m = list.find((x) => (dir === 1 ? x.timeMs > t + 0.5 : x.timeMs < t - 0.5))
    if (m) seek(m.timeMs)
  }

  /** rerun plays the open recording's experiment on a fresh live cluster, recorded, and shows
   * the two runs side by side. The live cluster, if one runs, must be stopped first. */
  async function rerun(): Promise<void> {
    const o = opened.value
    if (!reader || !o) return
    let plan
    try {
      plan = planRerun(reader.iterate(), reader.stateAt(reader.startMs))
    } catch (e) {
      toast('error', `${o.name}: ${(e as Error).message}`)
      return
    }
    const original = runSeries(reader.stateAt(Infinity))
    const session = useSessionStore()
    close()
    rerunOriginal = original
    rerunState = emptyState()
    const stem = o.name
      .replace(/\.raftrec$/, '')
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .slice(0, 80)
    const res = await session.run({
      type: 'rerun.start',
      plan,
      record: true,
      name: `${stem || 'recording'}.rerun`,
    })
    if (!res.ok) {
      rerunState = null
      rerunOriginal = null
      return
    }
    comparison.value = {
      name: o.name,
      original,
      rerun: runSeries(rerunState),
      running: true,
      failedCommands: [],
      recording: res.recording ?? null,
    }
  }

  /** onLiveEvents follows the engine's events: recordings started and stopped, and a re-run's
   * progress for the compare panel. The session store calls it for every live batch. */
  function onLiveEvents(events: readonly LabEvent[]): void {
    let rerunChanged = false
    for (const e of events) {
      if (e.type === 'record.started') recording.value = e.recording
      else if (e.type === 'record.stopped') {
        recording.value = null
        lastRecording.value = e.recording
        if (e.error) toast('error', `The recording ${e.recording.name} failed: ${e.error}`)
      }
      if (rerunState) {
        applyEvent(rerunState, e)
        rerunChanged = true
        if (e.type === 'rerun.done') {
          const c = comparison.value
          if (c && rerunOriginal) {
            comparison.value = {
              ...c,
              rerun: runSeries(rerunState),
              running: false,
              failedCommands: e.failedCommands,
              recording: e.recording,
            }
          }
          if (e.error) toast('error', `The re-run failed: ${e.error}`)
          rerunState = null
          rerunChanged = false
        }
      }
    }
    const c = comparison.value
    if (rerunChanged && c && rerunState) comparison.value = { ...c, rerun: runSeries(rerunState) }
  }

  function closeComparison(): void {
    comparison.value = null
    if (!rerunState) rerunOriginal = null
  }

  /** toggleRecording starts or stops the engine's recording of the live session. */
  async function toggleRecording(): Promise<void> {
    const session = useSessionStore()
    if (recording.value) {
      const r = await session.run({ type: 'record.stop' })
      if (r.ok && r.recording) {
        const info = r.recording
        recording.value = null
        lastRecording.value = info
        const kb = Math.max(1, Math.round(info.bytes / 1024))
        toast('success', `Recording saved: ${info.path} (${info.events} events, ${kb} KiB)`, {
          timeoutMs: 12000,
          action: { label: 'Replay it', run: () => void openRecorded(info) },
        })
      }
    } else {
      const r = await session.run({ type: 'record.start' })
      if (r.ok && r.recording) recording.value = r.recording
    }
  }

  return {
    opened,
    active,
    playheadMs,
    playing,
    speed,
    loading,
    recording,
    lastRecording,
    comparison,
    openBytes,
    openFile,
    openRecorded,
    close,
    play,
    pause,
    togglePlay,
    seek,
    setSpeed,
    changeSpeed,
    step,
    jumpMarker,
    rerun,
    onLiveEvents,
    closeComparison,
    toggleRecording,
  }
})
