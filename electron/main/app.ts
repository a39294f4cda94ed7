// The desktop app's lifecycle: one Lab for the app's life, the IPC handlers, the window and its
// menu, and a quit that waits for the lab to stop every node process.
import { join } from 'node:path'
import { app, BrowserWindow, ipcMain, Menu, session, type App } from 'electron'
import { Lab } from '../lab/engine/lab'
import { forwardEvents, registerLabIpc, sendMenu } from './ipc'
import { menuTemplate } from './menu'
import { hardenSession, hardenWebContents, isTrustedFrame, rendererLocation } from './security'
import { createMainWindow } from './window'

/** startApp wires the app up; index.ts calls it once. Returns the lab (tests inspect it). */
export function startApp(): Lab {
  // Sandbox every renderer, whatever options a window is given.
  app.enableSandbox()
  const lab = new Lab()
  const location = rendererLocation(app.isPackaged, process.env.ELECTRON_RENDERER_URL, __dirname)
  const preloadPath = join(__dirname, '..', 'preload', 'index.js')
  let win: BrowserWindow | null = null
  const contents = () => (win && !win.isDestroyed() ? win.webContents : null)

  registerLabIpc({ ipcMain, isTrustedSender: (frame) => isTrustedFrame(frame, location) }, lab)
  forwardEvents(lab, contents)
  closeLabOnQuit(app, () => lab.close())
  // Ctrl-C on `npm start`, or a service manager stopping us: quit the normal way, so the lab
  // stops its nodes (Node's default for these signals would exit at once).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => app.quit())

  app.on('web-contents-created', (_event, created) => hardenWebContents(created))
  app.on('window-all-closed', () => {
    // macOS keeps an app without windows running; the lab keeps running with it, and a new
    // window picks it up from its hello.
    if (process.platform !== 'darwin') app.quit()
  })

  const open = (): void => {
    win = createMainWindow(location, preloadPath)
    win.on('closed', () => (win = null))
  }
  void app.whenReady().then(() => {
    hardenSession(session.defaultSession)
    const template = menuTemplate(process.platform, (action) => sendMenu(contents(), action))
    Menu.setApplicationMenu(Menu.buildFromTemplate(template))
    open()
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) open()
    })
  })
  return lab
}

/** closeLabOnQuit holds the first quit until `close` (the lab stopping its node processes) has
 * finished, then quits for real; further quit requests meanwhile are held too. Should the main
 * process die instead, the lab's exit handler and each cluster's reaper process kill the nodes. */
export function closeLabOnQuit(
  quitter: Pick<App, 'on' | 'quit'>,
  close: () => Promise<void>,
): void {
  let state: 'running' | 'closing' | 'closed' = 'running'
  quitter.on('before-quit', (event) => {
    if (state === 'closed') return
    event.preventDefault()
    if (state === 'closing') return
    state = 'closing'
    void close()
      .catch((e: unknown) => console.error(`raftlab: closing the lab failed: ${String(e)}`))
      .finally(() => {
        state = 'closed'
        quitter.quit()
      })
  })
}
