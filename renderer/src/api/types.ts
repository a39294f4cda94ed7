// renderer/src/api — the only place the renderer touches the lab contract's transports: the
// preload bridge (window.raftlab) in the desktop app, a WebSocket in browser mode, an in-memory
// fake in tests and demos. Imports shared/lab only (no Vue), so it runs under Node in tests.
import type { CommandResult, LabCommand } from '../../../shared/lab/commands'
import type { LabEvent } from '../../../shared/lab/events'
import type { HelloMessage, MenuMessage } from '../../../shared/lab/ipc'

/** ConnectionStatus: 'connecting' before the first hello, 'open' once one arrived, 'lost' while
 * waiting to reconnect after a connection dropped. */
export type ConnectionStatus = 'connecting' | 'open' | 'lost'

/** ConnectionState is what the banner shows. */
export interface ConnectionState {
  status: ConnectionStatus
  transport: 'desktop' | 'browser' | 'fake'
  /** attempt counts reconnection attempts since the connection was last open. */
  attempt: number
  /** retryInMs: the wait before the next attempt (when lost). */
  retryInMs: number | null
  /** message explains the last failure, in words a person can act on. */
  message: string | null
}

/** ClientHandlers receive what a LabClient hears. `hello` always comes first after (re)connecting
 * and replaces whatever the renderer knew; `events` follow in seq order. */
export interface ClientHandlers {
  hello(hello: HelloMessage): void
  events(events: LabEvent[]): void
  state(state: ConnectionState): void
}

/** LabClient is the renderer's handle on the lab engine, whatever the transport. */
export interface LabClient {
  readonly transport: ConnectionState['transport']
  /** connect starts talking (and keeps reconnecting until close). */
  connect(handlers: ClientHandlers): void
  /** command runs one command. It rejects only when there is no connection to the engine; an
   * expected failure is a result with ok: false. */
  command(cmd: LabCommand): Promise<CommandResult>
  /** resync asks for a fresh hello (after the renderer noticed it missed events). */
  resync(): void
  /** close stops for good. */
  close(): void
  /** onMenu follows the desktop app's menu (absent in browser mode). */
  onMenu?(listener: (message: MenuMessage) => void): () => void
}

/** NotConnectedError is the rejection of a command sent while the engine is unreachable. */
export class NotConnectedError extends Error {
  override name = 'NotConnectedError'
  constructor(message = 'not connected to the lab engine') {
    super(message)
  }
}
