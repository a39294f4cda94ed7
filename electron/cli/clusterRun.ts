// The line runner behind `raftlab cluster`: one parsed line against a lab (runLine) and a whole
// script (runScript). It takes any ClusterLab, so tests drive it with a fake engine.
import type { ClusterStatus, LabApi, NodeView } from '../../shared/lab'
import { nodeName } from '../../shared/lab'
import type { NodeId } from '../../shared/raft/types'
import {
  clusterHelp,
  scriptDuration,
  formatResult,
  parseClusterLine,
  type ParsedLine,
} from './clusterScript'
import { downReason, renderStatusTable } from './statusTable'

/** EXIT_NODE_NOT_STARTED is the exit status of a script during which a node could not start (it
 * refused its data on disk, say), whether or not the script's lines succeeded. */
export const EXIT_NODE_NOT_STARTED = 3

/** cannotElect tells whether so many nodes could not start that the rest, even all running, are
 * no majority: no leader can appear until one of them is restarted, so waiting is pointless. */
function cannotElect(s: ClusterStatus): boolean {
  const failed = s.nodes.filter((n) => n.isStartFailure === true).length
  return failed > 0 && s.nodes.length - failed < Math.floor(s.nodes.length / 2) + 1
}

/** whyNoLeader is a failed wait-leader's message: what happened, then, one per indented line, why
 * each node that is down for a reason is down. */
function whyNoLeader(s: ClusterStatus, timeoutMs: number): string {
  const n = s.nodes.length
  const failed = s.nodes.filter((v) => v.isStartFailure === true).length
  const what = cannotElect(s)
    ? `no leader possible: ${failed} of ${n} nodes could not start, and a leader needs ` +
      `${Math.floor(n / 2) + 1}`
    : `no leader within ${scriptDuration(timeoutMs)}`
  const reasons = [...s.nodes]
    .sort((a, b) => a.id - b.id)
    .map(downReason)
    .filter((r) => r !== null)
  return [what, ...reasons.map((r) => `  ${r}`)].join('\n')
}

/** ClusterLab is what this command needs of the lab engine: the LabApi plus a synchronous status
 * snapshot, waiting for a condition, and closing. electron/lab's Lab is one; tests pass a fake. */
export interface ClusterLab extends LabApi {
  status(): ClusterStatus
  waitFor(predicate: (s: ClusterStatus) => boolean, timeoutMs: number): Promise<boolean>
  close(): Promise<void>
}

/** ClusterIo is where output goes and how time passes, injected so tests neither print nor wait.
 * `say` is human output, `warn` goes to stderr, `data` is machine output (stdout). */
export interface ClusterIo {
  say(text: string): void
  warn(text: string): void
  data(text: string): void
  sleep(ms: number): Promise<void>
  now(): number
  color: boolean
}

/** LineOutcome is how one parsed line ended: text to show, a failure, or a request to quit. */
export type LineOutcome =
  { kind: 'ok'; output: string } | { kind: 'failed'; message: string } | { kind: 'quit' }

/** runLine carries out one parsed line against the lab. Command failures (ok: false results,
 * parse errors, a wait-leader timeout) come back as 'failed', never as exceptions. */
export async function runLine(
  lab: ClusterLab,
  parsed: ParsedLine,
  io: ClusterIo,
): Promise<LineOutcome> {
  switch (parsed.kind) {
    case 'blank':
      return { kind: 'ok', output: '' }
    case 'error':
      return { kind: 'failed', message: parsed.message }
    case 'quit':
      return { kind: 'quit' }
    case 'help':
      return { kind: 'ok', output: clusterHelp() }
    case 'status':
      return { kind: 'ok', output: renderStatusTable(lab.status(), io.color) }
    case 'sleep':
      await io.sleep(parsed.ms)
      return { kind: 'ok', output: `slept ${scriptDuration(parsed.ms)}` }
    case 'wait-leader': {
      const start = io.now()
      const found = await lab.waitFor((s) => s.leader !== null || cannotElect(s), parsed.timeoutMs)
      const s = lab.status()
      if (!found || s.leader === null) {
        return { kind: 'failed', message: whyNoLeader(s, parsed.timeoutMs) }
      }
      const took = Math.round(io.now() - start)
      return {
        kind: 'ok',
        output: `leader ${nodeName(s.leader)} (term ${s.term}) after ${took} ms`,
      }
    }
    case 'command': {
      if (parsed.command.type === 'node.snapshot') return snapshotLine(lab, parsed.command.node, io)
      const result = await lab.command(parsed.command)
      if (!result.ok) return { kind: 'failed', message: result.error }
      return { kind: 'ok', output: formatResult(parsed.command, result) }
    }
  }
}

/** SNAPSHOT_WAIT_MS: how long `snapshot <node>` waits for the node to report its snapshot. */
export const SNAPSHOT_WAIT_MS = 5000
const SNAPSHOT_POLL_MS = 20

/** snapshotLine runs `snapshot <node>`. The command only asks the node; what the node did comes
 * back as an event, so the line waits for it (a script's next `status` then shows the new SNAP):
 * the snapshot taken, or why none was (nothing applied since the last one — a no-op, not a
 * failure of the script). */
async function snapshotLine(lab: ClusterLab, node: NodeId, io: ClusterIo): Promise<LineOutcome> {
  let outcome: LineOutcome | null = null
  let takenIndex = 0
  const unsubscribe = lab.subscribe((events) => {
    for (const e of events) {
      if (outcome) return
      if (e.type === 'node.snapshot' && e.node === node && e.kind === 'taken') {
        takenIndex = e.index
        outcome = {
          kind: 'ok',
          output:
            `ok ${nodeName(node)} took a snapshot at index ${e.index} ` +
            `(${e.bytes} B, ${e.durationMs.toFixed(1)} ms) and compacted its log`,
        }
      } else if (e.type === 'node.warning' && e.node === node && /^snapshot/.test(e.message)) {
        outcome = { kind: 'ok', output: `no snapshot: ${e.message}` }
      }
    }
  })
  try {
    const result = await lab.command({ type: 'node.snapshot', node })
    if (!result.ok) return { kind: 'failed', message: result.error }
    // Short sleeps rather than one long timer: a timer left behind would hold the process open
    // for the rest of SNAPSHOT_WAIT_MS after the report came.
    let waited = 0
    for (; !outcome && waited < SNAPSHOT_WAIT_MS; waited += SNAPSHOT_POLL_MS)
      await io.sleep(SNAPSHOT_POLL_MS)
    // The node's next status (sampled on the 100 ms grid) shows the snapshot: wait for it too, so
    // a `status` right after shows the new SNAP and FIRST.
    const taken = takenIndex
    const shows = (): boolean =>
      (lab.status().nodes.find((n) => n.id === node)?.status?.snapshotIndex ?? 0) >= taken
    for (; taken > 0 && !shows() && waited < SNAPSHOT_WAIT_MS; waited += SNAPSHOT_POLL_MS)
      await io.sleep(SNAPSHOT_POLL_MS)
    return (
      outcome ?? {
        kind: 'ok',
        output: `ok asked; ${nodeName(node)} has not reported a snapshot yet`,
      }
    )
  } finally {
    unsubscribe()
  }
}

/**
 * runScript runs lines in order without a prompt, echoing each (`> put a 1`) and its result. The
 * first failure stops it with `raftlab cluster: line N: <command>: <message>` on stderr and exit
 * status 1; `quit` or the end of the lines is exit status 0. If a node could not start at any
 * time during the script (or is down for that reason at its end), the exit status is
 * EXIT_NODE_NOT_STARTED instead, and each such node is named with its reason on stderr (once:
 * not again if the failing line's message already said it). It does not close the lab.
 */
export async function runScript(
  lab: ClusterLab,
  lines: Iterable<string> | AsyncIterable<string>,
  nodes: number,
  io: ClusterIo,
): Promise<number> {
  const notStarted = new Map<NodeId, string>()
  const note = (v: NodeView): void => {
    if (v.isStartFailure === true) notStarted.set(v.id, downReason(v) ?? '')
  }
  const unsubscribe = lab.subscribe((events) => {
    for (const e of events) {
      if (e.type !== 'node.process') continue
      const { node: id, state, pid, detail, isStartFailure } = e
      note({ id, state, pid, status: null, isStartFailure, ...(detail ? { detail } : {}) })
    }
  })
  let outcome: { code: number; told: string }
  try {
    outcome = await runLines(lab, lines, nodes, io)
  } finally {
    unsubscribe()
  }
  for (const v of lab.status().nodes) note(v)
  if (notStarted.size === 0) return outcome.code
  for (const [id, reason] of [...notStarted].sort(([a], [b]) => a - b)) {
    const text = reason !== '' ? reason : `${nodeName(id)} could not start`
    if (!outcome.told.includes(text)) io.warn(`raftlab cluster: ${text}`)
  }
  return EXIT_NODE_NOT_STARTED
}

/** runLines is runScript's loop: its exit status, and the failure message it printed. */
async function runLines(
  lab: ClusterLab,
  lines: Iterable<string> | AsyncIterable<string>,
  nodes: number,
  io: ClusterIo,
): Promise<{ code: number; told: string }> {
  let n = 0
  for await (const line of lines) {
    n++
    const parsed = parseClusterLine(line, nodes)
    if (parsed.kind === 'blank') continue
    const text = line.trim()
    io.say(`> ${text}`)
    const outcome = await runLine(lab, parsed, io)
    if (outcome.kind === 'quit') return { code: 0, told: '' }
    if (outcome.kind === 'failed') {
      const told = `raftlab cluster: line ${n}: ${text}: ${outcome.message}`
      io.warn(told)
      return { code: 1, told }
    }
    io.say(outcome.output.replace(/^/gm, '  '))
  }
  return { code: 0, told: '' }
}
