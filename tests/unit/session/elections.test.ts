// Unforced elections (shared/session/elections.ts): elections no fault explains, from a session's
// events — a node down or paused, link rules in force, and the settling time after each.
import { describe, expect, it } from 'vitest'
import type { LabEvent, LabEventBody } from '../../../shared/lab/events'
import { FAULT_SETTLE_MS, unforcedElections } from '../../../shared/session/elections'

let seq = 0
const at = (timeMs: number, body: LabEventBody): LabEvent => ({ ...body, seq: ++seq, timeMs })
const won = (timeMs: number, term: number, preVote = false): LabEvent =>
  at(timeMs, {
    type: 'node.raft',
    node: 1,
    event: { kind: 'electionWon', term, preVote, votes: [1, 2] },
  })
const process = (timeMs: number, node: number, state: 'running' | 'paused' | 'crashed'): LabEvent =>
  at(timeMs, { type: 'node.process', node, state, pid: 100 + node })
const cut = (timeMs: number, on: boolean): LabEvent =>
  at(timeMs, {
    type: 'links.changed',
    rules: on ? [{ from: 1, to: 2, cut: true, latencyMs: 0, jitterMs: 0, lossPercent: 0 }] : [],
  })

describe('unforced elections', () => {
  const start = at(0, {
    type: 'cluster.started',
    clusterId: 'c',
    config: {} as never,
    runDir: '/r',
    dataDir: '/d',
  })

  it('counts elections won while no fault held, after the given moment, pre-votes aside', () => {
    const events = [start, won(100, 1), won(5000, 2), won(6000, 3, true), won(9000, 3)]
    expect(unforcedElections(events, 200)).toBe(2)
    expect(unforcedElections(events, 0)).toBe(3)
  })

  it('does not count an election while a node is down or paused, or links are cut', () => {
    const events = [
      start,
      won(100, 1),
      process(1000, 1, 'crashed'),
      won(1300, 2),
      process(2000, 1, 'running'),
      process(10_000, 2, 'paused'),
      won(10_400, 3),
      process(11_000, 2, 'running'),
      cut(20_000, true),
      won(20_500, 4),
      cut(21_000, false),
    ]
    expect(unforcedElections(events, 200)).toBe(0)
  })

  it('gives a fault its settling time after it ends, and no more', () => {
    const events = [
      start,
      won(100, 1),
      cut(1000, true),
      cut(2000, false),
      won(2000 + FAULT_SETTLE_MS - 1, 2),
      won(2000 + FAULT_SETTLE_MS + 500, 3),
    ]
    expect(unforcedElections(events, 200)).toBe(1)
  })
})
