// `raftlab elect`: the Raft paper's Figure 16 on real processes — crash the leader, time the
// election that replaces it, per election-timeout range, beside the paper's numbers.
import { readFileSync, realpathSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { resolve as resolvePath } from 'node:path'
import {
  PAPER_RANGES,
  rangeLabel,
  runElect,
  type ElectOptions,
  type ElectRun,
  type ElectTrial,
  type RangeResult,
  type TimeoutRange,
} from '../lab/activities/elect'
import { Lab } from '../lab/engine/lab'
import { CommandError, intArg, parse, UsageError } from './args'
import { figure16TrialsCsv, parseTimeoutRanges } from '../../shared/lab/figure16'
import { formatDuration } from '../../shared/util/duration'

const DEFAULT_TIMEOUTS = PAPER_RANGES.map(rangeLabel).join(',')

/** electUsage is the --help text of `raftlab elect`. */
export const electUsage = `Usage: raftlab elect [--timeouts LIST] [--trials N] [--nodes N] [--prevote] [--checkquorum]
                     [--fsync always|never] [--seed S] [--data-dir D] [--json | --csv] [--out FILE]

Reproduces Figure 16 of the Raft paper (§9.3): on a cluster of real node processes, crash the
leader (SIGKILL) at a uniformly random moment within its heartbeat interval and time how long
until every other node has heard from a new leader. Repeats for each election-timeout range, on
a fresh cluster per range, with the heartbeat at half the minimum timeout and 1 ms ticks, and
prints min/median/mean/p90/p99/max beside the paper's median and max.

Options:
  --timeouts LIST  election-timeout ranges in ms, MIN-MAX,… (default: the paper's eight,
                   ${DEFAULT_TIMEOUTS})
  --trials N       crashes per range (default 100; the paper ran 1000)
  --nodes N        cluster size, 3-9 (default 5, as in the paper)
  --prevote        turn PreVote on (default off: the paper's cluster had none)
  --checkquorum    turn CheckQuorum on (default off, as in the paper)
  --fsync P        always (default: votes are durable, as in the paper) or never
  --seed S         seed for the random crash delays (default: random; printed in --json)
  --data-dir D     put each range's fresh node data under D (default: the OS temp dir)
  --json           print one JSON object: configuration, machine, per-range summary, every trial
  --csv            print one CSV row per trial (range, trial, ms, …) for drawing a CDF
  --out FILE       write the --json or --csv output to FILE and print the table on stdout
  -h, --help       show this help

Exit status: 0 when every trial elected a leader, 1 when a trial failed (no new leader known to
every surviving node within 30 s) or a range could not run, 2 on a usage error, 130 when
interrupted (the results so far are still printed).`

/** ElectCliOptions is the parsed command line of `raftlab elect`. */
export interface ElectCliOptions {
  ranges: TimeoutRange[]
  trials: number
  nodes: number
  preVote: boolean
  checkQuorum: boolean
  fsync: 'always' | 'never'
  seed: number
  dataDir: string | undefined
  format: 'table' | 'json' | 'csv'
  out: string | undefined
  help: boolean
}

/** parseTimeouts parses `150-155,150-175,…` (an en dash also works) into ranges; both ends are
 * whole ms, the minimum at least 2 (so the heartbeat, half of it, is a whole tick) and the range
 * not empty. */
export function parseTimeouts(list: string): TimeoutRange[] {
  try {
    return parseTimeoutRanges(list)
  } catch (e) {
    throw new UsageError(`--timeouts: ${(e as Error).message}`)
  }
}

/** parseElectOptions parses and validates the command line; every mistake is a UsageError. */
export function parseElectOptions(argv: string[]): ElectCliOptions {
  const { values, positionals } = parse(argv, {
    timeouts: { type: 'string' },
    trials: { type: 'string' },
    nodes: { type: 'string' },
    prevote: { type: 'boolean', default: false },
    checkquorum: { type: 'boolean', default: false },
    fsync: { type: 'string' },
    seed: { type: 'string' },
    'data-dir': { type: 'string' },
    json: { type: 'boolean', default: false },
    csv: { type: 'boolean', default: false },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  })
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`)
  const fsync = values.fsync ?? 'always'
  if (fsync !== 'always' && fsync !== 'never')
    throw new UsageError(`--fsync must be always or never, got '${fsync}'`)
  if (values.json && values.csv) throw new UsageError('choose one of --json and --csv')
  if (values.out !== undefined && !values.json && !values.csv)
    throw new UsageError('--out writes the --json or --csv output: give one of them')
  return {
    ranges: parseTimeouts(values.timeouts ?? DEFAULT_TIMEOUTS),
    trials: intArg(values.trials, 'trials', 100, 1, 100_000),
    // A crash must leave a majority: at least 3 nodes.
    nodes: intArg(values.nodes, 'nodes', 5, 3, 9),
    preVote: values.prevote,
    checkQuorum: values.checkquorum,
    fsync,
    seed: intArg(values.seed, 'seed', (Math.random() * 2 ** 31) | 0, -(2 ** 31), 2 ** 31 - 1),
    dataDir: values['data-dir'] === undefined ? undefined : resolvePath(values['data-dir']),
    format: values.json ? 'json' : values.csv ? 'csv' : 'table',
    out: values.out,
    help: values.help,
  }
}

/** estimateDurationMs guesses a run's length for the notice printed before it starts: per range a
 * cluster start and stop, per trial a restart and catch-up, a quiet period of one maximum timeout
 * and the election (calibrated on a 2-CPU machine). */
export function estimateDurationMs(ranges: readonly TimeoutRange[], trials: number): number {
  let ms = 0
  for (const r of ranges) ms += 1500 + trials * (400 + Math.max(100, r.maxMs) + 1.5 * r.maxMs)
  return ms
}

export { formatDuration }

/** formatCsv writes one row per trial: the app's export, column for column. */
export function formatCsv(trials: readonly ElectTrial[]): string {
  return figure16TrialsCsv(trials)
}

/** RunContext is what the table and the JSON say about the setup besides the results. */
export interface RunContext {
  opts: ElectCliOptions
  machine: {
    cpus: number
    cpuModel: string
    os: string
    node: string
    dataDisk: string
    /** timerTickMs: the mean period of a 1 ms setInterval in the CLI while a cluster ran — nodes
     * tick with the same kind of timer, so their timeouts stretch about as much. */
    timerTickMs: number | null
  }
}

/** formatJson is the --json document. */
export function formatJson(run: ElectRun, ctx: RunContext): string {
  const o = ctx.opts
  const config = {
    nodes: o.nodes,
    trialsPerRange: o.trials,
    timeouts: o.ranges.map(rangeLabel),
    heartbeat: 'half the minimum election timeout, in whole ms',
    tickIntervalMs: 1,
    preVote: o.preVote,
    checkQuorum: o.checkQuorum,
    fsync: o.fsync,
    seed: o.seed,
    trialTimeoutMs: 30_000,
  }
  return JSON.stringify({ command: 'raftlab elect', config, machine: ctx.machine, ...run }, null, 2)
}

const ms0 = (v: number | undefined): string => (v === undefined ? '-' : String(Math.round(v)))

/** formatTable is the human report: the setup, a row per range beside the paper, a reading. */
export function formatTable(run: ElectRun, ctx: RunContext): string {
  const o = ctx.opts
  const m = ctx.machine
  const onOff = (b: boolean): string => (b ? 'on' : 'off')
  const asPaper = !o.preVote && !o.checkQuorum ? ' (as in the paper)' : ' (the paper had neither)'
  const intro =
    'raftlab elect: time from a leader crash until every other node has heard from a new ' +
    `leader (Raft paper, Figure 16). ${o.nodes} nodes, ${o.trials} trials per range, heartbeat = ` +
    `half the minimum timeout, 1 ms ticks, PreVote ${onOff(o.preVote)}, CheckQuorum ` +
    `${onOff(o.checkQuorum)}${asPaper}, fsync ${o.fsync}, node data on ${m.dataDisk}. ` +
    `${m.cpus} CPUs (${m.cpuModel}), ${m.os}, Node ${m.node}.`
  const lines = [...wrap(intro), '']
  // Columns: the range, heartbeat, counts, our statistics, then the paper's median and max.
  const head = 'timeouts hb trials fail split min median mean p90 p99 max │'.split(' ')
  head.push('paper median', 'paper max')
  const rows = run.ranges.map((r) => {
    const s = r.stats ?? undefined
    const ok = r.trials - r.failures
    const split = ok > 0 ? `${Math.round((100 * r.splitVotes) / ok)}%` : '-'
    const ours = [s?.min, s?.median, s?.mean, s?.p90, s?.p99, s?.max].map(ms0)
    const counts = [r.heartbeatMs, r.trials, r.failures].map(String)
    const paper = r.paper ? [r.paper.medianMs, r.paper.maxMs].map(String) : ['-', '-']
    return [r.range, ...counts, split, ...ours, '│', ...paper]
  })
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)))
  const fmtRow = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ')
  lines.push(fmtRow(head), ...rows.map(fmtRow))
  lines.push(
    '  (ms; hb = heartbeat; split = trials that took more than one term: split or failed votes)',
  )
  for (const r of run.ranges) if (r.error) lines.push(`  ${r.range}: stopped early: ${r.error}`)
  lines.push('', ...readShape(run.ranges, o.trials, m.timerTickMs).flatMap((l) => wrap(l)))
  const took = formatDuration(run.durationMs)
  lines.push('', run.aborted ? `interrupted after ${took}` : `took ${took}`)
  return lines.join('\n')
}

/** wrap breaks text into lines of at most `width` characters, indenting the continuations. */
export function wrap(text: string, width = 100, indent = '  '): string[] {
  const out: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line)
      line = indent + word
    } else line = line === '' ? word : `${line} ${word}`
  }
  if (line !== '') out.push(line)
  return out
}

/** readShape reads the results against the paper's: the tail of a too-narrow range (split
 * votes), medians scaling with the timeout, and the caveats that matter for the comparison. */
export function readShape(
  ranges: readonly RangeResult[],
  trials: number,
  timerTickMs: number | null,
): string[] {
  const out: string[] = []
  const done = ranges.filter((r) => r.stats !== null)
  const byMin = new Map<number, RangeResult[]>()
  for (const r of done) byMin.set(r.minMs, [...(byMin.get(r.minMs) ?? []), r])
  for (const group of byMin.values()) {
    if (group.length < 2) continue
    const sorted = [...group].sort((a, b) => a.maxMs - b.maxMs)
    const narrow = sorted[0] as RangeResult
    const others = sorted.slice(1)
    const tail = (r: RangeResult): number => r.stats?.p99 ?? 0
    const longest = others.every((r) => tail(narrow) > tail(r))
    const othersText = others.map((r) => `${r.range}: ${ms0(tail(r))}`).join(', ')
    out.push(
      longest
        ? `reading: ${narrow.range} has the longest tail (p99 ${ms0(tail(narrow))} ms vs ${othersText}): ` +
            'with little randomness candidates collide and split the vote, as in the paper.'
        : `reading: ${narrow.range} does not show the paper's longest tail here (p99 ` +
            `${ms0(tail(narrow))} ms vs ${othersText}).`,
    )
  }
  const doubling = done.filter((r) => r.maxMs === 2 * r.minMs).sort((a, b) => a.minMs - b.minMs)
  if (doubling.length >= 2) {
    const medians = doubling.map((r) => r.stats?.median ?? 0)
    const grows = medians.every((v, i) => i === 0 || v > (medians[i - 1] as number))
    const text = doubling.map((r) => `${r.range}: ${ms0(r.stats?.median)}`).join(', ')
    out.push(
      grows
        ? `reading: medians grow with the timeout (${text} ms), as in the paper.`
        : `reading: medians do not grow steadily with the timeout (${text} ms).`,
    )
  }
  const ratios = done.flatMap((r) => (r.paper ? [(r.stats?.median ?? 0) / r.paper.medianMs] : []))
  if (ratios.length > 0) {
    const lo = Math.min(...ratios).toFixed(2)
    const hi = Math.max(...ratios).toFixed(2)
    out.push(`reading: medians are ${lo === hi ? lo : `${lo}–${hi}`} × the paper's.`)
  }
  if (timerTickMs !== null && timerTickMs > 1.05) {
    const pct = Math.round((timerTickMs - 1) * 100)
    out.push(
      `note: a 1 ms timer fires every ${timerTickMs.toFixed(2)} ms here, so the nodes' timeouts ` +
        `and heartbeats run about ${pct}% longer than nominal.`,
    )
  }
  if (trials < 1000)
    out.push(
      `note: the paper ran 1000 trials per range; with ${trials}, the max (and p99) sample a ` +
        'shorter tail, so expect them below the paper even when the shape agrees.',
    )
  return out
}

/** fileSystemOf names the mount holding `path` from /proc/mounts (Linux), e.g. "/tmp: ext4
 * /dev/vda mounted on /": fsync's cost depends on it (tmpfs makes it free). */
export function fileSystemOf(path: string): string {
  try {
    const real = realpathSync(path)
    let best: { mount: string; text: string } | null = null
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [dev, mount, type] = line.split(' ')
      if (!dev || !mount || !type) continue
      const inside = mount === '/' || real === mount || real.startsWith(`${mount}/`)
      if (inside && (!best || mount.length >= best.mount.length))
        best = { mount, text: `${type} ${dev} mounted on ${mount}` }
    }
    return best ? `${path}: ${best.text}` : `${path}: unknown file system`
  } catch {
    return `${path}: unknown file system`
  }
}

/** measureTickMs measures the mean period of a 1 ms setInterval over durationMs. */
function measureTickMs(durationMs: number): Promise<number> {
  return new Promise((resolve) => {
    const t0 = performance.now()
    let n = 0
    const timer = setInterval(() => {
      n++
      const elapsed = performance.now() - t0
      if (elapsed < durationMs) return
      clearInterval(timer)
      resolve(Math.round((elapsed / n) * 1000) / 1000)
    }, 1)
  })
}

/** electCommand runs `raftlab elect`. */
export async function electCommand(argv: string[]): Promise<number> {
  const opts = parseElectOptions(argv)
  if (opts.help) {
    console.log(electUsage)
    return 0
  }
  const estimate = estimateDurationMs(opts.ranges, opts.trials)
  process.stderr.write(
    `raftlab elect: ${opts.ranges.length} range(s) × ${opts.trials} trials on ${opts.nodes} ` +
      `nodes; expect about ${formatDuration(estimate)}\n`,
  )
  const tty = process.stderr.isTTY
  const abort = new AbortController()
  let interrupted = false
  const onSigint = (): void => {
    // A second Ctrl-C leaves at once; the engine still kills its nodes on exit.
    if (interrupted) process.exit(130)
    interrupted = true
    process.stderr.write('\nraftlab elect: interrupted; stopping after this trial\n')
    abort.abort()
  }
  process.on('SIGINT', onSigint)
  let tick: Promise<number> | null = null
  const started = performance.now()
  let done = 0
  const total = opts.ranges.length * opts.trials
  const runOpts: ElectOptions = {
    ...opts,
    signal: abort.signal,
    onClusterStarted: () => {
      tick ??= measureTickMs(1000)
    },
    onProgress: (p) => {
      done = p.rangeIndex * opts.trials + p.trial
      if (!tty) return
      const perTrial = (performance.now() - started) / done
      const left = formatDuration(perTrial * (total - done))
      process.stderr.write(
        `\r\x1b[K  ${p.range} (${p.rangeIndex + 1}/${opts.ranges.length})  trial ` +
          `${p.trial}/${opts.trials}  ${p.failures} failed  ~${left} left`,
      )
    },
  }
  if (opts.dataDir === undefined) delete runOpts.dataDir
  let run: ElectRun
  try {
    run = await runElect((o) => new Lab(o), runOpts)
  } finally {
    process.off('SIGINT', onSigint)
    if (tty) process.stderr.write('\r\x1b[K')
  }
  const cpus = os.cpus()
  const ctx: RunContext = {
    opts,
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim() ?? 'unknown',
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      dataDisk: fileSystemOf(opts.dataDir ?? os.tmpdir()),
      timerTickMs: tick ? await tick : null,
    },
  }
  const table = formatTable(run, ctx)
  if (opts.format === 'table') console.log(table)
  else {
    const text = opts.format === 'json' ? formatJson(run, ctx) + '\n' : formatCsv(run.trials)
    if (opts.out === undefined) process.stdout.write(text)
    else {
      try {
        writeFileSync(opts.out, text)
      } catch (e) {
        throw new CommandError(`cannot write ${opts.out}: ${(e as Error).message}`)
      }
      console.log(table)
      console.log(`wrote ${opts.format === 'json' ? 'JSON' : 'CSV'} to ${opts.out}`)
    }
  }
  if (interrupted) return 130
  const failed = run.ranges.some((r) => r.failures > 0 || r.error !== undefined)
  return failed ? 1 : 0
}
