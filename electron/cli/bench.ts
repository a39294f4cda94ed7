// `raftlab bench`: how slow are Raft writes, and why. Sweeps cluster and workload settings, one
// fresh cluster per combination, and prints latency percentiles, throughput and where the time
// of sampled writes went.
import { resolve as resolvePath } from 'node:path'
import { writeFileSync } from 'node:fs'
import { runBench } from '../lab/activities/bench'
import { Lab } from '../lab/engine/lab'
import {
  attributionTable,
  benchCsv,
  benchMarkdown,
  benchNotes,
  benchTable,
  configurations,
  DEFAULT_SWEEP,
  type BenchSweep,
} from '../../shared/lab/bench'
import type { FsyncPolicy } from '../../shared/lab/config'
import type { WorkloadSpec } from '../../shared/lab/workload'
import { parse, UsageError } from './args'
import { parseDuration } from './clusterScript'

export const benchUsage = `Usage: raftlab bench [sweep options] [workload options] [--json|--csv|--markdown] [--out FILE]

Measures write latency (HDR histograms: p50, p90, p99, p99.9, max) and throughput of real
clusters, one fresh cluster per combination of the swept settings, and breaks sampled writes
down into where their time went.

Sweep (comma-separated lists; every combination runs):
  --nodes 1,3,5,7        cluster sizes (default 3)
  --fsync always,never   fsync policies (default always; never is unsafe: for comparison)
  --clients 1,16,64      concurrent clients (default 16)
  --value-size 64,1024   value sizes in bytes (default 64)
  --batch 1,64,512       max entries per append message (default 512)
  --link-latency 0,1     injected latency on every link, ms (default 0)

Workload:
  --duration 10s         measured time per configuration (default 10s)
  --warmup 2s            unmeasured time first (default 2s)
  --ops N                stop each measurement after N operations instead
  --mode closed|open     closed loop (default) or open loop at --rate
  --rate N               open loop: operations per second (default 1000)
  --mix put=1,get=0,cas=0  operation weights (default writes only)
  --keys N               key count (default 1000); --zipf [S] for a Zipf distribution (default 0.99)
  --attribution-every N  sample every Nth write for the time breakdown (default 50; 0 = off)

Output:
  --json, --csv, --markdown  machine-readable results, with the configuration and the machine
  --out FILE             write that output to FILE (the table still goes to stdout)
  --record FILE          record every configuration's cluster, in turn, for \`raftlab replay\`
  -h, --help             show this help`

function list(value: string | undefined, name: string, dflt: number[]): number[] {
  if (value === undefined) return dflt
  const xs = value.split(',').map((v) => Number(v.trim().replace(/ms$/, '')))
  if (xs.length === 0 || xs.some((x) => !Number.isFinite(x) || x < 0)) {
    throw new UsageError(`--${name} takes comma-separated numbers, got '${value}'`)
  }
  return xs
}

function ints(
  value: string | undefined,
  name: string,
  dflt: number[],
  lo: number,
  hi: number,
): number[] {
  const xs = list(value, name, dflt)
  for (const x of xs) {
    if (!Number.isInteger(x) || x < lo || x > hi)
      throw new UsageError(`--${name}: ${x} is not an integer from ${lo} to ${hi}`)
  }
  return xs
}

function mix(value: string | undefined): WorkloadSpec['mix'] {
  if (value === undefined) return { put: 1, get: 0, cas: 0 }
  const m = { put: 0, get: 0, cas: 0 }
  for (const part of value.split(',')) {
    const [k, v] = part.split('=')
    const w = Number(v)
    if ((k !== 'put' && k !== 'get' && k !== 'cas') || !Number.isFinite(w) || w < 0) {
      throw new UsageError(`--mix takes put=W,get=W,cas=W, got '${part}'`)
    }
    m[k] = w
  }
  if (m.put + m.get + m.cas <= 0) throw new UsageError('--mix needs a positive weight')
  return m
}

function duration(value: string | undefined, name: string, dflt: number): number {
  if (value === undefined) return dflt
  const ms = parseDuration(value)
  if (ms === null)
    throw new UsageError(`--${name} takes a duration like 10s or 500ms, got '${value}'`)
  return ms
}

/** benchCommand runs `raftlab bench`. */
export async function benchCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    nodes: { type: 'string' },
    fsync: { type: 'string' },
    clients: { type: 'string' },
    'value-size': { type: 'string' },
    batch: { type: 'string' },
    'link-latency': { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    ops: { type: 'string' },
    mode: { type: 'string' },
    rate: { type: 'string' },
    mix: { type: 'string' },
    keys: { type: 'string' },
    zipf: { type: 'string' },
    'attribution-every': { type: 'string' },
    json: { type: 'boolean', default: false },
    csv: { type: 'boolean', default: false },
    markdown: { type: 'boolean', default: false },
    out: { type: 'string' },
    record: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  })
  if (values.help) {
    console.log(benchUsage)
    return 0
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`)
  const fsync = (values.fsync ?? 'always').split(',') as FsyncPolicy[]
  if (fsync.some((f) => f !== 'always' && f !== 'never'))
    throw new UsageError('--fsync takes always and/or never')
  const sweep: BenchSweep = {
    nodes: ints(values.nodes, 'nodes', DEFAULT_SWEEP.nodes, 1, 9),
    fsync,
    concurrency: ints(values.clients, 'clients', DEFAULT_SWEEP.concurrency, 1, 4096),
    valueSizeBytes: ints(
      values['value-size'],
      'value-size',
      DEFAULT_SWEEP.valueSizeBytes,
      1,
      1 << 20,
    ),
    maxEntriesPerMsg: ints(values.batch, 'batch', DEFAULT_SWEEP.maxEntriesPerMsg, 1, 65_536),
    linkLatencyMs: list(values['link-latency'], 'link-latency', DEFAULT_SWEEP.linkLatencyMs),
  }
  const mode = values.mode ?? 'closed'
  if (mode !== 'closed' && mode !== 'open') throw new UsageError('--mode takes closed or open')
  const zipf = values.zipf
  const workload: Partial<WorkloadSpec> = {
    mode,
    durationMs: duration(values.duration, 'duration', 10_000),
    warmupMs: duration(values.warmup, 'warmup', 2000),
    ops: ints(values.ops, 'ops', [0], 0, 1e9)[0] as number,
    rate: list(values.rate, 'rate', [1000])[0] as number,
    mix: mix(values.mix),
    keys: ints(values.keys, 'keys', [1000], 1, 10_000_000)[0] as number,
    distribution: zipf === undefined ? 'uniform' : 'zipf',
    zipfExponent:
      zipf === undefined || zipf === '' ? 0.99 : (list(zipf, 'zipf', [0.99])[0] as number),
    timingSampleEvery: ints(
      values['attribution-every'],
      'attribution-every',
      [50],
      0,
      1e9,
    )[0] as number,
  }
  const formats = [
    values.json && 'json',
    values.csv && 'csv',
    values.markdown && 'markdown',
  ].filter(Boolean)
  if (formats.length > 1) throw new UsageError('choose one of --json, --csv, --markdown')
  const total = configurations(sweep).length
  const perConfigMs = (workload.warmupMs ?? 0) + (workload.durationMs ?? 0) + 1500
  process.stderr.write(
    `raftlab bench: ${total} configuration(s), about ${Math.ceil((total * perConfigMs) / 1000)} s\n`,
  )
  const abort = new AbortController()
  const onSignal = (): void => abort.abort()
  process.once('SIGINT', onSignal)
  const tty = process.stderr.isTTY
  const report = await runBench(
    (o) => new Lab(o),
    sweep,
    workload,
    (p) => {
      const c = p.config
      const label = `[${p.index + 1}/${p.total}] ${c.nodes} nodes, fsync ${c.fsync}, ${c.concurrency} clients, ${c.valueSizeBytes} B`
      if (p.workload === null) {
        if (!tty) process.stderr.write(`${label}\n`)
        return
      }
      if (!tty) return
      const w = p.workload
      const pct = Math.min(100, Math.round((w.elapsedMs / w.totalMs) * 100))
      process.stderr.write(`\r\x1b[K${label}: ${w.phase} ${pct}%, ${Math.round(w.opsPerSec)} ops/s`)
    },
    abort.signal,
    values.record === undefined ? {} : { recordPath: resolvePath(values.record) },
  )
  process.off('SIGINT', onSignal)
  if (values.record !== undefined)
    process.stderr.write(`recorded the sweep to ${resolvePath(values.record)}\n`)
  if (tty) process.stderr.write('\r\x1b[K')
  const m = report.machine
  const notes = benchNotes(report.rows)
  const table =
    `machine: ${m.cpus} × ${m.cpuModel}, ${m.os}, Node ${m.node}\n\n${benchTable(report.rows)}` +
    (notes.length > 0 ? `\n\nnote:\n${notes.map((n) => `  ${n}`).join('\n')}` : '')
  const attribution = attributionTable(report.rows)
  const human = attribution
    ? `${table}\n\nwhere the time went (median ms of sampled writes):\n${attribution}`
    : table
  const format = formats[0]
  const machineOut =
    format === 'json'
      ? JSON.stringify(report, null, 2) + '\n'
      : format === 'csv'
        ? benchCsv(report)
        : format === 'markdown'
          ? benchMarkdown(report)
          : null
  if (machineOut !== null && values.out === undefined) process.stdout.write(machineOut)
  else {
    console.log(human)
    if (values.out !== undefined)
      writeFileSync(values.out, machineOut ?? JSON.stringify(report, null, 2) + '\n')
  }
  return abort.signal.aborted ? 130 : 0
}
