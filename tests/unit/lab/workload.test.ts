import { describe, expect, it } from 'vitest'
import * as hdr from 'hdr-histogram-js'
import { attribute, KeyChooser, summarize } from '../../../electron/lab/clients/workload'
import { planFault } from '../../../electron/lab/activities/nemesis'
import {
  benchCsv,
  benchMarkdown,
  benchTable,
  configurations,
  type BenchReport,
  type BenchRow,
} from '../../../shared/lab/bench'
import type { ClusterStatus } from '../../../shared/lab/commands'
import { DEFAULT_WORKLOAD, type WorkloadResult } from '../../../shared/lab/workload'
import { createRng } from '../../../shared/util/rng'

describe('KeyChooser', () => {
  it('draws uniformly over the key range', () => {
    const k = new KeyChooser(10, 'uniform', 0, createRng(1))
    const counts = new Array<number>(10).fill(0)
    for (let i = 0; i < 20_000; i++) {
      const key = k.next()
      counts[key] = (counts[key] ?? 0) + 1
    }
    for (const c of counts) expect(c).toBeGreaterThan(1500)
  })

  it('draws a Zipf law: rank 1 about twice rank 2 for s = 1', () => {
    const k = new KeyChooser(1000, 'zipf', 1, createRng(2))
    const counts = new Array<number>(1000).fill(0)
    for (let i = 0; i < 100_000; i++) {
      const key = k.next()
      counts[key] = (counts[key] ?? 0) + 1
    }
    const ratio = (counts[0] as number) / (counts[1] as number)
    expect(ratio).toBeGreaterThan(1.7)
    expect(ratio).toBeLessThan(2.3)
    expect(Math.max(...counts.slice(500))).toBeLessThan((counts[0] as number) / 100)
  })
})

describe('latency attribution', () => {
  it('splits a sampled write into its stages', () => {
    const a = attribute(
      [
        { stage: 'proposed', micros: 50 },
        { stage: 'leaderPersisted', micros: 150 },
        { stage: 'quorumAcked', micros: 300, node: 2, followerPersistMicros: 120 },
        { stage: 'committed', micros: 320 },
        { stage: 'applied', micros: 360 },
      ],
      0.5,
    )
    expect(a).not.toBeNull()
    expect(a?.leaderQueue).toBeCloseTo(0.05)
    expect(a?.leaderDisk).toBeCloseTo(0.1)
    expect(a?.followerDisk).toBeCloseTo(0.12)
    expect(a?.replication).toBeCloseTo(0.13) // 300 - 50 - 120 µs
    expect(a?.commitApply).toBeCloseTo(0.06)
    expect(a?.clientNetwork).toBeCloseTo(0.14)
  })

  it('gives up without the marks it needs', () => {
    expect(attribute([{ stage: 'proposed', micros: 5 }], 1)).toBeNull()
  })
})

describe('latency summaries', () => {
  it('never put a percentile above the largest value recorded', () => {
    // HDR percentiles are a bucket's highest equivalent value: 123,457 µs reads back as 123,519.
    const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000 })
    for (const v of [5000, 123_457, 123_457]) h.recordValue(v)
    const s = summarize(h)
    expect(s.max).toBe(123.457)
    expect(s.p99).toBeLessThanOrEqual(s.max)
    expect(s.p999).toBeLessThanOrEqual(s.max)
    expect(s.p50).toBeLessThanOrEqual(s.max)
    expect(summarize(hdr.build()).p99).toBe(0)
  })
})

describe('nemesis', () => {
  const status = (n: number, leader: number | null): ClusterStatus => ({
    running: true,
    clusterId: 'c',
    config: null,
    nodes: Array.from({ length: n }, (_, i) => ({
      id: i + 1,
      pid: 1,
      state: 'running' as const,
      status: null,
    })),
    leader,
    term: 1,
    links: [],
  })

  it('a majorities ring leaves every node a majority, and no two the same one', () => {
    for (const n of [4, 5, 7, 9]) {
      const rng = createRng(n)
      let f = planFault(rng, ['partition'], status(n, 1))
      for (let i = 0; i < 50 && !f.description.startsWith('majorities ring'); i++)
        f = planFault(rng, ['partition'], status(n, 1))
      expect(f.description).toMatch(/majorities ring/)
      const cut = new Set(f.apply.map((c) => (c.type === 'link.cut' ? `${c.from}-${c.to}` : '')))
      const sees = (a: number) =>
        [...Array(n).keys()]
          .map((i) => i + 1)
          .filter((b) => b === a || (!cut.has(`${a}-${b}`) && !cut.has(`${b}-${a}`)))
      const views = new Set<string>()
      for (let a = 1; a <= n; a++) {
        expect(sees(a).length, `n=${n} node ${a}`).toBeGreaterThan(n / 2)
        views.add(sees(a).join(','))
      }
      expect(views.size).toBe(n)
    }
  })

  it('every fault comes with its heal', () => {
    const rng = createRng(5)
    for (let i = 0; i < 200; i++) {
      const f = planFault(rng, ['partition', 'pause', 'kill', 'latency', 'loss'], status(5, 2))
      expect(f.apply.length).toBeGreaterThan(0)
      expect(f.heal.length).toBeGreaterThan(0)
    }
  })
})

describe('bench reports', () => {
  const result: WorkloadResult = {
    spec: DEFAULT_WORKLOAD,
    measuredMs: 1000,
    opsPerSec: 1234,
    writesPerSec: 1234,
    counts: {
      put: { ok: 1234, fail: 0, info: 1 },
      get: { ok: 0, fail: 0, info: 0 },
      cas: { ok: 0, fail: 0, info: 0 },
    },
    writeLatency: { count: 1234, mean: 1, p50: 0.9, p90: 1.5, p99: 3, p999: 7, max: 12 },
    readLatency: { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 },
    writeHistogram: '',
    readHistogram: '',
    attribution: null,
    errors: [],
  }
  const report: BenchReport = {
    machine: { cpus: 2, cpuModel: 'cpu', os: 'linux', node: 'v20' },
    startedAt: '2026-01-01T00:00:00Z',
    workload: { ...DEFAULT_WORKLOAD },
    rows: configurations({
      nodes: [1, 3],
      fsync: ['always'],
      concurrency: [1],
      valueSizeBytes: [64],
      maxEntriesPerMsg: [512],
      linkLatencyMs: [0],
    }).map((config) => ({ config, result })),
  }

  it('expands a sweep into every combination', () => {
    expect(
      configurations({
        nodes: [1, 3, 5],
        fsync: ['always', 'never'],
        concurrency: [1, 64],
        valueSizeBytes: [64],
        maxEntriesPerMsg: [1, 512],
        linkLatencyMs: [0],
      }),
    ).toHaveLength(24)
  })

  it('renders a table, CSV and Markdown with the same columns', () => {
    expect(benchTable(report.rows).split('\n')).toHaveLength(3)
    const csv = benchCsv(report).trim().split('\n')
    expect(csv[0]).toMatch(/^nodes,fsync,clients/)
    expect(csv[1]).toMatch(/^1,always,1,64,512,0,1234,0.90,/)
    expect(benchMarkdown(report)).toMatch(/Machine: 2 × cpu/)
  })

  it('end each row with its unforced leader changes and its largest node, "-" when unknown', () => {
    const [a, b] = report.rows as [BenchRow, BenchRow]
    const rows: BenchRow[] = [
      { ...a, stability: { unforcedLeaderChanges: 2, rssMiB: [101.4, null, 187.6] } },
      b,
    ]
    const csv = benchCsv({ ...report, rows })
      .trim()
      .split('\n')
    expect(csv[0]).toMatch(/,elections,max RSS MiB$/)
    expect(csv[1]).toMatch(/,2,188$/)
    expect(csv[2]).toMatch(/,-,-$/)
    expect(benchTable(rows).split('\n')[0]).toMatch(/elections {2}max RSS MiB$/)
  })
})
