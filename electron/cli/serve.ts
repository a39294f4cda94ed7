// `raftlab serve`: browser mode. Serves the built renderer and the lab contract over a WebSocket
// on 127.0.0.1, prints the URL (with this run's token) and runs until Ctrl-C or SIGTERM, then
// stops every node process. How the UI is tested here, and how a person uses the lab on a
// machine without a display (through an SSH tunnel, say).
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { CommandError, intArg, parse, UsageError } from './args'

/** serveUsage is the --help text of `raftlab serve`. */
export const serveUsage = `Usage: raftlab serve [--port N] [--no-open]

Serves the raftlab app to a browser on this machine: the same screens as the desktop app, driving
a lab of real Raft node processes. Listens on 127.0.0.1 only and prints a URL holding a random
token made for this run; only a page opened from that URL may drive the lab. Runs until Ctrl-C
(or SIGTERM), then stops every node process it started.

From another machine, tunnel the port, e.g. ssh -L 8080:127.0.0.1:8080 host, run
raftlab serve --port 8080 --no-open there, and open the printed URL here.

Options:
  --port N     port on 127.0.0.1 (default 0: any free port)
  --no-open    do not open a browser (the default opens one when a display is available)
  -h, --help   show this help

Exit status: 0 when stopped by Ctrl-C or SIGTERM, 1 when it cannot start (renderer not built,
port in use) or fails, 2 on a usage error.`

/** ServeOptions is the parsed command line of `raftlab serve`. */
export interface ServeOptions {
  port: number
  open: boolean
  help: boolean
}

/** parseServeOptions parses the command line; mistakes are UsageErrors. */
export function parseServeOptions(argv: string[]): ServeOptions {
  const { values, positionals } = parse(argv, {
    port: { type: 'string' },
    'no-open': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  })
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`)
  return {
    port: intArg(values.port, 'port', 0, 0, 65535),
    open: !values['no-open'],
    help: values.help,
  }
}

/** rendererDir finds the built renderer: out/renderer beside out/main in a build, or under the
 * project root when running from source. */
export function rendererDir(): string {
  const candidates = [join(__dirname, '..', 'renderer'), resolve(__dirname, '../../out/renderer')]
  for (const dir of candidates) if (existsSync(join(dir, 'index.html'))) return dir
  throw new CommandError(
    `the app is not built (no index.html in ${candidates.join(' or ')}); run: npm run build`,
  )
}

/** serveCommand runs `raftlab serve` and returns its exit status once stopped. */
export async function serveCommand(argv: string[]): Promise<number> {
  const opts = parseServeOptions(argv)
  if (opts.help) {
    console.log(serveUsage)
    return 0
  }
  const dir = rendererDir()
  // Imported here so `--help` and usage errors need not load the engine.
  const { Lab } = await import('../lab/engine/lab')
  const { startServer } = await import('../lab/browserMode/server')
  const { defaultRecordingsDir } = await import('../lab/supervisor/paths')
  const recordingsDir = defaultRecordingsDir()
  const lab = new Lab({ recordingsDir })
  let server: Awaited<ReturnType<typeof startServer>>
  try {
    server = await startServer({ port: opts.port, rendererDir: dir, lab, recordingsDir })
  } catch (e) {
    await lab.close()
    throw new CommandError((e as Error).message)
  }

  // Every way out closes the server and then the lab (which stops the nodes): a signal, or an
  // error thrown outside our awaits. A second signal leaves at once (the engine still kills its
  // nodes on exit).
  const signals = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const
  let stop: (code: number) => void = () => {}
  const stopped = new Promise<number>((r) => (stop = r))
  let isStopping = false
  const onSignal = (signal: keyof typeof signals): void => {
    if (isStopping) process.exit(signals[signal])
    isStopping = true
    console.error(`raftlab serve: ${signal}; stopping the server and every node`)
    stop(0)
  }
  const onError = (err: unknown): void => {
    console.error(`raftlab serve: ${err instanceof Error ? (err.stack ?? err.message) : err}`)
    if (isStopping) return
    isStopping = true
    stop(1)
  }
  for (const s of Object.keys(signals) as (keyof typeof signals)[]) process.on(s, onSignal)
  process.on('uncaughtException', onError)
  process.on('unhandledRejection', onError)
  try {
    console.log(`raftlab serve: the lab is at ${server.url}`)
    console.log(
      'Open that URL in a browser on this machine; it carries the access token for this run.\n' +
        'Ctrl-C stops the server and every node process.',
    )
    if (opts.open) openBrowser(server.url)
    return await stopped
  } finally {
    try {
      await server.close()
    } finally {
      await lab.close()
      for (const s of Object.keys(signals) as (keyof typeof signals)[]) process.off(s, onSignal)
      process.off('uncaughtException', onError)
      process.off('unhandledRejection', onError)
    }
  }
}

/** openBrowser asks the desktop to open `url` (our own URL, never anything from a client), when
 * there is a desktop; otherwise it says how to open it. */
function openBrowser(url: string): void {
  const hasDisplay =
    process.platform === 'darwin' ||
    process.platform === 'win32' ||
    Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY)
  if (!hasDisplay) {
    console.log('(no display here: open the URL on this machine or through an SSH tunnel)')
    return
  }
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['explorer.exe', [url]]
        : ['xdg-open', [url]]
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true })
    child.on('error', () => console.log(`(could not start ${cmd}: open the URL yourself)`))
    child.unref()
  } catch {
    console.log(`(could not start ${cmd}: open the URL yourself)`)
  }
}
