// A synthetic but well-formed lab session for recording tests: a cluster starts, nodes report
// status and log appends, leaders come and go, faults are applied and healed, a workload reports
// samples and message traces flow — deterministic for a seed.
import { DEFAULT_CLUSTER_CONFIG } from '../../../shared/lab/config'
import type {
  LabActivityEvent,
  LabEvent,
  LabEventBody,
  NodeStatus,
} from '../../../shared/lab/events'
import { createRng } from '../../../shared/util/rng'

type Body = LabEventBody | LabActivityEvent

/** fakeSession returns about `seconds` of session at roughly `perSecond` events a second. */
export function fakeSession(seed: number, seconds: number, perSecond = 200): LabEvent[] {
  const rng = createRng(seed)
  const out: LabEvent[] = []
  let seq = 0
  let t = 5
  const emit = (b: Body): void => {
    out.push({ ...b, seq: ++seq, timeMs: Math.round(t * 1000) / 1000 } as LabEvent)
  }
  const nodes = 3
  emit({
    type: 'cluster.started',
    clusterId: 'lab-test',
    config: { ...DEFAULT_CLUSTER_CONFIG, nodes },
    runDir: '/tmp/run',
    dataDir: '/tmp/data',
  })
  for (let id = 1; id <= nodes; id++)
    emit({ type: 'node.process', node: id, state: 'running', pid: 1000 + id })
  let term = 0
  let leader = 0
  let index = 0
  const status = (id: number): NodeStatus => ({
    role: id === leader ? 'leader' : 'follower',
    term,
    vote: leader,
    leaderId: leader,
    commit: index,
    applied: index,
    lastIndex: index,
    lastTerm: term,
    electionElapsedTicks: 0,
    electionTimeoutTicks: 20,
  })
  const elect = (): void => {
    term++
    leader = rng.int(1, nodes + 1)
    emit({
      type: 'node.raft',
      node: leader,
      event: { kind: 'electionStarted', term, preVote: false, transfer: false },
    })
    emit({
      type: 'node.raft',
      node: leader,
      event: { kind: 'electionWon', term, preVote: false, votes: [1, 2, 3] },
    })
    for (let id = 1; id <= nodes; id++) emit({ type: 'node.status', node: id, status: status(id) })
  }
  elect()
  emit({ type: 'workload.started', spec: { mode: 'closed' } as never })
  const end = t + seconds * 1000
  let nextSample = t + 500
  let fault: string | null = null
  while (t < end) {
    t += rng.float() * (2000 / perSecond)
    const r = rng.float()
    if (r < 0.002) elect()
    else if (r < 0.004) {
      if (fault) {
        emit({ type: 'fault', action: 'healed', description: `${fault} resumed` })
        fault = null
      } else {
        fault = `n${rng.int(1, nodes + 1)}`
        emit({ type: 'fault', action: 'applied', description: `${fault} paused` })
      }
    } else if (r < 0.5) {
      const n = rng.int(1, 4)
      for (let id = 1; id <= nodes; id++) {
        emit({
          type: 'node.log',
          node: id,
          op: 'append',
          fromIndex: index + 1,
          toIndex: index + n,
          terms: Array(n).fill(term),
        })
      }
      index += n
    } else if (r < 0.6)
      emit({ type: 'node.status', node: rng.int(1, nodes + 1), status: status(1) })
    else {
      emit({
        type: 'node.trace',
        node: rng.int(1, nodes + 1),
        direction: 'send',
        message: {
          type: 'MsgApp',
          from: 1,
          to: 2,
          term,
          index,
          logTerm: term,
          commit: index,
          entries: 1,
          reject: false,
        } as never,
      })
    }
    if (t >= nextSample) {
      nextSample += 500
      emit({
        type: 'workload.sample',
        elapsedMs: t,
        totalMs: end,
        phase: 'measure',
        sample: {
          windowMs: 500,
          writes: 100,
          reads: 0,
          fail: 0,
          info: 0,
          writesPerSec: 200,
          readsPerSec: 0,
          p50Ms: 1 + rng.float(),
          p99Ms: 5 + rng.float(),
          maxMs: 9,
          points: [],
        },
      })
    }
  }
  emit({ type: 'cluster.stopped', reason: 'done' })
  return out
}
