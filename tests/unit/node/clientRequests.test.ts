// The node's client requests (electron/node/host/clientRequests.ts) and latency attribution
// (writeTiming.ts) in process, over a fake core and a fake clock: batching, answers, leadership
// loss, and the timing marks a sampled write's answer carries.
import { describe, expect, it } from 'vitest'
import { encodeKvCommand, KvStore } from '../../../shared/kv'
import {
  decodeClientResponse,
  encodeClientRequest,
  FRAME_HEADER_BYTES,
  FRAME_KIND,
  type ClientRequest,
  type ClientResponse,
} from '../../../shared/protocol'
import type { BasicStatus, Entry } from '../../../shared/raft/types'
import { ClientRequests, type ClientCore } from '../../../electron/node/host/clientRequests'
import { WriteTiming } from '../../../electron/node/host/writeTiming'

function rig(role: 'leader' | 'follower' = 'leader') {
  const status: BasicStatus = { id: 1, role, term: 2, vote: 1, leaderId: 1, commit: 0, applied: 0 }
  let nextIndex = 10
  const proposed: number[] = []
  /** refuse: a refusal the fake leader gives every proposal (the core's limits). */
  const limits: { refuse: 'transferring' | 'uncommitted-limit' | null } = { refuse: null }
  const core: ClientCore = {
    basicStatus: () => ({ ...status }),
    proposeBatch: (datas) => {
      if (status.role !== 'leader') return { ok: false, reason: 'not-leader', leaderId: 3 }
      if (limits.refuse) return { ok: false, reason: limits.refuse, leaderId: 1 }
      proposed.push(datas.length)
      const index = nextIndex
      nextIndex += datas.length
      return { ok: true, index, term: status.term }
    },
    readIndex: () => ({ ok: true }),
  }
  let nowNs = 0n
  const clock = { advanceMicros: (us: number) => (nowNs += BigInt(us) * 1000n) }
  const kv = new KvStore()
  // The state machine is behind the fake core's log: fill it up to index 9.
  for (let i = 1; i < 10; i++) kv.apply({ index: i, term: 1, type: 'noop', data: new Uint8Array() })
  const timing = new WriteTiming(() => nowNs)
  const clients = new ClientRequests(
    core,
    kv,
    timing,
    () => nowNs,
    () => {},
  )
  const answers: ClientResponse[] = []
  const conn = { id: 1, closed: false }
  const reply = (frame: Uint8Array): boolean => {
    expect(frame[FRAME_HEADER_BYTES]).toBe(FRAME_KIND.clientResponse)
    answers.push(decodeClientResponse(frame.subarray(FRAME_HEADER_BYTES + 1)))
    return true
  }
  const request = (req: Partial<ClientRequest>): void => {
    const q: ClientRequest = {
      requestId: 1,
      op: 'put',
      clientId: 7,
      seq: 1,
      key: 'k',
      value: 'v',
      expected: null,
      readMode: 'linearizable',
      timing: false,
      ...req,
    }
    clients.onClientFrame(
      { kind: FRAME_KIND.clientRequest, body: encodeClientRequest(q) },
      reply,
      conn,
    )
  }
  /** commit applies entry `index` as the put of `seq` and hands it to the requests. */
  const commit = (index: number, seq: number, term = 2): Entry => {
    const e: Entry = {
      index,
      term,
      type: 'normal',
      data: encodeKvCommand({ op: 'put', key: 'k', value: 'v', clientId: 7, seq }),
    }
    clients.applied(e, kv.apply(e))
    return e
  }
  return { status, clients, timing, answers, request, commit, proposed, clock, limits }
}

describe('client requests', () => {
  it('refuses writes on a follower, naming the leader', () => {
    const { request, answers, status } = rig('follower')
    status.leaderId = 3
    request({ requestId: 5 })
    expect(answers).toEqual([{ requestId: 5, status: 'not-leader', leaderHint: 3 }])
  })

  it("tells each client of a batch the leader refused why, as a definite 'unavailable'", () => {
    const { request, clients, answers, limits } = rig()
    limits.refuse = 'uncommitted-limit'
    request({ requestId: 1, seq: 1 })
    request({ requestId: 2, seq: 2 })
    clients.flushProposals()
    expect(answers.map((a) => a.status)).toEqual(['unavailable', 'unavailable'])
    const a = answers[0]
    expect(a?.status === 'unavailable' && a.maybeApplied).toBe(false)
    expect(a?.status === 'unavailable' && a.reason).toMatch(/too many uncommitted writes/)
    limits.refuse = 'transferring'
    request({ requestId: 3, seq: 3 })
    clients.flushProposals()
    expect(answers[2]).toMatchObject({ status: 'unavailable', reason: /transfer/ })
  })

  it('proposes the writes of one turn as one batch and answers each when it applies', () => {
    const { request, clients, commit, answers, proposed } = rig()
    request({ requestId: 1, seq: 1 })
    request({ requestId: 2, seq: 2 })
    clients.flushProposals()
    expect(proposed).toEqual([2])
    expect(answers).toEqual([])
    commit(10, 1)
    commit(11, 2)
    expect(answers.map((a) => [a.requestId, a.status])).toEqual([
      [1, 'ok'],
      [2, 'ok'],
    ])
  })

  it("tells clients a write's outcome is unknown when leadership is lost before it applied", () => {
    const { request, clients, answers, status } = rig()
    request({ requestId: 1 })
    clients.flushProposals()
    status.role = 'follower'
    status.leaderId = 2
    clients.roleChanged(true)
    expect(answers).toEqual([
      { requestId: 1, status: 'unavailable', reason: 'leadership lost', maybeApplied: true },
    ])
  })

  it("fails a write whose index another leader's entry took", () => {
    const { request, clients, commit, answers } = rig()
    request({ requestId: 1 })
    clients.flushProposals()
    commit(10, 1, 3)
    expect(answers[0]).toMatchObject({ status: 'unavailable', maybeApplied: false })
  })

  it("times a sampled write's stages; the quorum's last acknowledgement names its follower's disk time", () => {
    const { request, clients, timing, commit, answers, clock } = rig()
    request({ requestId: 1, timing: true })
    request({ requestId: 2, seq: 2 })
    clock.advanceMicros(100)
    clients.flushProposals()
    expect(clients.hasTimedWrites).toBe(true)
    clock.advanceMicros(400)
    // n3 wrote entries 9…11 in 250 µs; its acknowledgement of 11 completes the quorum.
    timing.noteDiskTiming(3, { firstIndex: 9, lastIndex: 11, micros: 250 })
    clients.quorumAcked(9, 11, 3, 11)
    clock.advanceMicros(50)
    commit(10, 1)
    commit(11, 2)
    expect(clients.hasTimedWrites).toBe(false)
    const [timed, untimed] = answers
    expect(timed?.status === 'ok' && timed.timing).toEqual([
      { stage: 'proposed', micros: 100 },
      { stage: 'quorumAcked', micros: 500, node: 3, followerPersistMicros: 250 },
      { stage: 'applied', micros: 550 },
    ])
    expect(untimed?.status === 'ok' && untimed.timing).toEqual([])
  })

  it("knows a follower's disk time only for the entries that write covered", () => {
    const timing = new WriteTiming(() => 0n)
    timing.noteDiskTiming(2, { firstIndex: 5, lastIndex: 7, micros: 90 })
    expect([4, 5, 7, 8].map((i) => timing.followerPersistMicros(2, i))).toEqual([0, 90, 90, 0])
    expect(timing.followerPersistMicros(3, 6)).toBe(0)
  })
})
