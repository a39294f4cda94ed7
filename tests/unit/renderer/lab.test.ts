import { describe, expect, it } from 'vitest'
import {
  applyEvents,
  createLabModel,
  modelFromHello,
  modelFromSnapshot,
} from '../../../renderer/src/model/lab'
import type { HelloMessage } from '../../../shared/lab/ipc'
import { LAB_EVENT_VERSION } from '../../../shared/lab/events'
import { startedCluster, status, Stream } from './events'

describe('applyEvents', () => {
  it('folds a batch into every part and says which parts changed', () => {
    const s = new Stream()
    const m = createLabModel()
    const ch = applyEvents(m, startedCluster(s, 3))
    expect(ch).toMatchObject({
      cluster: true,
      logs: true,
      timeline: true,
      narrative: true,
      gap: false,
    })
    expect(m.cluster.leader).toBe(1)
    expect(m.narrative.toArray().map((l) => l.text)).toContain('n1 is the leader of term 1')
    expect(m.lastSeq).toBe(s.seq)
  })

  it('skips events a hello already covered, and notices a gap in the sequence', () => {
    const s = new Stream()
    const m = createLabModel()
    const evs = startedCluster(s, 2)
    applyEvents(m, evs)
    const before = m.narrative.length
    expect(applyEvents(m, evs.slice(-3)).narrative).toBe(false)
    expect(m.narrative.length).toBe(before)
    s.seq += 5
    const ch = applyEvents(m, [
      s.at(900, { type: 'fault', action: 'applied', description: 'n1 paused' }),
    ])
    expect(ch.gap).toBe(true)
  })

  it('a hello rebuilds history from its recent events and takes its status as the present', () => {
    const s = new Stream()
    const recent = startedCluster(s, 3)
    const hello: HelloMessage = {
      eventVersion: { ...LAB_EVENT_VERSION },
      appVersion: 'test',
      lastSeq: s.seq + 10,
      recent,
      status: {
        running: true,
        clusterId: 'lab-x',
        config: null,
        nodes: [1, 2, 3].map((id) => ({
          id,
          pid: 100 + id,
          state: 'running' as const,
          status: status({ term: 2, role: id === 3 ? 'leader' : 'follower', leaderId: 3 }),
        })),
        leader: 3,
        term: 2,
        links: [],
      },
    }
    const m = modelFromHello(hello)
    expect(m.cluster.leader).toBe(3)
    expect(m.lastSeq).toBe(s.seq + 10)
    // History from before the snapshot is kept (n1 led term 1), then the present (n3).
    expect(m.timeline.leaders.toArray().map((x) => x.leader)).toEqual([0, 1, 3])
  })

  it('a replay seek starts from a snapshot, then folds the events after it', () => {
    const s = new Stream()
    s.seq = 40
    const m = modelFromSnapshot(
      {
        running: true,
        clusterId: 'lab-x',
        config: null,
        nodes: [
          {
            id: 1,
            pid: 1,
            state: 'running',
            status: status({ role: 'leader', term: 3, leaderId: 1, lastIndex: 12, commit: 12 }),
          },
          {
            id: 2,
            pid: 2,
            state: 'paused',
            status: status({ term: 3, leaderId: 1, lastIndex: 12, commit: 11 }),
          },
        ],
        leader: 1,
        term: 3,
        links: [{ from: 1, to: 2, cut: true, latencyMs: 0, jitterMs: 0, lossPercent: 0 }],
      },
      40,
      5000,
      [s.at(5200, { type: 'node.process', node: 2, state: 'running', pid: 2 })],
    )
    expect(m.cluster.leader).toBe(1)
    expect(m.logs.get(1)?.lastIndex).toBe(12)
    expect(m.timeline.terms.get(2)?.lastY()).toBe(3)
    // The faults in force at the snapshot are shaded from there: the pause ended at 5.2 s.
    expect(m.timeline.faults.bands.map((b) => [b.kind, b.startMs, b.endMs])).toEqual([
      ['node', 5000, 5200],
      ['link', 5000, null],
    ])
    expect(m.lastSeq).toBe(41)
  })
})
