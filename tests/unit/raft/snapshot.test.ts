// Snapshots and log compaction (§7) in the core: the storage's typed answers for compacted and
// unavailable indexes, the log's pending snapshot, InstallSnapshot on the leader (MsgSnap, the
// 'snapshot' progress state, reportSnapshot) and on the follower (restore only when it moves the
// commit index forward), the Ready that carries a snapshot, and the per-Ready limits.
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_RAFT_OPTIONS,
  EMPTY_SNAPSHOT,
  MemoryStorage,
  Progress,
  RaftLog,
  RaftNode,
  RaftView,
  checkMessage,
  type Entry,
  type Message,
  type RaftConfig,
  type Ready,
  type Snapshot,
  type Storage,
} from '../../../shared/raft'
import { createRng } from '../../../shared/util/rng'

const te = new TextEncoder()
const td = new TextDecoder()

const e = (term: number, index: number, data = ''): Entry => ({
  term,
  index,
  type: 'normal',
  data: te.encode(data),
})

function snap(index: number, term: number, data = '', peers = [1, 2, 3]): Snapshot {
  return { metadata: { index, term, peers }, data: te.encode(data) }
}

function msg(m: Partial<Message> & Pick<Message, 'type' | 'from' | 'to' | 'term'>): Message {
  return {
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    context: '',
    ...m,
  }
}

/** storageWith holds entries of the given terms from index 1, compacted up to `compactedTo`
 * behind a snapshot there. */
function storageWith(terms: number[], compactedTo = 0): MemoryStorage {
  const s = new MemoryStorage()
  s.append(terms.map((t, i) => e(t, i + 1, `e${i + 1}`)))
  if (compactedTo > 0) {
    expect(s.createSnapshot(compactedTo, [1, 2, 3], te.encode(`upto${compactedTo}`))).toEqual({
      ok: true,
    })
    expect(s.compact(compactedTo)).toEqual({ ok: true })
  }
  return s
}

describe('MemoryStorage: compaction and snapshots (etcd MemoryStorage)', () => {
  it("answers 'compacted' below the first index and 'unavailable' past the last, never undefined", () => {
    const s = storageWith([1, 1, 2, 2, 3], 3)
    expect(s.firstIndex()).toBe(4)
    expect(s.lastIndex()).toBe(5)
    expect([1, 2, 3, 4, 5, 6].map((i) => s.term(i))).toEqual([
      'compacted',
      'compacted',
      2, // the last compacted entry's term is kept
      2,
      3,
      'unavailable',
    ])
    expect(s.entries(3, 5, 10, Infinity)).toBe('compacted')
    expect(s.entries(4, 7, 10, Infinity)).toBe('unavailable')
    expect((s.entries(4, 6, 10, Infinity) as Entry[]).map((x) => x.index)).toEqual([4, 5])
  })

  it('creates snapshots of stored entries only, newer than the one held', () => {
    const s = storageWith([1, 1, 2])
    expect(s.snapshot()).toBe(EMPTY_SNAPSHOT)
    expect(s.createSnapshot(2, [1, 2, 3], te.encode('x'))).toEqual({ ok: true })
    expect(s.snapshot().metadata).toEqual({ index: 2, term: 1, peers: [1, 2, 3] })
    expect(s.createSnapshot(2, [1, 2, 3], te.encode('y'))).toEqual({
      ok: false,
      reason: 'out-of-date',
    })
    expect(() => s.createSnapshot(4, [1], te.encode('z'))).toThrow(/past the last index/)
    // Creating does not compact: the host compacts when its snapshot is durable.
    expect(s.firstIndex()).toBe(1)
  })

  it('compacts once, and refuses to compact what is already gone', () => {
    const s = storageWith([1, 1, 2, 2])
    expect(s.compact(2)).toEqual({ ok: true })
    expect(s.compact(2)).toEqual({ ok: false, reason: 'compacted' })
    expect(s.compact(1)).toEqual({ ok: false, reason: 'compacted' })
    expect(() => s.compact(9)).toThrow(/past the last index/)
    expect(s.allEntries().map((x) => x.index)).toEqual([3, 4])
    // New entries still append after the compacted prefix.
    s.append([e(3, 5)])
    expect(s.lastIndex()).toBe(5)
    expect(() => s.append([e(3, 2)])).toThrow(/compacted/)
  })

  it("applySnapshot replaces the whole log; an older snapshot is 'out-of-date'", () => {
    const s = storageWith([1, 1, 2, 2])
    expect(s.applySnapshot(snap(10, 4, 'state'))).toEqual({ ok: true })
    expect(s.firstIndex()).toBe(11)
    expect(s.lastIndex()).toBe(10)
    expect(s.term(10)).toBe(4)
    expect(s.allEntries()).toEqual([])
    expect(td.decode(s.snapshot().data)).toBe('state')
    expect(s.applySnapshot(snap(10, 4))).toEqual({ ok: false, reason: 'out-of-date' })
    expect(s.applySnapshot(snap(7, 3))).toEqual({ ok: false, reason: 'out-of-date' })
  })
})

describe('RaftLog: a pending snapshot', () => {
  it('starts from a compacted storage: first index after the snapshot, commit and apply there', () => {
    const log = new RaftLog(storageWith([1, 1, 2, 2, 3], 3), 0)
    expect(log.firstIndex()).toBe(4)
    expect(log.committed).toBe(3)
    expect(log.applied).toBe(3)
    expect(log.term(2)).toBe('compacted')
    expect(log.slice(2, 5, 10, Infinity)).toBe('compacted')
    expect(log.snapshotIndex()).toBe(3)
    // A host whose state machine is at the snapshot says so; entries after it are to apply.
    const restarted = new RaftLog(storageWith([1, 1, 2, 2, 3], 3), 3)
    expect(restarted.applied).toBe(3)
  })

  it('restore stands in for the whole log until the host persists it', () => {
    const log = new RaftLog(storageWith([1, 1, 2]), 0)
    log.commitTo(2)
    log.restore(snap(8, 3))
    expect(log.firstIndex()).toBe(9)
    expect(log.lastIndex()).toBe(8)
    expect(log.committed).toBe(8)
    // The stored entries are about to be replaced: never read again.
    expect([2, 3, 7, 8, 9].map((i) => log.term(i))).toEqual([
      'compacted',
      'compacted',
      'compacted',
      3,
      'unavailable',
    ])
    expect(log.pendingSnapshot()?.metadata.index).toBe(8)
    // Entries after it are unstable; committed ones wait until the snapshot is restored.
    log.append([e(3, 9), e(4, 10)])
    log.commitTo(10)
    expect(log.hasNextCommittedEntries()).toBe(false)
    expect(log.nextCommittedEntries(Infinity)).toEqual([])
    expect(log.stableIndex()).toBe(0)
    log.stableSnapTo(7) // not this snapshot
    expect(log.pendingSnapshot()).not.toBeNull()
    log.stableSnapTo(8)
    log.appliedTo(8)
    expect(log.pendingSnapshot()).toBeNull()
    expect(log.nextCommittedEntries(Infinity).map((x) => x.index)).toEqual([9, 10])
  })

  it('findConflictByTerm stops at a compacted index: it might match', () => {
    const log = new RaftLog(storageWith([1, 1, 2, 5, 5], 2), 0)
    expect(log.findConflictByTerm(5, 3)).toBe(3)
    expect(log.findConflictByTerm(5, 0)).toBe(1)
  })
})

describe('Progress: the snapshot state', () => {
  it('holds back appends while a snapshot is on its way, then probes from after it', () => {
    const p = new Progress(2, 10, 4)
    p.match = 3
    p.becomeSnapshot(20)
    expect(p.status()).toMatchObject({ state: 'snapshot', pendingSnapshot: 20, nextIndex: 21 })
    expect(p.isPaused()).toBe(true)
    expect(p.maybeDecrTo(20, 5)).toBe(false) // a rejection says nothing while it is in flight
    p.becomeProbe()
    expect(p.status()).toMatchObject({ state: 'probe', pendingSnapshot: 0, nextIndex: 21 })
  })

  it('probes from the match when the snapshot failed', () => {
    const p = new Progress(2, 10, 4)
    p.match = 3
    p.becomeSnapshot(20)
    p.pendingSnapshot = 0
    p.becomeProbe()
    expect(p.next).toBe(4)
  })
})

// ---------------------------------------------------------------------------------------------
// Three nodes driven by hand, with a state machine that is the list of applied data.

interface TestNode {
  raft: RaftNode
  storage: MemoryStorage
  state: string[]
  appliedIndex: number
}

class Trio {
  readonly nodes = new Map<number, TestNode>()
  /** dropTo lists nodes whose incoming messages are dropped. */
  readonly dropTo = new Set<number>()
  readonly snapshotsSent: Message[] = []

  constructor(over: Partial<RaftConfig> = {}) {
    for (const id of [1, 2, 3]) this.start(id, new MemoryStorage(), over)
  }

  start(id: number, storage: MemoryStorage, over: Partial<RaftConfig> = {}): TestNode {
    const s = storage.snapshot() as Snapshot
    const state = s.metadata.index > 0 ? decodeState(s.data) : []
    const raft = new RaftNode({
      ...DEFAULT_RAFT_OPTIONS,
      preVote: false,
      checkQuorum: false,
      id,
      peers: [1, 2, 3],
      storage,
      rng: createRng(id),
      applied: s.metadata.index,
      ...over,
    })
    const n: TestNode = { raft, storage, state, appliedIndex: s.metadata.index }
    this.nodes.set(id, n)
    return n
  }

  node(id: number): TestNode {
    return this.nodes.get(id) as TestNode
  }

  /** handle plays the host for one Ready: snapshot, entries and hard state persisted, state
   * restored and entries applied, then advance. */
  handle(id: number): Ready | null {
    const n = this.node(id)
    if (!n.raft.hasReady()) return null
    const rd = n.raft.ready()
    if (rd.snapshot) {
      expect(n.storage.applySnapshot(rd.snapshot)).toEqual({ ok: true })
      n.state = decodeState(rd.snapshot.data)
      n.appliedIndex = rd.snapshot.metadata.index
    }
    n.storage.append(rd.entries)
    if (rd.hardState) n.storage.setHardState(rd.hardState)
    for (const x of rd.committedEntries) {
      expect(x.index).toBe(n.appliedIndex + 1)
      n.appliedIndex = x.index
      if (x.type === 'normal') n.state.push(td.decode(x.data))
    }
    n.raft.advance(rd)
    return rd
  }

  /** settle delivers messages until none are left. */
  settle(): void {
    for (let round = 0; round < 100; round++) {
      const out: Message[] = []
      for (const id of [1, 2, 3]) {
        const rd = this.handle(id)
        if (rd) out.push(...rd.messages)
      }
      if (out.length === 0) return
      for (const m of out) {
        if (m.type === 'MsgSnap') this.snapshotsSent.push(m)
        if (this.dropTo.has(m.to)) continue
        expect(this.node(m.to).raft.step(m)).toEqual({ ok: true })
      }
    }
    throw new Error('did not settle')
  }

  /** takeSnapshot makes node id snapshot its state at its applied index and compact, keeping
   * `margin` entries behind the snapshot. */
  takeSnapshot(id: number, margin = 0): void {
    const n = this.node(id)
    expect(n.storage.createSnapshot(n.appliedIndex, [1, 2, 3], encodeState(n.state))).toEqual({
      ok: true,
    })
    expect(n.storage.compact(n.appliedIndex - margin)).toEqual({ ok: true })
  }

  propose(id: number, ...datas: string[]): void {
    for (const d of datas) expect(this.node(id).raft.propose(te.encode(d)).ok).toBe(true)
    this.settle()
  }

  static withLeader(over: Partial<RaftConfig> = {}): Trio {
    const t = new Trio(over)
    t.node(1).raft.campaign()
    t.settle()
    expect(t.node(1).raft.role).toBe('leader')
    return t
  }
}

/** heartbeat ticks a leader until it sends heartbeats. */
function heartbeat(n: RaftNode): void {
  for (let i = 0; i < DEFAULT_RAFT_OPTIONS.heartbeatTicks; i++) n.tick()
}

function encodeState(state: string[]): Uint8Array {
  return te.encode(state.join(','))
}

function decodeState(b: Uint8Array): string[] {
  const s = td.decode(b)
  return s === '' ? [] : s.split(',')
}

/** laggingFollower: node 3 misses entries while the leader (1) commits and compacts them. */
function laggingFollower(margin = 0): Trio {
  const t = Trio.withLeader()
  t.propose(1, 'a', 'b')
  t.dropTo.add(3)
  t.propose(1, 'c', 'd', 'e')
  t.takeSnapshot(1, margin)
  t.dropTo.delete(3)
  return t
}

describe('§7 InstallSnapshot: the leader', () => {
  it('sends a snapshot to a follower that needs compacted entries, and nothing else until it is through', () => {
    const t = laggingFollower()
    const leader = t.node(1).raft
    const view = new RaftView(leader)
    expect(view.logIndexes()).toMatchObject({ firstIndex: 7, snapshotIndex: 6, committed: 6 })
    // Node 3 answers a heartbeat; the leader finds it needs entry 4, long compacted.
    heartbeat(leader)
    const rd = t.handle(1) as Ready
    const hb = rd.messages.find((m) => m.to === 3) as Message
    expect(t.node(3).raft.step(hb).ok).toBe(true)
    const [resp] = (t.handle(3) as Ready).messages
    leader.step(resp as Message)
    const out = (t.handle(1) as Ready).messages.filter((m) => m.to === 3)
    expect(out.map((m) => m.type)).toEqual(['MsgApp'])
    // The probe from the optimistic next index is rejected; backing up lands in the compacted
    // prefix, and a snapshot goes instead.
    expect(t.node(3).raft.step(out[0] as Message).ok).toBe(true)
    const [reject] = (t.handle(3) as Ready).messages
    expect(reject).toMatchObject({ type: 'MsgAppResp', reject: true })
    leader.step(reject as Message)
    const snapMsgs = (t.handle(1) as Ready).messages.filter((m) => m.to === 3)
    expect(snapMsgs.map((m) => m.type)).toEqual(['MsgSnap'])
    expect(snapMsgs[0]?.snapshot?.metadata).toEqual({ index: 6, term: 1, peers: [1, 2, 3] })
    expect(checkMessage(snapMsgs[0] as Message, 3)).toBeNull()
    expect(view.progress()?.find((p) => p.id === 3)).toMatchObject({
      state: 'snapshot',
      pendingSnapshot: 6,
    })
    // While it is in flight, new entries go to node 2 only.
    leader.propose(te.encode('f'))
    const more = (t.handle(1) as Ready).messages
    expect(more.filter((m) => m.type === 'MsgApp').map((m) => m.to)).toEqual([2])
    heartbeat(leader)
    expect((t.handle(1) as Ready).messages.filter((m) => m.to === 3).map((m) => m.type)).toEqual([
      'MsgHeartbeat',
    ])
  })

  it('catches the follower up: it restores, acknowledges, and replication resumes', () => {
    const t = laggingFollower(1)
    heartbeat(t.node(1).raft)
    t.settle()
    expect(t.snapshotsSent).toHaveLength(1)
    const f = t.node(3)
    expect(f.state).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(new RaftView(f.raft).logIndexes()).toMatchObject({
      firstIndex: 7,
      snapshotIndex: 6,
      applied: 6,
      committed: 6,
    })
    expect(f.storage.snapshot().metadata.index).toBe(6)
    expect(new RaftView(t.node(1).raft).progress()?.find((p) => p.id === 3)).toMatchObject({
      state: 'replicate',
      matchIndex: 6,
    })
    t.propose(1, 'f')
    expect(f.state).toEqual(['a', 'b', 'c', 'd', 'e', 'f'])
    expect(f.raft.status()).toMatchObject({ commit: 7, applied: 7, lastIndex: 7, firstIndex: 7 })
  })

  it('reportSnapshot: failed probes again from the match, finished from after the snapshot', () => {
    for (const status of ['failed', 'finished'] as const) {
      const t = laggingFollower()
      const leader = t.node(1).raft
      t.dropTo.add(3)
      heartbeat(leader)
      t.settle()
      t.dropTo.delete(3)
      // Node 3's answers were dropped too: make the leader think it answered a heartbeat.
      leader.step(msg({ type: 'MsgHeartbeatResp', from: 3, to: 1, term: 1 }))
      t.handle(1)
      const pr = () => new RaftView(leader).progress()?.find((p) => p.id === 3)
      leader.step(msg({ type: 'MsgAppResp', from: 3, to: 1, term: 1, index: 6, reject: true }))
      t.handle(1)
      expect(pr()).toMatchObject({ state: 'snapshot', pendingSnapshot: 6 })
      leader.reportSnapshot(3, status)
      expect(pr()).toMatchObject({
        state: 'probe',
        nextIndex: status === 'failed' ? 4 : 7,
      })
      // It waits for the follower's answer or the next heartbeat before sending again.
      expect(leader.ready().messages.filter((m) => m.to === 3)).toEqual([])
    }
  })

  it('ignores a report that no longer applies', () => {
    const t = Trio.withLeader()
    t.node(1).raft.reportSnapshot(3, 'failed')
    t.node(2).raft.reportSnapshot(3, 'finished')
    expect(t.node(1).raft.status().progress?.[1]?.state).toBe('replicate')
  })

  it('waits for a snapshot the host cannot hand over yet', () => {
    const t = laggingFollower()
    const leader = t.node(1).raft
    const storage = t.node(1).storage
    const real = storage.snapshot.bind(storage)
    let available = false
    ;(storage as Storage).snapshot = () => (available ? real() : 'temporarily-unavailable')
    heartbeat(leader)
    t.settle()
    expect(t.snapshotsSent).toEqual([])
    available = true
    heartbeat(leader)
    t.settle()
    expect(t.snapshotsSent).toHaveLength(1)
    expect(t.node(3).state).toEqual(['a', 'b', 'c', 'd', 'e'])
  })

  it('sends no snapshot to a follower not heard from lately (etcd: not recently active)', () => {
    const t = laggingFollower()
    const l = t.node(1).raft
    l.step(msg({ type: 'MsgAppResp', from: 3, to: 1, term: 1, index: 6, reject: true }))
    expect(t.handle(1)?.messages.filter((m) => m.type === 'MsgSnap')).toHaveLength(1)
    l.reportSnapshot(3, 'failed')
    // With CheckQuorum a leader marks every follower inactive each election timeout; say node 3
    // has not answered since. A new proposal would reach it — but not by a snapshot.
    const pr = (l as unknown as { progress: Map<number, Progress> }).progress.get(3) as Progress
    pr.recentActive = false
    pr.probeSent = false
    l.propose(te.encode('f'))
    const out = l.ready().messages.filter((m) => m.to === 3)
    expect(out).toEqual([])
    expect(pr.state).toBe('probe')
  })
})

describe('§7 InstallSnapshot: the follower', () => {
  /** follower is node 2 of a fresh trio, following node 1 in term 2, holding entries 1…3 with
   * 1…2 committed. */
  function follower(): TestNode {
    const t = new Trio()
    const n = t.node(2)
    const entries = [e(1, 1, 'a'), e(1, 2, 'b'), e(2, 3, 'c')]
    n.raft.step(msg({ type: 'MsgApp', from: 1, to: 2, term: 2, entries, commit: 2 }))
    t.handle(2)
    expect(n.raft.status()).toMatchObject({ commit: 2, applied: 2, lastIndex: 3 })
    return n
  }

  it('restores a snapshot past its commit index, and acknowledges its new last index', () => {
    const n = follower()
    expect(
      n.raft.step(msg({ type: 'MsgSnap', from: 1, to: 2, term: 2, snapshot: snap(9, 2, 'x') })).ok,
    ).toBe(true)
    const rd = n.raft.ready()
    expect(rd.snapshot?.metadata.index).toBe(9)
    expect(rd.mustSync).toBe(true)
    expect(rd.committedEntries).toEqual([])
    expect(rd.hardState).toMatchObject({ commit: 9 })
    expect(rd.messages).toMatchObject([{ type: 'MsgAppResp', to: 1, index: 9, reject: false }])
    n.storage.applySnapshot(rd.snapshot as Snapshot)
    n.raft.advance(rd)
    expect(n.raft.status()).toMatchObject({ commit: 9, applied: 9, firstIndex: 10, lastIndex: 9 })
  })

  it('ignores a stale or duplicate snapshot, answering with its commit index', () => {
    const n = follower()
    for (const s of [snap(1, 1), snap(2, 1)]) {
      n.raft.step(msg({ type: 'MsgSnap', from: 1, to: 2, term: 2, snapshot: s }))
      const rd = n.raft.ready()
      expect(rd.snapshot).toBeNull()
      expect(rd.messages).toMatchObject([{ type: 'MsgAppResp', index: 2, reject: false }])
      n.raft.advance(rd)
      expect(n.raft.status()).toMatchObject({ commit: 2, applied: 2, lastIndex: 3 })
    }
  })

  it('keeps its log when it already holds the snapshot’s last entry, committing up to it', () => {
    const n = follower()
    n.raft.step(msg({ type: 'MsgSnap', from: 1, to: 2, term: 2, snapshot: snap(3, 2) }))
    const rd = n.raft.ready()
    expect(rd.snapshot).toBeNull()
    expect(rd.committedEntries.map((x) => x.index)).toEqual([3])
    expect(rd.messages).toMatchObject([{ type: 'MsgAppResp', index: 3 }])
  })

  it('replaces a log that conflicts with the snapshot', () => {
    const n = follower()
    // Entry 3 has term 2 here; the snapshot says entry 3 has term 3: drop the log.
    n.raft.step(msg({ type: 'MsgSnap', from: 1, to: 2, term: 3, snapshot: snap(3, 3) }))
    const rd = n.raft.ready()
    expect(rd.snapshot?.metadata).toMatchObject({ index: 3, term: 3 })
    expect(n.raft.log.allEntries()).toEqual([])
  })

  it('a candidate that receives a snapshot of its term steps down and takes it', () => {
    const n = follower()
    n.raft.campaign()
    expect(n.raft.role).toBe('candidate')
    const term = n.raft.term
    n.raft.step(msg({ type: 'MsgSnap', from: 3, to: 2, term, snapshot: snap(5, 2) }))
    expect(n.raft.role).toBe('follower')
    expect(n.raft.leaderId).toBe(3)
    expect(n.raft.status().commit).toBe(5)
  })

  it('refuses a snapshot of another configuration, or from a second leader of the term', () => {
    const n = follower()
    const other = msg({
      type: 'MsgSnap',
      from: 1,
      to: 2,
      term: 2,
      snapshot: snap(9, 2, '', [1, 2]),
    })
    expect(n.raft.step(other)).toEqual({
      ok: false,
      reason: expect.stringMatching(/configuration 1,2 is not this cluster's 1,2,3/),
    })
    const usurper = msg({ type: 'MsgSnap', from: 3, to: 2, term: 2, snapshot: snap(9, 2) })
    expect(n.raft.step(usurper)).toEqual({
      ok: false,
      reason: expect.stringMatching(/acts as leader/),
    })
    expect(n.raft.status()).toMatchObject({ commit: 2, lastIndex: 3 })
  })
})

describe('restart from a snapshot and the tail after it', () => {
  it('applies only the entries after the snapshot the state machine was restored from', () => {
    const t = Trio.withLeader()
    t.propose(1, 'a', 'b', 'c')
    t.takeSnapshot(2, 1)
    t.propose(1, 'd', 'e')
    const before = t.node(2).state.slice()
    const restarted = t.start(2, t.node(2).storage)
    expect(restarted.state).toEqual(['a', 'b', 'c'])
    expect(restarted.raft.status()).toMatchObject({ applied: 4, commit: 6, firstIndex: 4 })
    t.handle(2)
    expect(restarted.state).toEqual(before)
  })
})

describe('per-Ready limits', () => {
  it('maxCommittedSizePerReadyBytes spreads a backlog of committed entries over Readys', () => {
    const storage = new MemoryStorage()
    storage.append(Array.from({ length: 10 }, (_, i) => e(1, i + 1, 'x'.repeat(84))))
    storage.setHardState({ term: 1, vote: 0, commit: 10 })
    const n = new RaftNode({
      ...DEFAULT_RAFT_OPTIONS,
      id: 1,
      peers: [1, 2, 3],
      storage,
      rng: createRng(1),
      maxCommittedSizePerReadyBytes: 300,
    })
    const sizes: number[] = []
    while (n.hasReady()) {
      const rd = n.ready()
      sizes.push(rd.committedEntries.length)
      n.advance(rd)
    }
    // 100 bytes an entry (84 of data + 16): three fit in 300.
    expect(sizes).toEqual([3, 3, 3, 1])
    const one = new RaftNode({
      ...DEFAULT_RAFT_OPTIONS,
      id: 1,
      peers: [1, 2, 3],
      storage,
      rng: createRng(1),
      maxCommittedSizePerReadyBytes: 1,
    })
    expect(one.ready().committedEntries).toHaveLength(1)
  })

  it('keeps today’s behaviour by default: the whole backlog in one Ready', () => {
    const storage = new MemoryStorage()
    storage.append(Array.from({ length: 500 }, (_, i) => e(1, i + 1, 'y'.repeat(100))))
    storage.setHardState({ term: 1, vote: 0, commit: 500 })
    const n = new RaftNode({
      ...DEFAULT_RAFT_OPTIONS,
      id: 1,
      peers: [1],
      storage,
      rng: createRng(1),
    })
    expect(n.ready().committedEntries).toHaveLength(500)
  })

  it('maxUncommittedEntriesSizeBytes refuses proposals past the limit, with a reason', () => {
    const t = Trio.withLeader({ maxUncommittedEntriesSizeBytes: 10 })
    t.dropTo.add(2)
    t.dropTo.add(3)
    const leader = t.node(1).raft
    // Nothing pending: always taken, however large.
    expect(leader.propose(te.encode('0123456789abc')).ok).toBe(true)
    expect(leader.propose(te.encode('x'))).toEqual({
      ok: false,
      reason: 'uncommitted-limit',
      leaderId: 1,
    })
    // Empty proposals cost nothing.
    expect(leader.propose(new Uint8Array(0)).ok).toBe(true)
    t.settle()
    // Once the entries commit and are applied, there is room again.
    t.dropTo.clear()
    heartbeat(leader)
    t.settle()
    expect(t.node(1).state).toContain('0123456789abc')
    expect(leader.propose(te.encode('0123456789')).ok).toBe(true)
    expect(leader.proposeBatch([te.encode('a'), te.encode('b')])).toMatchObject({
      ok: false,
      reason: 'uncommitted-limit',
    })
  })

  it('a new leader starts with nothing counted against the limit', () => {
    const t = Trio.withLeader({ maxUncommittedEntriesSizeBytes: 4 })
    t.dropTo.add(2)
    t.dropTo.add(3)
    t.node(1).raft.propose(te.encode('long entry'))
    expect(t.node(1).raft.propose(te.encode('z')).ok).toBe(false)
    t.settle()
    t.dropTo.clear()
    t.node(2).raft.campaign()
    t.settle()
    expect(t.node(2).raft.role).toBe('leader')
    expect(t.node(2).raft.propose(te.encode('abc')).ok).toBe(true)
  })
})

describe('RaftView: the read-only facade for hosts', () => {
  it('reads status, progress and the log landmarks without exposing mutable state', () => {
    const t = laggingFollower(2)
    const v = new RaftView(t.node(1).raft)
    expect(v.id).toBe(1)
    expect(v.role).toBe('leader')
    expect(v.isLeader).toBe(true)
    expect(v.term).toBe(1)
    expect(v.leaderId).toBe(1)
    expect(v.committed).toBe(6)
    expect(v.applied).toBe(6)
    expect(v.logIndexes()).toEqual({
      firstIndex: 5,
      lastIndex: 6,
      lastTerm: 1,
      committed: 6,
      applied: 6,
      snapshotIndex: 6,
    })
    expect(v.status()).toMatchObject({ firstIndex: 5, snapshotIndex: 6, lastIndex: 6 })
    expect(v.progress()?.map((p) => p.id)).toEqual([2, 3])
    expect(new RaftView(t.node(2).raft).progress()).toBeNull()
  })
})
