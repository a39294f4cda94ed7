import { describe, expect, it } from 'vitest'
import {
  applyClusterStatus,
  createClusterModel,
  linkRule,
  reduceCluster,
} from '../../../renderer/src/model/cluster'
import { startedCluster, status, Stream } from './events'

function fold(events: ReturnType<typeof startedCluster>) {
  const m = createClusterModel()
  for (const e of events) reduceCluster(m, e)
  return m
}

describe('the cluster reducer', () => {
  it('creates the nodes a cluster.started names and finds the leader of the highest term', () => {
    const s = new Stream()
    const m = fold(startedCluster(s, 3))
    expect(m.running).toBe(true)
    expect(m.nodes.map((n) => n.id)).toEqual([1, 2, 3])
    expect(m.leader).toBe(1)
    expect(m.term).toBe(1)
  })

  it('follows the engine: a stale leader of a lower term is not the leader', () => {
    const s = new Stream()
    const m = fold(startedCluster(s, 3))
    reduceCluster(
      m,
      s.at(400, { type: 'node.status', node: 2, status: status({ role: 'candidate', term: 2 }) }),
    )
    expect(m.term).toBe(2)
    expect(m.leader).toBeNull()
  })

  it('a paused leader is not the leader, and a crashed node loses its status but keeps the last one', () => {
    const s = new Stream()
    const m = fold(startedCluster(s, 3))
    reduceCluster(m, s.at(500, { type: 'node.process', node: 1, state: 'paused', pid: 101 }))
    expect(m.leader).toBeNull()
    expect(m.term).toBe(1)
    reduceCluster(
      m,
      s.at(600, {
        type: 'node.process',
        node: 1,
        state: 'crashed',
        pid: null,
        detail: 'exited with code 3: boom',
      }),
    )
    const n1 = m.nodes[0]
    expect(n1?.status).toBeNull()
    expect(n1?.lastStatus?.role).toBe('leader')
    expect(n1?.detail).toBe('exited with code 3: boom')
    reduceCluster(m, s.at(700, { type: 'node.process', node: 1, state: 'starting', pid: 201 }))
    expect(m.nodes[0]?.detail).toBeNull()
  })

  it('remembers votes for the vote arrows, and link rules per direction', () => {
    const s = new Stream()
    const m = fold(startedCluster(s, 3))
    reduceCluster(
      m,
      s.at(800, {
        type: 'node.raft',
        node: 2,
        event: { kind: 'voteCast', term: 2, candidate: 3, granted: true, preVote: false },
      }),
    )
    expect(m.votes.toArray()).toMatchObject([{ from: 2, to: 3, granted: true, term: 2 }])
    reduceCluster(
      m,
      s.at(900, {
        type: 'links.changed',
        rules: [{ from: 1, to: 2, cut: true, latencyMs: 0, jitterMs: 0, lossPercent: 0 }],
      }),
    )
    expect(linkRule(m, 1, 2)?.cut).toBe(true)
    expect(linkRule(m, 2, 1)).toBeNull()
  })

  it('tracks the workload from its events', () => {
    const s = new Stream()
    const m = fold(startedCluster(s, 3))
    reduceCluster(m, s.at(1000, { type: 'workload.stopped', result: null, error: 'no leader' }))
    expect(m.workload).toMatchObject({ running: false, error: 'no leader' })
  })

  it('takes a status snapshot as the truth (a hello)', () => {
    const m = createClusterModel()
    applyClusterStatus(m, {
      running: true,
      clusterId: 'c',
      config: null,
      nodes: [
        { id: 2, pid: 5, state: 'running', status: status({ role: 'leader', term: 4 }) },
        { id: 1, pid: 4, state: 'paused', status: status({ term: 4 }) },
      ],
      leader: 2,
      term: 4,
      links: [],
    })
    expect(m.nodes.map((n) => n.id)).toEqual([1, 2])
    expect(m.leader).toBe(2)
    expect(m.term).toBe(4)
  })

  it('forgets the nodes when the cluster stops', () => {
    const s = new Stream()
    const m = fold(startedCluster(s, 3))
    reduceCluster(m, s.at(2000, { type: 'cluster.stopped', reason: 'stopped by command' }))
    expect(m.running).toBe(false)
    expect(m.nodes).toEqual([])
    expect(m.leader).toBeNull()
  })
})
