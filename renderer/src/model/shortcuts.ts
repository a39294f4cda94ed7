// The keyboard: every action in the lab has a key, listed in the `?` overlay from this one table.
// Pure: takes a plain description of a key press, returns the action to run.

/** ShortcutAction names what a key does; App.vue maps each to a command or a view change. */
export type ShortcutAction =
  | 'help'
  | 'escape'
  | 'select-node'
  | 'pause-node'
  | 'crash-node'
  | 'isolate-node'
  | 'transfer-node'
  | 'node-menu'
  | 'isolate-leader'
  | 'split'
  | 'bridge'
  | 'heal'
  | 'workload'
  | 'start-cluster'
  | 'stop-cluster'
  | 'freeze-charts'
  | 'zoom-in'
  | 'zoom-out'
  | 'live'
  | 'toggle-view'
  | 'record'
  | 'open-recording'
  | 'replay-play'
  | 'replay-step-back'
  | 'replay-step-forward'
  | 'replay-prev-marker'
  | 'replay-next-marker'

/** Shortcut is one row of the help overlay. */
export interface Shortcut {
  keys: string
  action: ShortcutAction
  label: string
  group: 'nodes' | 'faults' | 'cluster' | 'charts' | 'replay' | 'app'
}

/** SHORTCUTS is the keymap, in the order the help overlay lists it. */
export const SHORTCUTS: readonly Shortcut[] = [
  { keys: '1 – 9', action: 'select-node', label: 'select node n1 … n9', group: 'nodes' },
  { keys: 'Enter', action: 'node-menu', label: 'open the selected node’s menu', group: 'nodes' },
  { keys: 'p', action: 'pause-node', label: 'pause / resume the selected node', group: 'nodes' },
  { keys: 'c', action: 'crash-node', label: 'crash / restart the selected node', group: 'nodes' },
  {
    keys: 'x',
    action: 'isolate-node',
    label: 'isolate the selected node / let it rejoin',
    group: 'nodes',
  },
  {
    keys: 't',
    action: 'transfer-node',
    label: 'transfer leadership to the selected node',
    group: 'nodes',
  },
  { keys: 'i', action: 'isolate-leader', label: 'isolate the leader', group: 'faults' },
  {
    keys: 's',
    action: 'split',
    label: 'split majority | minority (leader in the minority)',
    group: 'faults',
  },
  { keys: 'b', action: 'bridge', label: 'bridge partition', group: 'faults' },
  { keys: 'h', action: 'heal', label: 'heal all links', group: 'faults' },
  { keys: 'w', action: 'workload', label: 'start / stop the workload', group: 'cluster' },
  {
    keys: 'n',
    action: 'start-cluster',
    label: 'start a cluster with the form’s settings',
    group: 'cluster',
  },
  { keys: 'Shift+Q', action: 'stop-cluster', label: 'stop the cluster', group: 'cluster' },
  { keys: 'Space', action: 'freeze-charts', label: 'freeze / follow the charts', group: 'charts' },
  { keys: '+  −', action: 'zoom-in', label: 'zoom the time axis in / out', group: 'charts' },
  { keys: 'l', action: 'live', label: 'back to live (now)', group: 'charts' },
  { keys: 'r', action: 'record', label: 'start / finish recording the session', group: 'replay' },
  { keys: 'o', action: 'open-recording', label: 'open a recording to replay', group: 'replay' },
  {
    keys: 'k',
    action: 'replay-play',
    label: 'play / pause the replay (Space too, while replaying)',
    group: 'replay',
  },
  { keys: ',', action: 'replay-step-back', label: 'previous event', group: 'replay' },
  { keys: '.', action: 'replay-step-forward', label: 'next event', group: 'replay' },
  {
    keys: '[',
    action: 'replay-prev-marker',
    label: 'previous marker (election, leader, fault)',
    group: 'replay',
  },
  { keys: ']', action: 'replay-next-marker', label: 'next marker', group: 'replay' },
  { keys: 'v', action: 'toggle-view', label: 'switch between Lab and Benchmarks', group: 'app' },
  { keys: '?', action: 'help', label: 'show / hide this help', group: 'app' },
  {
    keys: 'Esc',
    action: 'escape',
    label: 'close menus and overlays, clear the selection',
    group: 'app',
  },
]

/** KeyPress is what matchShortcut needs to know of a keyboard event. */
export interface KeyPress {
  key: string
  shiftKey: boolean
  ctrlKey: boolean
  metaKey: boolean
  altKey: boolean
  /** inField: the focus is in a text input, where keys are typing, not commands. */
  inField: boolean
}

/** matchShortcut maps a key press to an action (and a node for 1–9), or null. */
export function matchShortcut(k: KeyPress): { action: ShortcutAction; node?: number } | null {
  if (k.key === 'Escape') return { action: 'escape' }
  if (k.inField || k.ctrlKey || k.metaKey || k.altKey) return null
  if (/^[1-9]$/.test(k.key)) return { action: 'select-node', node: Number(k.key) }
  if (k.key === 'Q' && k.shiftKey) return { action: 'stop-cluster' }
  const simple: Record<string, ShortcutAction> = {
    '?': 'help',
    Enter: 'node-menu',
    p: 'pause-node',
    c: 'crash-node',
    x: 'isolate-node',
    t: 'transfer-node',
    i: 'isolate-leader',
    s: 'split',
    b: 'bridge',
    h: 'heal',
    w: 'workload',
    n: 'start-cluster',
    ' ': 'freeze-charts',
    '+': 'zoom-in',
    '=': 'zoom-in',
    '-': 'zoom-out',
    l: 'live',
    v: 'toggle-view',
    r: 'record',
    o: 'open-recording',
    k: 'replay-play',
    ',': 'replay-step-back',
    '.': 'replay-step-forward',
    '[': 'replay-prev-marker',
    ']': 'replay-next-marker',
  }
  const action = simple[k.key]
  return action ? { action } : null
}
