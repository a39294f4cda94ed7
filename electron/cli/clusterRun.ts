// The line runner behind `raftlab cluster`: one parsed line against a lab (runLine) and a whole
// script (runScript). It takes any ClusterLab, so tests drive it with a fake engine.
import type { ClusterStatus, LabApi } from '../../shared/lab'
import { nodeName } from '../../shared/lab'
import {
  clusterHelp,
  formatDuration,
  formatResult,
  parseClusterLine,
  type ParsedLine,
} from './clusterScript'
import { renderStatusTable } from './statusTable'

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
      return { kind: 'ok', output: `slept ${formatDuration(parsed.ms)}` }
    case 'wait-leader': {
      const start = io.now()
      const found = await lab.waitFor((s) => s.leader !== null, parsed.timeoutMs)
      const s = lab.status()
      if (!found || s.leader === null) {
        return { kind: 'failed', message: `no leader within ${formatDuration(parsed.timeoutMs)}` }
      }
      const took = Math.round(io.now() - start)
      return {
        kind: 'ok',
        output: `leader ${nodeName(s.leader)} (term ${s.term}) after ${took} ms`,
      }
    }
    case 'command': {
      const result = await lab.command(parsed.command)
      if (!result.ok) return { kind: 'failed', message: result.error }
      return { kind: 'ok', output: formatResult(parsed.command, result) }
    }
  }
}

/**
 * runScript runs lines in order without a prompt, echoing each (`> put a 1`) and its result. The
 * first failure stops it with `raftlab cluster: line N: <command>: <message>` on stderr and exit
 * status 1; `quit` or the end of the lines is exit status 0. It does not close the lab.
 */
export async function runScript(
  lab: ClusterLab,
  lines: Iterable<string> | AsyncIterable<string>,
  nodes: number,
  io: ClusterIo,
): Promise<number> {
  let n = 0
  for await (const line of lines) {
    n++
    const parsed = parseClusterLine(line, nodes)
    if (parsed.kind === 'blank') continue
    const text = line.trim()
    io.say(`> ${text}`)
    const outcome = await runLine(lab, parsed, io)
    if (outcome.kind === 'quit') return 0
    if (outcome.kind === 'failed') {
      io.warn(`raftlab cluster: line ${n}: ${text}: ${outcome.message}`)
      return 1
    }
    io.say(outcome.output.replace(/^/gm, '  '))
  }
  return 0
}
