// RaftNode: the Raft consensus core as a pure, deterministic state machine, modelled on etcd's
// raft. Inputs are tick(), step(message), propose(), readIndex(), transferLeadership(); outputs are
// collected in a Ready (see types.ts for the contract). It does no I/O, reads no clock (time is
// ticks) and draws randomness only from the injected Rng. Section numbers (§) refer to the Raft
// paper (Ongaro & Ousterhout, 2014); "diss." to Ongaro's dissertation (2014).
import { AssertionError, assert } from '../util/assert'
import { checkMessage } from './checkMessage'
import { Progress, quorum } from './progress'
import { RaftLog } from './raftLog'
import { ReadOnlyQueue, type ReadRequest } from './readOnly'
import {
  DEFAULT_RAFT_OPTIONS,
  MAX_TERM,
  NONE,
  type BasicStatus,
  type Entry,
  type EntryType,
  type HardState,
  type Message,
  type MessageType,
  type NodeId,
  type ProposeResult,
  type RaftConfig,
  type RaftEvent,
  type ReadIndexResult,
  type ReadState,
  type Ready,
  type Role,
  type Snapshot,
  type SnapshotStatus,
  type SoftState,
  type Status,
  type StepResult,
  type TransferResult,
} from './types'

const OK: StepResult = { ok: true }

/** TRANSFER_CONTEXT marks the vote requests of a leadership-transfer campaign (diss. §3.10):
 * voters grant them even while they still hear from the old leader. */
export const TRANSFER_CONTEXT = 'transfer'

type VoteTally = 'won' | 'lost' | 'pending'

/** RaftNode is one member of a Raft group. Call tick() every tick, step() for every message
 * received, and drain ready()/advance() after each call (see Ready for the order of work). */
export class RaftNode {
  readonly id: NodeId
  /** term is currentTerm (Figure 2): the latest term this node has seen. */
  term = 0
  /** vote is votedFor (Figure 2): the candidate voted for in `term`, or NONE. */
  vote: NodeId = NONE
  leaderId: NodeId = NONE
  role: Role = 'follower'
  readonly log: RaftLog

  protected readonly cfg: RaftConfig
  /** peers are all voters in ascending id order, so every loop over them is deterministic. */
  protected readonly peers: readonly NodeId[]
  protected readonly progress = new Map<NodeId, Progress>()
  protected readonly votes = new Map<NodeId, boolean>()
  protected electionElapsed = 0
  protected heartbeatElapsed = 0
  protected randomizedElectionTimeout = 0
  protected leadTransferee: NodeId = NONE
  /** pendingReads wait for the first commit of the leader's term before they can be served. */
  protected pendingReads: ReadRequest[] = []
  protected readOnly = new ReadOnlyQueue()

  private readonly peerSet: ReadonlySet<NodeId>
  private msgs: Message[] = []
  private readStates: ReadState[] = []
  private events: RaftEvent[] = []
  private prevSoft: SoftState = { leaderId: NONE, role: 'follower' }
  private prevHard: HardState
  private readyPending = false
  /** uncommittedSizeBytes is the data of this leader's entries not yet applied (see
   * RaftConfig.maxUncommittedEntriesSizeBytes). */
  private uncommittedSizeBytes = 0
  private readonly maxCommittedSizePerReadyBytes: number
  private readonly maxUncommittedEntriesSizeBytes: number

  constructor(cfg: RaftConfig) {
    validateConfig(cfg)
    this.cfg = cfg
    this.id = cfg.id
    this.peers = [...cfg.peers].sort((a, b) => a - b)
    this.peerSet = new Set(this.peers)
    this.maxCommittedSizePerReadyBytes =
      cfg.maxCommittedSizePerReadyBytes ?? DEFAULT_RAFT_OPTIONS.maxCommittedSizePerReadyBytes
    this.maxUncommittedEntriesSizeBytes =
      cfg.maxUncommittedEntriesSizeBytes ?? DEFAULT_RAFT_OPTIONS.maxUncommittedEntriesSizeBytes
    this.log = new RaftLog(cfg.storage, cfg.applied ?? 0)
    // Restart from persisted state (Figure 2: currentTerm, votedFor and log[] are persistent).
    // Storage must hand over a state a node can be in; a node's disk recovery refuses any other
    // with a message naming its files (electron/node/storage/recoveryCheck.ts), so these
    // asserts firing means a bug, not a damaged disk.
    const hs = cfg.storage.initialState()
    assert(hs.commit <= this.log.lastIndex(), () => {
      return `persisted commit ${hs.commit} is past the last stored index ${this.log.lastIndex()}`
    })
    assert(hs.term >= this.log.lastTerm(), () => {
      return `persisted term ${hs.term} is below the last stored entry's term ${this.log.lastTerm()}`
    })
    assert(hs.vote === NONE || hs.term > 0, `persisted vote for ${hs.vote} in term 0`)
    this.term = hs.term
    this.vote = hs.vote
    this.log.committed = Math.max(hs.commit, this.log.committed)
    this.prevHard = { term: hs.term, vote: hs.vote, commit: this.log.committed }
    this.becomeFollower(this.term, NONE)
  }

  // ---------------------------------------------------------------------------------------------
  // Inputs

  /** tick advances logical time by one tick: election timeouts on followers and candidates,
   * heartbeats and the CheckQuorum test on leaders. */
  tick(): void {
    if (this.role === 'leader') this.tickLeader()
    else this.tickElection()
  }

  /** campaign starts an election now, as if the election timeout had fired (a PreVote round
   * first when PreVote is on). A leader ignores it. */
  campaign(): void {
    this.hup(false)
  }

  /** propose appends a client command to the leader's log; followers refuse with a leader hint. */
  propose(data: Uint8Array): ProposeResult {
    return this.proposeBatch([data])
  }

  /** proposeBatch appends several commands at once (one replication round for all of them); the
   * result gives the index of the first, the others follow it. */
  proposeBatch(datas: readonly Uint8Array[]): ProposeResult {
    if (this.role !== 'leader') return { ok: false, reason: 'not-leader', leaderId: this.leaderId }
    if (this.leadTransferee !== NONE) {
      // diss. §3.10: the old leader stops accepting new client requests during a transfer.
      return { ok: false, reason: 'transferring', leaderId: this.leaderId }
    }
    let sizeBytes = 0
    for (const d of datas) sizeBytes += d.length
    if (
      this.uncommittedSizeBytes > 0 &&
      sizeBytes > 0 &&
      this.uncommittedSizeBytes + sizeBytes > this.maxUncommittedEntriesSizeBytes
    ) {
      // A leader that cannot commit (no quorum, slow followers) refuses work it cannot finish
      // rather than grow its log without bound; the client may retry once entries commit.
      return { ok: false, reason: 'uncommitted-limit', leaderId: this.leaderId }
    }
    this.uncommittedSizeBytes += sizeBytes
    const index = this.log.lastIndex() + 1
    this.appendEntries('normal', datas)
    this.bcastAppend()
    return { ok: true, index, term: this.term }
  }

  /** readIndex asks for a linearizable read point (diss. §6.4). The answer arrives later as a
   * ReadState with the same context; contexts must be unique among pending requests. */
  readIndex(context: string): ReadIndexResult {
    if (this.role === 'leader') {
      this.handleReadRequest({ index: 0, context, from: this.id })
      return { ok: true }
    }
    if (this.role === 'follower' && this.leaderId !== NONE) {
      this.send({ type: 'MsgReadIndex', to: this.leaderId, context })
      return { ok: true }
    }
    return { ok: false, reason: 'no-leader' }
  }

  /** transferLeadership hands leadership to `to` (diss. §3.10): the leader stops taking
   * proposals, brings `to` up to date, then sends it TimeoutNow so it campaigns at once. */
  transferLeadership(to: NodeId): TransferResult {
    if (this.role !== 'leader') return { ok: false, reason: 'not-leader', leaderId: this.leaderId }
    if (to === this.id) return { ok: false, reason: 'already-leader' }
    const pr = this.progress.get(to)
    if (!pr) return { ok: false, reason: 'unknown-node' }
    if (this.leadTransferee === to) return { ok: true }
    if (this.leadTransferee !== NONE) this.abortTransfer('superseded')
    this.leadTransferee = to
    // The transfer must finish within an election timeout, or it is abandoned (tickLeader).
    this.electionElapsed = 0
    this.events.push({ kind: 'transferStarted', term: this.term, to })
    if (pr.match === this.log.lastIndex()) this.send({ type: 'MsgTimeoutNow', to })
    else this.sendAppend(to)
    return { ok: true }
  }

  /** step handles one message from a peer. Messages from non-members are ignored; a message no
   * correct peer could have sent (see checkMessage, and the checks at each handler) is dropped
   * before it touches any state, and the result says why. */
  step(m: Message): StepResult {
    const invalid = checkMessage(m, this.id)
    if (invalid !== null) return { ok: false, reason: invalid }
    if (m.from === this.id || !this.peerSet.has(m.from)) return OK
    const refused =
      this.refuseImpossible(m) ?? (m.type === 'MsgSnap' ? this.refuseSnapshot(m) : null)
    if (refused !== null) return { ok: false, reason: refused }
    this.stepChecked(m)
    return OK
  }

  /** refuseImpossible returns why `m` cannot come from a correct peer given this node's state, or
   * null: an acknowledgement of entries past the end of the leader's log, or a second leader in
   * the term this node already follows a leader of (§5.2: at most one leader per term) — which
   * includes a TimeoutNow (only a leader hands leadership over; a forged one would start an
   * election that gets past the lease). */
  private refuseImpossible(m: Message): string | null {
    if (m.term !== this.term) return null
    if (m.type === 'MsgAppResp' && this.role === 'leader' && m.index > this.log.lastIndex()) {
      return `${m.reject ? 'rejects' : 'acknowledges'} index ${m.index}, past this leader's last index ${this.log.lastIndex()}`
    }
    if (
      (isFromLeader(m) || m.type === 'MsgTimeoutNow') &&
      ((this.role === 'leader' && m.from !== this.id) ||
        (this.leaderId !== NONE && m.from !== this.leaderId))
    ) {
      return `n${m.from} acts as leader of term ${m.term}, which n${this.leaderId} leads`
    }
    return null
  }

  /** refuseSnapshot returns why a MsgSnap's snapshot cannot come from a correct leader of this
   * cluster, or null. Until membership changes exist, the configuration a snapshot records is
   * the one peer list every member shares. */
  private refuseSnapshot(m: Message): string | null {
    const peers = (m.snapshot as Snapshot).metadata.peers
    if (peers.length !== this.peers.length || !peers.every((p) => this.peerSet.has(p))) {
      return `snapshot configuration ${peers.join(',')} is not this cluster's ${this.peers.join(',')}`
    }
    return null
  }

  private stepChecked(m: Message): void {
    if (m.term > this.term) {
      if ((m.type === 'MsgVote' || m.type === 'MsgPreVote') && m.context !== TRANSFER_CONTEXT) {
        // diss. §4.2.3: a server that heard from a leader within the minimum election timeout
        // does not help depose it. A pre-vote is refused outright (diss. §9.6: the would-be
        // candidate learns it cannot win and stays a follower); with CheckQuorum a real vote
        // request is ignored, so a server that was cut off cannot disrupt a working leader.
        const inLease =
          this.leaderId !== NONE && this.electionElapsed < this.cfg.electionTimeoutMinTicks
        if (inLease && m.type === 'MsgPreVote') {
          this.send({ type: 'MsgPreVoteResp', to: m.from, term: this.term, reject: true })
          this.events.push({
            kind: 'voteCast',
            term: m.term,
            candidate: m.from,
            granted: false,
            preVote: true,
          })
          return
        }
        if (inLease && this.cfg.checkQuorum) return
      }
      if (m.type === 'MsgPreVote') {
        // A pre-vote never changes our term (diss. §9.6).
      } else if (m.type === 'MsgPreVoteResp' && !m.reject) {
        // A granted pre-vote carries the term we would campaign in; it is counted below.
      } else {
        const leader = isFromLeader(m) ? m.from : NONE
        if (this.role !== 'follower') {
          this.events.push({ kind: 'steppedDown', term: m.term, reason: 'higher-term' })
        }
        // §5.1: any message with a higher term makes a node adopt it and revert to follower.
        this.becomeFollower(m.term, leader)
      }
    } else if (m.term < this.term) {
      if ((this.cfg.checkQuorum || this.cfg.preVote) && isFromLeader(m)) {
        // A stale leader that cannot hear higher terms through votes (they are ignored in its
        // lease, or never sent under PreVote) learns our term from this reply and steps down.
        this.send({ type: 'MsgAppResp', to: m.from })
      } else if (m.type === 'MsgPreVote') {
        this.send({ type: 'MsgPreVoteResp', to: m.from, term: this.term, reject: true })
      }
      return
    }

    if (m.type === 'MsgVote' || m.type === 'MsgPreVote') {
      this.handleVoteRequest(m)
      return
    }
    switch (this.role) {
      case 'leader':
        this.stepLeader(m)
        break
      case 'candidate':
      case 'precandidate':
        this.stepCandidate(m)
        break
      case 'follower':
        this.stepFollower(m)
        break
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Outputs

  /** hasReady reports whether ready() has work for the host. */
  hasReady(): boolean {
    return (
      this.msgs.length > 0 ||
      this.log.hasUnstable() ||
      this.log.pendingSnapshot() !== null ||
      this.log.hasNextCommittedEntries() ||
      this.readStates.length > 0 ||
      this.events.length > 0 ||
      !sameSoft(this.softState(), this.prevSoft) ||
      !sameHard(this.hardState(), this.prevHard)
    )
  }

  /** ready collects the pending work. The host handles it as Ready's contract says, then calls
   * advance(ready) before calling ready() again. */
  ready(): Ready {
    assert(!this.readyPending, 'ready() called again before advance()')
    const soft = this.softState()
    const hard = this.hardState()
    const softChanged = !sameSoft(soft, this.prevSoft)
    const hardChanged = !sameHard(hard, this.prevHard)
    // step() refuses terms past MAX_TERM and hup() never campaigns past it: a state whose next
    // message could not be encoded is never handed out to be persisted.
    assert(hard.term <= MAX_TERM, () => `term ${hard.term} is past MAX_TERM`)
    const entries = this.log.unstableEntries()
    const snapshot = this.log.pendingSnapshot()
    const rd: Ready = {
      softState: softChanged ? soft : null,
      hardState: hardChanged ? hard : null,
      snapshot,
      entries,
      committedEntries: this.log.nextCommittedEntries(this.maxCommittedSizePerReadyBytes),
      messages: this.msgs,
      readStates: this.readStates,
      events: this.events,
      mustSync:
        entries.length > 0 ||
        snapshot !== null ||
        hard.term !== this.prevHard.term ||
        hard.vote !== this.prevHard.vote,
    }
    this.msgs = []
    this.readStates = []
    this.events = []
    if (softChanged) this.prevSoft = soft
    if (hardChanged) this.prevHard = hard
    this.readyPending = true
    return rd
  }

  /** advance tells the core that `rd` has been persisted, sent and applied. */
  advance(rd: Ready): void {
    assert(this.readyPending, 'advance() without a pending ready()')
    this.readyPending = false
    if (rd.snapshot) {
      // Persisted and restored: the state machine holds everything up to the snapshot.
      this.log.stableSnapTo(rd.snapshot.metadata.index)
      this.log.appliedTo(rd.snapshot.metadata.index)
    }
    const lastStored = rd.entries[rd.entries.length - 1]
    if (lastStored) this.log.stableTo(lastStored.index, lastStored.term)
    const lastApplied = rd.committedEntries[rd.committedEntries.length - 1]
    if (lastApplied) this.log.appliedTo(lastApplied.index)
    if (this.role === 'leader' && rd.committedEntries.length > 0) {
      let sizeBytes = 0
      for (const e of rd.committedEntries) sizeBytes += e.data.length
      // Entries of earlier terms were never counted: never go below zero.
      this.uncommittedSizeBytes = Math.max(0, this.uncommittedSizeBytes - sizeBytes)
    }
    if ((lastStored || rd.snapshot) && this.role === 'leader') {
      // The leader's own write is now durable: it counts toward the majority.
      const self = this.progress.get(this.id) as Progress
      if (self.maybeUpdate(this.log.stableIndex()) && this.maybeCommit()) {
        this.releasePendingReads()
        this.bcastAppend()
      }
    }
  }

  /** basicStatus returns a snapshot of role, leader, term, vote and the commit and applied
   * indexes: what a host reads as it runs the node. Cheaper than status() (no per-follower
   * progress); hosts read the node through these two, never through its fields. */
  basicStatus(): BasicStatus {
    return {
      id: this.id,
      role: this.role,
      term: this.term,
      vote: this.vote,
      leaderId: this.leaderId,
      commit: this.log.committed,
      applied: this.log.applied,
    }
  }

  /** status returns a snapshot of this node's state. */
  status(): Status {
    return {
      id: this.id,
      role: this.role,
      term: this.term,
      vote: this.vote,
      leaderId: this.leaderId,
      commit: this.log.committed,
      applied: this.log.applied,
      lastIndex: this.log.lastIndex(),
      lastTerm: this.log.lastTerm(),
      firstIndex: this.log.firstIndex(),
      snapshotIndex: this.log.snapshotIndex(),
      electionElapsedTicks: this.electionElapsed,
      electionTimeoutTicks:
        this.role === 'leader' ? this.cfg.electionTimeoutMinTicks : this.randomizedElectionTimeout,
      leadTransferee: this.leadTransferee,
      progress:
        this.role === 'leader'
          ? this.peers
              .filter((p) => p !== this.id)
              .map((p) => (this.progress.get(p) as Progress).status())
          : null,
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Roles (§5.1, Figure 4)

  protected becomeFollower(term: number, leaderId: NodeId): void {
    this.reset(term)
    this.role = 'follower'
    this.leaderId = leaderId
  }

  protected becomePreCandidate(): void {
    assert(this.role !== 'leader', 'a leader cannot become a pre-candidate')
    // diss. §9.6: the pre-vote changes neither term nor vote; it only asks whether we could win.
    this.votes.clear()
    this.role = 'precandidate'
    this.leaderId = NONE
    this.resetRandomizedElectionTimeout()
  }

  protected becomeCandidate(): void {
    assert(this.role !== 'leader', 'a leader cannot become a candidate')
    // §5.2: a candidate increments its term and votes for itself.
    this.reset(this.term + 1)
    this.vote = this.id
    this.role = 'candidate'
  }

  protected becomeLeader(): void {
    assert(this.role === 'candidate', 'only a candidate can become leader')
    this.reset(this.term)
    this.role = 'leader'
    this.leaderId = this.id
    const next = this.log.lastIndex() + 1
    for (const p of this.peers) {
      const pr = new Progress(p, next, this.cfg.maxInflightMsgs)
      if (p === this.id) pr.match = this.log.stableIndex()
      this.progress.set(p, pr)
    }
    // §5.4.2 / §8: a new leader commits a no-op of its own term, which commits every earlier
    // entry indirectly and tells it which entries are committed (needed for ReadIndex, diss. §6.4).
    this.appendEntries('noop', [new Uint8Array(0)])
  }

  /** reset starts a new term (or re-enters the current one): timers, votes and leader state. */
  protected reset(term: number): void {
    if (term !== this.term) {
      this.term = term
      this.vote = NONE
    }
    this.leaderId = NONE
    this.electionElapsed = 0
    this.heartbeatElapsed = 0
    this.resetRandomizedElectionTimeout()
    this.leadTransferee = NONE
    this.votes.clear()
    this.progress.clear()
    this.pendingReads = []
    this.readOnly = new ReadOnlyQueue()
    this.uncommittedSizeBytes = 0
  }

  /** §5.2: election timeouts are drawn at random from [min, max) so split votes are rare. */
  protected resetRandomizedElectionTimeout(): void {
    this.randomizedElectionTimeout = this.cfg.rng.int(
      this.cfg.electionTimeoutMinTicks,
      this.cfg.electionTimeoutMaxTicks,
    )
  }

  // ---------------------------------------------------------------------------------------------
  // Timers

  private tickElection(): void {
    this.electionElapsed++
    if (this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0
      this.hup(false)
    }
  }

  private tickLeader(): void {
    this.heartbeatElapsed++
    this.electionElapsed++
    if (this.electionElapsed >= this.cfg.electionTimeoutMinTicks) {
      this.electionElapsed = 0
      if (this.cfg.checkQuorum && !this.quorumRecentlyActive()) {
        // diss. §6.2: a leader that has not heard from a majority within an election timeout
        // steps down, so clients stop waiting on a leader that cannot commit.
        this.events.push({ kind: 'steppedDown', term: this.term, reason: 'check-quorum' })
        this.becomeFollower(this.term, NONE)
        return
      }
      if (this.leadTransferee !== NONE) this.abortTransfer('timeout')
    }
    if (this.heartbeatElapsed >= this.cfg.heartbeatTicks) {
      this.heartbeatElapsed = 0
      this.bcastHeartbeat(this.readOnly.lastContext())
    }
  }

  /** quorumRecentlyActive counts the leader and the followers heard from since the last check,
   * then clears the marks for the next round. */
  private quorumRecentlyActive(): boolean {
    let active = 0
    for (const p of this.peers) {
      const pr = this.progress.get(p) as Progress
      if (p === this.id || pr.recentActive) active++
      if (p !== this.id) pr.recentActive = false
    }
    return active >= quorum(this.peers.length)
  }

  // ---------------------------------------------------------------------------------------------
  // Elections (§5.2, diss. §9.6)

  private hup(isTransfer: boolean): void {
    if (this.role === 'leader') return
    // Peers refuse terms past MAX_TERM (checkMessage), so a campaign for one could never succeed;
    // no correct cluster gets here (see MAX_TERM).
    if (this.term >= MAX_TERM) return
    if (this.cfg.preVote && !isTransfer) this.campaignPre()
    else this.campaignElection(isTransfer)
  }

  private campaignPre(): void {
    this.becomePreCandidate()
    const term = this.term + 1
    this.events.push({ kind: 'electionStarted', term, preVote: true, transfer: false })
    if (this.poll(this.id, true) === 'won') {
      this.preVoteWon(term)
      return
    }
    this.requestVotes('MsgPreVote', term, '')
  }

  private campaignElection(isTransfer: boolean): void {
    this.becomeCandidate()
    this.events.push({
      kind: 'electionStarted',
      term: this.term,
      preVote: false,
      transfer: isTransfer,
    })
    if (this.poll(this.id, true) === 'won') {
      this.electionWon()
      return
    }
    this.requestVotes('MsgVote', this.term, isTransfer ? TRANSFER_CONTEXT : '')
  }

  private requestVotes(type: 'MsgVote' | 'MsgPreVote', term: number, context: string): void {
    const index = this.log.lastIndex()
    const logTerm = this.log.lastTerm()
    for (const p of this.peers) {
      if (p !== this.id) this.send({ type, to: p, term, index, logTerm, context })
    }
  }

  private preVoteWon(term: number): void {
    this.events.push({ kind: 'electionWon', term, preVote: true, votes: this.grantedVotes() })
    this.campaignElection(false)
  }

  private electionWon(): void {
    this.events.push({
      kind: 'electionWon',
      term: this.term,
      preVote: false,
      votes: this.grantedVotes(),
    })
    this.becomeLeader()
    this.bcastAppend()
  }

  /** poll records a vote and tallies: a majority of grants wins, a majority of refusals loses. */
  private poll(from: NodeId, granted: boolean): VoteTally {
    if (!this.votes.has(from)) this.votes.set(from, granted)
    let yes = 0
    let no = 0
    for (const v of this.votes.values()) {
      if (v) yes++
      else no++
    }
    const q = quorum(this.peers.length)
    if (yes >= q) return 'won'
    if (no > this.peers.length - q) return 'lost'
    return 'pending'
  }

  private grantedVotes(): NodeId[] {
    return [...this.votes.entries()]
      .filter(([, v]) => v)
      .map(([id]) => id)
      .sort((a, b) => a - b)
  }

  /** handleVoteRequest decides a RequestVote or PreVote (§5.2, §5.4.1, diss. §9.6). */
  private handleVoteRequest(m: Message): void {
    const isPre = m.type === 'MsgPreVote'
    const respType: MessageType = isPre ? 'MsgPreVoteResp' : 'MsgVoteResp'
    // §5.2: at most one vote per term, first come first served. A pre-vote for a later term
    // binds nothing, so it may be granted to several candidates.
    const canVote =
      this.vote === m.from ||
      (this.vote === NONE && this.leaderId === NONE) ||
      (isPre && m.term > this.term)
    const granted = canVote && this.candidateIsUpToDate(m.index, m.logTerm)
    if (granted) {
      // A granted pre-vote answers in the term asked about, so the pre-candidate can count it.
      this.send({ type: respType, to: m.from, term: m.term })
      if (!isPre) {
        this.electionElapsed = 0
        this.vote = m.from
      }
    } else {
      this.send({ type: respType, to: m.from, term: this.term, reject: true })
    }
    this.events.push({ kind: 'voteCast', term: m.term, candidate: m.from, granted, preVote: isPre })
  }

  /** candidateIsUpToDate is the election restriction of §5.4.1: vote only for a candidate whose
   * log is at least as up-to-date as ours. */
  protected candidateIsUpToDate(lastIndex: number, lastTerm: number): boolean {
    return this.log.isUpToDate(lastIndex, lastTerm)
  }

  private stepCandidate(m: Message): void {
    const respType: MessageType = this.role === 'precandidate' ? 'MsgPreVoteResp' : 'MsgVoteResp'
    switch (m.type) {
      case 'MsgApp':
      case 'MsgHeartbeat':
      case 'MsgSnap':
        // §5.2: a candidate that hears from a leader of its term (or later) returns to follower.
        this.events.push({ kind: 'steppedDown', term: m.term, reason: 'leader-seen' })
        this.becomeFollower(m.term, m.from)
        if (m.type === 'MsgApp') this.handleAppendEntries(m)
        else if (m.type === 'MsgSnap') this.handleSnapshot(m)
        else this.handleHeartbeat(m)
        return
      case respType: {
        const tally = this.poll(m.from, !m.reject)
        const isPre = this.role === 'precandidate'
        if (tally === 'won') {
          if (isPre) this.preVoteWon(this.term + 1)
          else this.electionWon()
        } else if (tally === 'lost') {
          const rejections = [...this.votes.entries()].filter(([, v]) => !v).map(([id]) => id)
          this.events.push({
            kind: 'electionLost',
            term: isPre ? this.term + 1 : this.term,
            preVote: isPre,
            rejections: rejections.sort((a, b) => a - b),
          })
          this.becomeFollower(this.term, NONE)
        }
        return
      }
      default:
        return
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Followers (§5.3)

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'MsgApp':
        this.electionElapsed = 0
        this.leaderId = m.from
        this.handleAppendEntries(m)
        return
      case 'MsgHeartbeat':
        this.electionElapsed = 0
        this.leaderId = m.from
        this.handleHeartbeat(m)
        return
      case 'MsgSnap':
        this.electionElapsed = 0
        this.leaderId = m.from
        this.handleSnapshot(m)
        return
      case 'MsgTimeoutNow':
        // diss. §3.10: the transfer target starts an election at once, skipping PreVote.
        this.hup(true)
        return
      case 'MsgReadIndexResp':
        this.readStates.push({ index: m.index, context: m.context })
        return
      default:
        return
    }
  }

  /** handleAppendEntries is the receiver side of AppendEntries (§5.3, Figure 2). */
  protected handleAppendEntries(m: Message): void {
    if (m.index < this.log.committed) {
      // Everything up to our commit index is already known to match the leader.
      this.send({ type: 'MsgAppResp', to: m.from, index: this.log.committed })
      return
    }
    const before = this.log.lastIndex()
    const conflict = this.log.matchTerm(m.index, m.logTerm) ? this.log.findConflict(m.entries) : 0
    const lastNew = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries)
    if (lastNew !== null) {
      if (conflict !== 0 && conflict <= before) {
        this.events.push({ kind: 'logTruncated', fromIndex: conflict, term: this.term })
      }
      this.send({ type: 'MsgAppResp', to: m.from, index: lastNew })
      return
    }
    // §5.3: reject, with a hint that lets the leader skip a whole conflicting term at once: the
    // last index at or below prevLogIndex whose term is ≤ prevLogTerm, and its term.
    const hintIndex = this.log.findConflictByTerm(
      Math.min(m.index, this.log.lastIndex()),
      m.logTerm,
    )
    this.send({
      type: 'MsgAppResp',
      to: m.from,
      index: m.index,
      reject: true,
      rejectHint: hintIndex,
      logTerm: termOrZero(this.log.term(hintIndex)),
    })
  }

  /**
   * handleSnapshot is the receiver side of InstallSnapshot (§7). The follower takes the snapshot
   * only if it moves its commit index forward (restore), and answers with a MsgAppResp either
   * way: its new last index, or — for a stale or duplicate snapshot — its commit index, which
   * tells the leader where it stands.
   */
  protected handleSnapshot(m: Message): void {
    if (this.restore(m.snapshot as Snapshot)) {
      this.send({ type: 'MsgAppResp', to: m.from, index: this.log.lastIndex() })
    } else {
      this.send({ type: 'MsgAppResp', to: m.from, index: this.log.committed })
    }
  }

  /**
   * restore installs snapshot `s` and returns true, or returns false when it has no news: it is
   * at or below the commit index (stale, or a duplicate — restoring it would move the commit
   * index and the applied state backwards), or the log already holds its last entry (§7: "If
   * existing log entry has same index and term as snapshot's last included entry, retain log
   * entries following it"; the commit index moves up to it instead).
   */
  protected restore(s: Snapshot): boolean {
    const { index, term } = s.metadata
    if (index <= this.log.committed) return false
    if (this.log.matchTerm(index, term)) {
      this.log.commitTo(index)
      return false
    }
    this.log.restore(s)
    return true
  }

  private handleHeartbeat(m: Message): void {
    // The leader sends min(our match, its commit); clamp anyway, so a follower that lost unsynced
    // entries (fsync "never") cannot be told to commit past its own log.
    this.log.commitTo(Math.min(m.commit, this.log.lastIndex()))
    this.send({ type: 'MsgHeartbeatResp', to: m.from, context: m.context })
  }

  // ---------------------------------------------------------------------------------------------
  // Leaders (§5.3, §5.4)

  private stepLeader(m: Message): void {
    switch (m.type) {
      case 'MsgAppResp':
        this.handleAppendResponse(m)
        return
      case 'MsgHeartbeatResp':
        this.handleHeartbeatResponse(m)
        return
      case 'MsgReadIndex':
        this.handleReadRequest({ index: 0, context: m.context, from: m.from })
        return
      default:
        return
    }
  }

  private handleAppendResponse(m: Message): void {
    const pr = this.progress.get(m.from)
    if (!pr) return
    pr.recentActive = true
    if (m.reject) {
      // Fast backtracking: skip past every entry of ours from a term the follower lacks.
      let nextProbe = m.rejectHint
      if (m.logTerm > 0) nextProbe = this.log.findConflictByTerm(m.rejectHint, m.logTerm)
      if (pr.maybeDecrTo(m.index, nextProbe)) {
        if (pr.state === 'replicate') pr.becomeProbe()
        this.sendAppend(m.from)
      }
      return
    }
    const wasPaused = pr.isPaused()
    if (!pr.maybeUpdate(m.index)) return
    if (pr.state === 'probe') pr.becomeReplicate()
    else if (pr.state === 'snapshot') {
      // The follower holds the snapshot (or got far enough some other way): once the log can
      // take it from here, replicate again, through probe so the snapshot is accounted for.
      if (pr.match + 1 >= this.log.firstIndex()) {
        pr.becomeProbe()
        pr.becomeReplicate()
      }
    } else pr.inflights.freeLE(m.index)
    if (this.maybeCommit()) {
      this.releasePendingReads()
      this.bcastAppend()
    } else if (wasPaused) {
      this.sendAppend(m.from)
    }
    // Keep the pipeline full: send what the in-flight window allows.
    while (this.maybeSendAppend(m.from, false)) {
      // each call sends one more MsgApp
    }
    if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) {
      this.send({ type: 'MsgTimeoutNow', to: m.from })
    }
  }

  private handleHeartbeatResponse(m: Message): void {
    const pr = this.progress.get(m.from)
    if (!pr) return
    pr.recentActive = true
    pr.probeSent = false
    // A heartbeat reply proves the follower is alive: free a slot so a lost MsgApp cannot stall
    // a full pipeline forever.
    if (pr.state === 'replicate' && pr.inflights.isFull()) pr.inflights.freeFirst()
    if (pr.match < this.log.lastIndex()) this.sendAppend(m.from)
    if (m.context === '') return
    if (this.readOnly.ack(m.from, m.context) < quorum(this.peers.length)) return
    for (const req of this.readOnly.release(m.context)) this.answerRead(req)
  }

  /**
   * maybeCommit advances the commit index to the highest index stored on a majority — but only
   * if that entry is from the leader's current term (§5.4.2, Figure 8: an older term's entry is
   * committed only indirectly, never by counting replicas). Returns whether it advanced.
   */
  protected maybeCommit(): boolean {
    const matches = this.peers.map((p) => (this.progress.get(p) as Progress).match)
    matches.sort((a, b) => b - a)
    const candidate = matches[quorum(this.peers.length) - 1] as number
    if (candidate > this.log.committed && this.log.matchTerm(candidate, this.term)) {
      this.log.commitTo(candidate)
      return true
    }
    return false
  }

  protected appendEntries(type: EntryType, datas: readonly Uint8Array[]): void {
    const first = this.log.lastIndex() + 1
    const ents: Entry[] = datas.map((data, i) => ({
      term: this.term,
      index: first + i,
      type,
      data,
    }))
    // The leader's own copy counts toward a majority only once the host has persisted it (see
    // advance): a commit index that counted an unwritten copy could reach followers and be applied
    // there, then be lost with the leader (diss. §10.2.1 lets the leader write in parallel with
    // replication, not count its write early).
    this.log.append(ents)
  }

  private bcastAppend(): void {
    for (const p of this.peers) if (p !== this.id) this.sendAppend(p)
  }

  private bcastHeartbeat(context: string): void {
    for (const p of this.peers) {
      if (p === this.id) continue
      const pr = this.progress.get(p) as Progress
      // Never tell a follower to commit past what it is known to hold.
      const commit = Math.min(pr.match, this.log.committed)
      this.send({ type: 'MsgHeartbeat', to: p, commit, context })
    }
  }

  private sendAppend(to: NodeId): void {
    this.maybeSendAppend(to, true)
  }

  /** maybeSendAppend sends the follower its next entries (or an empty probe / commit update when
   * sendIfEmpty), or a snapshot when they are compacted; it returns false when flow control holds
   * it back or there is nothing to send. */
  private maybeSendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.progress.get(to) as Progress
    if (pr.isPaused()) return false
    const prevIndex = pr.next - 1
    const prevTerm = this.log.term(prevIndex)
    if (prevTerm === 'compacted') return this.maybeSendSnapshot(to, pr)
    if (prevTerm === 'unavailable') {
      throw new AssertionError(`n${to}'s next index ${pr.next} is past the last index`)
    }
    const last = this.log.lastIndex()
    const entries =
      pr.next <= last
        ? this.log.slice(pr.next, last + 1, this.cfg.maxEntriesPerMsg, this.cfg.maxSizePerMsgBytes)
        : []
    if (entries === 'compacted' || entries === 'unavailable') return this.maybeSendSnapshot(to, pr)
    if (entries.length === 0 && !sendIfEmpty) return false
    this.send({
      type: 'MsgApp',
      to,
      index: prevIndex,
      logTerm: prevTerm,
      entries,
      commit: this.log.committed,
    })
    pr.sentEntries(prevIndex + entries.length, entries.length)
    return true
  }

  /**
   * maybeSendSnapshot sends the follower the latest snapshot, as the entries it needs are
   * compacted (§7: InstallSnapshot), and holds back appends until it is through (Progress state
   * 'snapshot'). Like etcd, it waits for a follower not heard from lately — no use shipping a
   * snapshot into a partition — and for a snapshot the host cannot hand over yet.
   */
  private maybeSendSnapshot(to: NodeId, pr: Progress): boolean {
    if (!pr.recentActive) return false
    const snap = this.log.snapshot()
    if (snap === 'temporarily-unavailable') return false
    assert(snap.metadata.index >= this.log.firstIndex() - 1 && snap.metadata.index > 0, () => {
      return `the latest snapshot (index ${snap.metadata.index}) does not cover the entries compacted before ${this.log.firstIndex()}`
    })
    pr.becomeSnapshot(snap.metadata.index)
    this.send({ type: 'MsgSnap', to, snapshot: snap })
    return true
  }

  /**
   * reportSnapshot is the host telling the leader how the MsgSnap it sent to `to` went (etcd's
   * ReportSnapshot): 'finished' once the follower received it, 'failed' when it could not be
   * delivered. Either way the leader goes back to probing — from after the snapshot, or from the
   * follower's match — and waits for the follower's answer or the next heartbeat before it sends
   * again. Reports that no longer apply (not leader, no snapshot in flight) are ignored.
   */
  reportSnapshot(to: NodeId, status: SnapshotStatus): void {
    if (this.role !== 'leader') return
    const pr = this.progress.get(to)
    if (!pr || pr.state !== 'snapshot') return
    if (status === 'failed') pr.pendingSnapshot = 0
    pr.becomeProbe()
    pr.probeSent = true
  }

  private abortTransfer(reason: 'timeout' | 'superseded'): void {
    this.events.push({ kind: 'transferAborted', term: this.term, to: this.leadTransferee, reason })
    this.leadTransferee = NONE
  }

  // ---------------------------------------------------------------------------------------------
  // ReadIndex (diss. §6.4)

  private handleReadRequest(req: ReadRequest): void {
    // diss. §6.4 step 1: the leader must know the commit index of its term, which it learns once
    // its no-op commits. Until then requests wait — even on a single node, whose restarted
    // commit index may lag entries that were committed (and acknowledged) before a crash.
    if (!this.log.matchTerm(this.log.committed, this.term)) {
      this.pendingReads.push(req)
      return
    }
    if (this.peers.length === 1) {
      // Alone, the leader needs no heartbeat round to know it still leads.
      this.answerRead({ ...req, index: this.log.committed })
      return
    }
    const pending = { ...req, index: this.log.committed }
    this.readOnly.add(pending)
    this.readOnly.ack(this.id, req.context)
    // Step 3: confirm leadership with a round of heartbeats carrying the request's context.
    this.bcastHeartbeat(req.context)
  }

  private releasePendingReads(): void {
    if (this.pendingReads.length === 0 || !this.log.matchTerm(this.log.committed, this.term)) return
    const reqs = this.pendingReads
    this.pendingReads = []
    for (const r of reqs) this.handleReadRequest(r)
  }

  private answerRead(req: ReadRequest): void {
    if (req.from === this.id) this.readStates.push({ index: req.index, context: req.context })
    else
      this.send({ type: 'MsgReadIndexResp', to: req.from, index: req.index, context: req.context })
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private send(m: Partial<Message> & { type: MessageType; to: NodeId }): void {
    const isVote =
      m.type === 'MsgVote' ||
      m.type === 'MsgPreVote' ||
      m.type === 'MsgVoteResp' ||
      m.type === 'MsgPreVoteResp'
    assert(!isVote || m.term !== undefined, () => `${m.type} needs an explicit term`)
    const msg: Message = {
      type: m.type,
      from: this.id,
      to: m.to,
      term: m.term ?? this.term,
      logTerm: m.logTerm ?? 0,
      index: m.index ?? 0,
      entries: m.entries ?? [],
      commit: m.commit ?? 0,
      reject: m.reject ?? false,
      rejectHint: m.rejectHint ?? 0,
      context: m.context ?? '',
      // Set on a MsgSnap only, but present on every message the core makes: one object shape
      // for all of them keeps every reader of messages fast.
      snapshot: m.snapshot,
    }
    this.msgs.push(msg)
  }

  private softState(): SoftState {
    return { leaderId: this.leaderId, role: this.role }
  }

  private hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed }
  }
}

/** isFromLeader tells the messages only a leader sends to its followers. */
function isFromLeader(m: Message): boolean {
  return m.type === 'MsgApp' || m.type === 'MsgHeartbeat' || m.type === 'MsgSnap'
}

function termOrZero(t: number | string): number {
  return typeof t === 'number' ? t : 0
}

function sameSoft(a: SoftState, b: SoftState): boolean {
  return a.leaderId === b.leaderId && a.role === b.role
}

function sameHard(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit
}

function validateConfig(cfg: RaftConfig): void {
  assert(cfg.id > 0, `node id must be positive, got ${cfg.id}`)
  assert(cfg.peers.includes(cfg.id), `node ${cfg.id} is not among its peers ${cfg.peers.join(',')}`)
  assert(new Set(cfg.peers).size === cfg.peers.length, 'peer ids must be unique')
  assert(
    cfg.peers.every((p) => p > 0 && Number.isInteger(p)),
    'peer ids must be positive integers',
  )
  assert(cfg.heartbeatTicks > 0, 'heartbeatTicks must be positive')
  assert(
    cfg.electionTimeoutMinTicks > cfg.heartbeatTicks,
    'the election timeout must exceed the heartbeat interval',
  )
  assert(
    cfg.electionTimeoutMaxTicks > cfg.electionTimeoutMinTicks,
    'electionTimeoutMaxTicks must exceed electionTimeoutMinTicks',
  )
  assert(cfg.maxInflightMsgs > 0, 'maxInflightMsgs must be positive')
  assert(cfg.maxEntriesPerMsg > 0, 'maxEntriesPerMsg must be positive')
  assert(
    (cfg.maxCommittedSizePerReadyBytes ?? 1) > 0,
    'maxCommittedSizePerReadyBytes must be positive',
  )
  assert(
    (cfg.maxUncommittedEntriesSizeBytes ?? 1) > 0,
    'maxUncommittedEntriesSizeBytes must be positive',
  )
}
