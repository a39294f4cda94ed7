// electron/cli — the `raftlab` command: a headless front end to the lab engine. May import
// shared/, node:* and electron/lab; never electron or renderer/.
import { APP_VERSION } from '../lab/version'
import { CommandError, UsageError } from './args'
import { benchCommand, benchUsage } from './bench'
import { checkCommand, checkUsage } from './check'
import { clusterCommand, clusterUsage } from './cluster'
import { electCommand, electUsage } from './elect'
import { replayCommand, replayUsage, rerunCommand, rerunUsage } from './replay'
import { serveCommand, serveUsage } from './serve'
import { simCommand, simUsage } from './sim'
import { testCommand, testUsage } from './test'
import { ownValue } from '../../shared/util/own'

interface Command {
  summary: string
  usage: string
  run(argv: string[]): Promise<number>
}

const COMMANDS: Record<string, Command> = {
  bench: {
    summary: 'measure write latency and throughput across cluster settings, and where time goes',
    usage: benchUsage,
    run: benchCommand,
  },
  check: {
    summary: 'check a history file (from `raftlab test` or another tool) for linearizability',
    usage: checkUsage,
    run: checkCommand,
  },
  cluster: {
    summary: 'start a real cluster and drive it from a prompt or a script',
    usage: clusterUsage,
    run: clusterCommand,
  },
  elect: {
    summary: "time leader elections after a crash: the Raft paper's Figure 16",
    usage: electUsage,
    run: electCommand,
  },
  test: {
    summary: 'run a Jepsen-style test: a workload under faults, checked for linearizability',
    usage: testUsage,
    run: testCommand,
  },
  replay: {
    summary: 'read a recording: its summary, its events (NDJSON), its latency series (CSV)',
    usage: replayUsage,
    run: replayCommand,
  },
  rerun: {
    summary: "play a recording's experiment again on a fresh cluster and compare the two runs",
    usage: rerunUsage,
    run: rerunCommand,
  },
  serve: {
    summary: 'open the lab in a browser: the app served on 127.0.0.1 (browser mode)',
    usage: serveUsage,
    run: serveCommand,
  },
  sim: {
    summary: 'run the Raft core in the deterministic simulator and check its safety',
    usage: simUsage,
    run: simCommand,
  },
}

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length))
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  return [
    'Usage: raftlab <command> [options]',
    '',
    'raftlab runs real Raft clusters on one machine. Commands:',
    ...rows,
    '',
    "Run `raftlab <command> --help` for a command's options. Without a command, `npm start` opens",
    'the desktop app.',
  ].join('\n')
}

/** main runs the CLI and returns its exit status. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    console.log(help())
    return 0
  }
  if (name === '--version' || name === '-v') {
    console.log(APP_VERSION)
    return 0
  }
  const cmd = ownValue(COMMANDS, name)
  if (!cmd) {
    console.error(`raftlab: unknown command '${name}'\n\n${help()}`)
    return 2
  }
  try {
    return await cmd.run(rest)
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`raftlab ${name}: ${err.message}\n\n${cmd.usage}`)
      return 2
    }
    if (err instanceof CommandError) {
      console.error(`raftlab ${name}: ${err.message}`)
      return 1
    }
    throw err
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err))
    process.exitCode = 1
  },
)
