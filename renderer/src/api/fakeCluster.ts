// The toy cluster behind FakeLab's live mode: elections on timeouts, heartbeats over uncut links,
// a workload that appends and commits. Not Raft — just plausible event streams in the contract's
// shapes, so the UI can be seen without an engine.
import type { NodeView } from '../../../shared/lab/commands'
import type {
  LabActivityEvent,
  LabEventBody,
  LinkRule,
  NodeStatus,
} from '../../../shared/lab/events'
import type { NodeId } from '../../../shared/raft/types'

/** Body is an event before the engine stamps it. */
export type Body = LabEventBody | LabActivityEvent

/** FakeNode is one toy node: its view (as in a ClusterStatus), its log of terms, its timer. */
export interface FakeNode {
  view: NodeView
  log: number[]
  elapsed: number
  timeout: number
}

/** blankStatus is a new node's status: a follower of term 0 with an empty log. */
export function blankStatus(): NodeStatus {
  return {
    role: 'follower',
    term: 0,
    vote: 0,
    leaderId: 0,
    commit: 0,
    applied: 0,
    lastIndex: 0,
    lastTerm: 0,
    electionElapsedTicks: 0,
    electionTimeoutTicks: 20,
    firstIndex: 1,
    snapshotIndex: 0,
  }
}

/** ToyCluster plays the nodes, one tick (10 Raft ticks) at a time. */
export class ToyCluster {
  nodes: FakeNode[] = []
  links: LinkRule[] = []
  workload = false
  private ticks = 0

  /** tickMs is how much time one tick() stands for (samples come every 500 ms of it). */
  constructor(
    private readonly emit: (body: Body) => void,
    private readonly tickMs = 100,
  ) {}

  /** reaches: no cut on the directed link a → b. */
  reaches(a: NodeId, b: NodeId): boolean {
    return !this.links.some((r) => r.from === a && r.to === b && r.cut)
  }

  /** tick plays 10 Raft ticks of the toy cluster. */
  tick(): void {
    const up = this.nodes.filter((n) => n.view.state === 'running' && n.view.status)
    const majority = Math.floor(this.nodes.length / 2) + 1
    for (const n of up) {
      const s = n.view.status!
      if (s.role === 'leader') continue
      n.elapsed += 10
      if (n.elapsed < n.timeout) continue
      // Campaign: votes from reachable nodes whose log is not newer.
      const term = s.term + 1
      n.view.status = { ...s, role: 'candidate', term, vote: n.view.id, leaderId: 0 }
      this.emit({
        type: 'node.raft',
        node: n.view.id,
        event: { kind: 'electionStarted', term, preVote: false, transfer: false },
      })
      const votes = [n.view.id]
      for (const o of up) {
        if (o === n || !this.reaches(n.view.id, o.view.id) || !this.reaches(o.view.id, n.view.id))
          continue
        const os = o.view.status!
        const granted = os.term < term && os.role !== 'leader' && n.log.length >= o.log.length
        this.emit({
          type: 'node.raft',
          node: o.view.id,
          event: { kind: 'voteCast', term, candidate: n.view.id, granted, preVote: false },
        })
        if (granted) {
          votes.push(o.view.id)
          o.view.status = { ...os, term, vote: n.view.id, role: 'follower', leaderId: 0 }
        }
      }
      n.elapsed = 0
      n.timeout = 15 + Math.floor(Math.random() * 15)
      if (votes.length >= majority) {
        n.view.status = { ...n.view.status!, role: 'leader', leaderId: n.view.id }
        this.emit({
          type: 'node.raft',
          node: n.view.id,
          event: { kind: 'electionWon', term, preVote: false, votes: votes.sort() },
        })
        this.append(n, 1, term)
      }
    }
    for (const l of up.filter((n) => n.view.status?.role === 'leader')) {
      const ls = l.view.status!
      const acks = [l]
      for (const o of up) {
        if (o === l || !this.reaches(l.view.id, o.view.id)) continue
        const os = o.view.status!
        if (os.term > ls.term) continue
        o.elapsed = 0
        if (os.role !== 'follower' || os.leaderId !== l.view.id || os.term !== ls.term)
          o.view.status = { ...os, role: 'follower', term: ls.term, leaderId: l.view.id }
        if (o.log.length !== l.log.length || o.log.at(-1) !== l.log.at(-1)) {
          let k = Math.min(o.log.length, l.log.length)
          while (k > 0 && o.log[k - 1] !== l.log[k - 1]) k--
          if (k < o.log.length)
            this.emit({
              type: 'node.log',
              node: o.view.id,
              op: 'truncate',
              fromIndex: k + 1,
              toIndex: k + 1,
              terms: [],
            })
          o.log = o.log.slice(0, k).concat(l.log.slice(k))
          this.emit({
            type: 'node.log',
            node: o.view.id,
            op: 'append',
            fromIndex: k + 1,
            toIndex: o.log.length,
            terms: l.log.slice(k),
          })
        }
        if (this.reaches(o.view.id, l.view.id)) acks.push(o)
      }
      if (this.workload) this.append(l, 20, ls.term)
      const commit =
        acks.length >= majority ? Math.min(...acks.map((a) => a.log.length)) : ls.commit
      for (const a of [l, ...acks])
        a.view.status = { ...a.view.status!, commit: Math.max(a.view.status!.commit, commit) }
    }
    for (const n of up) {
      const s = n.view.status!
      n.view.status = {
        ...s,
        lastIndex: n.log.length,
        lastTerm: n.log.at(-1) ?? 0,
        applied: s.commit,
        electionElapsedTicks: Math.min(n.elapsed, n.timeout) / 1,
        electionTimeoutTicks: n.timeout,
      }
      this.emit({ type: 'node.status', node: n.view.id, status: n.view.status })
    }
    this.ticks++
    if (this.workload && this.ticks % Math.max(1, Math.round(500 / this.tickMs)) === 0) {
      const points = Array.from({ length: 40 }, () =>
        Math.exp(Math.log(3) + Math.random() * Math.random() * 2.5),
      )
      const sorted = [...points].sort((a, b) => a - b)
      this.emit({
        type: 'workload.sample',
        elapsedMs: 0,
        totalMs: 0,
        phase: 'measure',
        sample: {
          windowMs: 500,
          writes: 500,
          reads: 0,
          fail: 0,
          info: 0,
          writesPerSec: 950 + Math.random() * 100,
          readsPerSec: 0,
          p50Ms: sorted[20] as number,
          p99Ms: sorted[39] as number,
          maxMs: sorted[39] as number,
          points,
        },
      })
    }
  }

  /** snapshot compacts a node's log up to what it applied, as node.snapshot does (no margin, as
   * with snapshotEveryEntries 0); refused like the engine's for a node not running, and a
   * warning when nothing was applied since the last one. */
  snapshot(n: FakeNode): void {
    const s = n.view.status
    if (n.view.state !== 'running' || !s)
      throw new Error(`n${n.view.id} is not running (it is ${n.view.state})`)
    const index = s.applied
    if (index <= (s.snapshotIndex ?? 0)) {
      this.emit({ type: 'node.warning', node: n.view.id, message: 'snapshot refused: nothing new' })
      return
    }
    n.view.status = { ...s, snapshotIndex: index, firstIndex: index + 1 }
    const term = n.log[index - 1] ?? 0
    // About what the KV store would take: a few dozen bytes an entry.
    this.emit({
      type: 'node.snapshot',
      node: n.view.id,
      kind: 'taken',
      index,
      term,
      bytes: index * 40,
      durationMs: 2 + index / 5000,
    })
    this.emit({ type: 'node.status', node: n.view.id, status: n.view.status })
  }

  /** append adds `count` entries of `term` to a node's log and reports them. */
  append(n: FakeNode, count: number, term: number): void {
    const from = n.log.length + 1
    for (let i = 0; i < count; i++) n.log.push(term)
    this.emit({
      type: 'node.log',
      node: n.view.id,
      op: 'append',
      fromIndex: from,
      toIndex: n.log.length,
      terms: Array(count).fill(term),
    })
  }
}
