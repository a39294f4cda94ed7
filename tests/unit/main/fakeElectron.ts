// Stand-ins for the parts of Electron's API the main process and the preload use, so their tests
// run under plain Node (Electron's binary is not needed, nor downloaded: `vi.mock('electron')`
// with a factory never loads the real package).
import { EventEmitter } from 'node:events'
import { vi } from 'vitest'

/** FakeEvent is an Electron event: it records preventDefault. */
export class FakeEvent {
  isDefaultPrevented = false
  preventDefault(): void {
    this.isDefaultPrevented = true
  }
}

/** FakeWebContents records handlers, sends and the window-open handler. */
export class FakeWebContents extends EventEmitter {
  sent: { channel: string; payload: unknown }[] = []
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null
  isDestroyedFlag = false
  reload = vi.fn()
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload })
  }
  isDestroyed(): boolean {
    return this.isDestroyedFlag
  }
  setWindowOpenHandler(h: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = h
  }
}

/** FakeBrowserWindow records its options and what it loaded. */
export class FakeBrowserWindow extends EventEmitter {
  static created: FakeBrowserWindow[] = []
  static getAllWindows(): FakeBrowserWindow[] {
    return FakeBrowserWindow.created
  }
  webContents = new FakeWebContents()
  loaded: { file?: string; url?: string } = {}
  constructor(readonly options: Record<string, unknown>) {
    super()
    FakeBrowserWindow.created.push(this)
  }
  loadFile(file: string): Promise<void> {
    this.loaded = { file }
    return Promise.resolve()
  }
  loadURL(url: string): Promise<void> {
    this.loaded = { url }
    return Promise.resolve()
  }
  isDestroyed(): boolean {
    return false
  }
  show(): void {}
}

/** FakeSession records the handlers a session is given. */
export class FakeSession {
  permissionRequest: ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void) | null =
    null
  permissionCheck: ((wc: unknown, permission: string) => boolean) | null = null
  devicePermission: (() => boolean) | null = null
  headersReceived:
    | ((
        details: { url: string; resourceType: string; responseHeaders?: Record<string, string[]> },
        cb: (r: { responseHeaders?: Record<string, string[]> }) => void,
      ) => void)
    | null = null
  setPermissionRequestHandler(h: FakeSession['permissionRequest']): void {
    this.permissionRequest = h
  }
  setPermissionCheckHandler(h: FakeSession['permissionCheck']): void {
    this.permissionCheck = h
  }
  setDevicePermissionHandler(h: FakeSession['devicePermission']): void {
    this.devicePermission = h
  }
  webRequest = {
    onHeadersReceived: (h: FakeSession['headersReceived']): void => {
      this.headersReceived = h
    },
  }
}

/** FakeIpcMain records invoke handlers by channel, to be called as the renderer would. */
export class FakeIpcMain {
  handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>()
  handle(channel: string, h: (event: unknown, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`)
    this.handlers.set(channel, h)
  }
  /** invoke calls a channel's handler as a message from a frame at `url` would. */
  async invoke(
    channel: string,
    frame: { url: string; parent: unknown } | null,
    ...args: unknown[]
  ): Promise<unknown> {
    const h = this.handlers.get(channel)
    if (!h) throw new Error(`no handler for ${channel}`)
    return h({ senderFrame: frame }, ...args)
  }
}

/** topFrame is a top-level frame showing `url`. */
export function topFrame(url: string): { url: string; parent: null } {
  return { url, parent: null }
}
