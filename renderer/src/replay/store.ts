// Replay mode, as the views see it. Opening a recording (Open recording…, File → Open recording…,
// drag and drop) reads the file in the page and switches the session to replay: the same views,
// driven by the player instead of the engine, and no command reaches a live cluster. The charts
// are framed on the recording (its span, from its first moment, no cursor pinned), and get the
// live span back, following now, when the replay closes. The record button lives here too.
// Re-runs are rerunStore.ts's.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { RecordingInfo } from '../../../shared/lab/commands'
import type { LabEvent } from '../../../shared/lab/events'
import { RecordingFormatError, type SessionMeta } from '../../../shared/session/format'
import type { Marker } from '../../../shared/session/markers'
import type { GapInfo, Problem, RecordingReader } from '../../../shared/session/reader'
import { useSessionStore } from '../stores/session'
import { useTimeAxisStore } from '../stores/timeAxis'
import { useToastStore, type Toast } from '../stores/toasts'
import { openRecordingBytes, Player, SPEEDS } from './player'
import { downloadRecording, recordingUrl, savedMessage } from './recordings'

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

/** MIN_FRAME_MS / MAX_FRAME_MS bound the chart span a replay opens with (the recording's). */
export const MIN_FRAME_MS = 1000
export const MAX_FRAME_MS = 3_600_000

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
  const active = computed(() => opened.value !== null)

  let player: Player | null = null
  let reader: RecordingReader | null = null
  let frame = 0
  /** liveSpanMs: the live charts' span while a replay has them framed on the recording. */
  let liveSpanMs: number | null = null

  function toast(
    kind: 'error' | 'info' | 'success',
    message: string,
    opts: Parameters<ReturnType<typeof useToastStore>['push']>[2] = {},
  ): void {
    useToastStore().push(kind, message, opts)
  }

  /** frameAxis shows the whole recording on the charts: the span is the recording's, the window
   * holds it from its first moment, and no cursor is left pinned at some live moment. The live
   * span is kept for going back. */
  function frameAxis(startMs: number, endMs: number): void {
    const axis = useTimeAxisStore()
    if (liveSpanMs === null) liveSpanMs = axis.spanMs
    const span = Math.min(MAX_FRAME_MS, Math.max(MIN_FRAME_MS, endMs - startMs))
    axis.spanMs = span
    axis.frozen = true
    axis.frozenToMs = startMs + span
    axis.pinnedMs = null
    axis.hoverMs = null
  }

  /** restoreAxis gives the live charts back the span they had, following now. */
  function restoreAxis(): void {
    const axis = useTimeAxisStore()
    if (liveSpanMs !== null) axis.spanMs = liveSpanMs
    liveSpanMs = null
    axis.follow()
    axis.hoverMs = null
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
    frameAxis(r.startMs, r.endMs)
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

  /** openRecorded opens a recording of the engine's recordings folder. In browser mode the page
   * fetches it from `raftlab serve` (with this page's token); the desktop app has no such route,
   * so it says where the file is, to pick it from this computer. */
  async function openRecorded(info: { name: string; path: string }): Promise<boolean> {
    const url = recordingUrl(info.name)
    if (url === null) {
      toast('info', `Open ${info.path} with Open recording… → From this computer…`)
      return false
    }
    loading.value = info.name
    try {
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
    restoreAxis()
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

  /** currentReader is the recording in replay, for re-runs (null: none). */
  function currentReader(): RecordingReader | null {
    return reader
  }

  /** onLiveEvents follows the engine's events: recordings started and stopped. The session
   * pipeline calls it for every live batch (stores/wiring.ts). */
  function onLiveEvents(events: readonly LabEvent[]): void {
    for (const e of events) {
      if (e.type === 'record.started') recording.value = e.recording
      else if (e.type === 'record.stopped') {
        recording.value = null
        lastRecording.value = e.recording
        if (e.error) toast('error', `The recording ${e.recording.name} failed: ${e.error}`)
      }
    }
  }

  /** explainStopKey answers Shift+Q while a replay is shown: the replay stays, nothing is
   * stopped, and the toast says so — with the live cluster's real state and a button that stops
   * it, since that is what the key means in the live lab. */
  function explainStopKey(): void {
    const session = useSessionStore()
    const live = session.liveCluster()
    const what = `Shift+Q stopped nothing: the replay of ${opened.value?.name ?? 'a recording'} stays open`
    if (!live.running) {
      toast('info', `${what}, and no live cluster is running.`)
      return
    }
    const nodes = `${live.nodes} node${live.nodes === 1 ? '' : 's'}`
    toast('info', `${what}; the live cluster (${nodes}) is still running.`, {
      timeoutMs: 9000,
      action: {
        label: 'Stop the live cluster',
        run: () => void session.run({ type: 'cluster.stop' }, { live: true }),
      },
    })
  }

  /** finishRecording stops the engine's recording and says where it went (and, in browser mode,
   * that it stayed on the server's disk, with a download); false when it could not. */
  async function finishRecording(): Promise<boolean> {
    const r = await useSessionStore().run({ type: 'record.stop' })
    if (!r.ok || !r.recording) return false
    const info = r.recording
    recording.value = null
    lastRecording.value = info
    const url = recordingUrl(info.name)
    const actions: NonNullable<Toast['actions']> = [
      { label: 'Replay it', run: () => void openRecorded(info) },
    ]
    if (url !== null)
      actions.unshift({ label: 'Download', run: () => downloadRecording(info.name) })
    toast('success', savedMessage(info, url !== null), { timeoutMs: 20_000, actions })
    return true
  }

  /** toggleRecording starts or stops the engine's recording of the live session. */
  async function toggleRecording(): Promise<void> {
    if (recording.value) {
      await finishRecording()
      return
    }
    const r = await useSessionStore().run({ type: 'record.start' })
    if (r.ok && r.recording) recording.value = r.recording
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
    currentReader,
    explainStopKey,
    onLiveEvents,
    finishRecording,
    toggleRecording,
  }
})
