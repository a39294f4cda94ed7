// Picks the transport: the desktop app's bridge when window.raftlab offers one, the in-memory
// fake when the address asks for it (?fake: a demo without an engine, and the stand-in some
// browser tests stage events on — loaded as a chunk of its own only then, so the app's bundle
// does not carry it), else a WebSocket to the `raftlab serve` that served this page.
import { BridgeLabClient, isBridge } from './bridgeClient'
import type { LabClient } from './types'
import { labSocketUrl, WsLabClient, type SocketLike } from './wsClient'

export type { ConnectionState, LabClient } from './types'
export { NotConnectedError } from './types'

/** createLabClient returns the client for this page (a promise of it for ?fake). */
export function createLabClient(): LabClient | Promise<LabClient> {
  const params = new URLSearchParams(location.search)
  // ?fake plays a toy cluster; ?fake=20 ticks it every 20 ms (a load test without an engine).
  if (params.has('fake')) {
    const tickMs = Math.max(10, Number(params.get('fake')) || 100)
    return import('./fakeLab').then(({ FakeLab }) => {
      const fake = new FakeLab({ live: true, tickMs })
      // Scripts (end-to-end tests, demos) can stage events the toy cluster would not produce.
      ;(window as unknown as { raftlabFake: unknown }).raftlabFake = fake
      return new BridgeLabClient(fake, 'fake')
    })
  }
  const bridge = (window as unknown as { raftlab?: unknown }).raftlab
  if (isBridge(bridge)) return new BridgeLabClient(bridge, 'desktop')
  return new WsLabClient(labSocketUrl(location), {
    createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    random: Math.random,
    hasToken: params.has('token'),
  })
}
