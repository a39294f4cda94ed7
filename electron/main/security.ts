// The main process's share of Electron's security checklist: which page is ours (IPC trusts only
// it), no navigation, no new windows, no webviews, no permissions, and the CSP as a header too.
// Everything here takes the Electron objects it works on, so tests pass stand-ins.
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Session, WebContents, WebFrameMain } from 'electron'
import { RENDERER_CSP } from '../../shared/lab/ipc'

/** RendererLocation says where the app's page comes from: the built file, or the dev server
 * (`npm run dev`, never in a packaged app). */
export type RendererLocation = { kind: 'file'; indexPath: string } | { kind: 'url'; url: string }

/** rendererLocation picks the page to load. `mainDir` is out/main (the bundle's __dirname);
 * ELECTRON_RENDERER_URL is set by electron-vite's dev server and is ignored once packaged. */
export function rendererLocation(
  isPackaged: boolean,
  devServerUrl: string | undefined,
  mainDir: string,
): RendererLocation {
  if (!isPackaged && devServerUrl) return { kind: 'url', url: devServerUrl }
  return { kind: 'file', indexPath: join(mainDir, '..', 'renderer', 'index.html') }
}

/** isTrustedUrl tells whether `url` is the app's own page: the built index.html (any query or
 * hash) or, in development, a page of the dev server's origin. */
export function isTrustedUrl(url: string, location: RendererLocation): boolean {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return false
  }
  if (location.kind === 'url') return u.origin === new URL(location.url).origin
  const own = pathToFileURL(location.indexPath)
  return u.protocol === 'file:' && u.host === own.host && u.pathname === own.pathname
}

/** isTrustedFrame tells whether an IPC message's sender frame is the app's own page, in its top
 * frame: a missing frame (destroyed, or navigated away meanwhile), a subframe or any other URL
 * is refused. */
export function isTrustedFrame(frame: WebFrameMain | null, location: RendererLocation): boolean {
  if (frame === null || frame.parent !== null) return false
  return isTrustedUrl(frame.url, location)
}

/** ALLOWED_PERMISSIONS is the only permission the page gets: writing text to the clipboard (copy
 * buttons). Cameras, notifications, geolocation, opening external apps and the rest are denied. */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write'])

/** hardenSession denies permission requests and checks (but ALLOWED_PERMISSIONS), device access,
 * and sends RENDERER_CSP as a header with the app's file:// page, on top of its `<meta>`. */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(ALLOWED_PERMISSIONS.has(permission)),
  )
  session.setPermissionCheckHandler((_contents, permission) => ALLOWED_PERMISSIONS.has(permission))
  session.setDevicePermissionHandler(() => false)
  // No URL filter: Chromium's match patterns treat file: URLs specially, and the app loads
  // nothing but its own files anyway, so the check is done here.
  session.webRequest.onHeadersReceived((details, callback) => {
    if (details.resourceType !== 'mainFrame' || !details.url.startsWith('file:')) {
      callback({})
      return
    }
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] },
    })
  })
}

/** hardenWebContents keeps a page where it is: navigation started by the page (links, location
 * changes, in the window or in any subframe) is cancelled, window.open and target=_blank links
 * are denied, and <webview> is refused. Loads the main process starts itself (loadFile, reload)
 * raise neither navigation event. It is applied to every WebContents the app creates. */
export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault())
  // Main-frame navigations are will-navigate's; this one adds iframes.
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
}
