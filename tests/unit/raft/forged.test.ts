// Messages no correct peer could send — forged, corrupted, or from a bug elsewhere — are refused by
// the core before they touch its state (issue: hardening). First the defects an outside test
// campaign found, then a property: arbitrary messages, well-formed and not, stepped into nodes in
// every role never throw and never break a node's own invariants.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_RAFT_OPTIONS,
  MAX_INDEX,
  MAX_TERM,
  MESSAGE_TYPES,
  MemoryStorage,
  NONE,
  RaftNode,
  checkMessage,
  type Entry,
  type Message,
  type MessageType,
  type Snapshot,
} from '../../../shared/raft'
import { ProtocolError, decodeMessage, encodeMessage } from '../../../shared/protocol'
import { arbMessage as arbWireMessage } from '../protocol/arbitraries'
import { createRng } from '../../../shared/util/rng'

const PEERS = [1, 2, 3]

/** Cluster is three in-memory nodes driven by hand: every Ready persisted, then delivered. */
class Cluster {
  readonly nodes = new Map<number, RaftNode>()
  readonly stores = new Map<number, MemoryStorage>()
  constructor(seed: number) {
    for (const id of PEERS) {
      const storage = new MemoryStorage()
      this.stores.set(id, storage)
      this.nodes.set(
        id,
        new RaftNode({
          ...DEFAULT_RAFT_OPTIONS,
          id,
          peers: PEERS,
          storage,
          rng: createRng(seed * 10 + id),
        }),
      )
    }
  }
  node(id: number): RaftNode {
    return this.nodes.get(id) as RaftNode
  }
  /** handle persists and advances one node's Ready and returns its messages. */
  handle(id: number): Message[] {
    const n = this.node(id)
    if (!n.hasReady()) return []
    const rd = n.ready()
    const st = this.stores.get(id) as MemoryStorage
    if (rd.snapshot) expect(st.applySnapshot(rd.snapshot)).toEqual({ ok: true })
    st.append(rd.entries)
    if (rd.hardState) st.setHardState(rd.hardState)
    n.advance(rd)
    return rd.messages
  }
  /** settle delivers messages until there are none left (bounded). */
  settle(): void {
    for (let round = 0; round < 200; round++) {
      const out = PEERS.flatMap((id) => this.handle(id))
      if (out.length === 0) return
      for (const m of out) this.node(m.to).step(m)
    }
  }
  /** elect makes node `id` leader and commits `writes` entries. */
  static withLeader(id: number, writes: number, seed = 1): Cluster {
    const c = new Cluster(seed)
    c.node(id).campaign()
    c.settle()
    expect(c.node(id).role).toBe('leader')
    for (let i = 0; i < writes; i++) c.node(id).propose(new Uint8Array([i]))
    c.settle()
    return c
  }
}

const base = {
  logTerm: 0,
  index: 0,
  entries: [] as Entry[],
  commit: 0,
  reject: false,
  rejectHint: 0,
  context: '',
}

describe('forged messages found by the outside test campaign', () => {
  it('a MsgAppResp past the end of the leader log is refused, and the leader goes on (was: AssertionError, exit 70)', () => {
    const c = Cluster.withLeader(1, 3)
    const leader = c.node(1)
    const term = leader.term
    const res = leader.step({
      ...base,
      type: 'MsgAppResp',
      from: 2,
      to: 1,
      term,
      index: 2 ** 53 - 2,
    })
    expect(res).toEqual({ ok: false, reason: expect.stringMatching(/index .* is out of range/) })
    // Within the encodable range but past the end of its log: no follower can have it either.
    const last = leader.status().lastIndex
    expect(
      leader.step({ ...base, type: 'MsgAppResp', from: 2, to: 1, term, index: last + 5 }),
    ).toEqual({ ok: false, reason: expect.stringMatching(/past this leader's last index/) })
    // …and a rejection past its end too.
    expect(
      leader.step({ ...base, type: 'MsgAppResp', from: 2, to: 1, term, index: 1e12, reject: true })
        .ok,
    ).toBe(false)
    expect(leader.role).toBe('leader')
    leader.propose(new Uint8Array([9]))
    c.settle()
    expect(leader.status().commit).toBe(leader.status().lastIndex)
    expect(c.node(2).status().commit).toBe(leader.status().lastIndex)
  })

  it('a term at the encoding limit is never adopted or persisted (was: the cluster wedged for good)', () => {
    const c = Cluster.withLeader(1, 2)
    for (const id of PEERS) {
      const n = c.node(id)
      const before = { term: n.term, hard: c.stores.get(id)?.initialState() }
      for (const term of [2 ** 53 - 1, MAX_TERM + 1]) {
        const from = id === 1 ? 2 : 1
        for (const type of MESSAGE_TYPES) {
          const res = n.step({ ...base, type, from, to: id, term })
          expect(res.ok, `${type} with term ${term}`).toBe(false)
        }
      }
      c.handle(id)
      expect(n.term).toBe(before.term)
      expect(c.stores.get(id)?.initialState()).toEqual(before.hard)
    }
    // The cluster still commits under its leader.
    c.node(1).propose(new Uint8Array([7]))
    c.settle()
    expect(c.node(3).status().commit).toBe(c.node(1).status().lastIndex)
  })

  it('a node at MAX_TERM does not campaign for a term its peers would refuse', () => {
    const c = new Cluster(3)
    const n = c.node(1)
    // A peer at MAX_TERM (the most a message may carry) makes n adopt it…
    expect(n.step({ ...base, type: 'MsgHeartbeat', from: 2, to: 1, term: MAX_TERM }).ok).toBe(true)
    c.handle(1)
    expect(n.term).toBe(MAX_TERM)
    // …but it never starts an election for MAX_TERM + 1.
    for (let i = 0; i < 200; i++) n.tick()
    const out = c.handle(1)
    expect(out.filter((m) => m.term > MAX_TERM)).toEqual([])
    expect(n.term).toBe(MAX_TERM)
  })

  it('entries that do not follow their previous index, or whose terms go back, are refused', () => {
    const c = Cluster.withLeader(1, 2)
    const f = c.node(2)
    const term = f.term
    const last = f.status().lastIndex
    const e = (index: number, t: number): Entry => ({
      index,
      term: t,
      type: 'normal',
      data: new Uint8Array(1),
    })
    const cases: [Partial<Message>, RegExp][] = [
      [{ index: last, logTerm: term, entries: [e(last + 2, term)] }, /expected/],
      [{ index: last, logTerm: term, entries: [e(last + 1, term + 1)] }, /term/],
      [{ index: last, logTerm: term, entries: [e(last + 1, term), e(last + 2, term - 1)] }, /term/],
      [{ index: 0, logTerm: 0, entries: [e(1, 0)] }, /term 0/],
      [{ index: last, logTerm: term + 1 }, /log term/],
    ]
    for (const [m, why] of cases) {
      const res = f.step({ ...base, type: 'MsgApp', from: 1, to: 2, term, ...m })
      expect(res.ok, JSON.stringify(m)).toBe(false)
      if (!res.ok) expect(res.reason).toMatch(why)
    }
    // A second "leader" of the term it follows n1 in is refused too (§5.2: one leader a term).
    const res = f.step({ ...base, type: 'MsgApp', from: 3, to: 2, term, index: 0 })
    expect(res).toEqual({ ok: false, reason: expect.stringMatching(/acts as leader/) })
    expect(f.status().lastIndex).toBe(last)
  })

  it('a MsgSnap without a proper snapshot, or a snapshot on another message, is refused', () => {
    const c = Cluster.withLeader(1, 2)
    const f = c.node(2)
    const term = f.term
    const before = f.status()
    const good: Snapshot = {
      metadata: { index: 10, term, peers: [1, 2, 3] },
      data: new Uint8Array([1]),
    }
    const md = good.metadata
    const cases: [Partial<Message>, RegExp][] = [
      [{ snapshot: undefined }, /carries no snapshot/],
      [{ snapshot: { ...good, metadata: { ...md, index: 0 } } }, /snapshot index 0/],
      [{ snapshot: { ...good, metadata: { ...md, index: MAX_INDEX + 1 } } }, /snapshot index/],
      [{ snapshot: { ...good, metadata: { ...md, term: term + 1 } } }, /snapshot term/],
      [{ snapshot: { ...good, metadata: { ...md, term: 0 } } }, /snapshot term 0/],
      [{ snapshot: { ...good, metadata: { ...md, peers: [] } } }, /no configuration/],
      [{ snapshot: { ...good, metadata: { ...md, peers: [1, 1, 2] } } }, /repeated node id 1/],
      [{ snapshot: { ...good, metadata: { ...md, peers: [1, 0.5] } } }, /invalid .* 0.5/],
      [{ snapshot: { ...good, data: 'x' as unknown as Uint8Array } }, /no data bytes/],
      [{ snapshot: { ...good, metadata: { ...md, peers: [1, 2, 4] } } }, /not this cluster's/],
      [{ type: 'MsgApp', snapshot: good }, /MsgApp carries a snapshot/],
      [{ type: 'MsgHeartbeat', snapshot: good }, /MsgHeartbeat carries a snapshot/],
      [{ from: 3 }, /acts as leader/],
    ]
    for (const [m, why] of cases) {
      const res = f.step({ ...base, type: 'MsgSnap', from: 1, to: 2, term, snapshot: good, ...m })
      expect(res.ok, JSON.stringify(m)).toBe(false)
      if (!res.ok) expect(res.reason).toMatch(why)
    }
    expect(f.hasReady()).toBe(false)
    expect(f.status()).toEqual(before)
    // The same snapshot, well formed, is taken.
    expect(f.step({ ...base, type: 'MsgSnap', from: 1, to: 2, term, snapshot: good })).toEqual({
      ok: true,
    })
    expect(f.status().commit).toBe(10)
  })

  it('checkMessage accepts what correct nodes send (the simulator sweeps check this too)', () => {
    const c = Cluster.withLeader(1, 5)
    c.node(1).propose(new Uint8Array([1]))
    const rd = c.node(1).ready()
    expect(rd.messages.length).toBeGreaterThan(0)
    for (const m of rd.messages) expect(checkMessage(m, m.to)).toBeNull()
  })
})

/** arbNumber draws the numbers that matter: around the node's own values, and out of range. */
function arbNumber(near: number): fc.Arbitrary<number> {
  return fc.oneof(
    fc.integer({ min: Math.max(0, near - 2), max: near + 2 }),
    fc.constantFrom(
      0,
      1,
      MAX_TERM,
      MAX_TERM + 1,
      MAX_INDEX,
      2 ** 53 - 2,
      2 ** 53 - 1,
      -1,
      0.5,
      NaN,
    ),
    fc.nat(),
  )
}

function arbMessageFor(n: RaftNode): fc.Arbitrary<Message> {
  const s = n.status()
  return fc
    .record({
      type: fc.oneof(
        fc.constantFrom<MessageType>(...MESSAGE_TYPES),
        fc.constant('MsgBogus' as MessageType),
      ),
      from: fc.oneof(fc.constantFrom(...PEERS), fc.constantFrom(0, 9)),
      to: fc.oneof(fc.constant(s.id), fc.constantFrom(0, 2, 7)),
      term: arbNumber(s.term),
      logTerm: arbNumber(s.lastTerm),
      index: arbNumber(s.lastIndex),
      commit: arbNumber(s.commit),
      reject: fc.boolean(),
      rejectHint: arbNumber(s.lastIndex),
      context: fc.oneof(fc.constant(''), fc.constant('transfer'), fc.string({ maxLength: 8 })),
      entryTerms: fc.array(arbNumber(s.term), { maxLength: 4 }),
      wellFormed: fc.boolean(),
      snapshot: fc.oneof(
        { arbitrary: fc.constant(null), weight: 3 },
        {
          arbitrary: fc.record({
            index: arbNumber(s.commit + 2),
            term: arbNumber(s.term),
            peers: fc.oneof(
              { arbitrary: fc.constant(PEERS), weight: 4 },
              { arbitrary: fc.constant([1, 2]), weight: 1 },
              { arbitrary: fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 4 }), weight: 1 },
            ),
          }),
          weight: 1,
        },
      ),
    })
    .map(({ entryTerms, wellFormed, snapshot, ...m }) => {
      // Half the time entries follow the rules checkMessage states, so they reach the handlers.
      let t = Math.max(1, m.logTerm)
      const entries = entryTerms.map((et, i) => {
        if (wellFormed) t = Math.min(Math.max(t, Math.abs(et) | 0), m.term)
        return {
          index: wellFormed ? m.index + 1 + i : et,
          term: wellFormed ? t : et,
          type: 'normal' as const,
          data: new Uint8Array([i]),
        }
      })
      if (snapshot === null) return { ...m, entries }
      // Half the time a snapshot rides on a MsgSnap addressed to the node from the leader of its
      // term, so that it reaches the handler; else on anything.
      if (!wellFormed)
        return { ...m, entries, snapshot: { metadata: snapshot, data: new Uint8Array([7]) } }
      const type = 'MsgSnap' as const
      const term = m.term === s.term + 1 ? m.term : s.term
      const md = {
        ...snapshot,
        index: Math.max(1, snapshot.index),
        term: Math.min(term, snapshot.term),
      }
      return {
        ...m,
        type,
        from: s.leaderId !== NONE && s.leaderId !== s.id ? s.leaderId : m.from,
        to: s.id,
        term,
        ...{ logTerm: 0, index: 0, commit: 0, reject: false, rejectHint: 0 },
        entries: [],
        snapshot: { metadata: md, data: new Uint8Array([7]) },
      }
    })
}

describe('arbitrary messages into the core (property)', () => {
  for (const [role, make] of [
    ['follower', () => Cluster.withLeader(1, 3)],
    ['leader', () => Cluster.withLeader(1, 3)],
    [
      'candidate',
      () => {
        const c = Cluster.withLeader(1, 2)
        c.node(3).campaign()
        c.handle(3)
        return c
      },
    ],
  ] as const) {
    it(`never throws and keeps a ${role}'s invariants`, () => {
      const target = role === 'leader' ? 1 : role === 'follower' ? 2 : 3
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 1000 }),
          fc.array(fc.nat(), { minLength: 1, maxLength: 30 }),
          (seed, picks) => {
            const c = make()
            const n = c.node(target)
            const rng = createRng(seed)
            let lastTerm = n.term
            let lastCommit = n.status().commit
            const voteIn = new Map<number, number>()
            for (const pick of picks) {
              const committed = c.stores.get(target)!.initialState().commit
              const prefix = new Map(
                n.log
                  .allEntries()
                  .filter((e) => e.index <= committed)
                  .map((e) => [e.index, e.term]),
              )
              const [m] = fc.sample(arbMessageFor(n), { seed: seed * 1000 + pick, numRuns: 1 })
              n.step(m as Message)
              if (rng.int(0, 3) === 0) n.tick()
              const out = c.handle(target)
              const s = n.status()
              // Its own invariants: terms only grow and stay in range, one vote a term, commit
              // only grows and stays within the log, the committed prefix never changes.
              expect(s.term).toBeGreaterThanOrEqual(lastTerm)
              expect(s.term).toBeLessThanOrEqual(MAX_TERM)
              if (s.vote !== NONE) {
                const v = voteIn.get(s.term)
                if (v !== undefined) expect(s.vote).toBe(v)
                voteIn.set(s.term, s.vote)
              }
              expect(s.commit).toBeGreaterThanOrEqual(lastCommit)
              expect(s.commit).toBeLessThanOrEqual(s.lastIndex)
              expect(s.applied).toBeLessThanOrEqual(s.commit)
              // A snapshot may have replaced the log: what is left of the committed prefix is
              // unchanged, and nothing before the first index is claimed.
              const now = n.log.allEntries()
              for (const e of now) if (prefix.has(e.index)) expect(e.term).toBe(prefix.get(e.index))
              expect(s.firstIndex).toBe(n.log.firstIndex())
              now.forEach((e, i) => {
                expect(e.index).toBe(i + s.firstIndex)
                if (i > 0) expect(e.term).toBeGreaterThanOrEqual((now[i - 1] as Entry).term)
                expect(e.term).toBeLessThanOrEqual(s.term)
              })
              // Whatever it sends, its peers would take and the wire can carry.
              for (const o of out) {
                expect(checkMessage(o, o.to)).toBeNull()
                expect(() => encodeMessage(o)).not.toThrow()
              }
              lastTerm = s.term
              lastCommit = s.commit
            }
          },
        ),
        { numRuns: 150, seed: 7 },
      )
    })
  }
})

describe('bytes off the wire into the core (property)', () => {
  it('whatever the codec decodes, step() takes or refuses, never throws', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(arbWireMessage, fc.constantFrom(1, 2, 3), fc.boolean()), {
          minLength: 1,
          maxLength: 20,
        }),
        (items) => {
          const c = Cluster.withLeader(1, 2)
          for (const [m, to, damage] of items) {
            let bytes = encodeMessage({ ...m, to, from: m.from % 4 })
            if (damage) bytes = bytes.slice(0, Math.max(1, bytes.length - 1))
            let decoded: Message
            try {
              decoded = decodeMessage(bytes)
            } catch (e) {
              expect(e).toBeInstanceOf(ProtocolError)
              continue
            }
            c.node(to).step(decoded)
            c.handle(to)
          }
        },
      ),
      { numRuns: 300, seed: 5 },
    )
  })
})
