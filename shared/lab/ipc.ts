// The channels that carry the lab contract between processes: Electron IPC names and the
// browser-mode WebSocket message shapes. One table, so preload, main and the server agree.
import type { ClusterStatus, RecordingInfo, CommandResult, LabCommand } from './commands'
import type { LabEvent } from './events'

/** LAB_CHANNELS names the Electron IPC channels; each has one preload method on window.raftlab. */
export const LAB_CHANNELS = {
  /** command: renderer → main (invoke); answers with a CommandResult. */
  command: 'lab:command',
  /** events: main → renderer (send); a batch of LabEvents. */
  events: 'lab:events',
  /** hello: renderer → main (invoke); answers with the session's first view (HelloMessage). */
  hello: 'lab:hello',
  /** menu: main → renderer (send); the user picked an app-menu item (MenuMessage). */
  menu: 'lab:menu',
} as const

/** LabChannel is one of the channel names. */
export type LabChannel = (typeof LAB_CHANNELS)[keyof typeof LAB_CHANNELS]

/** HelloMessage is what a front end gets first: the versions and the state of the lab now, so a
 * view opened mid-session (or reconnected) starts from the present, then follows events. */
export interface HelloMessage {
  eventVersion: { major: number; minor: number }
  appVersion: string
  status: ClusterStatus
  /** lastSeq is the sequence number of the last event already reflected in `status`. */
  lastSeq: number
  /** recent holds the latest events (at most RECENT_EVENTS), so charts and the narrative can be
   * rebuilt after a reload or a reconnect. */
  recent: LabEvent[]
  /** recording: the recording in progress (the app's record button), if any. */
  recording?: RecordingInfo | null
  /** nowMs: the session clock when the hello was made. */
  nowMs?: number
}

/** RECENT_EVENTS bounds the events a hello carries. */
export const RECENT_EVENTS = 20_000

/** WsClientMessage is what the browser sends over the WebSocket. */
export type WsClientMessage = { id: number; command: LabCommand }

/** WsServerMessage is what the server sends: the hello, command results, event batches. */
export type WsServerMessage =
  | { kind: 'hello'; hello: HelloMessage }
  | { kind: 'result'; id: number; result: CommandResult }
  | { kind: 'events'; events: LabEvent[] }

/** LAB_MENU_ACTIONS lists what the desktop app's menu asks the renderer to do. The renderer owns
 * the dialogs (a new-cluster form, a benchmark form, file pickers for recordings); the menu only
 * says which one the user picked. */
export const LAB_MENU_ACTIONS = [
  'new-cluster',
  'open-recording',
  'save-recording',
  'benchmark',
] as const

/** LabMenuAction is one of LAB_MENU_ACTIONS. */
export type LabMenuAction = (typeof LAB_MENU_ACTIONS)[number]

/** MenuMessage is the payload of the `lab:menu` channel. */
export interface MenuMessage {
  action: LabMenuAction
}

/** RaftlabBridge is the API the preload script exposes as window.raftlab: one method per
 * channel. The renderer should subscribe with onEvents before it calls hello, then drop events
 * whose `seq` is at most `hello.lastSeq` (they are already reflected in the hello). */
export interface RaftlabBridge {
  hello(): Promise<HelloMessage>
  command(cmd: LabCommand): Promise<CommandResult>
  /** onEvents subscribes to event batches; the returned function unsubscribes. */
  onEvents(listener: (events: LabEvent[]) => void): () => void
  /** onMenu subscribes to app-menu picks; the returned function unsubscribes. Only the desktop
   * app has a menu, so browser mode leaves it out. */
  onMenu?(listener: (message: MenuMessage) => void): () => void
}

/** RENDERER_CSP is the renderer's Content-Security-Policy: the `<meta>` in renderer/index.html
 * (a test keeps the two equal), also sent as a header by the desktop app for file:// pages and by
 * browser mode. Scripts only from the app itself (no eval, no inline script); inline styles are
 * allowed because Vue binds `style` attributes; connections only to the app's own origin and to
 * browser mode's WebSocket on 127.0.0.1. */
export const RENDERER_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws://127.0.0.1:*"

/** WS_PATH is browser mode's WebSocket endpoint: `ws://127.0.0.1:PORT/lab?token=TOKEN`, where
 * TOKEN is the `token` query parameter of the page URL `raftlab serve` prints. */
export const WS_PATH = '/lab'

/** WS_MAX_MESSAGE_BYTES bounds one message from a browser; a larger one closes the socket. */
export const WS_MAX_MESSAGE_BYTES = 1 << 20

/** WS_CLOSE names the WebSocket close codes browser mode uses (RFC 6455 section 7.4.1). On
 * `tooSlow` and `goingAway` a client may reconnect and resynchronise from the new hello; the
 * others mean the client sent something wrong and should not retry the same message. */
export const WS_CLOSE = {
  /** goingAway: the server is shutting down. */
  goingAway: 1001,
  /** policy: a message that is not JSON text of the form {id, command}. */
  policy: 1008,
  /** tooBig: a message over WS_MAX_MESSAGE_BYTES. */
  tooBig: 1009,
  /** tooSlow: the client read too slowly and fell too far behind the event stream. */
  tooSlow: 1013,
} as const
