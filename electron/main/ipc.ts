// The IPC handlers: the lab contract's channels, each registered through one helper that checks
// the sender and validates the payload before anything reaches the lab engine.
import type { IpcMain, IpcMainInvokeEvent, WebContents, WebFrameMain } from 'electron'
import type { CommandResult, LabCommand } from '../../shared/lab/commands'
import type { LabEvent } from '../../shared/lab/events'
import type { HelloMessage, LabChannel, LabMenuAction, MenuMessage } from '../../shared/lab/ipc'
import { LAB_CHANNELS } from '../../shared/lab/ipc'
import { CommandValidationError, parseCommand } from '../../shared/lab/validate'
import { EventThrottle } from '../lab/events/throttle'

/** IpcLab is what the handlers need from the lab engine. */
export interface IpcLab {
  hello(): HelloMessage
  command(cmd: LabCommand): Promise<CommandResult>
  subscribe(listener: (events: LabEvent[]) => void): () => void
}

/** IpcContext is where handlers are registered and how senders are judged. */
export interface IpcContext {
  ipcMain: Pick<IpcMain, 'handle'>
  /** isTrustedSender tells whether a message's sender frame is the app's own page. */
  isTrustedSender(frame: WebFrameMain | null): boolean
  /** warn reports refused messages (default: console.warn). */
  warn?(message: string): void
}

/** IpcRefusedError is what an invoke from a foreign sender rejects with. */
export class IpcRefusedError extends Error {
  override name = 'IpcRefusedError'
}

/** HandlerSpec describes one invoke channel: how to validate its arguments, what to run with
 * them, and what to answer when they are malformed. */
export interface HandlerSpec<P, R> {
  /** parse checks the renderer's arguments; it throws CommandValidationError when they are bad. */
  parse(args: unknown[]): P
  run(payload: P): R | Promise<R>
  /** invalid answers malformed arguments (or throws to reject the invoke). */
  invalid(message: string): R
}

/** handle registers `channel` on ipcMain: a message from a sender that is not the app's own page
 * is refused (the invoke rejects with IpcRefusedError) and one whose arguments do not parse is
 * answered by `spec.invalid`; neither reaches `spec.run`. */
export function handle<P, R>(ctx: IpcContext, channel: LabChannel, spec: HandlerSpec<P, R>): void {
  const warn = ctx.warn ?? ((m: string) => console.warn(m))
  ctx.ipcMain.handle(channel, async (event: IpcMainInvokeEvent, ...args: unknown[]) => {
    const frame = event.senderFrame
    if (!ctx.isTrustedSender(frame)) {
      const who = frame === null ? 'a frame that is gone' : `${frame.url || '(no url)'}`
      warn(`refused ${channel} from ${who}: not raftlab's own page`)
      throw new IpcRefusedError(`${channel} refused: the sender is not raftlab's own page`)
    }
    let payload: P
    try {
      payload = spec.parse(args)
    } catch (e) {
      if (!(e instanceof CommandValidationError)) throw e
      return spec.invalid(e.message)
    }
    return spec.run(payload)
  })
}

/** registerLabIpc registers every invoke channel of the lab contract, forwarding to `lab`. */
export function registerLabIpc(ctx: IpcContext, lab: IpcLab): void {
  handle<null, HelloMessage>(ctx, LAB_CHANNELS.hello, {
    parse: (args) => {
      if (args.length !== 0) throw new CommandValidationError('lab:hello takes no arguments')
      return null
    },
    run: () => lab.hello(),
    invalid: (message) => {
      throw new IpcRefusedError(message)
    },
  })
  handle<LabCommand, CommandResult>(ctx, LAB_CHANNELS.command, {
    parse: (args) => {
      if (args.length !== 1) throw new CommandValidationError('lab:command takes one command')
      return parseCommand(args[0])
    },
    run: (cmd) => lab.command(cmd),
    // The same answer browser mode gives, so the renderer handles one shape on both transports.
    invalid: (message): CommandResult => ({ ok: false, code: 'invalid', error: message }),
  })
}

/** forwardEvents sends every event batch to the window `target()` returns (if any, and alive)
 * on LAB_CHANNELS.events, gathered into at most one message every EVENT_THROTTLE_MS (see
 * electron/lab/events/throttle.ts); the returned function stops it. */
export function forwardEvents(lab: IpcLab, target: () => WebContents | null): () => void {
  const throttle = new EventThrottle((events) => {
    const contents = target()
    if (contents && !contents.isDestroyed()) contents.send(LAB_CHANNELS.events, events)
  })
  const unsubscribe = lab.subscribe((events) => throttle.push(events))
  return () => {
    unsubscribe()
    throttle.close()
  }
}

/** sendMenu tells the renderer which menu item the user picked. */
export function sendMenu(contents: WebContents | null, action: LabMenuAction): void {
  if (!contents || contents.isDestroyed()) return
  contents.send(LAB_CHANNELS.menu, { action } satisfies MenuMessage)
}
