// Browser mode's server: the built renderer over HTTP and the lab contract over a WebSocket, on
// 127.0.0.1 only. Three locks keep other parties out: a random per-run token the WebSocket
// requires (only whoever can read the printed URL has it), an Origin check (other web pages the
// user has open may not drive the lab), and a Host check (a DNS-rebinding page cannot pass as
// 127.0.0.1).
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, lstatSync, realpathSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { extname, join, resolve, sep } from 'node:path'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import type { CommandResult } from '../../../shared/lab/commands'
import type { LabEvent } from '../../../shared/lab/events'
import { EventThrottle } from '../events/throttle'
import { ownValue } from '../../../shared/util/own'
import type { HelloMessage, WsServerMessage } from '../../../shared/lab/ipc'
import { RENDERER_CSP, WS_CLOSE, WS_MAX_MESSAGE_BYTES, WS_PATH } from '../../../shared/lab/ipc'
import { CommandValidationError, parseCommand } from '../../../shared/lab/validate'
import { isRecordingName } from '../recording/recording'
import type { LabCommand } from '../../../shared/lab/commands'
import { sleep } from '../sleep'

/** ServedLab is what the server needs from a Lab. */
export interface ServedLab {
  hello(): HelloMessage
  command(cmd: LabCommand): Promise<CommandResult>
  subscribe(listener: (events: LabEvent[]) => void): () => void
}

/** ServerOptions configures startServer. */
export interface ServerOptions {
  /** port to listen on; 0 (the default) picks any free port. */
  port?: number
  /** rendererDir is the built renderer (out/renderer), served as static files. */
  rendererDir: string
  lab: ServedLab
  /** maxBufferedBytes: a client whose unsent data exceeds this is closed with WS_CLOSE.tooSlow
   * (default 16 MiB, room for a full hello and then some). */
  maxBufferedBytes?: number
  /** maxClients bounds simultaneous WebSocket connections (default 32). */
  maxClients?: number
  /** recordingsDir: the lab's recordings, downloadable at /recordings/NAME.raftrec?token=TOKEN
   * (the page offers the recording it just made, and those record.list lists). */
  recordingsDir?: string
}

/** RECORDINGS_PATH is where recordings are downloaded from. */
export const RECORDINGS_PATH = '/recordings/'

/** RunningServer is a started server. */
export interface RunningServer {
  /** url is the page to open, with the token: http://127.0.0.1:PORT/?token=TOKEN */
  url: string
  port: number
  token: string
  /** close closes every WebSocket (WS_CLOSE.goingAway) and stops listening; the lab stays open
   * (its owner closes it). Idempotent. */
  close(): Promise<void>
}

/** SECURITY_HEADERS go on every HTTP response. The CSP adds to RENDERER_CSP what only a header
 * can say: no other site may frame the page. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': `${RENDERER_CSP}; frame-ancestors 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
}

const TOKEN_BYTES = 32
const CLOSE_GRACE_MS = 5000

/** startServer serves `rendererDir` and the lab contract on 127.0.0.1. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const root = realpathSync(resolve(opts.rendererDir))
  const token = randomBytes(TOKEN_BYTES).toString('base64url')
  const maxBuffered = opts.maxBufferedBytes ?? 16 << 20
  const maxClients = opts.maxClients ?? 32
  const clients = new Set<WebSocket>()
  let port = 0

  // Host names this server answers to; anything else is a rebinding attempt or a mistake.
  const hostOk = (host: string | undefined): boolean =>
    host === `127.0.0.1:${port}` || host === `localhost:${port}`
  const originOk = (origin: string | undefined): boolean =>
    origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`

  const http = createServer((req, res) => {
    if (!hostOk(req.headers.host)) {
      plain(res, 421, `raftlab serve answers only to http://127.0.0.1:${port}/\n`)
      return
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    if (path.startsWith(RECORDINGS_PATH))
      serveRecording(opts.recordingsDir, token, originOk, req, res)
    else serveStatic(root, req, res)
  })
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_MESSAGE_BYTES })

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = refuseUpgrade(req)
    if (refusal !== null) {
      rejectUpgrade(socket, refusal.status, refusal.message)
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws))
  })

  function refuseUpgrade(req: IncomingMessage): { status: number; message: string } | null {
    if (!hostOk(req.headers.host)) {
      return { status: 421, message: `raftlab serve answers only to 127.0.0.1:${port}` }
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`)
    if (url.pathname !== WS_PATH) return { status: 404, message: `no WebSocket at ${url.pathname}` }
    if (!tokenOk(url.searchParams.get('token'), token)) {
      return {
        status: 403,
        message: 'wrong or missing token: open the URL that raftlab serve printed',
      }
    }
    if (!originOk(req.headers.origin)) {
      return {
        status: 403,
        message: `origin ${req.headers.origin ?? '(none)'} may not connect: only pages served by this raftlab serve may`,
      }
    }
    if (clients.size >= maxClients) {
      return { status: 503, message: `too many connections (at most ${maxClients})` }
    }
    return null
  }

  function accept(ws: WebSocket): void {
    // The hello, then every later batch: hello() flushes pending events to the other clients
    // first, and this client joins the fan-out only after, so it sees each event exactly once.
    const hello = opts.lab.hello()
    throttle.flush() // what hello() flushed from the bus goes to the others before this one joins
    ws.send(JSON.stringify({ kind: 'hello', hello } satisfies WsServerMessage))
    clients.add(ws)
    ws.on('message', (data, isBinary) => onMessage(ws, data, isBinary))
    ws.on('close', () => clients.delete(ws))
    // ws reports protocol errors (an oversized message among them) and then closes the socket
    // itself, with the right code; there is nothing to add but not to crash.
    ws.on('error', () => clients.delete(ws))
  }

  /** onMessage answers one client message. Whatever it holds, it gets an answer (or, when it is
   * not a command message at all, a close with a reason) and the server goes on: nothing a client
   * sends may reach the process's crash handler. */
  function onMessage(ws: WebSocket, data: RawData, isBinary: boolean): void {
    if (isBinary) {
      closeWith(ws, WS_CLOSE.policy, 'binary messages are not accepted; send JSON text')
      return
    }
    let msg: unknown
    try {
      msg = JSON.parse(rawText(data))
    } catch {
      closeWith(ws, WS_CLOSE.policy, 'a message must be JSON')
      return
    }
    const id = isRecord(msg) && Object.hasOwn(msg, 'id') ? msg.id : undefined
    if (
      !isRecord(msg) ||
      typeof id !== 'number' ||
      !Number.isSafeInteger(id) ||
      !Object.hasOwn(msg, 'command')
    ) {
      closeWith(ws, WS_CLOSE.policy, 'a message must be {"id": integer, "command": {...}}')
      return
    }
    let cmd: LabCommand
    try {
      cmd = parseCommand(msg.command)
    } catch (e) {
      // parseCommand throws CommandValidationError only; anything else is a bug in it, and is
      // still this command's failure, not the server's.
      const error =
        e instanceof CommandValidationError ? e.message : `invalid command: ${String(e)}`
      reply(ws, id, { ok: false, code: 'invalid', error })
      return
    }
    // A command that throws before its promise exists is answered like one that rejects.
    void Promise.resolve()
      .then(() => opts.lab.command(cmd))
      .then(
        (result) => reply(ws, id, result),
        (e: unknown) => reply(ws, id, { ok: false, code: 'internal', error: String(e) }),
      )
  }

  function reply(ws: WebSocket, id: number, result: CommandResult): void {
    if (ws.readyState !== ws.OPEN) return
    ws.send(JSON.stringify({ kind: 'result', id, result } satisfies WsServerMessage))
  }

  // One subscription for all clients, its batches gathered into at most one message every
  // EVENT_THROTTLE_MS (see events/throttle.ts), each serialised once.
  const throttle = new EventThrottle((events) => {
    if (clients.size === 0) return
    const text = JSON.stringify({ kind: 'events', events } satisfies WsServerMessage)
    for (const ws of clients) {
      if (ws.bufferedAmount > maxBuffered) {
        // Dropping batches would leave holes in its `seq`; closing lets it reconnect and resync
        // from a fresh hello instead.
        clients.delete(ws)
        closeWith(ws, WS_CLOSE.tooSlow, 'too slow: fell behind the event stream; reconnect')
        continue
      }
      ws.send(text)
    }
  })
  const unsubscribeBus = opts.lab.subscribe((events) => {
    if (clients.size > 0) throttle.push(events)
  })
  const unsubscribe = (): void => {
    unsubscribeBus()
    throttle.close()
  }

  await new Promise<void>((resolveListen, reject) => {
    http.once('error', reject)
    http.listen(opts.port ?? 0, '127.0.0.1', () => {
      http.off('error', reject)
      resolveListen()
    })
  }).catch((e: NodeJS.ErrnoException) => {
    unsubscribe()
    if (e.code === 'EADDRINUSE') {
      throw new Error(`port ${opts.port} on 127.0.0.1 is in use; pick another (or 0 for any)`)
    }
    throw e
  })
  const address = http.address()
  if (address === null || typeof address === 'string') throw new Error('the server has no port')
  port = address.port

  let closing: Promise<void> | null = null
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      (closing ??= (async () => {
        unsubscribe()
        for (const ws of wss.clients) ws.close(WS_CLOSE.goingAway, 'the server stopped')
        // Give clients a moment to answer the close (they then know not to retry at once), but
        // do not let one that stopped reading hold the shutdown up.
        const deadline = performance.now() + 1000
        while (wss.clients.size > 0 && performance.now() < deadline) await sleep(10)
        for (const ws of wss.clients) ws.terminate()
        wss.close()
        await new Promise<void>((done) => {
          http.close(() => done())
          http.closeAllConnections()
        })
      })()),
  }
}

/** closeWith starts a closing handshake and, should the client never answer (it stopped
 * reading), drops the connection after a grace period. */
function closeWith(ws: WebSocket, code: number, reason: string): void {
  ws.close(code, reason)
  setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref()
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function tokenOk(given: string | null, token: string): boolean {
  if (given === null) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8')
  return data.toString('utf8')
}

function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  const reasons: Record<number, string> = {
    403: 'Forbidden',
    404: 'Not Found',
    421: 'Misdirected Request',
    503: 'Service Unavailable',
  }
  const body = `${message}\n`
  socket.end(
    `HTTP/1.1 ${status} ${reasons[status] ?? 'Error'}\r\n` +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  )
}

function plain(res: ServerResponse, status: number, body: string, extra = {}): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    ...extra,
  })
  res.end(body)
}

/** serveRecording answers GET /recordings/NAME.raftrec?token=TOKEN with a recording of the lab's
 * recordings folder, as a download. The same locks as the WebSocket's guard it: the token
 * (recordings are the user's data), the Host (checked before), and the origin — a request a
 * browser makes for another site's page (its `Origin`, or `Sec-Fetch-Site: cross-site`) is
 * refused even with the token. Names are plain file names (no folders, not hidden) and only
 * regular files are served: a symbolic link in the folder could lead anywhere. */
function serveRecording(
  dir: string | undefined,
  token: string,
  originOk: (origin: string | undefined) => boolean,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    plain(res, 405, 'only GET and HEAD\n', { Allow: 'GET, HEAD' })
    return
  }
  let url: URL
  let name: string
  try {
    url = new URL(req.url ?? '/', 'http://127.0.0.1')
    name = decodeURIComponent(url.pathname.slice(RECORDINGS_PATH.length))
  } catch {
    plain(res, 400, 'malformed path\n')
    return
  }
  if (!tokenOk(url.searchParams.get('token'), token)) {
    plain(res, 403, 'wrong or missing token\n')
    return
  }
  const origin = req.headers.origin
  const site = req.headers['sec-fetch-site']
  if ((origin !== undefined && !originOk(origin)) || (site !== undefined && !SAME_SITE.has(site))) {
    plain(res, 403, 'only pages served by this raftlab serve may download its recordings\n')
    return
  }
  if (!dir || !isRecordingName(name)) {
    plain(res, 404, 'no such recording\n')
    return
  }
  const file = join(dir, name)
  let size: number
  try {
    const st = lstatSync(file)
    if (!st.isFile()) throw new Error('not a regular file')
    size = st.size
  } catch {
    plain(res, 404, 'no such recording\n')
    return
  }
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/octet-stream',
    'Content-Length': size,
    'Content-Disposition': `attachment; filename="${name}"`,
    'Cache-Control': 'no-store',
  })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  const stream = createReadStream(file)
  stream.on('error', () => res.destroy())
  stream.pipe(res)
}

/** SAME_SITE: the Sec-Fetch-Site values of this server's own pages (`none`: the address typed or
 * pasted by the user). */
const SAME_SITE: ReadonlySet<string> = new Set(['same-origin', 'none'])

/** serveStatic answers GET/HEAD for files under `root`, and nothing else: no directory listings,
 * no paths that resolve (through `..` or a symlink) outside it. */
function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    plain(res, 405, 'only GET and HEAD\n', { Allow: 'GET, HEAD' })
    return
  }
  let pathname: string
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname)
  } catch {
    plain(res, 400, 'malformed path\n')
    return
  }
  if (pathname.includes('\0')) {
    plain(res, 400, 'malformed path\n')
    return
  }
  if (pathname.endsWith('/')) pathname += 'index.html'
  const wanted = resolve(join(root, pathname))
  let file: string
  try {
    file = realpathSync(wanted)
  } catch {
    plain(res, 404, 'not found\n')
    return
  }
  if (!file.startsWith(root + sep) || !statSync(file).isFile()) {
    plain(res, 404, 'not found\n')
    return
  }
  // Vite names built assets by content hash, so they never change; the page itself may.
  const isHashed = file.startsWith(join(root, 'assets') + sep)
  const size = statSync(file).size
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type':
      ownValue(CONTENT_TYPES, extname(file).toLowerCase()) ?? 'application/octet-stream',
    'Content-Length': size,
    'Cache-Control': isHashed ? 'public, max-age=31536000, immutable' : 'no-cache',
  })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  const stream = createReadStream(file)
  stream.on('error', () => res.destroy())
  stream.pipe(res)
}
