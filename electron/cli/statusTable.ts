// The status table of `raftlab cluster` and its --json form. Pure: a ClusterStatus in, text or
// plain data out, so the live view, script output and tests share one renderer.
import type { ClusterStatus, LinkRule, NodeState, NodeView } from '../../shared/lab'
import { nodeName } from '../../shared/lab'
import type { NodeId, Role } from '../../shared/raft/types'

const ANSI = {
  bold: '\x1b[1m',
  dim: '\x1b[2m',
  red: '\x1b[31m',
  green: '\x1b[32m',
  yellow: '\x1b[33m',
  reset: '\x1b[0m',
} as const

type Style = keyof typeof ANSI | null

const STATE_STYLE: Record<NodeState, Style> = {
  running: 'green',
  paused: 'yellow',
  crashed: 'red',
  stopped: 'dim',
  starting: 'dim',
}

/** LEADER_MARKER follows the role of the node the cluster agrees is leader. */
export const LEADER_MARKER = '★'

// A node that is not running reports nothing: its last role would be a stale claim (a crashed
// leader is not a leader), so only running and paused nodes show one. A paused leader still
// believes it leads, which is exactly what a person watching a pause should see.
function liveRole(n: NodeView): Role | null {
  return n.status !== null && (n.state === 'running' || n.state === 'paused') ? n.status.role : null
}

const name = (id: NodeId): string => (id > 0 ? nodeName(id) : '-')

/**
 * linkSummary describes the faults on the links leaving `from`, compactly: `→n2,n3` for cut
 * links, `n3 +20±5ms` for delayed ones, `n2 10% loss` for lossy ones, joined by `; `; `-` when
 * every outgoing link is clean. A cut hides the latency and loss of its link (nothing arrives).
 */
export function linkSummary(rules: readonly LinkRule[], from: NodeId): string {
  const out = rules.filter((r) => r.from === from).sort((a, b) => a.to - b.to)
  const parts: string[] = []
  const cut = out.filter((r) => r.cut).map((r) => nodeName(r.to))
  if (cut.length > 0) parts.push(`→${cut.join(',')}`)
  for (const r of out) {
    if (r.cut || (r.latencyMs <= 0 && r.lossPercent <= 0)) continue
    const slow =
      r.latencyMs > 0 ? ` +${r.latencyMs}${r.jitterMs > 0 ? `±${r.jitterMs}` : ''}ms` : ''
    const lossy = r.lossPercent > 0 ? ` ${r.lossPercent}% loss` : ''
    parts.push(`${nodeName(r.to)}${slow}${lossy}`)
  }
  return parts.length > 0 ? parts.join('; ') : '-'
}

interface Cell {
  text: string
  style: Style
  right?: boolean
}

// FIRST and SNAP show compaction: the first entry still in the log and the newest snapshot's last
// entry ('-' from a node too old to report them).
const HEADERS = [
  'NODE',
  'PID',
  'STATE',
  'ROLE',
  'TERM',
  'LEADER',
  'COMMIT',
  'LAST',
  'FIRST',
  'SNAP',
  'LINKS CUT',
]
const NUMERIC = new Set(['PID', 'TERM', 'COMMIT', 'LAST', 'FIRST', 'SNAP'])

function row(n: NodeView, status: ClusterStatus): Cell[] {
  const role = liveRole(n)
  const isLeader = role === 'leader' && status.leader === n.id
  const s = n.status
  const num = (v: number | undefined): Cell => ({
    text: v === undefined ? '-' : String(v),
    style: null,
    right: true,
  })
  const links = linkSummary(status.links, n.id)
  return [
    { text: nodeName(n.id), style: 'bold' },
    { text: n.pid === null ? '-' : String(n.pid), style: null, right: true },
    { text: n.state, style: STATE_STYLE[n.state] },
    {
      text: role === null ? '-' : isLeader ? `${role} ${LEADER_MARKER}` : role,
      style: isLeader ? 'green' : role === 'candidate' || role === 'precandidate' ? 'yellow' : null,
    },
    num(s?.term),
    { text: s && role !== null ? name(s.leaderId) : '-', style: null },
    num(s?.commit),
    num(s?.lastIndex),
    num(s?.firstIndex),
    num(s?.snapshotIndex),
    { text: links, style: links === '-' ? null : 'red' },
  ]
}

function paint(text: string, style: Style, color: boolean): string {
  return color && style !== null ? `${ANSI[style]}${text}${ANSI.reset}` : text
}

/** statusHeadline is the table's first line: cluster id, size, leader, term and fsync policy. */
export function statusHeadline(status: ClusterStatus): string {
  if (!status.running && status.nodes.length === 0) return 'no cluster running'
  const parts = [
    `cluster ${status.clusterId ?? '-'}`,
    `${status.nodes.length} node${status.nodes.length === 1 ? '' : 's'}`,
    `leader ${status.leader === null ? 'none' : nodeName(status.leader)}`,
    `term ${status.term}`,
  ]
  if (status.config) parts.push(`fsync ${status.config.fsync}`)
  if (status.config && status.config.timeScale !== 1) parts.push(`time ×${status.config.timeScale}`)
  if (!status.running) parts.push('stopped')
  return parts.join('  ')
}

/**
 * downReason says why a node is down, for a person: `n1 could not start: <reason>` for a node
 * that exited before it ran (it refused its data on disk, say), `n3 crashed: <reason>` for one
 * that died unexpectedly later; null for a node that is up, or that was stopped or killed on
 * purpose (no reason recorded).
 */
export function downReason(n: NodeView): string | null {
  if (n.detail === undefined || (n.state !== 'crashed' && n.state !== 'stopped')) return null
  const what = n.isStartFailure === true ? 'could not start' : n.state
  return `${nodeName(n.id)} ${what}: ${n.detail}`
}

/**
 * renderStatusTable renders a ClusterStatus as aligned text: the headline, a header row and one
 * row per node (pid, process state, role with LEADER_MARKER on the leader, term, the leader the
 * node believes in, commit, last and first log index, newest snapshot, and its outgoing link faults), then a line per
 * node that is down for a reason (downReason). With `color` false the text has no escape codes
 * at all, for pipes, files and tests.
 */
export function renderStatusTable(status: ClusterStatus, color: boolean): string {
  const headline = paint(statusHeadline(status), 'bold', color)
  if (status.nodes.length === 0) return headline
  const rows = [...status.nodes].sort((a, b) => a.id - b.id).map((n) => row(n, status))
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.text.length)))
  const line = (cells: Cell[]): string =>
    cells
      .map((c, i) => {
        const last = i === cells.length - 1
        const text = c.right
          ? c.text.padStart(widths[i]!)
          : last
            ? c.text
            : c.text.padEnd(widths[i]!)
        return paint(text, c.style, color)
      })
      .join('  ')
  const header = HEADERS.map((h) => ({ text: h, style: 'dim' as Style, right: NUMERIC.has(h) }))
  const reasons = [...status.nodes]
    .sort((a, b) => a.id - b.id)
    .map(downReason)
    .filter((r) => r !== null)
    .map((r) => paint(r, 'red', color))
  return [headline, line(header), ...rows.map(line), ...reasons].join('\n')
}

/** NodeSummary is one node in StatusSummary; Raft fields are null until the node reports. */
export interface NodeSummary {
  id: NodeId
  pid: number | null
  state: NodeState
  role: Role | null
  term: number | null
  commit: number | null
  lastIndex: number | null
  /** firstIndex and snapshotIndex: see NodeStatus (null also from nodes too old to report). */
  firstIndex: number | null
  snapshotIndex: number | null
  /** detail says why the node crashed or could not start (null: no reason recorded). */
  detail: string | null
  /** isStartFailure is true while the node is down because it could not start. */
  isStartFailure: boolean
}

/** StatusSummary is what `raftlab cluster --json` prints at the end. */
export interface StatusSummary {
  leader: NodeId | null
  term: number
  nodes: NodeSummary[]
  links: LinkRule[]
}

/** statusSummary reduces a ClusterStatus to the --json shape. As in the table, only running and
 * paused nodes have a role; term, commit and lastIndex are the last values a node reported. */
export function statusSummary(status: ClusterStatus): StatusSummary {
  return {
    leader: status.leader,
    term: status.term,
    nodes: [...status.nodes]
      .sort((a, b) => a.id - b.id)
      .map((n) => ({
        id: n.id,
        pid: n.pid,
        state: n.state,
        role: liveRole(n),
        term: n.status?.term ?? null,
        commit: n.status?.commit ?? null,
        lastIndex: n.status?.lastIndex ?? null,
        firstIndex: n.status?.firstIndex ?? null,
        snapshotIndex: n.status?.snapshotIndex ?? null,
        detail: n.detail ?? null,
        isStartFailure: n.isStartFailure === true,
      })),
    links: status.links.filter((r) => r.cut || r.latencyMs > 0 || r.lossPercent > 0),
  }
}
