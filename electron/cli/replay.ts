// `raftlab replay` reads a recording: a summary, the events as NDJSON, the latency series as CSV,
// or everything as JSON. `raftlab rerun` plays a recording's experiment on a fresh cluster.
import { once } from 'node:events'
import { RecordingFormatError } from '../../shared/session/format'
import type { RecordingReader } from '../../shared/session/reader'
import {
  openRecording,
  summarizeRecording,
  type RecordingSummary,
} from '../lab/recording/recording'
import { Lab } from '../lab/engine/lab'
import { rerunFile, type RerunResult } from '../lab/activities/rerun'
import { CommandError, fmt, parse, UsageError } from './args'

export const replayUsage = `Usage: raftlab replay FILE [--summary | --events | --csv | --json]

Reads a recording made with --record (raftlab cluster, test, bench) or the app.

  --summary   duration, nodes, elections, leader changes, faults, operations, write latency
              percentiles, and any damage found (the default)
  --events    every event as one JSON line (NDJSON)
  --csv       the latency series: one line per workload sample
  --json      the summary and the markers as one JSON object
  -h, --help  show this help

A recording cut short by a crash opens with everything up to its last complete chunk; damage
is reported with the byte offset and what was lost.`

export const rerunUsage = `Usage: raftlab rerun FILE [--record NEW] [--json]

Plays a recording's experiment on a fresh cluster: the same cluster settings, and the same
commands (faults, workload, client operations) at the same offsets from the start. Real timing
is not replayed — elections, disks and scheduling differ between runs — so the two runs are
compared, not expected to match.

  --record NEW  where to record the re-run (default: FILE with .rerun before its extension)
  --json        print the comparison as JSON`

function openOrExplain(path: string): RecordingReader {
  try {
    return openRecording(path)
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    if (e instanceof RecordingFormatError) throw new CommandError(`${path}: ${e.message}`)
    if (err.code === 'ENOENT') throw new CommandError(`${path}: no such file`)
    if (err.code === 'EISDIR') throw new CommandError(`${path}: is a directory, not a recording`)
    if (err.code === 'EACCES') throw new CommandError(`${path}: permission denied`)
    throw e
  }
}

function printSummary(s: RecordingSummary): void {
  const l = s.writeLatency
  const lines = [
    `recording ${s.path}`,
    `  made by       raftlab ${s.meta.appVersion} (${s.meta.source}) on ${s.meta.createdAt}, ${s.meta.machine.cpus} CPUs, ${s.meta.machine.os}`,
    `  duration      ${(s.durationMs / 1000).toFixed(1)} s, ${fmt(s.events)} events`,
    `  nodes         ${s.nodes}`,
    `  elections     ${s.elections} started, ${s.leaderChanges} leader changes`,
    `  faults        ${s.faults}`,
    `  operations    ${fmt(s.workloadOps.ok + s.workloadOps.fail + s.workloadOps.info)} from workloads (${fmt(s.workloadOps.ok)} ok, ${fmt(s.workloadOps.fail)} fail, ${fmt(s.workloadOps.info)} info), ${fmt(s.clientOps)} single commands`,
    l
      ? `  write latency p50 ${l.p50.toFixed(2)} ms, p90 ${l.p90.toFixed(2)}, p99 ${l.p99.toFixed(2)}, p99.9 ${l.p999.toFixed(2)}, max ${l.max.toFixed(2)} (${fmt(l.count)} writes)`
      : '  write latency (no workload in this recording)',
  ]
  for (const g of s.gaps) {
    lines.push(
      `  gap           events ${g.fromSeq}–${g.toSeq} not recorded (the disk fell behind: ${g.traces} traces, ${g.other} others dropped)`,
    )
  }
  for (const p of s.problems) lines.push(`  ${p.kind.padEnd(13)} ${p.message}`)
  console.log(lines.join('\n'))
}

/** replayCommand runs `raftlab replay`. */
export async function replayCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    summary: { type: 'boolean', default: false },
    events: { type: 'boolean', default: false },
    csv: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  })
  if (values.help) {
    console.log(replayUsage)
    return 0
  }
  const [path, extra] = positionals
  if (!path) throw new UsageError('name the recording to read')
  if (extra) throw new UsageError(`unexpected argument '${extra}'`)
  if ([values.summary, values.events, values.csv, values.json].filter(Boolean).length > 1) {
    throw new UsageError('choose one of --summary, --events, --csv, --json')
  }
  const rec = openOrExplain(path)
  if (values.events) {
    for (const batch of rec.batches(-Infinity, Infinity)) {
      const text = batch.map((e) => `${JSON.stringify(e)}\n`).join('')
      if (!process.stdout.write(text)) await once(process.stdout, 'drain')
    }
  } else if (values.csv) {
    const lines = ['timeMs,writesPerSec,readsPerSec,p50Ms,p99Ms,maxMs,writes,fail,info']
    for (const e of rec.eventsBetween(-Infinity, Infinity)) {
      if (e.type !== 'workload.sample') continue
      const s = e.sample
      lines.push(
        [
          e.timeMs.toFixed(1),
          s.writesPerSec.toFixed(1),
          s.readsPerSec.toFixed(1),
          s.p50Ms.toFixed(3),
          s.p99Ms.toFixed(3),
          s.maxMs.toFixed(3),
          s.writes,
          s.fail,
          s.info,
        ].join(','),
      )
    }
    process.stdout.write(`${lines.join('\n')}\n`)
  } else if (values.json) {
    console.log(
      JSON.stringify({ ...summarizeRecording(rec, path), markers: rec.markers() }, null, 2),
    )
  } else {
    printSummary(summarizeRecording(rec, path))
  }
  return rec.problems.length > 0 ? 3 : 0
}

/** rerunCommand runs `raftlab rerun`. */
export async function rerunCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    record: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  })
  if (values.help) {
    console.log(rerunUsage)
    return 0
  }
  const [path] = positionals
  if (!path) throw new UsageError('name the recording to re-run')
  openOrExplain(path)
  const out = values.record ?? path.replace(/(\.[^./]+)?$/, '.rerun$1')
  const tty = process.stderr.isTTY
  const lab = new Lab()
  const abort = new AbortController()
  const onSignal = (): void => {
    process.stderr.write('\nstopping the re-run (the recording keeps what ran)…\n')
    abort.abort()
  }
  process.once('SIGINT', onSignal)
  let r: RerunResult
  try {
    r = await rerunFile(
      lab,
      path,
      out,
      (p) => {
        if (tty)
          process.stderr.write(
            `\r\x1b[K  re-running: ${(p.atMs / 1000).toFixed(0)}/${(p.totalMs / 1000).toFixed(0)} s, ${p.commandsDone}/${p.commands} commands`,
          )
      },
      abort.signal,
    )
  } catch (e) {
    throw new CommandError((e as Error).message)
  } finally {
    process.off('SIGINT', onSignal)
    await lab.close()
  }
  if (tty) process.stderr.write('\r\x1b[K')
  if (values.json) {
    console.log(JSON.stringify(r, null, 2))
    return 0
  }
  const row = (label: string, a: string, b: string) =>
    `  ${label.padEnd(16)} ${a.padStart(14)}  ${b.padStart(14)}`
  const lat = (s: RecordingSummary) =>
    s.writeLatency ? `${s.writeLatency.p50.toFixed(2)}/${s.writeLatency.p99.toFixed(2)} ms` : '—'
  console.log(
    [
      `re-ran ${path} → ${out} (${r.commands} commands replayed at their original offsets)`,
      row('', 'original', 're-run'),
      row(
        'duration',
        `${(r.original.durationMs / 1000).toFixed(1)} s`,
        `${(r.rerun.durationMs / 1000).toFixed(1)} s`,
      ),
      row('elections', String(r.original.elections), String(r.rerun.elections)),
      row('leader changes', String(r.original.leaderChanges), String(r.rerun.leaderChanges)),
      row('faults', String(r.original.faults), String(r.rerun.faults)),
      row('workload ok', fmt(r.original.workloadOps.ok), fmt(r.rerun.workloadOps.ok)),
      row('write p50/p99', lat(r.original), lat(r.rerun)),
      'Real timing differs between runs: elections, disks and scheduling are not replayed, only the commands.',
      ...r.failedCommands.map(
        (f) =>
          `  command at ${(f.atMs / 1000).toFixed(1)} s (${f.type}) failed this time: ${f.error}`,
      ),
    ].join('\n'),
  )
  return 0
}
