// The node's Ready loop (electron/node/host/readyLoop.ts) in process, with fakes for the disk,
// the transport and the clock: the order of the Ready contract, and the disk time a follower's
// acknowledgements carry to its leader.
import { describe, expect, it } from 'vitest'
import type { DiskTiming } from '../../../shared/protocol'
import {
  DEFAULT_RAFT_OPTIONS,
  MemoryStorage,
  RaftNode,
  type Entry,
  type HardState,
  type Message,
  type MessageType,
  type Ready,
} from '../../../shared/raft'
import { createRng } from '../../../shared/util/rng'
import { ReadyLoop, type ReadyStorage } from '../../../electron/node/host/readyLoop'

function msg(type: MessageType, to: number, over: Partial<Message> = {}): Message {
  return {
    type,
    from: 1,
    to,
    term: 2,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    context: '',
    ...over,
  }
}

function entry(index: number, term = 2): Entry {
  return { index, term, type: 'normal', data: new Uint8Array([index]) }
}

function ready(over: Partial<Ready>): Ready {
  return {
    softState: null,
    hardState: null,
    snapshot: null,
    entries: [],
    committedEntries: [],
    messages: [],
    readStates: [],
    events: [],
    mustSync: false,
    ...over,
  }
}

/** rig runs a ReadyLoop over a fake core that hands out `readies`, recording every step in
 * `log`; the fake clock advances 2.5 ms during each disk write. */
function rig(readies: Ready[], lastStoredIndex = 0) {
  const log: string[] = []
  const disks: (DiskTiming | null)[] = []
  let nowNs = 1_000_000n
  const queue = [...readies]
  const storage: ReadyStorage = {
    lastIndex: () => lastStoredIndex,
    append: (entries: readonly Entry[], hs: HardState | null, mustSync: boolean) => {
      nowNs += 2_500_000n
      log.push(
        `persist ${entries.map((e) => e.index).join(',')}${hs ? ' hs' : ''}${mustSync ? ' sync' : ''}`,
      )
    },
    installSnapshot: (snap) => {
      log.push(`install snapshot ${snap.metadata.index}`)
    },
  }
  const loop = new ReadyLoop({
    core: {
      hasReady: () => queue.length > 0,
      ready: () => queue[0] as Ready,
      advance: (rd) => {
        expect(rd).toBe(queue.shift())
        log.push('advance')
      },
    },
    storage,
    sender: {
      send: (to, ms, disk) => {
        log.push(`send n${to} ${ms.map((m) => m.type).join(',')}${disk ? ' +disk' : ''}`)
        disks.push(disk)
      },
      flushClients: () => log.push('answer clients'),
    },
    restore: (snap) => {
      log.push(`restore ${snap.metadata.index}`)
    },
    apply: (e) => {
      log.push(`apply ${e.index}`)
      return null
    },
    clients: {
      flushProposals: () => log.push('propose'),
      markWrites: () => {},
      applied: () => {},
      readIndexReady: (rs) => log.push(`read ${rs.context}`),
      serveReads: () => {},
    },
    nowNs: () => nowNs,
    taken: () => log.push('taken'),
    handled: (_rd, truncatedFrom) =>
      log.push(`handled${truncatedFrom ? ` truncated@${truncatedFrom}` : ''}`),
  })
  return { loop, log, disks }
}

describe('the Ready loop', () => {
  it('handles at most the Readies a turn allows and says whether more remain', () => {
    const readies = [1, 2, 3].map((i) => ready({ committedEntries: [entry(i)] }))
    const { loop, log } = rig(readies)
    expect(loop.run(2)).toBe(true)
    expect(log.filter((l) => l.startsWith('apply'))).toEqual(['apply 1', 'apply 2'])
    expect(loop.run(2)).toBe(false)
    expect(log.filter((l) => l.startsWith('apply'))).toEqual(['apply 1', 'apply 2', 'apply 3'])
    expect(loop.run()).toBe(false)
  })

  it("makes a leader's snapshot durable and restores it before anything acknowledges it", () => {
    const snapshot = { metadata: { index: 40, term: 2, peers: [1, 2, 3] }, data: new Uint8Array(3) }
    const { loop, log } = rig([
      ready({
        snapshot,
        hardState: { term: 2, vote: 0, commit: 40 },
        mustSync: true,
        messages: [msg('MsgAppResp', 1, { index: 40 })],
      }),
    ])
    loop.run()
    expect(log).toEqual([
      'propose',
      'taken',
      'install snapshot 40',
      'restore 40',
      'answer clients',
      'persist  hs sync',
      'send n1 MsgAppResp',
      'advance',
      'handled',
    ])
  })

  it("sends a leader's appends and heartbeats before persisting, votes and acknowledgements after", () => {
    const { loop, log } = rig([
      ready({
        entries: [entry(5), entry(6)],
        hardState: { term: 2, vote: 1, commit: 4 },
        mustSync: true,
        committedEntries: [entry(4)],
        readStates: [{ context: 'r1', index: 4 }],
        messages: [
          msg('MsgApp', 2),
          msg('MsgVoteResp', 3),
          msg('MsgHeartbeat', 3),
          msg('MsgApp', 3),
        ],
      }),
    ])
    loop.run()
    expect(log).toEqual([
      'propose',
      'taken',
      'send n2 MsgApp',
      'send n3 MsgHeartbeat,MsgApp',
      'apply 4',
      'read r1',
      'answer clients',
      'persist 5,6 hs sync',
      'send n3 MsgVoteResp',
      'advance',
      'handled',
    ])
  })

  it("attaches a follower's disk time to its acknowledgements, and only to them", () => {
    const { loop, log, disks } = rig(
      [
        ready({
          entries: [entry(3), entry(4)],
          messages: [
            msg('MsgAppResp', 1, { from: 2, index: 4 }),
            msg('MsgVoteResp', 3, { from: 2 }),
          ],
        }),
        // No entries written: no disk time, even for an acknowledgement.
        ready({ messages: [msg('MsgAppResp', 1, { from: 2, index: 4 })] }),
        // A rejection is no acknowledgement.
        ready({ entries: [entry(5)], messages: [msg('MsgAppResp', 1, { reject: true })] }),
      ],
      3,
    )
    loop.run()
    expect(log.filter((l) => l.startsWith('send') || l.startsWith('handled'))).toEqual([
      'send n1 MsgAppResp +disk',
      'send n3 MsgVoteResp',
      'handled truncated@3',
      'send n1 MsgAppResp',
      'handled',
      'send n1 MsgAppResp',
      'handled',
    ])
    expect(disks[0]).toEqual({ firstIndex: 3, lastIndex: 4, micros: 2500 })
    expect(disks.slice(1)).toEqual([null, null, null])
  })

  it('a real follower acknowledges new entries with the time its disk write took', () => {
    const storage = new MemoryStorage()
    const follower = new RaftNode({
      ...DEFAULT_RAFT_OPTIONS,
      id: 2,
      peers: [1, 2, 3],
      storage,
      rng: createRng(2),
    })
    follower.step(
      msg('MsgApp', 2, {
        from: 1,
        term: 1,
        index: 0,
        logTerm: 0,
        commit: 0,
        entries: [entry(1, 1), entry(2, 1)],
      }),
    )
    const sent: { to: number; ms: Message[]; disk: DiskTiming | null }[] = []
    let nowNs = 0n
    new ReadyLoop({
      core: follower,
      storage: {
        lastIndex: () => storage.lastIndex(),
        append: (entries, hs) => {
          nowNs += 4_000_000n
          storage.append([...entries])
          if (hs) storage.setHardState(hs)
        },
        installSnapshot: (snap) => storage.applySnapshot(snap),
      },
      sender: { send: (to, ms, disk) => sent.push({ to, ms, disk }), flushClients: () => {} },
      apply: () => null,
      restore: () => {},
      clients: {
        flushProposals: () => {},
        markWrites: () => {},
        applied: () => {},
        readIndexReady: () => {},
        serveReads: () => {},
      },
      nowNs: () => nowNs,
      taken: () => {},
      handled: () => {},
    }).run()
    expect(sent).toHaveLength(1)
    expect(sent[0]?.to).toBe(1)
    expect(sent[0]?.ms.map((m) => [m.type, m.index, m.context])).toEqual([['MsgAppResp', 2, '']])
    expect(sent[0]?.disk).toEqual({ firstIndex: 1, lastIndex: 2, micros: 4000 })
    expect(storage.lastIndex()).toBe(2)
  })
})
