// LabApi: what every front end (CLI, Electron renderer, browser mode) holds to drive a lab. The
// engine implements it in electron/lab; the renderer gets it over IPC or a WebSocket.
import type { CommandResult, LabCommand } from './commands'
import type { LabEvent } from './events'

/** LabApi runs commands and streams events. Events arrive in batches, in `seq` order. */
export interface LabApi {
  /** command runs one command; it never rejects for an expected failure (that is a result with
   * ok: false), only for a broken connection to the engine. */
  command(cmd: LabCommand): Promise<CommandResult>
  /** subscribe delivers every later event batch to `listener` until the returned function is
   * called. */
  subscribe(listener: (events: LabEvent[]) => void): () => void
}
