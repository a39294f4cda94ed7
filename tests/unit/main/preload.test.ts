// The preload's bridge: window.raftlab has one method per channel, calls exactly its channel, and
// hands listeners the payload only (never ipcRenderer or the Electron event).
import { describe, expect, it, vi } from 'vitest'
import { LAB_CHANNELS } from '../../../shared/lab/ipc'

const fake = vi.hoisted(() => ({
  exposed: [] as [string, Record<string, (...args: unknown[]) => unknown>][],
  invoked: [] as unknown[][],
  listeners: new Map<string, Set<(...args: unknown[]) => void>>(),
}))

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: Record<string, (...args: unknown[]) => unknown>) =>
      fake.exposed.push([key, api]),
  },
  ipcRenderer: {
    invoke: (...args: unknown[]) => {
      fake.invoked.push(args)
      return Promise.resolve('answer')
    },
    on: (channel: string, l: (...args: unknown[]) => void) => {
      const set = fake.listeners.get(channel) ?? new Set()
      set.add(l)
      fake.listeners.set(channel, set)
    },
    removeListener: (channel: string, l: (...args: unknown[]) => void) =>
      fake.listeners.get(channel)?.delete(l),
  },
}))

await import('../../../electron/preload/index')
const [key, bridge] = fake.exposed[0]!

describe('preload bridge (window.raftlab)', () => {
  it('exposes one object, raftlab, once', () => {
    expect(fake.exposed).toHaveLength(1)
    expect(key).toBe('raftlab')
  })

  it('has exactly one method per channel, and only functions', () => {
    expect(Object.keys(bridge).sort()).toEqual(['command', 'hello', 'onEvents', 'onMenu'])
    expect(Object.keys(bridge)).toHaveLength(Object.keys(LAB_CHANNELS).length)
    for (const v of Object.values(bridge)) expect(typeof v).toBe('function')
  })

  it('invokes lab:hello and lab:command with the command only', async () => {
    await expect(bridge.hello!()).resolves.toBe('answer')
    await bridge.command!({ type: 'cluster.status' })
    expect(fake.invoked).toEqual([
      [LAB_CHANNELS.hello],
      [LAB_CHANNELS.command, { type: 'cluster.status' }],
    ])
  })

  for (const [method, channel] of [
    ['onEvents', LAB_CHANNELS.events],
    ['onMenu', LAB_CHANNELS.menu],
  ] as const) {
    it(`${method} delivers ${channel} payloads without the event, until unsubscribed`, () => {
      const got: unknown[][] = []
      const off = bridge[method]!((...args: unknown[]) => got.push(args)) as () => void
      const sender = { sender: 'secret' }
      for (const l of fake.listeners.get(channel) ?? []) l(sender, 'payload')
      expect(got).toEqual([['payload']])
      off()
      expect(fake.listeners.get(channel)?.size).toBe(0)
    })
  }
})
