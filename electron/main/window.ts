// The app's one window: its options (the security-relevant webPreferences in one place, which a
// test checks) and its creation.
import { BrowserWindow, type BrowserWindowConstructorOptions } from 'electron'
import type { RendererLocation } from './security'

/** windowOptions are the main window's options. The renderer gets no Node and no Electron: it is
 * sandboxed, isolated from the preload's world, and reaches the main process only through the
 * bridge the preload exposes (window.raftlab). */
export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 600,
    title: 'raftlab',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    },
  }
}

/** createMainWindow opens the window on the app's page and shows it once painted. A crashed
 * renderer is reloaded (at most once every 10 s, so a page that crashes on load does not spin):
 * the lab keeps running in the main process and the page resynchronises from its hello. */
export function createMainWindow(location: RendererLocation, preloadPath: string): BrowserWindow {
  const win = new BrowserWindow(windowOptions(preloadPath))
  win.once('ready-to-show', () => win.show())
  let lastReloadMs = -Infinity
  win.webContents.on('render-process-gone', (_event, details) => {
    console.error(`raftlab: the window's renderer is gone (${details.reason})`)
    if (details.reason === 'clean-exit' || performance.now() - lastReloadMs < 10_000) return
    lastReloadMs = performance.now()
    win.webContents.reload()
  })
  if (location.kind === 'url') void win.loadURL(location.url)
  else void win.loadFile(location.indexPath)
  return win
}
