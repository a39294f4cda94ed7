// A seeded, in-memory Raft cluster: the real core (shared/raft) driven by a discrete-event loop
// with an unreliable network (delay, loss, duplication, reordering), directed partitions, crashes
// that lose unpersisted state, restarts from persisted state, and pauses. Hosts snapshot their
// state machines and compact their logs as they go (§7), so leaders send snapshots to followers
// that fall behind. Every step is followed by the safety checks; a final phase heals everything
// and checks liveness.
import { encodeKvCommand } from '../kv/command'
import { KvStore } from '../kv/store'
import { describeEvent, describeMessage, describeSnapshot } from '../raft/describe'
import { RaftNode } from '../raft/raft'
import { MemoryStorage } from '../raft/storage'
import {
  mayPrecedePersistence,
  type Message,
  type NodeId,
  type RaftConfig,
  type Ready,
  type SnapshotStatus,
} from '../raft/types'
import { RaftView } from '../raft/view'
import { AssertionError } from '../util/assert'
import { createRng, type Rng } from '../util/rng'
import { EventQueue, type Timed } from './queue'
import { SafetyChecker, type Violation } from './safety'

/** TICK_UNITS is how many simulated time units make one Raft tick; message delays and disk
 * latencies are drawn in units, so they can be shorter than a tick. */
export const TICK_UNITS = 10

/** FaultKind names what the nemesis may do to the cluster. */
export type FaultKind = 'partition' | 'oneway' | 'isolate' | 'crash' | 'pause'

/** ALL_FAULTS lists every fault kind. */
export const ALL_FAULTS: readonly FaultKind[] = ['partition', 'oneway', 'isolate', 'crash', 'pause']

/** NodeFactory builds a node's core; tests pass deliberately broken variants here. */
export type NodeFactory = (cfg: RaftConfig) => RaftNode

/** BrokenHost names a deliberately wrong host behaviour, for tests that the checks catch it:
 * 'compact-before-snapshot-durable' deletes log entries as soon as it starts writing the
 * snapshot that covers them, so a crash before that write completes loses committed state. */
export type BrokenHost = 'compact-before-snapshot-durable'

/** SimOptions configures one simulated run. Defaults give short timeouts so that a few thousand
 * steps see many elections. */
export interface SimOptions {
  seed: number
  nodes: number
  /** steps is the number of events processed while faults are active. */
  steps: number
  electionTimeoutMinTicks: number
  electionTimeoutMaxTicks: number
  heartbeatTicks: number
  preVote: boolean
  checkQuorum: boolean
  maxInflightMsgs: number
  maxEntriesPerMsg: number
  /** Network: a message takes 1..maxDelayUnits units (so messages reorder), and is lost or
   * delivered twice with these probabilities. */
  maxDelayUnits: number
  /** maxDiskDelayUnits bounds a simulated disk write (a Ready's persistence), so crashes can
   * land while a write is in flight and acknowledgements can overtake a slow leader disk. */
  maxDiskDelayUnits: number
  lossProbability: number
  duplicateProbability: number
  /** faults the nemesis may inject, roughly every meanFaultIntervalUnits. */
  faults: readonly FaultKind[]
  meanFaultIntervalUnits: number
  /** clientIntervalUnits is the gap between client proposals or reads. */
  clientIntervalUnits: number
  /** snapshotEveryEntries: once a host's state machine has applied this many entries past its
   * last snapshot, it takes one at a random later point (it skips half its chances) — writes it
   * (a disk write that takes time), then compacts its log; 0: never. */
  snapshotEveryEntries: number
  /** compactMarginEntries is how many entries a host keeps behind its snapshot when it compacts. */
  compactMarginEntries: number
  /** brokenHost makes every host misbehave that way (null: correct hosts). */
  brokenHost: BrokenHost | null
  /** liveness runs the final heal-and-converge phase. */
  liveness: boolean
  /** livenessBaseTicks (0: ten maximum election timeouts): after healing, a leader must commit a
   * new entry, and every node apply it,
   * within this many ticks plus the time to ship the backlog of uncommitted entries at the
   * configured batch size, one round trip per batch (see runLiveness). */
  livenessBaseTicks: number
  createNode: NodeFactory
  /** onTrace, when set, receives one line per step (building lines costs time: off by default). */
  onTrace: ((line: string) => void) | null
}

/** DEFAULT_SIM_OPTIONS are the defaults behind runSimulation. */
export const DEFAULT_SIM_OPTIONS: Omit<SimOptions, 'seed'> = {
  nodes: 3,
  steps: 2000,
  electionTimeoutMinTicks: 10,
  electionTimeoutMaxTicks: 20,
  heartbeatTicks: 3,
  preVote: true,
  checkQuorum: true,
  maxInflightMsgs: 8,
  maxEntriesPerMsg: 8,
  maxDelayUnits: 30,
  maxDiskDelayUnits: 4,
  lossProbability: 0.05,
  duplicateProbability: 0.03,
  faults: ALL_FAULTS,
  meanFaultIntervalUnits: 300,
  clientIntervalUnits: 15,
  snapshotEveryEntries: 8,
  compactMarginEntries: 2,
  brokenHost: null,
  liveness: true,
  livenessBaseTicks: 0,
  createNode: (cfg) => new RaftNode(cfg),
  onTrace: null,
}

/** SimStats counts what happened in a run. */
export interface SimStats {
  seed: number
  nodes: number
  steps: number
  livenessSteps: number
  ticks: number
  elections: number
  leadersElected: number
  maxTerm: number
  committed: number
  messagesSent: number
  messagesDropped: number
  faults: number
  crashes: number
  proposals: number
  readsAnswered: number
  /** Snapshots hosts wrote, compactions they made, MsgSnaps leaders sent and snapshots followers
   * restored from them. */
  snapshotsTaken: number
  compactions: number
  snapshotsSent: number
  snapshotsRestored: number
  /** Ticks from healing to a leader committing a new entry, and to every node applying it. */
  livenessCommitTicks: number | null
  livenessConvergeTicks: number | null
  /** livenessBoundTicks is the bound this run had to meet (0 when the phase did not run). */
  livenessBoundTicks: number
}

/** SimResult is a run's statistics and its first violation, if any. */
export interface SimResult {
  stats: SimStats
  violation: Violation | null
}

// Events come in four shapes only (tick; deliver and snapshot reports; ready, persisted and
// the snapshot work; nemesis and client): more would make the queue's and the loop's property
// reads megamorphic, which costs the sweeps a fifth of their speed.
type SimEvent = Timed &
  (
    | { kind: 'tick'; node: NodeId }
    | { kind: 'deliver'; msg: Message }
    | { kind: 'ready'; node: NodeId; incarnation: number }
    | { kind: 'persisted'; node: NodeId; incarnation: number }
    | { kind: 'snapshotWritten' | 'compact'; node: NodeId; incarnation: number }
    | { kind: 'snapshotFinished' | 'snapshotFailed'; msg: Message }
    | { kind: 'nemesis' }
    | { kind: 'client' }
  )

interface SimNode {
  id: NodeId
  raft: RaftNode | null
  /** view reads the core for the host (never its mutable fields). */
  view: RaftView | null
  storage: MemoryStorage
  kv: KvStore
  paused: boolean
  held: SimEvent[]
  incarnation: number
  readyScheduled: boolean
  /** pending is a Ready whose disk write is in flight (handleReady → persistReady). */
  pending: Ready | null
  /** snapshotJob is the snapshot being written, then compacted (one at a time), or null. */
  snapshotJob: { index: number; data: Uint8Array; compactTo: number } | null
}

/** runSimulation runs one seeded simulation and returns its statistics and first violation.
 * Options not given explicitly are varied by the seed (see variedOptions), so a sweep over seeds
 * also sweeps PreVote, CheckQuorum, batching, pipelining and fault rates. */
export function runSimulation(seed: number, options: Partial<SimOptions> = {}): SimResult {
  return new Simulation({ ...DEFAULT_SIM_OPTIONS, ...variedOptions(seed), ...options, seed }).run()
}

/** variedOptions derives per-seed settings from the seed itself (with its own random stream, so
 * the run's other streams are unaffected). */
export function variedOptions(seed: number): Partial<SimOptions> {
  const rng = createRng(seed).fork(99)
  return {
    preVote: rng.chance(0.75),
    checkQuorum: rng.chance(0.75),
    maxEntriesPerMsg: rng.pick([1, 2, 4, 8]),
    maxInflightMsgs: rng.pick([1, 2, 8]),
    lossProbability: rng.pick([0, 0.02, 0.05, 0.1]),
    duplicateProbability: rng.pick([0, 0.03]),
    meanFaultIntervalUnits: rng.pick([60, 120, 300]),
    clientIntervalUnits: rng.pick([5, 15, 40]),
    ...diskAndTimeouts(rng.pick([4, 4, 20, 60])),
    snapshotEveryEntries: rng.pick([3, 5, 10, 25]),
    compactMarginEntries: rng.pick([0, 1, 3]),
  }
}

/** diskAndTimeouts keeps Raft's timing requirement (§5.6: broadcast time ≪ election timeout)
 * when disks are slow: a vote round costs a round trip and two disk writes (the candidate's
 * and the voter's), and the election timeout stays at least twice that. Outside that
 * requirement Raft promises safety but not progress, so liveness could not be checked. */
function diskAndTimeouts(maxDiskDelayUnits: number): Partial<SimOptions> {
  if (maxDiskDelayUnits <= 4) return { maxDiskDelayUnits }
  const broadcastTicks = Math.ceil(
    (2 * DEFAULT_SIM_OPTIONS.maxDelayUnits + 2 * maxDiskDelayUnits) / TICK_UNITS,
  )
  const min = Math.max(DEFAULT_SIM_OPTIONS.electionTimeoutMinTicks, 2 * broadcastTicks)
  return { maxDiskDelayUnits, electionTimeoutMinTicks: min, electionTimeoutMaxTicks: 2 * min }
}

/** Simulation is one seeded run; the same options and seed always give the same trace. */
export class Simulation {
  private readonly opts: SimOptions
  private readonly queue = new EventQueue<SimEvent>()
  private readonly nodes = new Map<NodeId, SimNode>()
  private readonly ids: NodeId[]
  private readonly checker: SafetyChecker
  private readonly netRng: Rng
  private readonly nemesisRng: Rng
  private readonly clientRng: Rng
  private readonly nodeRng: Rng
  private readonly hostRng: Rng
  private readonly cuts = new Set<number>()
  private time = 0
  private lossProbability: number
  private duplicateProbability: number
  private nextContext = 0
  private nextValue = 0
  private phase: 'faults' | 'liveness' = 'faults'
  private readonly stats: SimStats

  constructor(opts: SimOptions) {
    this.opts = opts
    this.ids = Array.from({ length: opts.nodes }, (_, i) => i + 1)
    this.checker = new SafetyChecker(this.ids)
    const root = createRng(opts.seed)
    this.netRng = root.fork(1)
    this.nemesisRng = root.fork(2)
    this.clientRng = root.fork(3)
    this.nodeRng = root.fork(4)
    this.hostRng = root.fork(5)
    this.lossProbability = opts.lossProbability
    this.duplicateProbability = opts.duplicateProbability
    this.stats = {
      seed: opts.seed,
      nodes: opts.nodes,
      steps: 0,
      livenessSteps: 0,
      ticks: 0,
      elections: 0,
      leadersElected: 0,
      maxTerm: 0,
      committed: 0,
      messagesSent: 0,
      messagesDropped: 0,
      faults: 0,
      crashes: 0,
      proposals: 0,
      readsAnswered: 0,
      snapshotsTaken: 0,
      compactions: 0,
      snapshotsSent: 0,
      snapshotsRestored: 0,
      livenessCommitTicks: null,
      livenessConvergeTicks: null,
      livenessBoundTicks: 0,
    }
    for (const id of this.ids) {
      const node: SimNode = {
        id,
        raft: null,
        view: null,
        storage: new MemoryStorage(),
        kv: new KvStore(),
        paused: false,
        held: [],
        incarnation: 0,
        readyScheduled: false,
        pending: null,
        snapshotJob: null,
      }
      this.nodes.set(id, node)
      this.start(node)
      // Stagger tick phases so nodes do not tick in lockstep.
      this.queue.push({ time: this.netRng.int(0, TICK_UNITS), seq: 0, kind: 'tick', node: id })
    }
    this.queue.push({ time: this.nextFaultTime(), seq: 0, kind: 'nemesis' })
    this.queue.push({ time: opts.clientIntervalUnits, seq: 0, kind: 'client' })
  }

  run(): SimResult {
    while (this.stats.steps < this.opts.steps && !this.checker.violation) {
      if (!this.processNext()) break
      this.stats.steps++
    }
    if (this.opts.liveness && !this.checker.violation) this.runLiveness()
    this.stats.ticks = Math.floor(this.time / TICK_UNITS)
    this.stats.committed = this.checker.committedIndex
    return { stats: this.stats, violation: this.checker.violation }
  }

  // ---------------------------------------------------------------------------------------------
  // The event loop

  private processNext(): boolean {
    const ev = this.queue.pop()
    if (!ev) return false
    this.time = ev.time
    this.checker.time = ev.time
    this.checker.step = this.stats.steps + this.stats.livenessSteps
    switch (ev.kind) {
      case 'tick': {
        this.queue.push({ time: ev.time + TICK_UNITS, seq: 0, kind: 'tick', node: ev.node })
        const node = this.nodes.get(ev.node) as SimNode
        if (node.raft && !node.paused) this.drive(node, (r) => r.tick(), null)
        break
      }
      case 'deliver': {
        const node = this.nodes.get(ev.msg.to) as SimNode
        if (!node.raft) break
        if (node.paused) {
          node.held.push(ev)
          break
        }
        this.drive(
          node,
          (r) => {
            // Every node here is correct: a message it sent that another refuses is a bug on one
            // side or the other (a check too strict, or a message no correct node may send).
            const res = r.step(ev.msg)
            if (!res.ok) throw new AssertionError(`refused a correct peer's message: ${res.reason}`)
          },
          ev.msg,
        )
        break
      }
      case 'ready':
      case 'persisted': {
        const node = this.nodes.get(ev.node) as SimNode
        if (!node.raft || node.incarnation !== ev.incarnation) break
        if (node.paused) {
          node.held.push(ev)
          break
        }
        if (ev.kind === 'ready') {
          node.readyScheduled = false
          this.handleReady(node, node.raft)
        } else {
          this.persistReady(node, node.raft)
        }
        break
      }
      case 'snapshotWritten':
      case 'compact':
        this.snapshotEvent(ev)
        break
      case 'snapshotFinished':
      case 'snapshotFailed':
        this.snapshotReport(ev.msg, ev.kind === 'snapshotFinished' ? 'finished' : 'failed')
        break
      case 'nemesis':
        if (this.phase === 'faults') {
          this.nemesis()
          this.queue.push({ time: this.nextFaultTime(), seq: 0, kind: 'nemesis' })
        }
        break
      case 'client':
        if (this.phase === 'faults') {
          this.client()
          this.queue.push({
            time: this.time + this.opts.clientIntervalUnits,
            seq: 0,
            kind: 'client',
          })
        }
        break
    }
    return true
  }

  /** snapshotEvent carries on the snapshot work of a node's current incarnation: the snapshot
   * is written, or the compaction is due. */
  private snapshotEvent(ev: SimEvent & { kind: 'snapshotWritten' | 'compact' }): void {
    const node = this.nodes.get(ev.node) as SimNode
    if (!node.raft || node.incarnation !== ev.incarnation || !node.snapshotJob) return
    if (node.paused) {
      node.held.push(ev)
      return
    }
    if (ev.kind === 'snapshotWritten') this.snapshotWritten(node, node.snapshotJob)
    else {
      this.compact(node, node.snapshotJob.compactTo)
      node.snapshotJob = null
    }
  }

  /** snapshotReport tells the leader that sent MsgSnap `m` how its delivery went — if it still
   * leads the term it sent it in (a restarted node's transport knows nothing of its past). */
  private snapshotReport(m: Message, status: SnapshotStatus): void {
    const node = this.nodes.get(m.from) as SimNode
    if (!node.raft || (node.view as RaftView).term !== m.term) return
    if (node.paused) {
      node.held.push({
        time: this.time,
        seq: 0,
        kind: status === 'finished' ? 'snapshotFinished' : 'snapshotFailed',
        msg: m,
      })
      return
    }
    const what = `n${m.from} reports its snapshot to n${m.to} ${status}`
    this.drive(node, (r) => r.reportSnapshot(m.to, status), what)
  }

  /** drive runs an input on a node's core, turning a failed internal assertion into a
   * violation, and schedules the node's Ready. `what` is the input for the trace: a message
   * delivered, or a line (default: a tick). */
  private drive(node: SimNode, input: (r: RaftNode) => void, what: Message | string | null): void {
    const raft = node.raft as RaftNode
    if (this.opts.onTrace) {
      if (typeof what === 'string') this.trace(what)
      else this.trace(what ? `deliver ${describeMessage(what)}` : `n${node.id} tick`)
    }
    try {
      input(raft)
    } catch (err) {
      this.assertionFailed(node, err)
      return
    }
    this.scheduleReady(node)
  }

  private scheduleReady(node: SimNode): void {
    if (node.readyScheduled || node.pending || !node.raft || !node.raft.hasReady()) return
    node.readyScheduled = true
    // The host handles a Ready a little later (disk latency); a crash before then loses it.
    const delay = this.netRng.int(0, 4)
    this.queue.push({
      time: this.time + delay,
      seq: 0,
      kind: 'ready',
      node: node.id,
      incarnation: node.incarnation,
    })
  }

  /** handleReady plays the host's part of the Ready contract: persist, send, apply, advance. */
  /**
   * handleReady plays the host's part of the Ready contract in two steps, as a real host does
   * when its disk write takes time. Now: send what may precede persistence (a leader's appends and
   * heartbeats), apply committed entries, answer reads. After a simulated disk latency
   * (persistReady): persist, send the votes and acknowledgements, advance. A crash in between
   * loses the write — the window the contract must be safe in.
   */
  private handleReady(node: SimNode, raft: RaftNode): void {
    let rd: Ready
    try {
      rd = raft.ready()
    } catch (err) {
      this.assertionFailed(node, err)
      return
    }
    const id = node.id
    // The checker follows each node's log as the core sees it (persisted or not); a restart
    // resets it to what was persisted. A snapshot from the leader replaces the whole log.
    if (rd.snapshot) this.checker.onSnapshotLog(id, rd.snapshot.metadata)
    this.checker.onAppend(id, rd.entries)
    if (rd.hardState) {
      this.checker.onCommit(id, rd.hardState.commit, rd.hardState.term)
      if (rd.hardState.term > this.stats.maxTerm) this.stats.maxTerm = rd.hardState.term
    }
    if (rd.softState?.role === 'leader') this.checker.onLeader(id, (node.view as RaftView).term)
    for (const ev of rd.events) {
      if (ev.kind === 'electionStarted' && !ev.preVote) this.stats.elections++
      if (ev.kind === 'electionWon' && !ev.preVote) this.stats.leadersElected++
      if (this.opts.onTrace) this.trace(`n${id} ${describeEvent(ev)}`)
    }
    for (const m of rd.messages) if (mayPrecedePersistence(m)) this.send(m)
    // The snapshot holds committed state only: restore it now, like applying committed entries
    // before this Ready's own write.
    if (rd.snapshot) {
      this.stats.snapshotsRestored++
      if (this.opts.onTrace) this.trace(`n${id} restores snapshot ${describeSnapshot(rd.snapshot)}`)
      node.kv.restore(rd.snapshot.data)
      this.checker.onRestore(id, node.kv.appliedIndex, node.kv.digest())
    }
    for (const e of rd.committedEntries) {
      if (!this.checker.onApply(id, e)) break
      node.kv.apply(e)
      this.checker.onAppliedState(id, e.index, node.kv.digest())
    }
    for (const rs of rd.readStates) {
      this.stats.readsAnswered++
      this.checker.onReadState(id, rs.context, rs.index)
    }
    node.pending = rd
    const delay = this.netRng.int(0, this.opts.maxDiskDelayUnits + 1)
    this.queue.push({
      time: this.time + delay,
      seq: 0,
      kind: 'persisted',
      node: id,
      incarnation: node.incarnation,
    })
  }

  /** persistReady completes a Ready once its (simulated) disk write is done. */
  private persistReady(node: SimNode, raft: RaftNode): void {
    const rd = node.pending as Ready
    node.pending = null
    if (rd.snapshot) node.storage.applySnapshot(rd.snapshot)
    node.storage.append(rd.entries)
    this.checker.onDurable(node.id, rd.entries)
    if (rd.hardState) {
      node.storage.setHardState(rd.hardState)
      this.checker.onTerm(node.id, rd.hardState.term)
    }
    for (const m of rd.messages) if (!mayPrecedePersistence(m)) this.send(m)
    try {
      raft.advance(rd)
    } catch (err) {
      this.assertionFailed(node, err)
      return
    }
    this.scheduleReady(node)
    this.maybeSnapshot(node)
  }

  // ---------------------------------------------------------------------------------------------
  // Snapshots and compaction (§7), the host's part: snapshot the state machine, write it (a disk
  // write that takes time), and only then compact the log it covers. A crash can land before the
  // write completes (the snapshot is lost, the log intact) or between it and the compaction.

  /** maybeSnapshot starts a snapshot of the state machine once it is far enough past the last
   * one, at a random point. Only applied entries that are also on this node's disk qualify: the
   * snapshot's index must be a stored entry (committed entries may be applied before they are). */
  private maybeSnapshot(node: SimNode): void {
    const every = this.opts.snapshotEveryEntries
    if (every === 0 || node.snapshotJob || this.checker.violation) return
    const index = node.kv.appliedIndex
    const stored = node.storage.snapshot().metadata.index
    if (index - stored < every || index > node.storage.lastIndex()) return
    if (this.hostRng.chance(0.5)) this.startSnapshot(node, index)
  }

  private startSnapshot(node: SimNode, index: number): void {
    const term = node.storage.term(index)
    if (term !== node.kv.appliedTerm) {
      this.checker.report(
        'state-machine-safety',
        [node.id],
        `n${node.id} applied entry ${index} of term ${node.kv.appliedTerm}, but stores term ${String(term)} there`,
      )
      return
    }
    const job = {
      index,
      data: node.kv.snapshot(),
      compactTo: index - this.opts.compactMarginEntries,
    }
    node.snapshotJob = job
    if (this.opts.onTrace) this.trace(`n${node.id} snapshot ${term}/${index} started`)
    if (this.opts.brokenHost === 'compact-before-snapshot-durable')
      this.compact(node, job.compactTo)
    const delay = this.hostRng.int(1, 4 * (this.opts.maxDiskDelayUnits + 1))
    this.queue.push({
      time: this.time + delay,
      seq: 0,
      kind: 'snapshotWritten',
      node: node.id,
      incarnation: node.incarnation,
    })
  }

  /** snapshotWritten makes the snapshot durable (a leader's newer snapshot may have replaced the
   * log meanwhile: then it is out of date and dropped), then schedules the compaction. */
  private snapshotWritten(node: SimNode, job: { index: number; data: Uint8Array }): void {
    const res = node.storage.createSnapshot(job.index, this.ids, job.data)
    if (this.opts.onTrace) {
      this.trace(
        `n${node.id} snapshot at ${job.index} ${res.ok ? 'written' : `dropped (${res.reason})`}`,
      )
    }
    if (!res.ok) {
      node.snapshotJob = null
      return
    }
    this.stats.snapshotsTaken++
    const delay = this.hostRng.int(0, this.opts.maxDiskDelayUnits + 2)
    this.queue.push({
      time: this.time + delay,
      seq: 0,
      kind: 'compact',
      node: node.id,
      incarnation: node.incarnation,
    })
  }

  /** compact deletes the log up to `index`, keeping the margin behind the snapshot. */
  private compact(node: SimNode, index: number): void {
    const res = node.storage.compact(index)
    if (!res.ok) return
    this.stats.compactions++
    this.checker.onCompact(node.id, node.storage.snapshot().metadata.index, index + 1)
    if (this.opts.onTrace) {
      this.trace(`n${node.id} compacted log to ${index}, first index ${node.storage.firstIndex()}`)
    }
  }

  private assertionFailed(node: SimNode, err: unknown): void {
    if (!(err instanceof AssertionError)) throw err
    this.checker.report('assertion', [node.id], `n${node.id}: ${err.message}`)
  }

  private send(m: Message): void {
    this.stats.messagesSent++
    const lost = this.cuts.has(linkKey(m.from, m.to)) || this.netRng.chance(this.lossProbability)
    if (m.type === 'MsgSnap') {
      // A snapshot travels on its own stream, whose sender learns how it went and tells the
      // core (etcd's ReportSnapshot): that it failed soon after, that it arrived a little after
      // it did.
      this.stats.snapshotsSent++
      this.queue.push({
        time: this.time + this.netRng.int(1, 2 * this.opts.maxDelayUnits + 1),
        seq: 0,
        kind: lost ? 'snapshotFailed' : 'snapshotFinished',
        msg: m,
      })
    }
    if (lost) {
      this.stats.messagesDropped++
      return
    }
    const copies = this.netRng.chance(this.duplicateProbability) ? 2 : 1
    for (let i = 0; i < copies; i++) {
      const delay = this.netRng.int(1, this.opts.maxDelayUnits + 1)
      this.queue.push({ time: this.time + delay, seq: 0, kind: 'deliver', msg: m })
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Nodes: start, crash, pause

  private start(node: SimNode): void {
    node.incarnation++
    node.readyScheduled = false
    node.pending = null
    node.snapshotJob = null
    // The state machine comes back from the snapshot on disk; the core hands out the entries
    // after it.
    const storage = node.storage
    const snap = storage.snapshot()
    node.kv = new KvStore()
    if (snap.metadata.index > 0) node.kv.restore(snap.data)
    this.checker.onRestart(node.id, snap.metadata.index, storage.firstIndex(), node.kv.digest())
    const base = storage.firstIndex() - 1
    this.checker.resetLog(
      node.id,
      { index: base, term: storage.term(base) as number },
      storage.allEntries(),
    )
    const hs = storage.initialState()
    this.checker.onTerm(node.id, hs.term)
    node.raft = this.opts.createNode({
      id: node.id,
      peers: this.ids,
      electionTimeoutMinTicks: this.opts.electionTimeoutMinTicks,
      electionTimeoutMaxTicks: this.opts.electionTimeoutMaxTicks,
      heartbeatTicks: this.opts.heartbeatTicks,
      preVote: this.opts.preVote,
      checkQuorum: this.opts.checkQuorum,
      maxInflightMsgs: this.opts.maxInflightMsgs,
      maxEntriesPerMsg: this.opts.maxEntriesPerMsg,
      maxSizePerMsgBytes: 64 * 1024,
      storage: node.storage,
      rng: this.nodeRng.fork(node.id * 1000 + node.incarnation),
      applied: snap.metadata.index,
    })
    node.view = new RaftView(node.raft)
    // A restarted node's commit index restarts from its persisted value.
    this.checker.resetCommit(node.id, hs.commit)
    this.scheduleReady(node)
  }

  private crash(node: SimNode): void {
    // Everything not yet persisted — an unhandled Ready, volatile state, a snapshot being
    // written — is lost.
    node.raft = null
    node.view = null
    node.paused = false
    node.held = []
    node.readyScheduled = false
    node.pending = null
    this.stats.crashes++
  }

  private resume(node: SimNode): void {
    node.paused = false
    const held = node.held
    node.held = []
    for (const ev of held) {
      ev.time = this.time
      this.queue.push(ev)
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Nemesis and clients

  private nextFaultTime(): number {
    const mean = this.opts.meanFaultIntervalUnits
    return this.time + this.nemesisRng.int(Math.ceil(mean / 2), Math.ceil(mean * 1.5) + 1)
  }

  private nemesis(): void {
    const rng = this.nemesisRng
    const crashed = this.ids.filter((id) => !this.nodes.get(id)?.raft)
    const paused = this.ids.filter((id) => this.nodes.get(id)?.paused)
    const faulty = crashed.length + paused.length + (this.cuts.size > 0 ? 1 : 0)
    if (this.opts.faults.length === 0 || (faulty > 0 && rng.chance(0.5))) {
      // Heal one thing.
      const options: string[] = []
      if (this.cuts.size > 0) options.push('heal')
      if (crashed.length > 0) options.push('restart')
      if (paused.length > 0) options.push('resume')
      if (options.length === 0) return
      const action = rng.pick(options)
      if (action === 'heal') {
        this.cuts.clear()
        this.trace('nemesis: heal all links')
      } else if (action === 'restart') {
        const id = rng.pick(crashed)
        this.trace(`nemesis: restart n${id}`)
        this.start(this.nodes.get(id) as SimNode)
      } else {
        const id = rng.pick(paused)
        this.trace(`nemesis: resume n${id}`)
        this.resume(this.nodes.get(id) as SimNode)
      }
      return
    }
    // A one-node cluster has no links to cut.
    const kinds =
      this.ids.length > 1
        ? this.opts.faults
        : this.opts.faults.filter((k) => k === 'crash' || k === 'pause')
    if (kinds.length === 0) return
    this.stats.faults++
    const kind = rng.pick(kinds)
    const live = this.ids.filter((id) => this.nodes.get(id)?.raft && !this.nodes.get(id)?.paused)
    switch (kind) {
      case 'partition': {
        const side = new Set(this.ids.filter(() => rng.chance(0.5)))
        this.cuts.clear()
        for (const a of this.ids) {
          for (const b of this.ids)
            if (a !== b && side.has(a) !== side.has(b)) this.cuts.add(linkKey(a, b))
        }
        this.trace(`nemesis: partition {${[...side].join(',')}} | rest`)
        break
      }
      case 'oneway': {
        const a = rng.pick(this.ids)
        const b = rng.pick(this.ids.filter((x) => x !== a))
        this.cuts.add(linkKey(a, b))
        this.trace(`nemesis: cut n${a}->n${b}`)
        break
      }
      case 'isolate': {
        const a = rng.pick(this.ids)
        for (const b of this.ids) {
          if (b !== a) {
            this.cuts.add(linkKey(a, b))
            this.cuts.add(linkKey(b, a))
          }
        }
        this.trace(`nemesis: isolate n${a}`)
        break
      }
      case 'crash':
        if (live.length > 0) {
          const id = rng.pick(live)
          this.trace(`nemesis: crash n${id}`)
          this.crash(this.nodes.get(id) as SimNode)
        }
        break
      case 'pause':
        if (live.length > 0) {
          const id = rng.pick(live)
          this.trace(`nemesis: pause n${id}`)
          ;(this.nodes.get(id) as SimNode).paused = true
        }
        break
    }
  }

  private client(): void {
    const rng = this.clientRng
    const node = this.nodes.get(rng.pick(this.ids)) as SimNode
    if (!node.raft || node.paused) return
    if (rng.chance(0.75)) {
      const cmd = encodeKvCommand({
        op: 'put',
        key: `k${rng.int(0, 5)}`,
        value: `v${++this.nextValue}`,
        clientId: 0,
        seq: 0,
      })
      this.drive(
        node,
        (r) => {
          if (r.propose(cmd).ok) this.stats.proposals++
        },
        null,
      )
    } else {
      const ctx = `r${++this.nextContext}`
      this.drive(
        node,
        (r) => {
          if (r.readIndex(ctx).ok) this.checker.onReadRequest(ctx)
        },
        null,
      )
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Liveness: once every fault heals, a leader commits a new entry and every node applies it.

  private runLiveness(): void {
    this.phase = 'liveness'
    this.cuts.clear()
    this.lossProbability = 0
    this.duplicateProbability = 0
    for (const node of this.nodes.values()) {
      if (!node.raft) this.start(node)
      else if (node.paused) this.resume(node)
    }
    const bound = this.livenessBound()
    this.stats.livenessBoundTicks = bound
    this.trace(`liveness: all faults healed; bound ${bound} ticks`)
    const healedAt = this.time
    const deadline = healedAt + bound * TICK_UNITS
    const markers = new Map<number, number>() // term → index of the marker proposed in it
    while (!this.checker.violation && this.time <= deadline) {
      for (const node of this.nodes.values()) {
        const r = node.raft as RaftNode
        const v = node.view as RaftView
        if (v.isLeader && !markers.has(v.term)) {
          const res = r.propose(
            encodeKvCommand({
              op: 'put',
              key: 'liveness',
              value: `t${v.term}`,
              clientId: 0,
              seq: 0,
            }),
          )
          if (res.ok) markers.set(v.term, res.index)
          this.scheduleReady(node)
        }
      }
      const committed = this.livenessCommitted(markers)
      if (committed !== null && this.stats.livenessCommitTicks === null) {
        this.stats.livenessCommitTicks = Math.ceil((this.time - healedAt) / TICK_UNITS)
      }
      if (
        committed !== null &&
        [...this.nodes.values()].every((n) => n.kv.appliedIndex >= committed)
      ) {
        this.stats.livenessConvergeTicks = Math.ceil((this.time - healedAt) / TICK_UNITS)
        return
      }
      if (!this.processNext()) break
      this.stats.livenessSteps++
    }
    if (!this.checker.violation) {
      const what =
        this.stats.livenessCommitTicks === null
          ? 'no leader committed a new entry'
          : 'not every node applied it'
      this.checker.report('liveness', this.ids, `${what} within ${bound} ticks of healing`)
    }
  }

  /** livenessBound is the base bound plus the time to replicate the backlog — every entry some
   * node holds beyond the lowest commit index — one batch per worst-case round trip and disk
   * writes. With one
   * entry per message a long backlog is slow to ship, and that is flow control, not a bug. */
  private livenessBound(): number {
    let lastMax = 0
    let commitMin = Number.POSITIVE_INFINITY
    for (const node of this.nodes.values()) {
      const log = (node.view as RaftView).logIndexes()
      lastMax = Math.max(lastMax, log.lastIndex)
      commitMin = Math.min(commitMin, log.committed)
    }
    const batches = Math.ceil(Math.max(0, lastMax - commitMin) / this.opts.maxEntriesPerMsg)
    // One batch costs at worst a round trip and two disk writes (the follower's, and the
    // leader's previous one, which its next Ready waits for).
    const roundTripTicks =
      Math.ceil((2 * this.opts.maxDelayUnits + 2 * this.opts.maxDiskDelayUnits) / TICK_UNITS) + 1
    const base = this.opts.livenessBaseTicks || 10 * this.opts.electionTimeoutMaxTicks
    return base + batches * roundTripTicks
  }

  /** livenessCommitted returns the index of a marker committed in its leader's term, or null. */
  private livenessCommitted(markers: Map<number, number>): number | null {
    for (const node of this.nodes.values()) {
      const v = node.view as RaftView
      const index = markers.get(v.term)
      if (v.isLeader && index !== undefined && v.committed >= index) return index
    }
    return null
  }

  private trace(line: string): void {
    if (this.opts.onTrace) this.opts.onTrace(`${this.time} ${line}`)
  }
}

function linkKey(from: NodeId, to: NodeId): number {
  return from * 64 + to
}
