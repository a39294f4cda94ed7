// The IPC guard: every message is checked for its sender frame and validated before it may reach
// the lab engine; events and menu picks go to the window.
import type { WebContents, WebFrameMain } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import {
  forwardEvents,
  IpcRefusedError,
  registerLabIpc,
  sendMenu,
  type IpcContext,
  type IpcLab,
} from '../../../electron/main/ipc'
import type { LabEvent } from '../../../shared/lab/events'
import { LAB_CHANNELS, type HelloMessage } from '../../../shared/lab/ipc'
import { FakeIpcMain, FakeWebContents, topFrame } from './fakeElectron'

const OWN = 'file:///opt/raftlab/resources/app.asar/out/renderer/index.html'

function setup() {
  const listeners: ((events: LabEvent[]) => void)[] = []
  const lab = {
    hello: vi.fn((): HelloMessage => ({ appVersion: 'x' }) as HelloMessage),
    command: vi.fn(async () => ({ ok: true as const })),
    subscribe: vi.fn((l: (events: LabEvent[]) => void) => {
      listeners.push(l)
      return () => {}
    }),
  } satisfies IpcLab
  const ipc = new FakeIpcMain()
  const warnings: string[] = []
  registerLabIpc(
    {
      ipcMain: ipc as unknown as IpcContext['ipcMain'],
      isTrustedSender: (f: WebFrameMain | null) => f !== null && f.parent === null && f.url === OWN,
      warn: (m) => warnings.push(m),
    },
    lab,
  )
  return { lab, ipc, warnings, listeners }
}

describe('IPC handlers', () => {
  it('registers exactly the invoke channels of the contract', () => {
    const { ipc } = setup()
    expect([...ipc.handlers.keys()].sort()).toEqual([LAB_CHANNELS.command, LAB_CHANNELS.hello])
  })

  it('forwards a well-formed command from the app page to the lab and answers its result', async () => {
    const { lab, ipc } = setup()
    const cmd = { type: 'node.pause', node: 2 }
    await expect(ipc.invoke(LAB_CHANNELS.command, topFrame(OWN), cmd)).resolves.toEqual({
      ok: true,
    })
    expect(lab.command).toHaveBeenCalledWith(cmd)
    await expect(ipc.invoke(LAB_CHANNELS.hello, topFrame(OWN))).resolves.toEqual({
      appVersion: 'x',
    })
  })

  it('refuses a message from a foreign page, a subframe or a vanished frame, before the lab', async () => {
    const { lab, ipc, warnings } = setup()
    const cmd = { type: 'cluster.stop' }
    for (const frame of [
      topFrame('https://evil.example/'),
      { url: OWN, parent: topFrame(OWN) },
      null,
    ]) {
      await expect(ipc.invoke(LAB_CHANNELS.command, frame, cmd)).rejects.toThrow(IpcRefusedError)
      await expect(ipc.invoke(LAB_CHANNELS.hello, frame)).rejects.toThrow(/not raftlab's own page/)
    }
    expect(lab.command).not.toHaveBeenCalled()
    expect(lab.hello).not.toHaveBeenCalled()
    expect(warnings[0]).toMatch(/refused lab:command from https:\/\/evil\.example\//)
  })

  it('answers a malformed command with code invalid and a clear error; the lab never sees it', async () => {
    const { lab, ipc } = setup()
    const bad: [unknown[], RegExp][] = [
      [[{ type: 'node.pause', node: 42 }], /node must be a node/],
      [[{ type: 'rm -rf' }], /unknown command type/],
      [[{ type: 'cluster.stop', extra: 1 }], /unexpected field extra/],
      [['cluster.stop'], /must be an object/],
      [[], /takes one command/],
      [[{ type: 'cluster.stop' }, { type: 'cluster.stop' }], /takes one command/],
    ]
    for (const [args, message] of bad) {
      const r = (await ipc.invoke(LAB_CHANNELS.command, topFrame(OWN), ...args)) as {
        ok: boolean
        code: string
        error: string
      }
      expect(r.ok).toBe(false)
      expect(r.code).toBe('invalid')
      expect(r.error).toMatch(message)
    }
    expect(lab.command).not.toHaveBeenCalled()
  })

  it('rejects lab:hello with arguments', async () => {
    const { lab, ipc } = setup()
    await expect(ipc.invoke(LAB_CHANNELS.hello, topFrame(OWN), 'x')).rejects.toThrow(/no arguments/)
    expect(lab.hello).not.toHaveBeenCalled()
  })
})

describe('events and menu picks to the window', () => {
  it('sends the event batches on lab:events while the window lives, at most one message per 50 ms', () => {
    vi.useFakeTimers()
    try {
      const { lab, listeners } = setup()
      const wc = new FakeWebContents()
      let target: FakeWebContents | null = wc
      const stop = forwardEvents(lab, () => target as unknown as WebContents | null)
      const ev = (seq: number) => [{ seq }] as unknown as LabEvent[]
      listeners.forEach((l) => l(ev(1)))
      // The first batch goes at once; the next ones within 50 ms wait and go as one message.
      expect(wc.sent).toEqual([{ channel: LAB_CHANNELS.events, payload: ev(1) }])
      listeners.forEach((l) => l(ev(2)))
      listeners.forEach((l) => l(ev(3)))
      expect(wc.sent).toHaveLength(1)
      vi.advanceTimersByTime(50)
      expect(wc.sent[1]).toEqual({ channel: LAB_CHANNELS.events, payload: [...ev(2), ...ev(3)] })
      // A destroyed window, then none: nothing is sent.
      wc.isDestroyedFlag = true
      listeners.forEach((l) => l(ev(4)))
      vi.advanceTimersByTime(50)
      target = null
      listeners.forEach((l) => l(ev(5)))
      vi.advanceTimersByTime(50)
      expect(wc.sent).toHaveLength(2)
      // Stopped: what waits for its slot is dropped, and nothing more is sent.
      target = wc
      wc.isDestroyedFlag = false
      vi.advanceTimersByTime(50)
      listeners.forEach((l) => l(ev(6)))
      listeners.forEach((l) => l(ev(7)))
      stop()
      listeners.forEach((l) => l(ev(8)))
      vi.advanceTimersByTime(100)
      expect(wc.sent.map((m) => m.payload)).toEqual([ev(1), [...ev(2), ...ev(3)], ev(6)])
    } finally {
      vi.useRealTimers()
    }
  })

  it('sends a menu pick on lab:menu', () => {
    const wc = new FakeWebContents()
    sendMenu(wc as unknown as WebContents, 'benchmark')
    sendMenu(null, 'benchmark')
    expect(wc.sent).toEqual([{ channel: LAB_CHANNELS.menu, payload: { action: 'benchmark' } }])
  })
})
