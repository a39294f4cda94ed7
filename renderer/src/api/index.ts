// Picks the transport: the desktop app's bridge when window.raftlab offers one, the in-memory
// fake when the address asks for it (?fake: a demo without an engine — in the dev server only:
// production builds leave the fake out), else a WebSocket to the `raftlab serve` that served
// this page.
import { BridgeLabClient, isBridge } from './bridgeClient'
import { FakeLab } from './fakeLab'
import type { LabClient } from './types'
import { labSocketUrl, WsLabClient, type SocketLike } from './wsClient'

export type { ConnectionState, LabClient } from './types'
export { NotConnectedError } from './types'

/** createLabClient returns the client for this page. */
export function createLabClient(): LabClient {
  const params = new URLSearchParams(location.search)
  // ?fake plays a toy cluster; ?fake=20 ticks it every 20 ms (a load test without an engine).
  // import.meta.env.DEV is false in a production build: the branch and FakeLab are dropped.
  if (import.meta.env.DEV && params.has('fake')) {
    const tickMs = Math.max(10, Number(params.get('fake')) || 100)
    const fake = new FakeLab({ live: true, tickMs })
    // Scripts (end-to-end tests, demos) can stage events the toy cluster would not produce.
    ;(window as unknown as { raftlabFake: FakeLab }).raftlabFake = fake
    return new BridgeLabClient(fake, 'fake')
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
