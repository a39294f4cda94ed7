// `raftlab cluster`: start a real cluster, show its live status table and drive it with commands
// typed at a prompt, piped on stdin or read from a script file. The command logic takes any
// ClusterLab, so tests drive it with a fake; only clusterCommand constructs the real engine.
import { readFile } from 'node:fs/promises'
import { resolve as resolvePath } from 'node:path'
import { createInterface } from 'node:readline'
import type { ClusterConfig, FsyncPolicy } from '../../shared/lab'
import {
  ConfigError,
  MAX_SNAPSHOT_EVERY_MIB,
  nodeName,
  resolveClusterConfig,
} from '../../shared/lab'
import { intArg, parse, UsageError } from './args'
import { checkScript, clusterHelp } from './clusterScript'
import { prompt, type Screen } from './clusterPrompt'
import { runScript, type ClusterIo, type ClusterLab } from './clusterRun'
import { statusSummary } from './statusTable'

export {
  EXIT_NODE_NOT_STARTED,
  runLine,
  runScript,
  type ClusterIo,
  type ClusterLab,
  type LineOutcome,
} from './clusterRun'

/** clusterUsage is the --help text of `raftlab cluster`, ending with the command list. */
export const clusterUsage = `Usage: raftlab cluster [--nodes N] [--dir D] [--fsync always|never] [--election MIN-MAX]
                       [--script FILE] [--events] [--json] [options]

Starts a cluster of real Raft node processes on this machine, shows a live status table and takes
commands (put, get, pause n2, cut n1 n2, isolate n3, heal, …) at a prompt. With --script, or with
stdin not a terminal, it runs the commands from the file or stdin instead and stops at the first
one that fails. The cluster is always stopped on exit.

Options:
  --nodes N          cluster size, 1-9 (default 3); nodes are n1…nN
  --dir D            keep node data in D/n1, D/n2… (default: a temp dir removed on exit)
  --fsync P          always (default) or never (unsafe: shows what durability costs)
  --election MIN-MAX election timeout range in ms (default 150-300)
  --heartbeat MS     leader heartbeat interval in ms (default 50)
  --tick MS          Raft tick length in ms (default 10)
  --time-scale X     stretch every timer X times, e.g. 10 to watch an election (default 1)
  --no-prevote       disable PreVote
  --no-checkquorum   disable CheckQuorum
  --snapshot-every N snapshot and compact the log every N applied entries (default 10000;
                     0: never)
  --snapshot-mib M   …or once the entries applied since the last snapshot hold M MiB of
                     data, whichever comes first (default 16; 0: no byte threshold)
  --snapshot-keep K  entries kept before each snapshot for followers slightly behind
                     (default: half the snapshot interval, at most 1000)
  --trace            make nodes report every message (costly; for small demos)
  --cpu-share S      per-node (default: each node's session weighs as much as any, as benchmarks
                     run) or cluster (Linux: the cluster as a whole weighs as much as one session,
                     as the app runs it, so a saturated machine still answers)
  --script FILE      run the commands in FILE without a prompt
  --record FILE      record the session into FILE (open it with \`raftlab replay\` or the app)
  --events           print every lab event as one JSON line on stdout (human output: stderr)
  --json             print the final status as JSON on stdout (human output: stderr)
  -h, --help         show this help

${clusterHelp()}

A node that cannot start (it refuses a corrupt or inconsistent data directory, say) is shown
with its reason under the status table, at the prompt as it happens, and at the end of a script.

Exit status: 0 when the script completed (or on quit), 1 when a command failed or the cluster
could not start, 2 on a usage error or an unreadable script, 3 when a node could not start while
a script ran (even if every command succeeded; takes precedence over 1), 130/143 when
interrupted.`

/** ClusterOptions is the parsed command line of `raftlab cluster`. */
export interface ClusterOptions {
  config: ClusterConfig
  /** dataDir is --dir made absolute; undefined means a temp dir the lab removes. */
  dataDir: string | undefined
  scriptPath: string | undefined
  /** recordPath is --record made absolute. */
  recordPath: string | undefined
  events: boolean
  json: boolean
  help: boolean
}

/** parseClusterOptions parses and validates the command line; every mistake, including an
 * invalid combination caught by resolveClusterConfig, is a UsageError. */
export function parseClusterOptions(argv: string[]): ClusterOptions {
  const { values, positionals } = parse(argv, {
    nodes: { type: 'string' },
    dir: { type: 'string' },
    fsync: { type: 'string' },
    election: { type: 'string' },
    heartbeat: { type: 'string' },
    tick: { type: 'string' },
    'time-scale': { type: 'string' },
    'no-prevote': { type: 'boolean', default: false },
    'no-checkquorum': { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
    'snapshot-every': { type: 'string' },
    'snapshot-mib': { type: 'string' },
    'snapshot-keep': { type: 'string' },
    'cpu-share': { type: 'string' },
    script: { type: 'string' },
    record: { type: 'string' },
    events: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  })
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`)
  const partial: Partial<ClusterConfig> = { nodes: intArg(values.nodes, 'nodes', 3, 1, 9) }
  if (values.fsync !== undefined) {
    if (values.fsync !== 'always' && values.fsync !== 'never') {
      throw new UsageError(`--fsync must be 'always' or 'never', got '${values.fsync}'`)
    }
    partial.fsync = values.fsync satisfies FsyncPolicy
  }
  if (values.election !== undefined) {
    const m = /^(\d+)-(\d+)(?:ms)?$/.exec(values.election)
    if (!m)
      throw new UsageError(
        `--election must be MIN-MAX in ms, e.g. 150-300, got '${values.election}'`,
      )
    partial.electionTimeoutMinMs = Number(m[1])
    partial.electionTimeoutMaxMs = Number(m[2])
  }
  const ms = (v: string | undefined): string | undefined => v?.replace(/ms$/, '')
  if (values.heartbeat !== undefined) {
    partial.heartbeatMs = intArg(ms(values.heartbeat), 'heartbeat', 50, 1, 600_000)
  }
  if (values.tick !== undefined)
    partial.tickIntervalMs = intArg(ms(values.tick), 'tick', 10, 1, 1000)
  if (values['time-scale'] !== undefined) {
    const x = Number(values['time-scale'])
    if (!Number.isFinite(x))
      throw new UsageError(`--time-scale must be a number, got '${values['time-scale']}'`)
    partial.timeScale = x
  }
  if (values['no-prevote']) partial.preVote = false
  if (values['no-checkquorum']) partial.checkQuorum = false
  if (values.trace) partial.tracing = true
  if (values['snapshot-every'] !== undefined) {
    const every = values['snapshot-every']
    partial.snapshotEveryEntries = intArg(every, 'snapshot-every', 10_000, 0, 100_000_000)
  }
  if (values['snapshot-mib'] !== undefined) {
    const mib = values['snapshot-mib']
    partial.snapshotEveryMiB = intArg(mib, 'snapshot-mib', 16, 0, MAX_SNAPSHOT_EVERY_MIB)
  }
  if (values['snapshot-keep'] !== undefined) {
    const keep = values['snapshot-keep']
    partial.snapshotKeepEntries = intArg(keep, 'snapshot-keep', 1000, 0, 100_000_000)
  }
  if (values['cpu-share'] !== undefined) {
    const share = values['cpu-share']
    if (share !== 'per-node' && share !== 'cluster')
      throw new UsageError(`--cpu-share must be 'per-node' or 'cluster', got '${share}'`)
    partial.cpuShare = share
  }
  let config: ClusterConfig
  try {
    config = resolveClusterConfig(partial)
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message)
    throw err
  }
  return {
    config,
    dataDir: values.dir === undefined ? undefined : resolvePath(values.dir),
    scriptPath: values.script,
    recordPath: values.record === undefined ? undefined : resolvePath(values.record),
    events: values.events,
    json: values.json,
    help: values.help,
  }
}

/**
 * runCluster starts the cluster with `config`, lets `drive` run commands, prints the --json
 * summary (taken before the nodes stop) and always closes the lab, on every path. With `events`
 * every LabEvent goes to io.data as one JSON line, including those the shutdown produces.
 */
export async function runCluster(
  lab: ClusterLab,
  opts: Pick<ClusterOptions, 'config' | 'dataDir' | 'events' | 'json'>,
  drive: (lab: ClusterLab) => Promise<number>,
  io: ClusterIo,
): Promise<number> {
  let dataDir: string | undefined
  const unsubscribe = lab.subscribe((events) => {
    for (const e of events) {
      if (e.type === 'cluster.started') dataDir = e.dataDir
      if (opts.events) io.data(JSON.stringify(e))
    }
  })
  let summary: string | undefined
  try {
    const started = await lab.command({ type: 'cluster.start', config: opts.config })
    if (!started.ok) {
      io.warn(`raftlab cluster: cannot start the cluster: ${started.error}`)
      return 1
    }
    // The engine may deliver cluster.started (which names the data dir) after the start command
    // answers; waitFor wakes on each event batch, so this costs one batch, not a timeout.
    await lab.waitFor(() => dataDir !== undefined, 1000)
    const n = opts.config.nodes
    const where = dataDir ?? opts.dataDir
    const kept = opts.dataDir === undefined ? 'removed on exit' : 'kept'
    io.say(
      `cluster started: ${n} node${n === 1 ? '' : 's'} (n1${n > 1 ? `…${nodeName(n)}` : ''}), ` +
        `fsync ${opts.config.fsync}${where === undefined ? '' : `, data in ${where} (${kept})`}`,
    )
    const code = await drive(lab)
    if (opts.json) summary = JSON.stringify(statusSummary(lab.status()), null, opts.events ? 0 : 2)
    return code
  } finally {
    try {
      await lab.close()
    } finally {
      unsubscribe()
      if (summary !== undefined) io.data(summary)
    }
  }
}

// closingOnce makes close() safe to call from a signal handler and a finally block at once.
function closingOnce(lab: ClusterLab): ClusterLab {
  let closing: Promise<void> | undefined
  return {
    command: (c) => lab.command(c),
    subscribe: (l) => lab.subscribe(l),
    status: () => lab.status(),
    waitFor: (p, t) => lab.waitFor(p, t),
    close: () => (closing ??= lab.close()),
  }
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
}

/** clusterCommand runs `raftlab cluster` and returns its exit status. */
export async function clusterCommand(argv: string[]): Promise<number> {
  const opts = parseClusterOptions(argv)
  if (opts.help) {
    console.log(clusterUsage)
    return 0
  }
  let scriptLines: string[] | undefined
  if (opts.scriptPath !== undefined) {
    try {
      scriptLines = (await readFile(opts.scriptPath, 'utf8')).split(/\r?\n/)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? ''
      const reason = READ_ERRORS[code] ?? (err as Error).message
      console.error(`raftlab cluster: cannot read script '${opts.scriptPath}': ${reason}`)
      return 2
    }
    // A typo anywhere in the file fails before any node process starts.
    const bad = checkScript(scriptLines, opts.config.nodes)
    if (bad !== null) {
      console.error(`raftlab cluster: line ${bad.line}: ${bad.text}: ${bad.message}`)
      return 1
    }
  }
  const human = opts.events || opts.json ? process.stderr : process.stdout
  let isStdoutOpen = true
  const io: ClusterIo = {
    say: (text) => void human.write(`${text}\n`),
    warn: (text) => void process.stderr.write(`${text}\n`),
    data: (text) => void (isStdoutOpen && process.stdout.write(`${text}\n`)),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => performance.now(),
    color: human.isTTY === true && process.env.NO_COLOR === undefined,
  }
  const screen: Screen = {
    isAlternate: false,
    leave() {
      if (this.isAlternate) human.write('\x1b[?1049l')
      this.isAlternate = false
    },
  }
  // Imported here, not at the top, so the tests of everything above load without the engine.
  const { Lab } = await import('../lab/engine/lab')
  const engine = new Lab(opts.dataDir === undefined ? {} : { dataDir: opts.dataDir })
  const lab = closingOnce(engine)
  let recorded: string | undefined
  if (opts.recordPath !== undefined) {
    try {
      engine.startRecording(opts.recordPath, 'cluster')
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? ''
      const reason = READ_ERRORS[code] ?? (err as Error).message
      console.error(`raftlab cluster: cannot record to '${opts.recordPath}': ${reason}`)
      await engine.close()
      return 2
    }
    engine.subscribe((events) => {
      for (const e of events) {
        if (e.type !== 'record.stopped') continue
        const r = e.recording
        recorded = e.error
          ? `raftlab cluster: the recording ${r.path} failed: ${e.error}`
          : `recorded ${r.events.toLocaleString('en-US')} events to ${r.path} (${(r.bytes / 1024).toFixed(0)} KiB)`
      }
    })
  }
  // Every way out stops the node processes first: a signal, or an error thrown outside our awaits.
  let isAborting = false
  const abort = (code: number, why: string | null, isSignal = false): void => {
    // A second Ctrl-C leaves without waiting (the engine still kills its nodes on exit); a
    // second error just joins the shutdown already under way.
    if (isAborting && isSignal) process.exit(code)
    if (isAborting) return
    isAborting = true
    screen.leave()
    if (why !== null) io.warn(`raftlab cluster: ${why}; stopping the cluster`)
    void lab.close().finally(() => process.exit(code))
  }
  // Exit statuses follow the shell's 128 + signal number.
  const signals = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const
  const onSignal = (signal: keyof typeof signals): void => abort(signals[signal], signal, true)
  const onError = (err: unknown): void =>
    abort(1, err instanceof Error ? (err.stack ?? err.message) : String(err))
  for (const s of Object.keys(signals) as (keyof typeof signals)[]) process.on(s, onSignal)
  // A reader that goes away (`--events | head`) ends the run quietly, as SIGPIPE ends other tools.
  const onStdoutError = (err: NodeJS.ErrnoException): void => {
    isStdoutOpen = false
    if (err.code === 'EPIPE') abort(141, null)
    else onError(err)
  }
  process.stdout.on('error', onStdoutError)
  process.on('uncaughtException', onError)
  process.on('unhandledRejection', onError)
  try {
    const nodes = opts.config.nodes
    const lines = scriptLines
    const drive =
      lines !== undefined
        ? (l: ClusterLab) => runScript(l, lines, nodes, io)
        : process.stdin.isTTY
          ? (l: ClusterLab) => prompt(l, nodes, io, human, screen)
          : (l: ClusterLab) =>
              runScript(
                l,
                createInterface({ input: process.stdin, crlfDelay: Infinity }),
                nodes,
                io,
              )
    return await runCluster(lab, opts, drive, io)
  } finally {
    screen.leave()
    await lab.close()
    if (recorded !== undefined) io.say(recorded)
    for (const s of Object.keys(signals) as (keyof typeof signals)[]) process.off(s, onSignal)
    process.stdout.off('error', onStdoutError)
    process.off('uncaughtException', onError)
    process.off('unhandledRejection', onError)
  }
}
