// The narrative: LabEvents told in plain language ("n3 timed out in term 4 and started an
// election"), one line per notable event, each kept with its session time so a click can show that
// instant on the charts. Pure: no DOM, no Vue.
import type { LabCommand } from '../../../shared/lab/commands'
import { nodeName } from '../../../shared/lab/config'
import type { LabEvent } from '../../../shared/lab/events'
import { describeEvent } from '../../../shared/raft/describe'
import type { NodeId, RaftEvent } from '../../../shared/raft/types'
import type { Ring } from './ring'
import { formatCount } from './format'
import type { LeaderSegment } from './timeline'

/** NarrativeKind groups lines for the filter. */
export type NarrativeKind =
  'election' | 'fault' | 'command' | 'warning' | 'process' | 'log' | 'work'

/** NARRATIVE_KINDS lists the kinds with their filter labels, in menu order. */
export const NARRATIVE_KINDS: readonly { kind: NarrativeKind; label: string }[] = [
  { kind: 'election', label: 'elections' },
  { kind: 'fault', label: 'faults' },
  { kind: 'command', label: 'commands' },
  { kind: 'warning', label: 'warnings' },
  { kind: 'process', label: 'processes' },
  { kind: 'log', label: 'logs' },
  { kind: 'work', label: 'workload & benchmarks' },
]

/** NarrativeLine is one line of the story. */
export interface NarrativeLine {
  /** id is unique within a session (the event's seq, with a suffix for derived lines). */
  id: string
  timeMs: number
  kind: NarrativeKind
  text: string
  /** detail is the technical form (shown as a tooltip). */
  detail?: string
  nodes: NodeId[]
  /** repeat counts identical lines folded into this one (a node retrying a pre-vote every
   * timeout while cut off would otherwise fill the narrative); lastTimeMs is the latest. */
  repeat?: number
  lastTimeMs?: number
}

/** NarrativeContext is what the wording depends on beyond the event itself. */
export interface NarrativeContext {
  /** preVote: the cluster runs PreVote, so a real election follows a won pre-vote rather than a
   * timeout. */
  preVote: boolean
}

/** REPEAT_LOOKBACK and REPEAT_WINDOW_MS bound which earlier line a repeat folds into. */
const REPEAT_LOOKBACK = 8
const REPEAT_WINDOW_MS = 15_000

/** ORDER_LOOKBACK bounds how far back a line that happened earlier than the newest is placed. */
const ORDER_LOOKBACK = 64

/** pushLine adds a line in the order things happened (a node's report can arrive after a
 * reaction to it from another node), or folds it into an identical recent one (counting
 * repeats). */
export function pushLine(r: Ring<NarrativeLine>, line: NarrativeLine): void {
  for (let i = 1; i <= Math.min(REPEAT_LOOKBACK, r.length); i++) {
    const prev = r.at(-i) as NarrativeLine
    if (
      prev.text === line.text &&
      prev.kind === line.kind &&
      line.timeMs - (prev.lastTimeMs ?? prev.timeMs) < REPEAT_WINDOW_MS
    ) {
      prev.repeat = (prev.repeat ?? 1) + 1
      prev.lastTimeMs = line.timeMs
      return
    }
  }
  r.insertSorted(line, (l) => l.timeMs, ORDER_LOOKBACK)
}

const n = nodeName
const list = (ids: readonly NodeId[]): string => ids.map(n).join(', ') || 'nobody'

function raftLine(
  node: NodeId,
  e: RaftEvent,
  ctx: NarrativeContext,
): { kind: NarrativeKind; text: string } | null {
  const who = n(node)
  switch (e.kind) {
    case 'electionStarted':
      if (e.transfer)
        return {
          kind: 'election',
          text: `${who} was handed leadership and started an election for term ${e.term}`,
        }
      if (e.preVote)
        return {
          kind: 'election',
          text: `${who} timed out in term ${e.term - 1} and asked for pre-votes for term ${e.term}`,
        }
      return {
        kind: 'election',
        text: ctx.preVote
          ? `${who} started an election for term ${e.term}`
          : `${who} timed out in term ${e.term - 1} and started an election for term ${e.term}`,
      }
    case 'voteCast':
      return {
        kind: 'election',
        text: e.preVote
          ? `${who} ${e.granted ? 'granted' : 'refused'} ${n(e.candidate)} a pre-vote for term ${e.term}`
          : e.granted
            ? `${who} voted for ${n(e.candidate)} in term ${e.term}`
            : `${who} refused its vote to ${n(e.candidate)} in term ${e.term}`,
      }
    case 'electionWon':
      return {
        kind: 'election',
        text: e.preVote
          ? `${who} won the pre-vote for term ${e.term} (${list(e.votes)})`
          : `${who} won term ${e.term} with votes from ${list(e.votes)}`,
      }
    case 'electionLost':
      return {
        kind: 'election',
        text: `${who} lost the ${e.preVote ? 'pre-vote' : 'election'} for term ${e.term}: refused by ${list(e.rejections)}`,
      }
    case 'steppedDown': {
      const why = {
        'higher-term': `saw term ${e.term}`,
        'check-quorum': 'lost contact with a majority (CheckQuorum)',
        'leader-seen': `heard from the leader of term ${e.term}`,
      }[e.reason]
      return { kind: 'election', text: `${who} stepped down: it ${why}` }
    }
    case 'logTruncated':
      return {
        kind: 'log',
        text: `${who} dropped a conflicting suffix of its log from index ${e.fromIndex}`,
      }
    case 'transferStarted':
      return { kind: 'election', text: `${who} began handing leadership to ${n(e.to)}` }
    case 'transferAborted':
      return {
        kind: 'election',
        text: `${who} gave up handing leadership to ${n(e.to)} (${e.reason})`,
      }
  }
}

/** describeCommand says what a command asks for, in a few words. */
export function describeCommand(c: LabCommand): string {
  switch (c.type) {
    case 'cluster.start':
      return `start a ${c.config.nodes ?? 3}-node cluster`
    case 'cluster.stop':
      return 'stop the cluster'
    case 'cluster.status':
      return 'ask for the status'
    case 'node.pause':
    case 'node.resume':
    case 'node.crash':
    case 'node.restart':
    case 'node.stop':
      return `${c.type.slice(5)} ${n(c.node)}`
    case 'node.transfer':
      return `transfer leadership to ${n(c.to)}`
    case 'node.snapshot':
      return `snapshot ${n(c.node)}`
    case 'link.cut':
    case 'link.heal':
      return `${c.type === 'link.cut' ? 'cut' : 'heal'} link ${n(c.from)}${c.both ? '↔' : '→'}${n(c.to)}`
    case 'link.set':
      return `slow link ${n(c.from)}${c.both ? '↔' : '→'}${n(c.to)}`
    case 'partition.isolate':
      return `isolate ${n(c.node)}`
    case 'partition.split':
      return c.minority ? `split off ${list(c.minority)}` : 'split majority | minority'
    case 'partition.bridge':
      return 'bridge partition'
    case 'heal.all':
      return 'heal all links'
    case 'kv.put':
      return `put ${c.key}`
    case 'kv.get':
      return `get ${c.key}`
    case 'kv.delete':
      return `delete ${c.key}`
    case 'kv.cas':
      return `cas ${c.key}`
    case 'workload.start':
      return 'start the workload'
    case 'workload.stop':
      return 'stop the workload'
    case 'bench.start':
      return 'start a benchmark'
    case 'bench.cancel':
      return 'cancel the benchmark'
    case 'elect.start':
      return 'start the Figure 16 run'
    case 'elect.cancel':
      return 'cancel the Figure 16 run'
    case 'record.start':
      return 'start recording'
    case 'record.stop':
      return 'stop recording'
    case 'rerun.start':
      return 're-run a recording'
    default:
      return (c as { type: string }).type
  }
}

const ms = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2))

/** describeLabEvent tells one event in plain language, or returns null for events that are data
 * rather than news (statuses, log appends, counters, traces, progress). */
export function describeLabEvent(
  ev: LabEvent,
  ctx: NarrativeContext = { preVote: false },
): NarrativeLine | null {
  // Node events are placed when they happened on their node, not when their report arrived.
  const at = 'atMs' in ev && ev.atMs !== undefined ? Math.min(ev.atMs, ev.timeMs) : ev.timeMs
  const line = (kind: NarrativeKind, text: string, nodes: NodeId[] = [], detail?: string) => ({
    id: String(ev.seq),
    timeMs: at,
    kind,
    text,
    nodes,
    ...(detail ? { detail } : {}),
  })
  switch (ev.type) {
    case 'cluster.started': {
      const c = ev.config
      return line(
        'process',
        `cluster started: ${c.nodes} node${c.nodes === 1 ? '' : 's'}, election timeout ` +
          `${c.electionTimeoutMinMs}–${c.electionTimeoutMaxMs} ms, heartbeat ${c.heartbeatMs} ms, ` +
          `fsync ${c.fsync}${c.timeScale !== 1 ? `, time ×${c.timeScale}` : ''}` +
          `${c.cpuShare === 'cluster' ? ', CPU shared as one app' : ''}`,
        [],
        ev.clusterId,
      )
    }
    case 'cluster.stopped':
      return line('process', `cluster stopped (${ev.reason})`)
    case 'node.process':
      switch (ev.state) {
        case 'crashed':
          // A crash the person caused has its own fault line; an unexpected one says why.
          if (!ev.detail) return null
          return ev.isStartFailure
            ? line('warning', `${n(ev.node)} could not start: ${ev.detail}`, [ev.node])
            : line('warning', `${n(ev.node)} crashed: ${ev.detail}`, [ev.node])
        case 'stopped':
          // A node only ever stops because it was told to, and that has its own line: the fault
          // "n4 stopped" for one node, "cluster stopped" for all (an unexpected exit is a crash).
          return null
        case 'running':
          return line(
            'process',
            `${n(ev.node)} is up${ev.pid !== null ? ` (pid ${ev.pid})` : ''}`,
            [ev.node],
          )
        default:
          return null
      }
    case 'node.raft': {
      const r = raftLine(ev.node, ev.event, ctx)
      return r ? line(r.kind, r.text, [ev.node], describeEvent(ev.event)) : null
    }
    case 'node.recovered': {
      const torn =
        ev.truncatedTailBytes > 0 ? `, cut a torn tail of ${ev.truncatedTailBytes} B` : ''
      const from = ev.snapshotIndex ? ` after its snapshot at index ${ev.snapshotIndex}` : ''
      return line(
        'log',
        `${n(ev.node)} recovered ${formatCount(ev.entries)} entries${from} from disk ` +
          `(last index ${ev.lastIndex}, term ${ev.term}) in ${ms(ev.durationMs)} ms${torn}`,
        [ev.node],
      )
    }
    case 'node.warning':
      return line(
        'warning',
        `${ev.node === 0 ? 'engine' : n(ev.node)}: ${ev.message}`,
        ev.node === 0 ? [] : [ev.node],
      )
    case 'fault':
      return line('fault', ev.description)
    case 'command':
      if (ev.phase === 'failed')
        return line('command', `✗ ${describeCommand(ev.command)} failed: ${ev.error ?? ''}`)
      if (ev.phase === 'done' && ev.command.type !== 'cluster.status')
        return line('command', `✓ ${describeCommand(ev.command)}`)
      return null
    case 'client.op': {
      const at = ev.index !== undefined ? ` at index ${ev.index}` : ''
      const err = ev.error ? `: ${ev.error}` : ''
      // What the operation found, where the event says (a missing key is not an "ok").
      const q = (v: string | null) => (v === null ? 'nothing' : JSON.stringify(v))
      const found =
        ev.result !== 'ok' || ev.value === undefined
          ? ev.result
          : ev.op === 'get'
            ? ev.value === null
              ? 'not found'
              : q(ev.value)
            : ev.op === 'cas'
              ? ev.swapped
                ? 'swapped'
                : `not swapped (holds ${q(ev.value)})`
              : `ok (replaced ${q(ev.value)})`
      return line(
        'command',
        `${ev.op} ${ev.key} → ${found}${at} in ${ms(ev.latencyMs)} ms via ${n(ev.node)}${err}`,
        [ev.node],
      )
    }
    case 'workload.started': {
      const s = ev.spec
      const load = s.mode === 'open' ? `${s.rate}/s open loop` : `${s.concurrency} clients`
      return line('work', `workload started: ${load}, ${s.valueSizeBytes}-byte values`)
    }
    case 'workload.stopped': {
      if (ev.error) return line('warning', `workload failed: ${ev.error}`)
      const r = ev.result
      if (!r) return line('work', 'workload stopped')
      const sum = (k: 'ok' | 'fail' | 'info') => r.counts.put[k] + r.counts.get[k] + r.counts.cas[k]
      const bad = sum('fail') + sum('info')
      const top = r.errors[0]
      const failures =
        bad === 0
          ? ''
          : `; ${formatCount(sum('fail'))} failed, ${formatCount(sum('info'))} unknown` +
            (top ? ` (commonest: ${top.message})` : '')
      const latency =
        r.writeLatency.count > 0
          ? `, p50 ${ms(r.writeLatency.p50)} ms, p99 ${ms(r.writeLatency.p99)} ms`
          : ''
      return line(
        bad > sum('ok') ? 'warning' : 'work',
        `workload stopped: ${formatCount(r.writesPerSec)} writes/s${latency}${failures}`,
      )
    }
    case 'bench.done':
      return line(
        ev.error ? 'warning' : 'work',
        ev.error
          ? `benchmark failed: ${ev.error}`
          : ev.cancelled
            ? 'benchmark cancelled'
            : `benchmark done: ${ev.report?.rows.length ?? 0} configurations`,
      )
    case 'record.started':
      return line('work', `recording to ${ev.recording.name}`)
    case 'record.stopped':
      return ev.error
        ? line('warning', `recording ${ev.recording.name} failed: ${ev.error}`)
        : line('work', `recording saved: ${ev.recording.name}`)
    case 'rerun.done':
      return ev.error
        ? line('warning', `re-run failed: ${ev.error}`)
        : line(
            'work',
            ev.cancelled
              ? 're-run cancelled'
              : `re-run done${ev.failedCommands.length > 0 ? `: ${ev.failedCommands.length} commands failed` : ''}`,
          )
    case 'elect.done':
      return line(
        ev.error ? 'warning' : 'work',
        ev.error
          ? `Figure 16 run failed: ${ev.error}`
          : ev.cancelled
            ? 'Figure 16 run cancelled'
            : `Figure 16 run done: ${ev.run?.trials.length ?? 0} trials`,
      )
    default:
      return null
  }
}

/** leaderLine tells a change of the cluster's leader (derived from node statuses). */
export function leaderLine(seg: LeaderSegment, seq: number): NarrativeLine {
  return {
    id: `${seq}L`,
    timeMs: seg.startMs,
    kind: 'election',
    text:
      seg.leader === 0
        ? 'the cluster has no leader'
        : `${n(seg.leader)} is the leader of term ${seg.term}`,
    nodes: seg.leader === 0 ? [] : [seg.leader],
  }
}
