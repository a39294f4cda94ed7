// The scenario tests' interactive cluster: real RaftNode cores whose messages are delivered only
// when a command says so, so a transcript can walk through a protocol situation step by step
// (like etcd raft's interaction tests). Commands are documented in tests/scenarios/README.md.
import {
  describeEntry,
  describeEvent,
  describeMessage,
  describeSnapshot,
  MemoryStorage,
  RaftNode,
  RaftView,
  type Entry,
  type Message,
  type NodeId,
  type RaftConfig,
  type Ready,
} from '../../shared/raft'
import { utf8Decode, utf8Encode } from '../../shared/util/binary'
import { SafetyChecker } from '../../shared/sim/safety'
import { createRng } from '../../shared/util/rng'

interface HarnessNode {
  id: NodeId
  raft: RaftNode | null
  storage: MemoryStorage
  applied: Entry[]
  /** state is the node's state machine: the data of the normal entries applied, in order (a
   * snapshot's data is this list joined by commas); appliedIndex is the last index it holds. */
  state: string[]
  appliedIndex: number
}

type Args = Map<string, string>

/** NodeFactory lets tests run the harness with a (broken) variant of the core. */
export type HarnessNodeFactory = (cfg: RaftConfig) => RaftNode

/** Harness is one scenario's cluster; run() executes one command line and returns its output. */
export class Harness {
  private nodes = new Map<NodeId, HarnessNode>()
  private ids: NodeId[] = []
  private inbox: Message[] = []
  private cuts = new Set<string>()
  private config: Omit<RaftConfig, 'id' | 'peers' | 'storage' | 'rng'> = {
    electionTimeoutMinTicks: 10,
    electionTimeoutMaxTicks: 20,
    heartbeatTicks: 1,
    preVote: false,
    checkQuorum: false,
    maxInflightMsgs: 256,
    maxEntriesPerMsg: 64,
    maxSizePerMsgBytes: 1 << 20,
  }
  private seed = 1
  /** checker judges every persisted entry, commit and new leader, as in the simulator. */
  checker = new SafetyChecker([])

  constructor(private readonly createNode: HarnessNodeFactory = (cfg) => new RaftNode(cfg)) {}

  run(line: string): string {
    const [cmd, ...rest] = line.trim().split(/\s+/)
    const pos = rest.filter((a) => !a.includes('='))
    const args: Args = new Map(
      rest.filter((a) => a.includes('=')).map((a) => a.split('=', 2) as [string, string]),
    )
    const out: string[] = []
    switch (cmd) {
      case 'add-nodes':
        this.addNodes(Number(pos[0]), args)
        break
      case 'set-state':
        this.setState(this.id(pos[0]), args)
        break
      case 'campaign':
        this.withRaft(this.id(pos[0]), (r) => r.campaign())
        break
      case 'tick':
        for (let i = 0; i < Number(pos[1] ?? 1); i++)
          this.withRaft(this.id(pos[0]), (r) => r.tick())
        break
      case 'tick-heartbeat':
        for (let i = 0; i < this.config.heartbeatTicks; i++)
          this.withRaft(this.id(pos[0]), (r) => r.tick())
        break
      case 'tick-election':
        // Tick until the node's election timer fires once. A leader runs two CheckQuorum rounds
        // (the first may still count replies from before a fault) or stops when it steps down.
        this.withRaft(this.id(pos[0]), (r) => {
          const wasLeader = r.role === 'leader'
          const rounds = wasLeader
            ? 2 * this.config.electionTimeoutMinTicks
            : this.config.electionTimeoutMaxTicks
          for (let i = 0; i < rounds; i++) {
            r.tick()
            if (wasLeader ? r.role !== 'leader' : r.status().electionElapsedTicks === 0) break
          }
        })
        break
      case 'run-ticks':
        for (let i = 0; i < Number(pos[0] ?? 1); i++) this.runTick(out)
        break
      case 'tick-until-timeout':
        out.push(this.tickUntilTimeout())
        break
      case 'propose': {
        const res = this.withRaft(this.id(pos[0]), (r) => r.propose(utf8Encode(pos[1] ?? '')))
        out.push(
          res.ok
            ? `ok index=${res.index} term=${res.term}`
            : `refused: ${res.reason} leader=${res.leaderId}`,
        )
        break
      }
      case 'read-index': {
        const res = this.withRaft(this.id(pos[0]), (r) => r.readIndex(pos[1] ?? 'ctx'))
        out.push(res.ok ? 'ok' : `refused: ${res.reason}`)
        break
      }
      case 'transfer-leadership': {
        // The target may be any number, so a transfer to a node outside the group can be tried.
        const res = this.withRaft(this.id(pos[0]), (r) => r.transferLeadership(Number(pos[1])))
        out.push(res.ok ? 'ok' : `refused: ${res.reason}`)
        break
      }
      case 'inject-msg':
        out.push(this.inject(pos, args))
        break
      case 'process-ready':
        for (const id of this.targets(pos)) this.processReady(id, out)
        break
      case 'deliver-msgs':
        for (const id of this.targets(pos)) this.deliver(id, out, args.get('drop') === 'true')
        break
      case 'stabilize':
        this.stabilize(this.targets(pos), out)
        break
      case 'cut':
        this.cut(this.id(pos[0]), this.id(pos[1]), pos[2] === 'both')
        break
      case 'isolate':
        for (const other of this.ids) {
          if (other !== this.id(pos[0])) this.cut(this.id(pos[0]), other, true)
        }
        break
      case 'heal':
        this.cuts.clear()
        break
      case 'crash':
        this.node(this.id(pos[0])).raft = null
        this.inbox = this.inbox.filter((m) => m.to !== this.id(pos[0]))
        break
      case 'restart':
        this.start(this.id(pos[0]))
        break
      case 'status':
        for (const id of this.targets(pos)) out.push(this.status(id))
        break
      case 'progress':
        out.push(...this.progressLines(this.id(pos[0])))
        break
      case 'check-safety': {
        const v = this.checker.violation
        out.push(v ? `VIOLATION ${v.kind}: ${v.message}` : 'safe: no property violated')
        break
      }
      case 'raft-log':
        for (const id of this.targets(pos)) out.push(this.logLine(id))
        break
      case 'snapshot':
        out.push(this.snapshot(this.id(pos[0])))
        break
      case 'compact':
        out.push(this.compact(this.id(pos[0]), pos[1] === undefined ? null : Number(pos[1])))
        break
      case 'report-snapshot': {
        const status = args.get('status') === 'failed' ? 'failed' : 'finished'
        this.withRaft(this.id(pos[0]), (r) => r.reportSnapshot(this.id(pos[1]), status))
        break
      }
      case 'state':
        for (const id of this.targets(pos)) out.push(this.stateLine(id))
        break
      default:
        throw new Error(`unknown scenario command '${cmd}'`)
    }
    return out.join('\n')
  }

  // ---------------------------------------------------------------------------------------------

  private addNodes(n: number, args: Args): void {
    const flag = (k: string, d: boolean): boolean => (args.has(k) ? args.get(k) === 'true' : d)
    const election = (args.get('election') ?? '10-20').split('-').map(Number)
    this.config = {
      ...this.config,
      preVote: flag('prevote', false),
      checkQuorum: flag('checkquorum', false),
      electionTimeoutMinTicks: election[0] as number,
      electionTimeoutMaxTicks: election[1] as number,
      heartbeatTicks: Number(args.get('heartbeat') ?? 1),
      maxInflightMsgs: Number(args.get('inflight') ?? 256),
      maxEntriesPerMsg: Number(args.get('batch') ?? 64),
    }
    this.seed = Number(args.get('seed') ?? 1)
    this.ids = Array.from({ length: n }, (_, i) => i + 1)
    this.checker = new SafetyChecker(this.ids)
    for (const id of this.ids) {
      this.nodes.set(id, {
        id,
        raft: null,
        storage: new MemoryStorage(),
        applied: [],
        state: [],
        appliedIndex: 0,
      })
      this.start(id)
    }
  }

  /** setState replaces a node's persisted state, then restarts it from there. */
  private setState(id: NodeId, args: Args): void {
    const node = this.node(id)
    const terms = (args.get('log') ?? '')
      .split(',')
      .filter((t) => t !== '')
      .map(Number)
    node.storage = new MemoryStorage()
    node.storage.append(
      terms.map((term, i) => ({
        term,
        index: i + 1,
        type: 'normal' as const,
        data: utf8Encode(`e${i + 1}`),
      })),
    )
    node.storage.setHardState({
      term: Number(args.get('term') ?? terms[terms.length - 1] ?? 0),
      vote: Number(args.get('vote') ?? 0),
      commit: Number(args.get('commit') ?? 0),
    })
    node.applied = []
    // Set-up rewrites history: start the checker afresh from the new persisted logs.
    this.checker = new SafetyChecker(this.ids)
    for (const n of this.nodes.values()) this.checker.onPersist(n.id, n.storage.allEntries())
    this.start(id)
  }

  private start(id: NodeId): void {
    const node = this.node(id)
    node.applied = []
    // The state machine comes back from the snapshot on disk (if any); the core hands out the
    // committed entries after it.
    const snap = node.storage.snapshot()
    node.state = decodeState(snap.data)
    node.appliedIndex = snap.metadata.index
    node.raft = this.createNode({
      ...this.config,
      id,
      peers: this.ids,
      storage: node.storage,
      rng: createRng(this.seed * 100 + id),
      applied: snap.metadata.index,
    })
  }

  /** snapshot makes node `id` snapshot its state machine at its applied index (durable at once:
   * MemoryStorage is the disk here). */
  private snapshot(id: NodeId): string {
    const node = this.node(id)
    const res = node.storage.createSnapshot(node.appliedIndex, this.ids, encodeState(node.state))
    if (!res.ok) return `${id}: no snapshot (${res.reason})`
    return `${id}: snapshot ${describeSnapshot(node.storage.snapshot())}`
  }

  /** compact deletes node `id`'s stored entries up to `index` (default: its snapshot's index). */
  private compact(id: NodeId, index: number | null): string {
    const node = this.node(id)
    const upTo = index ?? node.storage.snapshot().metadata.index
    const res = node.storage.compact(upTo)
    if (!res.ok) return `${id}: not compacted (${res.reason})`
    return `${id}: log compacted up to ${upTo}, first index ${node.storage.firstIndex()}`
  }

  private cut(a: NodeId, b: NodeId, both: boolean): void {
    this.cuts.add(`${a}->${b}`)
    if (both) this.cuts.add(`${b}->${a}`)
  }

  private processReady(id: NodeId, out: string[]): boolean {
    const node = this.node(id)
    const raft = node.raft
    if (!raft || !raft.hasReady()) return false
    const rd = raft.ready()
    out.push(`> ${id} handling Ready`)
    for (const line of describeReady(rd)) out.push(`  ${line}`)
    if (rd.snapshot) {
      node.storage.applySnapshot(rd.snapshot)
      this.checker.onSnapshotLog(id, rd.snapshot.metadata)
      node.state = decodeState(rd.snapshot.data)
      node.appliedIndex = rd.snapshot.metadata.index
    }
    node.storage.append(rd.entries)
    this.checker.onPersist(id, rd.entries)
    if (rd.hardState) {
      node.storage.setHardState(rd.hardState)
      this.checker.onCommit(id, rd.hardState.commit, rd.hardState.term)
    }
    if (rd.softState?.role === 'leader') this.checker.onLeader(id, raft.term)
    const dropped: string[] = []
    for (const m of rd.messages) {
      if (this.cuts.has(`${m.from}->${m.to}`))
        dropped.push(`dropped (link cut): ${describeMessage(m)}`)
      else if (!this.node(m.to).raft) dropped.push(`dropped (crashed): ${describeMessage(m)}`)
      else this.inbox.push(m)
    }
    for (const line of collapse(dropped)) out.push(`  ${line}`)
    for (const e of rd.committedEntries) {
      node.applied.push(e)
      if (e.type === 'normal') node.state.push(utf8Decode(e.data))
      node.appliedIndex = e.index
    }
    raft.advance(rd)
    return true
  }

  private deliver(id: NodeId, out: string[], drop: boolean): boolean {
    const mine = this.inbox.filter((m) => m.to === id)
    if (mine.length === 0) return false
    this.inbox = this.inbox.filter((m) => m.to !== id)
    out.push(drop ? `> ${id} dropping messages` : `> ${id} receiving messages`)
    for (const m of mine) {
      out.push(`  ${describeMessage(m)}`)
      if (!drop) this.withRaft(id, (r) => r.step(m))
    }
    return true
  }

  private stabilize(ids: NodeId[], out: string[]): void {
    for (let round = 0; round < 1000; round++) {
      let progress = false
      for (const id of ids) progress = this.processReady(id, out) || progress
      for (const id of ids) progress = this.deliver(id, out, false) || progress
      if (!progress) return
    }
    throw new Error('stabilize did not converge in 1000 rounds')
  }

  /** runTick lets one tick of time pass for every live node, delivering every message until the
   * cluster is quiet again; only the protocol events are reported. */
  private runTick(out: string[]): void {
    for (const id of this.ids) if (this.node(id).raft) this.withRaft(id, (r) => r.tick())
    const quiet: string[] = []
    this.stabilize(this.ids, quiet)
    for (const line of quiet) {
      const m = /^> (\d+) handling Ready$/.exec(line)
      if (m) this.current = Number(m[1])
      else if (line.startsWith('  event: ')) out.push(`${this.current}: ${line.slice(9)}`)
    }
  }

  private current: NodeId = 0

  /** tickUntilTimeout ticks every live node in lockstep until one of them starts an election. */
  private tickUntilTimeout(): string {
    const live = this.ids.filter((id) => this.node(id).raft)
    for (let t = 1; t <= this.config.electionTimeoutMaxTicks; t++) {
      const fired: NodeId[] = []
      for (const id of live) {
        const r = this.node(id).raft as RaftNode
        const wasLeader = r.role === 'leader'
        r.tick()
        // A non-leader's election timer is back at 0 after a tick only if it fired (no message is
        // delivered here), so a candidate that times out again and starts another election
        // counts too, not only a follower turning candidate.
        if (!wasLeader && r.status().electionElapsedTicks === 0) fired.push(id)
      }
      if (fired.length > 0)
        return `after ${t} ticks: ${fired.map((id) => `${id}`).join(', ')} timed out`
    }
    return `no node timed out within ${this.config.electionTimeoutMaxTicks} ticks`
  }

  /** inject hands node TO a message made up by the transcript (a forged or corrupt one, say) and
   * reports what step() said; fields not given are those of an empty message of TO's term. */
  private inject(pos: string[], args: Args): string {
    const to = this.id(pos[1])
    const num = (k: string, d: number): number => (args.has(k) ? Number(args.get(k)) : d)
    const index = num('index', 0)
    const entries = (args.get('entries') ?? '')
      .split(',')
      .filter((e) => e !== '')
      .map((e) => {
        const [term, idx] = e.split('/').map(Number) as [number, number]
        return { term, index: idx, type: 'normal' as const, data: utf8Encode(`forged${idx}`) }
      })
    const m: Message = {
      type: pos[2] as Message['type'],
      from: Number(pos[0]),
      to,
      term: num(
        'term',
        this.withRaft(to, (r) => r.term),
      ),
      logTerm: num('logterm', 0),
      index,
      entries,
      commit: num('commit', 0),
      reject: args.get('reject') === 'true',
      rejectHint: num('hint', 0),
      context: args.get('ctx') ?? '',
    }
    const res = this.withRaft(to, (r) => r.step(m))
    return res.ok ? 'ok' : `refused: ${res.reason}`
  }

  /** progressLines shows a leader's view of each follower's replication (§5.3's nextIndex and
   * matchIndex, with etcd-style flow control). */
  private progressLines(id: NodeId): string[] {
    const raft = this.node(id).raft
    if (!raft) return [`${id}: crashed`]
    const progress = new RaftView(raft).progress()
    if (!progress) return [`${id}: not leader`]
    return progress.map((p) => {
      const pending = p.state === 'snapshot' ? ` pending-snapshot=${p.pendingSnapshot}` : ''
      return `${id}->${p.id} ${p.state} match=${p.matchIndex} next=${p.nextIndex} inflight=${p.inflight}/${this.config.maxInflightMsgs}${p.recentActive ? ' active' : ''}${pending}`
    })
  }

  private status(id: NodeId): string {
    const node = this.node(id)
    if (!node.raft) return `${id}: crashed`
    const s = node.raft.status()
    const timer =
      s.role === 'leader' ? '' : ` timer=${s.electionElapsedTicks}/${s.electionTimeoutTicks}`
    // Compaction shows only once there is some, so transcripts without snapshots read as before.
    const snap = s.firstIndex > 1 || s.snapshotIndex > 0
    const log = snap ? ` first=${s.firstIndex} snapshot=${s.snapshotIndex}` : ''
    return `${id}: ${s.role} term=${s.term} vote=${s.vote} leader=${s.leaderId} commit=${s.commit} applied=${s.applied} last=${s.lastTerm}/${s.lastIndex}${log}${timer}`
  }

  /** stateLine shows a node's state machine: what it applied, entry by entry or from a snapshot. */
  private stateLine(id: NodeId): string {
    const node = this.node(id)
    return `${id}: applied=${node.appliedIndex} state=[${node.state.join(' ')}]`
  }

  private logLine(id: NodeId): string {
    const node = this.node(id)
    if (!node.raft) return `${id}: crashed`
    const entries = node.raft.log.allEntries()
    const commit = node.raft.log.committed
    const cells = entries.map((e) => `${e.term}/${e.index}${e.index <= commit ? '' : '*'}`)
    const first = node.raft.log.firstIndex()
    const before = first > 1 ? `compacted ≤ ${first - 1} | ` : ''
    return `${id}: ${before}[${cells.join(' ')}] commit=${commit} (* = not committed)`
  }

  private targets(pos: string[]): NodeId[] {
    return pos.length === 0 ? this.ids : pos.map((p) => this.id(p))
  }

  private id(s: string | undefined): NodeId {
    const n = Number(s)
    if (!this.nodes.has(n)) throw new Error(`no node '${s}'`)
    return n
  }

  private node(id: NodeId): HarnessNode {
    const n = this.nodes.get(id)
    if (!n) throw new Error(`no node ${id}`)
    return n
  }

  private withRaft<T>(id: NodeId, f: (r: RaftNode) => T): T {
    const raft = this.node(id).raft
    if (!raft) throw new Error(`node ${id} is crashed`)
    return f(raft)
  }
}

/** describeReady lists a Ready's contents, one item per line. */
export function describeReady(rd: Ready): string[] {
  const lines: string[] = []
  if (rd.softState) lines.push(`soft: ${rd.softState.role} leader=${rd.softState.leaderId}`)
  if (rd.hardState) {
    const hs = rd.hardState
    lines.push(`hard: term=${hs.term} vote=${hs.vote} commit=${hs.commit}`)
  }
  if (rd.snapshot) lines.push(`snapshot: ${describeSnapshot(rd.snapshot)}`)
  if (rd.entries.length > 0)
    lines.push(`persist: ${rd.entries.map((e) => describeEntry(e)).join(', ')}`)
  if (rd.mustSync) lines.push('fsync')
  for (const ev of rd.events) lines.push(`event: ${describeEvent(ev)}`)
  lines.push(...collapse(rd.messages.map((m) => `send: ${describeMessage(m)}`)))
  if (rd.committedEntries.length > 0) {
    lines.push(`apply: ${rd.committedEntries.map((e) => describeEntry(e)).join(', ')}`)
  }
  for (const rs of rd.readStates) lines.push(`read-state: index=${rs.index} ctx=${rs.context}`)
  return lines
}

function encodeState(state: string[]): Uint8Array {
  return utf8Encode(state.join(','))
}

function decodeState(data: Uint8Array): string[] {
  const s = utf8Decode(data)
  return s === '' ? [] : s.split(',')
}

/** collapse folds runs of identical lines into one line with a count, e.g. `… (×20)`. */
function collapse(lines: string[]): string[] {
  const out: string[] = []
  const counts = new Map<string, number>()
  for (const l of lines) counts.set(l, (counts.get(l) ?? 0) + 1)
  for (const [l, n] of counts) out.push(n > 1 ? `${l} (×${n})` : l)
  return out
}
