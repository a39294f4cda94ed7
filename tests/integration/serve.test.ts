// Browser mode (`raftlab serve`): the static renderer with its security headers, the locks on the
// WebSocket (token, Origin, Host), the lab contract over it with real node processes, and the
// built command stopping every process on SIGTERM.
import { spawn } from 'node:child_process'
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import type { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { Lab } from '../../electron/lab/engine/lab'
import { startServer, type RunningServer } from '../../electron/lab/browserMode/server'
import type { LabEvent } from '../../shared/lab/events'
import { RENDERER_CSP, WS_CLOSE, type WsServerMessage } from '../../shared/lab/ipc'
import { isAlive, waitUntil } from './helpers'

const root = join(__dirname, '..', '..')
const rendererDir = join(root, 'out', 'renderer')
const tmp = mkdtempSync(join(tmpdir(), 'raftlab-serve-test-'))

/** get makes a raw HTTP request (fetch would normalise `..` and forbids setting Host). */
function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString('utf8')))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Client is a WebSocket client that keeps every message and its close code. */
class Client {
  readonly messages: WsServerMessage[] = []
  closed: { code: number; reason: string } | null = null
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => this.messages.push(JSON.parse(d.toString()) as WsServerMessage))
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }))
  }
  static open(url: string, origin: string): Promise<Client> {
    const ws = new WebSocket(url, { origin })
    const c = new Client(ws)
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(c))
      ws.once('error', reject)
    })
  }
  /** next waits for a message matching `pred`. */
  async next<T extends WsServerMessage>(pred: (m: WsServerMessage) => boolean, ms = 20_000) {
    const ok = await waitUntil(() => this.messages.some(pred), ms)
    if (!ok) throw new Error(`no such message; got ${JSON.stringify(this.messages).slice(0, 500)}`)
    return this.messages.find(pred) as T
  }
  events(): LabEvent[] {
    return this.messages.flatMap((m) => (m.kind === 'events' ? m.events : []))
  }
  async waitClosed(ms = 10_000) {
    await waitUntil(() => this.closed !== null, ms)
    return this.closed
  }
}

/** refusal tries a WebSocket handshake and returns the HTTP status and body it got instead. */
function refusal(url: string, origin?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin })
    ws.on('unexpected-response', (_req, res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    ws.on('open', () => {
      ws.terminate()
      reject(new Error('the handshake was accepted'))
    })
    ws.on('error', () => {})
  })
}

/** markedProcesses lists processes whose command line carries a cluster's marker. */
function markedProcesses(clusterId: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
  return ps.split('\n').filter((l) => l.includes(`--raftlab-node=${clusterId}:`))
}

let lab: Lab
let server: RunningServer
const pids = new Set<number>()
let origin: string
let wsUrl: string

beforeAll(async () => {
  lab = new Lab()
  lab.subscribe((batch) => {
    for (const e of batch) if (e.type === 'node.process' && e.pid !== null) pids.add(e.pid)
  })
  server = await startServer({ port: 0, rendererDir, lab })
  origin = `http://127.0.0.1:${server.port}`
  wsUrl = `ws://127.0.0.1:${server.port}/lab?token=${server.token}`
})

afterAll(async () => {
  await server?.close()
  await lab?.close()
  rmSync(tmp, { recursive: true, force: true })
})

describe('raftlab serve: static files', () => {
  it('prints a URL on 127.0.0.1 with a long random token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`)
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('serves index.html with the CSP, nosniff, no-referrer and no caching', async () => {
    const r = await get(server.port, `/?token=${server.token}`, {
      host: `127.0.0.1:${server.port}`,
    })
    expect(r.status).toBe(200)
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(r.headers['content-security-policy']).toBe(`${RENDERER_CSP}; frame-ancestors 'none'`)
    expect(r.headers['x-content-type-options']).toBe('nosniff')
    expect(r.headers['referrer-policy']).toBe('no-referrer')
    expect(r.headers['cache-control']).toBe('no-cache')
    expect(r.body).toMatch(/<div id="app">/)
    const script = /src="\.?(\/assets\/[^"]+\.js)"/.exec(r.body)?.[1]
    expect(script).toBeDefined()
    const js = await get(server.port, script!, { host: `localhost:${server.port}` })
    expect(js.status).toBe(200)
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(js.headers['cache-control']).toMatch(/immutable/)
  })

  it('refuses paths outside the renderer, directory listings and other methods', async () => {
    const host = { host: `127.0.0.1:${server.port}` }
    for (const path of [
      '/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/assets/..%2f..%2f..%2fpackage.json',
      '/..%5c..%5cpackage.json',
      '/%00index.html',
      '/assets/',
      '/assets',
    ]) {
      const r = await get(server.port, path, host)
      expect([400, 404], path).toContain(r.status)
      expect(r.body, path).not.toMatch(/root:|"devDependencies"|<html/)
    }
    const post = await get(server.port, '/', host, 'POST')
    expect(post.status).toBe(405)
  })

  it('does not follow a symlink out of the renderer folder', async () => {
    const dir = join(tmp, 'renderer')
    mkdirSync(dir)
    writeFileSync(join(dir, 'index.html'), '<p>hi</p>')
    writeFileSync(join(tmp, 'secret.txt'), 'SECRET')
    symlinkSync(join(tmp, 'secret.txt'), join(dir, 'leak.txt'))
    const other = await startServer({ rendererDir: dir, lab })
    try {
      const host = { host: `127.0.0.1:${other.port}` }
      expect((await get(other.port, '/', host)).body).toBe('<p>hi</p>')
      const r = await get(other.port, '/leak.txt', host)
      expect(r.status).toBe(404)
      expect(r.body).not.toMatch(/SECRET/)
    } finally {
      await other.close()
    }
  })

  it('answers 421 to a Host that is not 127.0.0.1 or localhost at its port (DNS rebinding)', async () => {
    for (const host of [
      'evil.example',
      `evil.example:${server.port}`,
      '127.0.0.1:1',
      'localhost',
      `[::1]:${server.port}`,
    ]) {
      const r = await get(server.port, '/', { host })
      expect(r.status, host).toBe(421)
      expect(r.body).toMatch(/answers only to http:\/\/127\.0\.0\.1:/)
    }
  })
})

describe('raftlab serve: the WebSocket', () => {
  it('refuses a wrong or missing token, another Origin, another path, with 403/404 and a reason', async () => {
    const base = `ws://127.0.0.1:${server.port}`
    const wrongToken = await refusal(`${base}/lab?token=${'x'.repeat(43)}`, origin)
    expect(wrongToken.status).toBe(403)
    expect(wrongToken.body).toMatch(/wrong or missing token/)
    expect((await refusal(`${base}/lab`, origin)).status).toBe(403)
    for (const bad of ['https://evil.example', 'http://127.0.0.1:1', 'null', undefined]) {
      const r = await refusal(wsUrl, bad)
      expect(r.status, String(bad)).toBe(403)
      expect(r.body).toMatch(/may not connect/)
    }
    expect((await refusal(`${base}/other?token=${server.token}`, origin)).status).toBe(404)
  })

  it('sends the hello, runs commands against real processes and streams their events', async () => {
    const a = await Client.open(wsUrl, origin)
    const hello = await a.next((m) => m.kind === 'hello')
    expect(hello.kind === 'hello' && hello.hello.status.running).toBe(false)
    const lastSeq = hello.kind === 'hello' ? hello.hello.lastSeq : -1

    a.ws.send(JSON.stringify({ id: 1, command: { type: 'cluster.start', config: { nodes: 3 } } }))
    const started = await a.next((m) => m.kind === 'result' && m.id === 1, 60_000)
    expect(started).toMatchObject({ kind: 'result', id: 1, result: { ok: true } })
    const running = () =>
      a.events().filter((e) => e.type === 'node.process' && e.state === 'running').length
    expect(await waitUntil(() => running() === 3, 20_000)).toBe(true)
    const seqs = a.events().map((e) => e.seq)
    expect(seqs[0]).toBe(lastSeq + 1) // no gap after the hello, no repeat
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y))

    // A malformed command is answered with code invalid; the socket stays open.
    a.ws.send(JSON.stringify({ id: 2, command: { type: 'node.pause', node: 'n1' } }))
    const bad = await a.next((m) => m.kind === 'result' && m.id === 2)
    expect(bad).toMatchObject({ result: { ok: false, code: 'invalid', error: /node must be/ } })
    a.ws.send(JSON.stringify({ id: 3, command: { type: 'cluster.status' } }))
    expect(await a.next((m) => m.kind === 'result' && m.id === 3)).toMatchObject({
      result: { ok: true, status: { running: true } },
    })

    // A second tab starts from the present: the cluster is running, recent events included.
    const b = await Client.open(
      wsUrl.replace('127.0.0.1', 'localhost'),
      origin.replace('127.0.0.1', 'localhost'),
    )
    const hello2 = await b.next((m) => m.kind === 'hello')
    expect(hello2.kind === 'hello' && hello2.hello.status.nodes).toHaveLength(3)
    expect(hello2.kind === 'hello' && hello2.hello.recent.length).toBeGreaterThan(0)

    // Garbage closes only the socket that sent it.
    b.ws.send('this is not JSON')
    expect(await b.waitClosed()).toEqual({
      code: WS_CLOSE.policy,
      reason: 'a message must be JSON',
    })
    a.ws.send(JSON.stringify({ id: 4, command: { type: 'node.pause', node: 1 } }))
    expect(await a.next((m) => m.kind === 'result' && m.id === 4)).toMatchObject({
      result: { ok: true },
    })
    a.ws.close()
  })

  it('closes a socket that sends a message without an id, binary data, or over 1 MiB', async () => {
    const cases: [(ws: WebSocket) => void, number, RegExp][] = [
      [
        (ws) => ws.send(JSON.stringify({ command: { type: 'cluster.status' } })),
        WS_CLOSE.policy,
        /\{"id"/,
      ],
      [(ws) => ws.send(Buffer.from('{}'), { binary: true }), WS_CLOSE.policy, /binary/],
      // ws closes with 1009 ("message too big") itself, before reading the message, no reason.
      [(ws) => ws.send('x'.repeat((1 << 20) + 1)), WS_CLOSE.tooBig, /^/],
    ]
    for (const [send, code, reason] of cases) {
      const c = await Client.open(wsUrl, origin)
      await c.next((m) => m.kind === 'hello')
      send(c.ws)
      const closed = await c.waitClosed()
      expect(closed?.code).toBe(code)
      expect(closed?.reason).toMatch(reason)
    }
    // Exactly 1 MiB is still read and answered (here: refused for its unknown field).
    const c = await Client.open(wsUrl, origin)
    const head = '{"id":9,"command":{"type":"cluster.status","pad":"'
    c.ws.send(head + 'x'.repeat((1 << 20) - head.length - 3) + '"}}')
    expect(await c.next((m) => m.kind === 'result' && m.id === 9)).toMatchObject({
      result: { ok: false, code: 'invalid', error: /unexpected field pad/ },
    })
    expect(c.closed).toBeNull()
    c.ws.close()
  })

  it('closes a client that stops reading with 1013 (too slow), so it can reconnect and resync', async () => {
    const slowLab = new Lab()
    const s = await startServer({ rendererDir, lab: slowLab, maxBufferedBytes: 64 << 10 })
    try {
      const c = await Client.open(
        `ws://127.0.0.1:${s.port}/lab?token=${s.token}`,
        `http://127.0.0.1:${s.port}`,
      )
      await c.next((m) => m.kind === 'hello')
      const socket = (c.ws as unknown as { _socket: Socket })._socket
      socket.pause()
      const long = 'x'.repeat(1000)
      // Until the server gives up on it: how much the kernel buffers for a paused socket, and how
      // fast the server sends, vary with the machine's load (200 quick turns once were not enough
      // while other test files ran beside this one). At most 2,000 turns of 100 kB.
      for (let turn = 0; turn < 2000 && c.closed === null; turn++) {
        for (let i = 0; i < 100; i++)
          slowLab.bus.emit({ type: 'fault', action: 'applied', description: long })
        await new Promise((r) => setTimeout(r, turn < 200 ? 0 : 2))
      }
      socket.resume()
      const closed = await c.waitClosed(20_000)
      expect(closed?.code).toBe(WS_CLOSE.tooSlow)
      expect(closed?.reason).toMatch(/too slow/)
    } finally {
      await s.close()
      await slowLab.close()
    }
  })

  it('on close, says goodbye (1001) to every client; the lab then stops every node', async () => {
    const c = await Client.open(wsUrl, origin)
    await c.next((m) => m.kind === 'hello')
    for (const pid of lab.processIds()) pids.add(pid) // the reaper too
    expect(pids.size).toBe(4)
    await server.close()
    expect((await c.waitClosed())?.code).toBe(WS_CLOSE.goingAway)
    await lab.close()
    const gone = await waitUntil(() => [...pids].every((p) => !isAlive(p)), 10_000)
    expect(gone, `left behind: ${[...pids].filter(isAlive).join(', ')}`).toBe(true)
  })
})

describe('raftlab serve (the built command)', () => {
  const bin = join(root, 'bin', 'raftlab.cjs')

  it('prints its URL, serves it, and on SIGTERM exits 0 leaving no node process', async () => {
    const child = spawn(process.execPath, [bin, 'serve', '--no-open'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    child.stderr.on('data', (c: Buffer) => (err += c.toString()))
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
    try {
      expect(await waitUntil(() => /http:\/\/\S+/.test(out), 20_000), err).toBe(true)
      const url = new URL(/http:\/\/\S+/.exec(out)![0])
      expect(url.hostname).toBe('127.0.0.1')
      const page = await fetch(url)
      expect(page.status).toBe(200)
      expect(await page.text()).toMatch(/<div id="app">/)

      const ws = `ws://${url.host}/lab?token=${url.searchParams.get('token')}`
      const c = await Client.open(ws, url.origin)
      c.ws.send(JSON.stringify({ id: 1, command: { type: 'cluster.start', config: { nodes: 3 } } }))
      expect(await c.next((m) => m.kind === 'result', 60_000)).toMatchObject({
        result: { ok: true },
      })
      const started = await c.next(
        (m) => m.kind === 'events' && m.events.some((e) => e.type === 'cluster.started'),
      )
      const clusterId =
        started.kind === 'events'
          ? (started.events.find((e) => e.type === 'cluster.started') as { clusterId: string })
              .clusterId
          : ''
      await waitUntil(
        () =>
          c.events().filter((e) => e.type === 'node.process' && e.state === 'running').length === 3,
        20_000,
      )
      const nodePids = c
        .events()
        .flatMap((e) => (e.type === 'node.process' && e.pid !== null ? [e.pid] : []))
      expect(markedProcesses(clusterId).length).toBe(4) // three nodes and the reaper

      // Messages that once stopped the whole server (an inherited name as the command type made
      // parsing throw a TypeError into the crash handler), or slipped past the checks: each is
      // answered with an error, and the server and its cluster go on.
      const bad = [
        '{"type":"constructor"}',
        '{"type":"toString"}',
        '{"type":"__proto__"}',
        '{"type":"hasOwnProperty","node":1}',
        '{"type":"node.pause","node":1,"__proto__":{"x":1}}',
        '{"type":"link.set","from":1,"to":2,"both":false,"latencyMs":1e15}',
      ]
      for (const [i, command] of bad.entries()) {
        c.ws.send(`{"id":${100 + i},"command":${command}}`)
        expect(await c.next((m) => m.kind === 'result' && m.id === 100 + i)).toMatchObject({
          result: { ok: false, code: 'invalid' },
        })
      }
      c.ws.send(JSON.stringify({ id: 200, command: { type: 'cluster.status' } }))
      const status = await c.next((m) => m.kind === 'result' && m.id === 200)
      expect(status).toMatchObject({ result: { ok: true, status: { running: true } } })
      expect(child.exitCode).toBeNull()

      child.kill('SIGTERM')
      expect(await exited, err).toBe(0)
      expect(err).toMatch(/SIGTERM; stopping/)
      expect((await c.waitClosed())?.code).toBe(WS_CLOSE.goingAway)
      expect(await waitUntil(() => nodePids.every((p) => !isAlive(p)), 10_000)).toBe(true)
      expect(await waitUntil(() => markedProcesses(clusterId).length === 0, 10_000)).toBe(true)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })

  it('says to build when the renderer is missing, exit 1', () => {
    // A copy of the built CLI with no renderer beside it.
    const copy = join(tmp, 'app')
    cpSync(join(root, 'out', 'main'), join(copy, 'out', 'main'), { recursive: true })
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'))
    writeFileSync(join(copy, 'package.json'), '{}')
    const res = spawnSyncNode([join(copy, 'out', 'main', 'cli.js'), 'serve', '--no-open'])
    expect(res.status).toBe(1)
    expect(res.stderr).toMatch(/the app is not built .*run: npm run build/)
  })

  it('refuses a bad --port with exit 2 and the usage', () => {
    const res = spawnSyncNode([bin, 'serve', '--port', '70000'])
    expect(res.status).toBe(2)
    expect(res.stderr).toMatch(/--port must be an integer from 0 to 65535/)
  })
})

function spawnSyncNode(args: string[]): { status: number | null; stderr: string } {
  try {
    execFileSync(process.execPath, args, { encoding: 'utf8', stdio: 'pipe', timeout: 30_000 })
    return { status: 0, stderr: '' }
  } catch (e) {
    const err = e as { status: number | null; stderr: string }
    return { status: err.status, stderr: err.stderr }
  }
}
