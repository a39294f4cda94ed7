// The main process wired together, with Electron replaced by stand-ins: the window's options, the
// session and WebContents hardening, the IPC guard in front of a real Lab, the menu, and a quit
// that waits for the lab to close.
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Lab } from '../../../electron/lab/engine/lab'
import { LAB_CHANNELS, LAB_MENU_ACTIONS } from '../../../shared/lab/ipc'
import type { FakeIpcMain, FakeSession } from './fakeElectron'
import { FakeBrowserWindow, FakeEvent, FakeWebContents, topFrame } from './fakeElectron'

const fake = vi.hoisted(() => ({
  appHandlers: new Map<string, ((...args: unknown[]) => void)[]>(),
  quit: { count: 0 },
  sandboxed: { value: false },
  menu: { template: null as unknown },
}))

vi.mock('electron', async () => {
  const f = await import('./fakeElectron')
  const on = (name: string, h: (...args: unknown[]) => void) => {
    const list = fake.appHandlers.get(name) ?? []
    list.push(h)
    fake.appHandlers.set(name, list)
  }
  return {
    app: {
      isPackaged: false,
      enableSandbox: () => (fake.sandboxed.value = true),
      on,
      quit: () => fake.quit.count++,
      whenReady: () => Promise.resolve(),
    },
    BrowserWindow: f.FakeBrowserWindow,
    ipcMain: new f.FakeIpcMain(),
    Menu: {
      buildFromTemplate: (t: unknown) => (fake.menu.template = t),
      setApplicationMenu: () => {},
    },
    session: { defaultSession: new f.FakeSession() },
  }
})

const electron = await import('electron')
const ipc = electron.ipcMain as unknown as FakeIpcMain
const session = electron.session.defaultSession as unknown as FakeSession
const emitApp = (name: string, ...args: unknown[]) =>
  (fake.appHandlers.get(name) ?? []).forEach((h) => h(...args))

let lab: Lab
const signalsBefore = new Map(
  (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, process.listeners(s)]),
)
const mainDir = join(__dirname, '..', '..', '..', 'electron', 'main')
const ownPage = pathToFileURL(join(mainDir, '..', 'renderer', 'index.html')).href

beforeAll(async () => {
  delete process.env.ELECTRON_RENDERER_URL
  const { startApp } = await import('../../../electron/main/app')
  lab = startApp()
  await new Promise((r) => setImmediate(r)) // whenReady's then
})

afterAll(async () => {
  await lab.close()
  for (const [s, before] of signalsBefore) {
    for (const l of process.listeners(s)) if (!before.includes(l)) process.off(s, l)
  }
})

describe('the desktop app (Electron mocked)', () => {
  it('sandboxes every renderer', () => {
    expect(fake.sandboxed.value).toBe(true)
  })

  it('opens one window: context isolation, sandbox, no Node, web security on, our preload', () => {
    expect(FakeBrowserWindow.created).toHaveLength(1)
    const win = FakeBrowserWindow.created[0]!
    const prefs = win.options.webPreferences as Record<string, unknown>
    expect(prefs.contextIsolation).toBe(true)
    expect(prefs.sandbox).toBe(true)
    expect(prefs.nodeIntegration).toBe(false)
    expect(prefs.nodeIntegrationInWorker).toBe(false)
    expect(prefs.nodeIntegrationInSubFrames).toBe(false)
    expect(prefs.webSecurity).not.toBe(false)
    expect(prefs.allowRunningInsecureContent).not.toBe(true)
    expect(prefs.webviewTag).not.toBe(true)
    expect(prefs.preload).toBe(join(mainDir, '..', 'preload', 'index.js'))
    expect(win.loaded.file).toBe(join(mainDir, '..', 'renderer', 'index.html'))
  })

  it('hardens every WebContents the app creates and the default session', () => {
    const wc = new FakeWebContents()
    emitApp('web-contents-created', new FakeEvent(), wc)
    const e = new FakeEvent()
    wc.emit('will-navigate', e, 'https://example.com/')
    expect(e.isDefaultPrevented).toBe(true)
    expect(wc.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' })
    let granted: boolean | null = null
    session.permissionRequest?.({}, 'media', (ok) => (granted = ok))
    expect(granted).toBe(false)
  })

  it('forwards IPC from its own page to the real lab, and refuses other senders', async () => {
    const status = (await ipc.invoke(LAB_CHANNELS.command, topFrame(ownPage), {
      type: 'cluster.status',
    })) as { ok: boolean; status: { running: boolean } }
    expect(status).toMatchObject({ ok: true, status: { running: false } })
    const hello = (await ipc.invoke(LAB_CHANNELS.hello, topFrame(ownPage))) as {
      appVersion: string
    }
    expect(hello.appVersion).toMatch(/^\d+\.\d+\.\d+/)
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    await expect(
      ipc.invoke(LAB_CHANNELS.command, topFrame('http://127.0.0.1:1/'), { type: 'cluster.stop' }),
    ).rejects.toThrow(/refused/)
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/refused lab:command from http:/))
    warn.mockRestore()
    const bad = await ipc.invoke(LAB_CHANNELS.command, topFrame(ownPage), { type: 'cluster.start' })
    expect(bad).toMatchObject({ ok: false, code: 'invalid', error: /missing config/ })
  })

  it('streams lab events to the window', async () => {
    const win = FakeBrowserWindow.created[0]!
    win.webContents.sent = []
    await lab.command({ type: 'node.pause', node: 1 }) // fails (no cluster), but emits events
    // Batches go at most every 50 ms (electron/lab/events/throttle.ts): wait for the failure's.
    const batches = () => win.webContents.sent.filter((s) => s.channel === LAB_CHANNELS.events)
    for (let i = 0; i < 100 && !/"phase":"failed"/.test(JSON.stringify(batches())); i++)
      await new Promise((r) => setTimeout(r, 10))
    expect(batches().length).toBeGreaterThan(0)
    expect(JSON.stringify(batches())).toMatch(/"phase":"failed"/)
  })

  it('has a File menu whose items send their action to the window', () => {
    const template = fake.menu.template as { label?: string; role?: string; submenu?: unknown }[]
    const roles = template.map((m) => m.role ?? m.label)
    expect(roles).toEqual(expect.arrayContaining(['File', 'editMenu', 'viewMenu', 'windowMenu']))
    const file = template.find((m) => m.label === 'File')!.submenu as {
      label?: string
      click?: () => void
    }[]
    const win = FakeBrowserWindow.created[0]!
    win.webContents.sent = []
    for (const item of file) item.click?.()
    const actions = win.webContents.sent
      .filter((s) => s.channel === LAB_CHANNELS.menu)
      .map((s) => (s.payload as { action: string }).action)
    expect(actions).toEqual([...LAB_MENU_ACTIONS])
  })

  it('holds the first quit until the lab has closed, then quits', async () => {
    const close = vi.spyOn(lab, 'close')
    const first = new FakeEvent()
    emitApp('before-quit', first)
    expect(first.isDefaultPrevented).toBe(true)
    expect(close).toHaveBeenCalledTimes(1)
    const second = new FakeEvent()
    emitApp('before-quit', second) // a second Cmd-Q while closing
    expect(second.isDefaultPrevented).toBe(true)
    expect(close).toHaveBeenCalledTimes(1)
    await vi.waitFor(() => expect(fake.quit.count).toBe(1))
    const last = new FakeEvent()
    emitApp('before-quit', last)
    expect(last.isDefaultPrevented).toBe(false)
  })
})
