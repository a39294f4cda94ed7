import { describe, expect, it } from 'vitest'
import {
  LEADER_MARKER,
  linkSummary,
  renderStatusTable,
  statusHeadline,
  statusSummary,
} from '../../../electron/cli/statusTable'
import type { ClusterStatus, LinkRule } from '../../../shared/lab'
import { clusterStatus, nodeStatus } from './fakeLab'

const rule = (from: number, to: number, over: Partial<LinkRule> = {}): LinkRule => ({
  from,
  to,
  cut: false,
  latencyMs: 0,
  jitterMs: 0,
  lossPercent: 0,
  ...over,
})

// A cluster mid-experiment: n1 leads, n2 is paused, n3 crashed, n1's links to n2 and n3 are cut
// and n2→n3 is slow and lossy.
function faulty(): ClusterStatus {
  const s = clusterStatus()
  s.nodes[1]!.state = 'paused'
  s.nodes[2]!.state = 'crashed'
  s.nodes[2]!.pid = null
  s.nodes[2]!.status = nodeStatus({ role: 'leader', term: 2, commit: 9, lastIndex: 10 })
  // n1 compacted up to its snapshot at 10, n2 never snapshotted, n3 is too old to say.
  s.nodes[0]!.status = { ...s.nodes[0]!.status!, firstIndex: 11, snapshotIndex: 10 }
  s.nodes[1]!.status = { ...s.nodes[1]!.status!, firstIndex: 1, snapshotIndex: 0 }
  s.links = [
    rule(1, 3, { cut: true }),
    rule(1, 2, { cut: true }),
    rule(2, 3, { latencyMs: 20, jitterMs: 5, lossPercent: 10 }),
    rule(3, 1),
  ]
  return s
}

const cells = (table: string, node: string): string[] =>
  table
    .split('\n')
    .find((l) => l.startsWith(`${node} `))!
    .split(/\s{2,}/)

describe('renderStatusTable', () => {
  it('has a headline, a header and one aligned row per node', () => {
    const lines = renderStatusTable(faulty(), false).split('\n')
    expect(lines[0]).toBe('cluster c-test  3 nodes  leader n1  term 3  fsync always')
    expect(lines[1]!.split(/\s+/)).toEqual(
      'NODE PID STATE ROLE TERM LEADER COMMIT LAST FIRST SNAP LINKS CUT'.split(' '),
    )
    expect(lines).toHaveLength(5)
    // Columns line up: every header starts where its values start or end.
    const stateAt = lines[1]!.indexOf('STATE')
    for (const l of lines.slice(2)) expect(l.slice(stateAt)).toMatch(/^(running|paused|crashed)/)
  })

  it('shows pid, state, role with the leader marker, term, leader, commit, last and first index, snapshot', () => {
    const table = renderStatusTable(faulty(), false)
    expect(cells(table, 'n1')).toEqual([
      'n1',
      '1001',
      'running',
      `leader ${LEADER_MARKER}`,
      '3',
      'n1',
      '12',
      '12',
      '11',
      '10',
      '→n2,n3',
    ])
    expect(cells(table, 'n2')).toEqual([
      'n2',
      '1002',
      'paused',
      'follower',
      '3',
      'n1',
      '12',
      '12',
      '1',
      '0',
      'n3 +20±5ms 10% loss',
    ])
  })

  it('shows no role or leader for a crashed node: its last report is stale', () => {
    const row = cells(renderStatusTable(faulty(), false), 'n3')
    expect(row).toEqual(['n3', '-', 'crashed', '-', '2', '-', '9', '10', '-', '-', '-'])
  })

  it('marks only the agreed leader: a deposed leader in an old term gets no star', () => {
    const s = clusterStatus()
    s.nodes[2]!.status = nodeStatus({ role: 'leader', term: 2 })
    const table = renderStatusTable(s, false)
    expect(cells(table, 'n3')[3]).toBe('leader')
    expect(table.split(LEADER_MARKER)).toHaveLength(2)
  })

  it('shows dashes for a node that has not reported yet', () => {
    const s = clusterStatus({ leader: null, term: 0 })
    s.nodes = s.nodes.map((n) => ({ ...n, state: 'starting' as const, pid: null, status: null }))
    const table = renderStatusTable(s, false)
    expect(table.split('\n')[0]).toContain('leader none  term 0')
    expect(cells(table, 'n2')).toEqual([
      'n2',
      '-',
      'starting',
      '-',
      '-',
      '-',
      '-',
      '-',
      '-',
      '-',
      '-',
    ])
  })

  it('says so when no cluster runs', () => {
    const s = clusterStatus({
      running: false,
      nodes: [],
      clusterId: null,
      config: null,
      leader: null,
    })
    expect(renderStatusTable(s, false)).toBe('no cluster running')
  })

  it('has no escape codes without color, and colours states and cut links with it', () => {
    expect(renderStatusTable(faulty(), false)).not.toContain('\x1b')
    const colored = renderStatusTable(faulty(), true)
    expect(colored).toContain('\x1b[31mcrashed')
    expect(colored).toContain('\x1b[31m→n2,n3\x1b[0m')
    expect(colored).toContain(`\x1b[32mleader ${LEADER_MARKER}`)
    // Colour changes nothing but the escapes.
    const plain = colored
      .split('\x1b')
      .map((part, i) => (i === 0 ? part : part.replace(/^\[\d+m/, '')))
      .join('')
    expect(plain).toBe(renderStatusTable(faulty(), false))
  })

  it('sorts nodes by id', () => {
    const s = clusterStatus()
    s.nodes.reverse()
    const rows = renderStatusTable(s, false).split('\n').slice(2)
    expect(rows.map((r) => r.slice(0, 2))).toEqual(['n1', 'n2', 'n3'])
  })
})

describe('why a node is down', () => {
  const refused = 'exited with code 3: cannot open its storage: storage in /d/n1 is inconsistent'
  function downNodes(): ClusterStatus {
    const s = clusterStatus({ leader: 2 })
    s.nodes[0] = { id: 1, pid: null, state: 'crashed', status: null, detail: refused }
    s.nodes[0].isStartFailure = true
    s.nodes[2] = {
      id: 3,
      pid: null,
      state: 'crashed',
      status: null,
      detail: 'exited with code 70: AssertionError: boom',
    }
    return s
  }

  it('a line under the table says why a node could not start, or why it crashed', () => {
    const lines = renderStatusTable(downNodes(), false).split('\n')
    expect(lines).toHaveLength(7)
    expect(lines.slice(5)).toEqual([
      `n1 could not start: ${refused}`,
      'n3 crashed: exited with code 70: AssertionError: boom',
    ])
    expect(renderStatusTable(downNodes(), true)).toContain(
      `\x1b[31mn1 could not start: ${refused}\x1b[0m`,
    )
  })

  it('says nothing more for a node killed on purpose (a crash with no detail)', () => {
    expect(renderStatusTable(faulty(), false).split('\n')).toHaveLength(5)
  })

  it('--json gives the reason and whether the node could not start', () => {
    const nodes = statusSummary(downNodes()).nodes
    expect(nodes.map((n) => [n.detail, n.isStartFailure])).toEqual([
      [refused, true],
      [null, false],
      ['exited with code 70: AssertionError: boom', false],
    ])
  })
})

describe('statusHeadline', () => {
  it('mentions a time scale other than 1 and a stopped cluster', () => {
    const s = clusterStatus({ running: false })
    s.config = { ...s.config!, timeScale: 10, fsync: 'never' }
    expect(statusHeadline(s)).toBe(
      'cluster c-test  3 nodes  leader n1  term 3  fsync never  time ×10  stopped',
    )
  })
})

describe('linkSummary', () => {
  it('lists cut targets in order, then slow and lossy links', () => {
    const rules = [
      rule(1, 4, { cut: true }),
      rule(1, 2, { cut: true }),
      rule(1, 3, { latencyMs: 50 }),
      rule(1, 5, { lossPercent: 2.5 }),
      rule(2, 1, { cut: true }),
    ]
    expect(linkSummary(rules, 1)).toBe('→n2,n4; n3 +50ms; n5 2.5% loss')
    expect(linkSummary(rules, 2)).toBe('→n1')
    expect(linkSummary(rules, 3)).toBe('-')
  })

  it('hides the latency of a cut link and ignores clean rules', () => {
    expect(linkSummary([rule(1, 2, { cut: true, latencyMs: 20 }), rule(1, 3)], 1)).toBe('→n2')
  })
})

describe('statusSummary', () => {
  it('gives leader, term, every node and only the faulty links', () => {
    const s = statusSummary(faulty())
    expect(s.leader).toBe(1)
    expect(s.term).toBe(3)
    expect(s.nodes).toEqual(
      [
        { id: 1, pid: 1001, state: 'running', role: 'leader', term: 3, commit: 12, lastIndex: 12 },
        { id: 2, pid: 1002, state: 'paused', role: 'follower', term: 3, commit: 12, lastIndex: 12 },
        { id: 3, pid: null, state: 'crashed', role: null, term: 2, commit: 9, lastIndex: 10 },
      ].map((n, i) => ({
        ...n,
        firstIndex: [11, 1, null][i],
        snapshotIndex: [10, 0, null][i],
        detail: null,
        isStartFailure: false,
      })),
    )
    expect(s.links.map((r) => `${r.from}>${r.to}`)).toEqual(['1>3', '1>2', '2>3'])
    expect(JSON.parse(JSON.stringify(s))).toEqual(s)
  })

  it('has nulls for a node that has not reported', () => {
    const st = clusterStatus()
    st.nodes[0]!.status = null
    expect(statusSummary(st).nodes[0]).toMatchObject({
      role: null,
      term: null,
      commit: null,
      lastIndex: null,
    })
  })
})
