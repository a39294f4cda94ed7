// Runs keyboard shortcuts (the keymap itself is model/shortcuts.ts, shared with the help overlay).
import { nodeName } from '../../shared/lab/config'
import { matchShortcut, type KeyPress } from './model/shortcuts'
import { useReplayStore } from './replay/store'
import { useClusterStore } from './stores/cluster'
import { useFormsStore } from './stores/forms'
import { useSessionStore } from './stores/session'
import { useTimeAxisStore } from './stores/timeAxis'
import { useToastStore } from './stores/toasts'
import { useUiStore } from './stores/ui'

function isField(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null
  if (!el || !el.tagName) return false
  const tag = el.tagName
  if (tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable) return true
  if (tag !== 'INPUT') return false
  const type = (el as HTMLInputElement).type
  return !['checkbox', 'radio', 'button', 'submit', 'range'].includes(type)
}

/** onKeydown handles one key press for the whole app; it returns whether it used the key. */
export function onKeydown(ev: KeyboardEvent): boolean {
  const press: KeyPress = {
    key: ev.key,
    shiftKey: ev.shiftKey,
    ctrlKey: ev.ctrlKey,
    metaKey: ev.metaKey,
    altKey: ev.altKey,
    inField: isField(ev.target),
  }
  const m = matchShortcut(press)
  if (!m) return false
  // Enter and Space keep their meaning on buttons and links.
  const tag = (ev.target as HTMLElement | null)?.tagName
  if (
    (m.action === 'node-menu' || m.action === 'freeze-charts') &&
    (tag === 'BUTTON' || tag === 'A')
  )
    return false
  const ui = useUiStore()
  const cluster = useClusterStore()
  const axis = useTimeAxisStore()
  const session = useSessionStore()
  const toasts = useToastStore()
  const forms = useFormsStore()
  const selected = ui.selectedNode
  const needNode = (fn: (id: number) => unknown): void => {
    if (selected === null) toasts.push('info', 'select a node first: press 1–9 or click it')
    else void fn(selected)
  }
  const replay = useReplayStore()
  // While a replay is shown the views show the recording's cluster, not the live one: the
  // command itself says whether it can act (it cannot, in a replay), rather than a guess here.
  const needCluster = (fn: () => unknown): void => {
    if (!replay.active && !cluster.view.running)
      toasts.push('info', 'no cluster is running: start one first (n)')
    else void fn()
  }
  const needReplay = (fn: () => unknown): void => {
    if (!replay.active) toasts.push('info', 'no recording is open: press o to open one')
    else void fn()
  }
  switch (m.action) {
    case 'help':
      ui.helpOpen = !ui.helpOpen
      break
    case 'escape':
      ui.escape()
      break
    case 'select-node':
      if (cluster.node(m.node ?? 0)) ui.selectNode(m.node ?? null)
      else toasts.push('info', `there is no ${nodeName(m.node ?? 0)} in this cluster`)
      break
    case 'node-menu':
      needNode((id) => ui.openMenu(id))
      break
    case 'pause-node':
      needNode((id) => cluster.togglePause(id))
      break
    case 'crash-node':
      needNode((id) => cluster.toggleCrash(id))
      break
    case 'isolate-node':
      needNode((id) => cluster.toggleIsolate(id))
      break
    case 'transfer-node':
      needNode((id) => cluster.transfer(id))
      break
    case 'isolate-leader':
      needCluster(() => cluster.isolateLeader())
      break
    case 'split':
      needCluster(() => cluster.split())
      break
    case 'bridge':
      needCluster(() => cluster.bridge())
      break
    case 'heal':
      needCluster(() => cluster.healAll())
      break
    case 'workload':
      needCluster(() => forms.toggleWorkload())
      break
    case 'start-cluster':
      if (cluster.view.running)
        toasts.push('info', 'a cluster is already running (Shift+Q stops it)')
      else if (forms.clusterCheck.error) toasts.push('error', forms.clusterCheck.error)
      else void forms.startCluster()
      break
    case 'stop-cluster':
      // A replay stays open and nothing stops; the toast says so (and offers the live stop).
      if (replay.active) replay.explainStopKey()
      else needCluster(() => cluster.stop())
      break
    case 'freeze-charts':
      // While replaying, Space is play / pause, as in every player.
      if (replay.active) replay.togglePlay()
      else axis.toggleFreeze(session.nowMs())
      break
    case 'record':
      void replay.toggleRecording()
      break
    case 'open-recording':
      ui.pickRecording++
      break
    case 'replay-play':
      needReplay(() => replay.togglePlay())
      break
    case 'replay-step-back':
      needReplay(() => replay.step(-1))
      break
    case 'replay-step-forward':
      needReplay(() => replay.step(1))
      break
    case 'replay-prev-marker':
      needReplay(() => replay.jumpMarker(-1))
      break
    case 'replay-next-marker':
      needReplay(() => replay.jumpMarker(1))
      break
    case 'zoom-in':
      axis.stepSpan(-1, session.nowMs())
      break
    case 'zoom-out':
      axis.stepSpan(1, session.nowMs())
      break
    case 'live':
      axis.follow()
      break
    case 'toggle-view':
      ui.toggleView()
      break
  }
  return true
}
