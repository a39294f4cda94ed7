// The lab's recordings folder as the page sees it: where a recording went (in browser mode, on
// the disk of the machine running `raftlab serve` — nothing is downloaded unless asked), a
// download of it, and the list "Open recording…" shows (the engine's record.list).
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { RecordingInfo, RecordingListing } from '../../../shared/lab/commands'
import { downloadUrl } from '../charts/download'
import { useLinkStore } from '../stores/link'

/** recordingUrl is where this page can fetch a recording of the lab's folder: browser mode
 * serves them to pages holding its token; null where nothing serves them (the desktop app, the
 * fake engine), so the page says where the file is instead. */
export function recordingUrl(name: string): string | null {
  if (typeof location === 'undefined') return null
  const token = new URLSearchParams(location.search).get('token')
  if (useLinkStore().connection.transport !== 'browser' || token === null) return null
  return `/recordings/${encodeURIComponent(name)}?token=${encodeURIComponent(token)}`
}

/** downloadRecording saves a recording of the lab's folder to this computer's downloads. */
export function downloadRecording(name: string): void {
  const url = recordingUrl(name)
  if (url !== null) downloadUrl(url, name)
}

/** savedMessage says where a finished recording is. In browser mode the page may run on another
 * computer than the engine (or the person expects a download): it says the file stayed on the
 * server's disk. */
export function savedMessage(info: RecordingInfo, isBrowser: boolean): string {
  const size = `${info.events} events, ${Math.max(1, Math.round(info.bytes / 1024))} KiB`
  if (!isBrowser) return `Recording saved: ${info.path} (${size})`
  return (
    `Recording saved on the disk of the computer running raftlab serve: ${info.path} (${size}). ` +
    'Nothing was downloaded: Download saves a copy here.'
  )
}

/** useRecordingsStore holds the recordings list of the Open recording dialog. */
export const useRecordingsStore = defineStore('recordings', () => {
  const open = ref(false)
  const list = shallowRef<RecordingListing[]>([])
  /** dir: the recordings folder, on the engine's machine. */
  const dir = ref<string | null>(null)
  const loading = ref(false)
  const error = ref<string | null>(null)

  /** show opens the dialog and asks the engine for its recordings. */
  async function show(): Promise<void> {
    open.value = true
    await refresh()
  }

  function hide(): void {
    open.value = false
  }

  /** refresh lists the recordings folder again. */
  async function refresh(): Promise<void> {
    loading.value = true
    const r = await useLinkStore().run({ type: 'record.list' }, { quiet: true })
    loading.value = false
    if (r.ok) {
      list.value = r.recordings ?? []
      dir.value = r.recordingsDir ?? null
      error.value = null
    } else {
      list.value = []
      error.value = r.error
    }
  }

  return { open, list, dir, loading, error, show, hide, refresh }
})
