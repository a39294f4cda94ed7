// electron/preload — the bridge between the sandboxed renderer and the main process: exposes
// window.raftlab, one method per channel of the shared/lab contract, and nothing else (no
// ipcRenderer, no Electron event objects). Imports only electron and shared/lab; bundled as one
// CommonJS file, as sandboxed preloads must be.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import type { CommandResult, LabCommand } from '../../shared/lab/commands'
import type { LabEvent } from '../../shared/lab/events'
import type { HelloMessage, MenuMessage, RaftlabBridge } from '../../shared/lab/ipc'
import { LAB_CHANNELS } from '../../shared/lab/ipc'

/** listen subscribes `listener` to a main → renderer channel, handing it only the payload (the
 * event object would give the page the sender), and returns the unsubscribe function. */
function listen<T>(channel: string, listener: (payload: T) => void): () => void {
  const wrapped = (_event: IpcRendererEvent, payload: T): void => listener(payload)
  ipcRenderer.on(channel, wrapped)
  return () => void ipcRenderer.removeListener(channel, wrapped)
}

/** bridge is window.raftlab. */
const bridge: Required<RaftlabBridge> = {
  hello: (): Promise<HelloMessage> => ipcRenderer.invoke(LAB_CHANNELS.hello),
  command: (cmd: LabCommand): Promise<CommandResult> =>
    ipcRenderer.invoke(LAB_CHANNELS.command, cmd),
  onEvents: (listener) => listen<LabEvent[]>(LAB_CHANNELS.events, listener),
  onMenu: (listener) => listen<MenuMessage>(LAB_CHANNELS.menu, listener),
}

contextBridge.exposeInMainWorld('raftlab', bridge)
