// `raftlab check`: a history file (from `raftlab test`, a workload, or another tool writing the same
// format) checked for linearizability on its own, with the verdict, witness and exit status of
// `raftlab test`.
import { resolve as resolvePath } from 'node:path'
import { MalformedHistoryError } from '../../shared/check'
import {
  checkHistoryEvents,
  DEFAULT_CHECK_TIME_BUDGET_MS,
  HistoryFileError,
  readHistoryFile,
  type HistoryVerdict,
} from '../lab/clients/historyCheck'
import { fmt, parse, UsageError } from './args'
import { parseDuration } from './clusterScript'

/** checkUsage is `raftlab check --help`. */
export const checkUsage = `Usage: raftlab check HISTORY.jsonl [--json] [--time-budget 120s]

Checks a history for linearizability: the one \`raftlab test --history FILE\` keeps, or any file
in the same format (JSON Lines of invoke / ok / fail / info records; docs/formats/history.md).
Prints the verdict and the counts as \`raftlab test\` does, and a witness on a violation. Events
are named by their line in the file. HISTORY may be - for standard input.

Options:
  --json             print one JSON object: valid, ops, check (keys, ops, reason, witness)
  --time-budget D    give up with "unknown" after this long (default ${DEFAULT_CHECK_TIME_BUDGET_MS / 1000}s)
  -h, --help         show this help

Exit status: 0 linearizable, 1 not linearizable, 3 unknown (checker budget), 2 usage error or a
history that cannot be read (missing or unreadable file, malformed line).`

/** verdictExitCode is the exit status `raftlab test` and `raftlab check` give a verdict. */
export function verdictExitCode(valid: HistoryVerdict['valid']): number {
  return valid === true ? 0 : valid === false ? 1 : 3
}

/** verdictLines renders a verdict and its operation counts, aligned as in `raftlab test`. */
export function verdictLines(v: HistoryVerdict): string[] {
  const verdict =
    v.valid === true ? 'linearizable' : v.valid === false ? 'NOT LINEARIZABLE' : 'unknown'
  return [
    `  verdict        ${verdict}${v.check.reason ? ` (${v.check.reason})` : ''}`,
    `  operations     ${fmt(v.ops.total)}: ${fmt(v.ops.ok)} ok, ${fmt(v.ops.fail)} fail, ${fmt(v.ops.info)} info`,
    ...Object.entries(v.ops.byOp).map(
      ([op, c]) => `    ${op.padEnd(12)} ${fmt(c.ok)} ok, ${fmt(c.fail)} fail, ${fmt(c.info)} info`,
    ),
  ]
}

/** checkedLine says how much the checker looked at. */
export function checkedLine(v: HistoryVerdict): string {
  return `  checked        ${fmt(v.check.ops)} operations on ${v.check.keys} keys`
}

/** checkCommand runs `raftlab check`. */
export async function checkCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    json: { type: 'boolean', default: false },
    'time-budget': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  })
  if (values.help) {
    console.log(checkUsage)
    return 0
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? 'name the history file to check'
        : `one history file at a time, got ${positionals.length}`,
    )
  }
  const file = positionals[0] as string
  let budgetMs = DEFAULT_CHECK_TIME_BUDGET_MS
  if (values['time-budget'] !== undefined) {
    const ms = parseDuration(values['time-budget'])
    if (ms === null || ms <= 0) {
      throw new UsageError(
        `--time-budget takes a duration like 120s, got '${values['time-budget']}'`,
      )
    }
    budgetMs = ms
  }
  let v: HistoryVerdict
  try {
    v = checkHistoryEvents(readHistoryFile(file), budgetMs)
  } catch (err) {
    if (err instanceof HistoryFileError) {
      console.error(`raftlab check: ${err.message}`)
      return 2
    }
    if (err instanceof MalformedHistoryError) {
      console.error(`raftlab check: ${file}: ${err.unit} ${err.eventIndex}: ${err.detail}`)
      return 2
    }
    throw err
  }
  const historyFile = file === '-' ? '-' : resolvePath(file)
  if (values.json) {
    console.log(JSON.stringify({ ...v, historyFile }, null, 2))
  } else {
    console.log([`raftlab check: ${historyFile}`, ...verdictLines(v), checkedLine(v)].join('\n'))
    if (v.check.witness) console.log(`\n${v.check.witness}`)
  }
  return verdictExitCode(v.valid)
}
