// The channels that carry the lab contract between processes: Electron IPC names and the
// browser-mode WebSocket message shapes. One table, so preload, main and the server agree.
import type { ClusterStatus, CommandResult, LabCommand } from './commands'
import type { LabEvent } from './events'

/** LAB_CHANNELS names the Electron IPC channels; each has one preload method on window.raftlab. */
export const LAB_CHANNELS = {
  /** command: renderer → main (invoke); answers with a CommandResult. */
  command: 'lab:command',
  /** events: main → renderer (send); a batch of LabEvents. */
  events: 'lab:events',
  /** hello: renderer → main (invoke); answers with the session's first view (HelloMessage). */
  hello: 'lab:hello',
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

/** RaftlabBridge is the API the preload script exposes as window.raftlab. */
export interface RaftlabBridge {
  hello(): Promise<HelloMessage>
  command(cmd: LabCommand): Promise<CommandResult>
  /** onEvents subscribes to event batches; the returned function unsubscribes. */
  onEvents(listener: (events: LabEvent[]) => void): () => void
}
