// The composition root of the stores: what follows the live event stream besides the views — the
// replay store (recordings started and stopped), the re-run store (a re-run's progress), the ui
// store (picks from the desktop app's menu) — registered with the session pipeline here, so the
// pipeline imports none of them and dependencies run one way. App.vue calls it once; tests that
// need the whole chain call it too.
import { useReplayStore } from '../replay/store'
import { useRerunStore } from '../replay/rerunStore'
import { useSessionStore } from './session'
import { useUiStore } from './ui'

/** wireStores registers the hooks and returns a function that removes them. */
export function wireStores(): () => void {
  const session = useSessionStore()
  const replay = useReplayStore()
  const rerun = useRerunStore()
  const ui = useUiStore()
  const off = [
    session.onLiveEvents((events) => {
      replay.onLiveEvents(events)
      rerun.onLiveEvents(events)
    }),
    // A recording in progress keeps its record button lit across a reload.
    session.onHello((hello) => {
      if (hello.recording !== undefined) replay.recording = hello.recording
    }),
    session.onMenu((action) => void ui.onMenu(action)),
  ]
  return () => {
    for (const f of off) f()
  }
}
