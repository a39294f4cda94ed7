// Tests named after the rules of the Raft paper they check; protocol walkthroughs live in the
// scenario transcripts (tests/scenarios).
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_RAFT_OPTIONS,
  MemoryStorage,
  RaftNode,
  type Message,
  type RaftConfig,
  type Ready,
} from '../../../shared/raft'
import { createRng } from '../../../shared/util/rng'

const stores = new WeakMap<RaftNode, MemoryStorage>()

function node(id: number, peers: number[], over: Partial<RaftConfig> = {}): RaftNode {
  const storage = (over.storage as MemoryStorage | undefined) ?? new MemoryStorage()
  const n = new RaftNode({
    ...DEFAULT_RAFT_OPTIONS,
    preVote: false,
    checkQuorum: false,
    id,
    peers,
    storage,
    rng: createRng(id),
    ...over,
  })
  stores.set(n, storage)
  return n
}

/** handle plays the host for one Ready: persist, then advance (messages are returned). */
function handle(n: RaftNode): Ready {
  const rd = n.ready()
  const storage = stores.get(n) as MemoryStorage
  storage.append(rd.entries)
  if (rd.hardState) storage.setHardState(rd.hardState)
  n.advance(rd)
  return rd
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

describe('§5.2 leader election', () => {
  it('a follower becomes candidate after its randomized election timeout, within [min, max)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const n = node(1, [1, 2, 3], { rng: createRng(seed) })
      let ticks = 0
      while (n.role === 'follower' && ticks < 100) {
        n.tick()
        ticks++
      }
      expect(n.role).toBe('candidate')
      expect(ticks).toBeGreaterThanOrEqual(DEFAULT_RAFT_OPTIONS.electionTimeoutMinTicks)
      expect(ticks).toBeLessThan(DEFAULT_RAFT_OPTIONS.electionTimeoutMaxTicks)
    }
  })

  it('a candidate votes for itself, increments its term and persists both before asking', () => {
    const n = node(1, [1, 2, 3])
    n.campaign()
    const rd = n.ready()
    expect(rd.hardState).toEqual({ term: 1, vote: 1, commit: 0 })
    expect(rd.mustSync).toBe(true)
    expect(rd.messages.map((m) => `${m.type}->${m.to}`)).toEqual(['MsgVote->2', 'MsgVote->3'])
  })

  it('a single node elects itself at once and commits its no-op once it is written', () => {
    const n = node(1, [1])
    n.campaign()
    expect(n.role).toBe('leader')
    expect(n.log.committed).toBe(0)
    handle(n)
    expect(n.log.committed).toBe(1)
    expect(handle(n).committedEntries.map((e) => e.index)).toEqual([1])
  })

  it('a leader counts its own copy only once the host has written it (diss. §10.2.1)', () => {
    const l = node(1, [1, 2, 3])
    l.campaign()
    l.step(msg({ type: 'MsgVoteResp', from: 2, to: 1, term: 1 }))
    handle(l)
    l.step(msg({ type: 'MsgAppResp', from: 2, to: 1, term: 1, index: 1 }))
    handle(l)
    expect(l.log.committed).toBe(1)
    l.propose(new Uint8Array([9]))
    const rd = l.ready()
    // The appends may leave before the leader's own write; an acknowledgement arriving meanwhile
    // is one copy of three: no majority yet.
    expect(rd.messages.some((m) => m.type === 'MsgApp' && m.entries.length === 1)).toBe(true)
    l.step(msg({ type: 'MsgAppResp', from: 2, to: 1, term: 1, index: 2 }))
    expect(l.log.committed).toBe(1)
    const storage = stores.get(l) as MemoryStorage
    storage.append(rd.entries)
    l.advance(rd)
    expect(l.log.committed).toBe(2)
  })

  it('any higher term makes a leader step down (§5.1)', () => {
    const l = node(1, [1, 2, 3])
    l.campaign()
    l.step(msg({ type: 'MsgVoteResp', from: 2, to: 1, term: 1 }))
    expect(l.role).toBe('leader')
    l.step(msg({ type: 'MsgAppResp', from: 3, to: 1, term: 5 }))
    expect(l.role).toBe('follower')
    expect(l.term).toBe(5)
    expect(l.vote).toBe(0)
  })

  it('ignores messages from nodes outside the cluster', () => {
    const n = node(1, [1, 2, 3])
    n.step(msg({ type: 'MsgVote', from: 9, to: 1, term: 7 }))
    expect(n.term).toBe(0)
  })

  it('grants at most one vote per term, and again to the same candidate (a retry)', () => {
    const n = node(1, [1, 2, 3])
    n.step(msg({ type: 'MsgVote', from: 2, to: 1, term: 1 }))
    n.step(msg({ type: 'MsgVote', from: 3, to: 1, term: 1 }))
    n.step(msg({ type: 'MsgVote', from: 2, to: 1, term: 1 }))
    const replies = n.ready().messages.map((m) => `${m.to}:${m.reject ? 'no' : 'yes'}`)
    expect(replies).toEqual(['2:yes', '3:no', '2:yes'])
  })
})

describe('§5.3 log replication', () => {
  it('a follower refuses proposals and names the leader', () => {
    const n = node(2, [1, 2, 3])
    n.step(msg({ type: 'MsgHeartbeat', from: 1, to: 2, term: 1 }))
    expect(n.propose(new Uint8Array([1]))).toEqual({ ok: false, reason: 'not-leader', leaderId: 1 })
  })

  it('acknowledges only after the Ready that persists the entries', () => {
    const n = node(2, [1, 2, 3])
    const entries = [{ term: 1, index: 1, type: 'normal' as const, data: new Uint8Array([7]) }]
    n.step(msg({ type: 'MsgApp', from: 1, to: 2, term: 1, entries }))
    const rd = n.ready()
    expect(rd.entries).toEqual(entries)
    expect(rd.messages[0]).toMatchObject({ type: 'MsgAppResp', index: 1, reject: false })
  })

  it('batches proposals into one MsgApp per follower', () => {
    const l = node(1, [1, 2])
    l.campaign()
    l.step(msg({ type: 'MsgVoteResp', from: 2, to: 1, term: 1 }))
    l.step(msg({ type: 'MsgAppResp', from: 2, to: 1, term: 1, index: 1 }))
    handle(l)
    expect(l.proposeBatch([new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3])])).toEqual(
      {
        ok: true,
        index: 2,
        term: 1,
      },
    )
    const apps = handle(l).messages.filter((m) => m.type === 'MsgApp' && m.entries.length > 0)
    expect(apps).toHaveLength(1)
    expect(apps[0]?.entries.map((e) => e.index)).toEqual([2, 3, 4])
  })
})

describe('the Ready contract', () => {
  it('has nothing to do on a fresh node', () => {
    expect(node(1, [1, 2, 3]).hasReady()).toBe(false)
  })

  it('refuses a second ready() before advance()', () => {
    const n = node(1, [1, 2, 3])
    n.campaign()
    n.ready()
    expect(() => n.ready()).toThrow(/before advance/)
  })

  it('does not require fsync for a commit-index change alone', () => {
    const l = node(1, [1, 2])
    l.campaign()
    l.step(msg({ type: 'MsgVoteResp', from: 2, to: 1, term: 1 }))
    handle(l)
    l.step(msg({ type: 'MsgAppResp', from: 2, to: 1, term: 1, index: 1 }))
    const rd2 = handle(l)
    expect(rd2.hardState?.commit).toBe(1)
    expect(rd2.entries).toEqual([])
    expect(rd2.mustSync).toBe(false)
  })
})

describe('restart from persisted state (Figure 2)', () => {
  it('recovers term, vote and log, and re-applies up to the persisted commit index', () => {
    const storage = new MemoryStorage()
    storage.append([
      { term: 1, index: 1, type: 'noop', data: new Uint8Array() },
      { term: 1, index: 2, type: 'normal', data: new Uint8Array([1]) },
    ])
    storage.setHardState({ term: 3, vote: 2, commit: 2 })
    const n = node(1, [1, 2, 3], { storage })
    expect(n.status()).toMatchObject({ term: 3, vote: 2, commit: 2, applied: 0, lastIndex: 2 })
    expect(n.ready().committedEntries.map((e) => e.index)).toEqual([1, 2])
  })

  it('refuses a persisted commit index past the stored log', () => {
    const storage = new MemoryStorage()
    storage.setHardState({ term: 1, vote: 0, commit: 5 })
    expect(() => node(1, [1, 2, 3], { storage })).toThrow(/past the last stored index/)
  })

  it("refuses a persisted term below its last entry's term, and a vote in term 0", () => {
    const storage = new MemoryStorage()
    storage.append([{ term: 3, index: 1, type: 'noop', data: new Uint8Array() }])
    storage.setHardState({ term: 2, vote: 0, commit: 0 })
    expect(() => node(1, [1, 2, 3], { storage })).toThrow(/term 2 is below .* term 3/)
    const fresh = new MemoryStorage()
    fresh.setHardState({ term: 0, vote: 2, commit: 0 })
    expect(() => node(1, [1, 2, 3], { storage: fresh })).toThrow(/vote for 2 in term 0/)
  })
})

describe('basicStatus', () => {
  it('is the hot-path part of status(), and a copy: changing it changes nothing', () => {
    const n = node(1, [1])
    n.campaign()
    handle(n)
    handle(n)
    const { id, role, term, vote, leaderId, commit, applied } = n.status()
    const basic = n.basicStatus()
    expect(basic).toEqual({ id, role, term, vote, leaderId, commit, applied })
    expect(basic).toMatchObject({ role: 'leader', leaderId: 1, term: 1, commit: 1 })
    basic.commit = 99
    basic.role = 'follower'
    expect(n.basicStatus()).toMatchObject({ role: 'leader', commit: 1 })
  })
})

describe('configuration checks', () => {
  it('rejects impossible settings with clear messages', () => {
    expect(() => node(4, [1, 2, 3])).toThrow(/not among its peers/)
    expect(() => node(1, [1, 2, 3], { heartbeatTicks: 20 })).toThrow(/exceed the heartbeat/)
    expect(() => node(1, [1, 2, 3], { electionTimeoutMaxTicks: 15 })).toThrow(/Max/)
  })
})
