// `raftlab test`: a Jepsen-style run — a workload under a fault schedule, its history checked for
// linearizability. Exit 0 when the history is linearizable, 1 on a violation (with a witness),
// 3 when the checker ran out of budget, 2 on a usage error.
import { resolve as resolvePath } from 'node:path'
import { DEFAULT_TEST_OPTIONS, runTest, type TestOptions } from '../lab/activities/jepsen'
import { Lab } from '../lab/engine/lab'
import { NEMESIS_KINDS, type NemesisKind } from '../lab/activities/nemesis'
import { fmt, intArg, parse, UsageError } from './args'
import { checkedLine, verdictExitCode, verdictLines } from './check'
import { parseDuration, parsePercent } from './clusterScript'

/** testUsage is `raftlab test --help`. */
export const testUsage = `Usage: raftlab test [--nodes 5] [--nemesis LIST|none] [--duration 60s] [--fault-every 6s]
                    [--rate 200] [--clients 20] [--keys 10] [--abandon 0] [--seed S]
                    [--history FILE] [--json]

Runs a put/get/cas workload against a real cluster while a nemesis applies faults and heals them:
partitions (random halves, a majorities ring, the leader isolated, a bridge), pauses (a random
node or the leader), kills and restarts, every node killed at once (kill-all), slow and lossy
links. At the end everything heals, the
history of every operation (invoke, then ok / fail / info) is checked for linearizability, and
the verdict is printed with statistics. \`raftlab check FILE\` checks a kept history again.

Options:
  --nodes N        cluster size (default 5)
  --nemesis LIST   fault kinds to mix (default all: ${NEMESIS_KINDS.join(',')}),
                   or none: no faults, a baseline
  --duration D     how long the workload runs (default 60s)
  --rate R         operations per second, open loop (default 200)
  --clients N      client sessions (default 20)
  --keys N         keys (default 10: few keys, many conflicts)
  --fault-every D  mean time between faults (default 6s)
  --seed S         seed of the workload and the fault schedule (default 1)
  --history FILE   keep the history here (JSON Lines; default a temp file)
  --record FILE    record the session (faults, elections, workload) for \`raftlab replay\`
  --reads MODE     linearizable (default, ReadIndex), log (through the log) or local — unsafe:
                   serve reads from whatever a node has applied, to see the checker catch it
  --abandon P      P% of requests are abandoned when an attempt gets no answer (a timeout, a
                   lost connection) instead of retried: the client records info and moves on,
                   and the write may still take effect — histories with info to check (default 0)
  --json           print one JSON object: valid, ops, faults, leaderChanges and more
  -h, --help       show this help

Exit status: 0 linearizable, 1 not linearizable, 3 unknown (checker budget), 2 usage error.`

/** testCommand runs `raftlab test`. */
export async function testCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    nodes: { type: 'string' },
    nemesis: { type: 'string' },
    duration: { type: 'string' },
    rate: { type: 'string' },
    clients: { type: 'string' },
    keys: { type: 'string' },
    'fault-every': { type: 'string' },
    seed: { type: 'string' },
    history: { type: 'string' },
    record: { type: 'string' },
    reads: { type: 'string' },
    abandon: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  })
  if (values.help) {
    console.log(testUsage)
    return 0
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`)
  const dur = (v: string | undefined, name: string, d: number): number => {
    if (v === undefined) return d
    const ms = parseDuration(v)
    if (ms === null || ms <= 0)
      throw new UsageError(`--${name} takes a duration like 60s, got '${v}'`)
    return ms
  }
  const opts: TestOptions = {
    ...DEFAULT_TEST_OPTIONS,
    nodes: intArg(values.nodes, 'nodes', DEFAULT_TEST_OPTIONS.nodes, 1, 9),
    nemesis: nemesisArg(values.nemesis),
    durationMs: dur(values.duration, 'duration', DEFAULT_TEST_OPTIONS.durationMs),
    rate: intArg(values.rate, 'rate', DEFAULT_TEST_OPTIONS.rate, 1, 100_000),
    clients: intArg(values.clients, 'clients', DEFAULT_TEST_OPTIONS.clients, 1, 1000),
    keys: intArg(values.keys, 'keys', DEFAULT_TEST_OPTIONS.keys, 1, 1_000_000),
    faultEveryMs: dur(values['fault-every'], 'fault-every', DEFAULT_TEST_OPTIONS.faultEveryMs),
    seed: intArg(values.seed, 'seed', DEFAULT_TEST_OPTIONS.seed, 0, 2 ** 31 - 1),
    historyFile: values.history ?? null,
    readMode: readMode(values.reads),
    abandonPercent: abandonArg(values.abandon),
    ...(values.record === undefined ? {} : { recordPath: resolvePath(values.record) }),
  }
  const tty = process.stderr.isTTY
  const r = await runTest(
    (o) => new Lab(o),
    opts,
    (p) => {
      if (!tty) return
      const ops = p.workload ? `${fmt(p.workload.ok + p.workload.fail + p.workload.info)} ops` : ''
      const secs = Math.round(p.elapsedMs / 1000)
      process.stderr.write(
        `\r\x1b[K  ${p.phase} ${secs}/${Math.round(p.totalMs / 1000)} s  ${ops}  ${p.faults} faults`,
      )
    },
  )
  if (tty) process.stderr.write('\r\x1b[K')
  if (values.json) {
    console.log(JSON.stringify(r, null, 2))
  } else {
    const lines = [
      `raftlab test: ${opts.nodes} nodes, nemesis ${opts.nemesis.join(',') || 'none'}, ${Math.round(opts.durationMs / 1000)} s at ${opts.rate} ops/s (seed ${opts.seed})`,
      ...verdictLines(r),
      `  faults         ${r.faults} applied and healed${byKind(r.faultsByKind)}`,
      `  leader changes ${r.leaderChanges} (${r.unforcedLeaderChanges} that no fault explains)`,
      checkedLine(r),
      `  history        ${r.historyFile}`,
      ...(opts.recordPath ? [`  recording      ${opts.recordPath}`] : []),
      `  time           ${(r.durationMs / 1000).toFixed(1)} s`,
    ]
    console.log(lines.join('\n'))
    if (r.faultLog.length > 0) {
      console.log('\n  faults:')
      for (const f of r.faultLog)
        console.log(`    ${(f.atMs / 1000).toFixed(1).padStart(6)} s  ${f.description}`)
    }
    if (r.check.witness) console.log(`\n${r.check.witness}`)
  }
  return verdictExitCode(r.valid)
}

function byKind(counts: Record<string, number | undefined>): string {
  const parts = Object.entries(counts).map(([k, n]) => `${k} ${n}`)
  return parts.length > 0 ? ` (${parts.join(', ')})` : ''
}

/** abandonArg reads --abandon: a percentage, 0 to 100 (with or without %). */
export function abandonArg(v: string | undefined): number {
  if (v === undefined) return DEFAULT_TEST_OPTIONS.abandonPercent
  const p = parsePercent(v)
  if (p === null) throw new UsageError(`--abandon takes a percentage from 0 to 100, got '${v}'`)
  return p
}

/** nemesisArg reads --nemesis: a list of kinds, or 'none' alone for a fault-free baseline. */
export function nemesisArg(v: string | undefined): NemesisKind[] {
  if (v === undefined) return [...NEMESIS_KINDS]
  const kinds = v.split(',').map((k) => k.trim())
  if (kinds.includes('none')) {
    if (kinds.length > 1) throw new UsageError(`--nemesis none cannot be mixed with fault kinds`)
    return []
  }
  for (const k of kinds) {
    if (!NEMESIS_KINDS.includes(k as NemesisKind)) {
      throw new UsageError(
        `unknown nemesis '${k}' (choose from ${NEMESIS_KINDS.join(', ')}, or none)`,
      )
    }
  }
  return [...new Set(kinds)] as NemesisKind[]
}

function readMode(v: string | undefined): TestOptions['readMode'] {
  if (v === undefined) return 'linearizable'
  if (v === 'linearizable' || v === 'log' || v === 'local') return v
  throw new UsageError(`--reads takes linearizable, log or local, got '${v}'`)
}
