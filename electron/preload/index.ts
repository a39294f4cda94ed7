// electron/preload — the bridge between the sandboxed renderer and the main process: exposes
// window.raftlab with one method per channel of the shared/lab contract. Imports only electron
// and shared/lab types.
import { contextBridge } from 'electron'

contextBridge.exposeInMainWorld('raftlab', {
  // The lab contract's channels arrive with the desktop-lab work; the bridge exists from day one
  // so the renderer can tell it runs inside the app.
  isDesktop: true,
})
