// `raftlab sim`: run the deterministic simulator over many seeds with every fault kind mixed in,
// report what happened and, on a safety or liveness violation, how to reproduce it.
import { runSeeds, type SimSummary } from '../lab/sim/simRunner'
import { fmt, intArg, parse, UsageError } from './args'
import { availableParallelism } from 'node:os'

export const simUsage = `Usage: raftlab sim [--seeds N] [--steps M] [--nodes 3|5|7] [--seed S] [--json]

Runs the Raft core in the deterministic simulator: seeded in-memory clusters with message delay,
loss, duplication and reordering, directed partitions, crashes that lose unpersisted state,
restarts, and pauses. Raft's safety properties are checked after every step; at the end of each
run every fault heals and a leader must commit a new entry that every node applies.

Options:
  --seeds N        number of seeds to run (default 100)
  --steps M        simulation steps per seed while faults are active (default 2000)
  --nodes N        cluster size: 1-9 (default: 3 and 5 alternately)
  --seed S         first seed (default 1); with --seeds 1 it replays one seed exactly
  --jobs J         worker threads (default: the number of CPUs)
  --trace-lines K  trace lines shown before a violation (default 40)
  --json           print one JSON object instead of the table
  -h, --help       show this help

Exit status: 0 when every seed passes, 1 on any violation, 2 on a usage error.`

/** simCommand runs `raftlab sim`. */
export async function simCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    seeds: { type: 'string' },
    steps: { type: 'string' },
    nodes: { type: 'string' },
    seed: { type: 'string' },
    jobs: { type: 'string' },
    'trace-lines': { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  })
  if (values.help) {
    console.log(simUsage)
    return 0
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`)
  const nodes = values.nodes === undefined ? null : intArg(values.nodes, 'nodes', 3, 1, 9)
  const opts = {
    firstSeed: intArg(values.seed, 'seed', 1, -(2 ** 31), 2 ** 31 - 1),
    seeds: intArg(values.seeds, 'seeds', 100, 1, 100_000_000),
    steps: intArg(values.steps, 'steps', 2000, 1, 100_000_000),
    nodeCounts: nodes === null ? [3, 5] : [nodes],
    jobs: intArg(values.jobs, 'jobs', availableParallelism(), 1, 256),
    traceLines: intArg(values['trace-lines'], 'trace-lines', 40, 0, 100_000),
  }
  const tty = process.stderr.isTTY
  let lastShown = 0
  const started = performance.now()
  const summary = await runSeeds(opts, (done, violations) => {
    const now = performance.now()
    if (!tty || done === opts.seeds || now - lastShown < 250) return
    lastShown = now
    const rate = done / ((now - started) / 1000)
    const left = Math.ceil((opts.seeds - done) / rate)
    process.stderr.write(
      `\r  ${fmt(done)}/${fmt(opts.seeds)} seeds, ${violations} violation(s), ~${left}s left   `,
    )
  })
  if (tty) process.stderr.write('\r\x1b[K')
  if (values.json) console.log(JSON.stringify(summary, null, 2))
  else printSummary(summary, opts.steps)
  return summary.violations.length > 0 ? 1 : 0
}

function printSummary(s: SimSummary, steps: number): void {
  const sizes = s.nodeCounts.join(' and ')
  const lines = [
    `raftlab sim: ${fmt(s.seeds)} seeds × ${fmt(steps)} steps, ${sizes} nodes, every fault kind mixed in`,
    `  steps        ${fmt(s.steps)} with faults, ${fmt(s.livenessSteps)} after healing`,
    `  elections    ${fmt(s.elections)} started, ${fmt(s.leadersElected)} won (highest term ${s.maxTerm})`,
    `  commits      ${fmt(s.commits)} entries committed`,
    `  messages     ${fmt(s.messagesSent)} sent, ${fmt(s.messagesDropped)} dropped`,
    `  faults       ${fmt(s.faults)} injected (${fmt(s.crashes)} crashes)`,
    `  reads        ${fmt(s.readsAnswered)} ReadIndex answers checked`,
    `  liveness     after healing: a new entry committed within ${s.maxLivenessCommitTicks} ticks and ` +
      `applied everywhere within ${s.maxLivenessConvergeTicks}; the slowest run used ` +
      `${Math.round(s.maxLivenessBoundShare * 100)}% of its bound (200 ticks + backlog shipping)`,
    `  time         ${(s.durationMs / 1000).toFixed(1)} s, ${fmt(s.stepsPerSecond)} steps/s on ${s.jobs} thread(s)`,
    `  violations   ${s.violations.length}`,
  ]
  console.log(lines.join('\n'))
  for (const v of s.violations.slice(0, 5)) {
    console.log(
      `\nVIOLATION (${v.kind}) seed ${v.seed}, ${v.nodeCount} nodes, step ${v.step}: ${v.message}`,
    )
    console.log(`  reproduce: ${v.repro}`)
    if (v.trace.length > 0) {
      console.log(`  the last ${v.trace.length} steps (time in units, ${10} per tick):`)
      for (const line of v.trace) console.log(`    ${line}`)
    }
  }
  if (s.violations.length > 5) console.log(`\n… and ${s.violations.length - 5} more (use --json)`)
}
