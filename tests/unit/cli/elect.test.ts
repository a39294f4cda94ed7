// `raftlab elect`'s command line and output, without running a cluster: range parsing, option
// checks, CSV, the table and its reading of the shape against the paper.
import { electTrialsCsv } from '../../../renderer/src/model/benchData'
import { describe, expect, it } from 'vitest'
import { UsageError } from '../../../electron/cli/args'
import {
  estimateDurationMs,
  formatCsv,
  formatDuration,
  formatJson,
  formatTable,
  parseElectOptions,
  parseTimeouts,
  readShape,
  wrap,
  type RunContext,
} from '../../../electron/cli/elect'
import {
  summarize,
  type ElectRun,
  type ElectTrial,
  type RangeResult,
} from '../../../electron/lab/activities/elect'

describe('parseTimeouts', () => {
  it('parses a list of MIN-MAX ranges, spaces and en dashes allowed', () => {
    expect(parseTimeouts('150-155, 12–24,100 - 200')).toEqual([
      { minMs: 150, maxMs: 155 },
      { minMs: 12, maxMs: 24 },
      { minMs: 100, maxMs: 200 },
    ])
  })

  it('accepts a one-value range (no randomness: the paper’s worst case taken further)', () => {
    expect(parseTimeouts('150-150')).toEqual([{ minMs: 150, maxMs: 150 }])
  })

  it.each([
    ['', /MIN-MAX ranges/],
    ['150-300,', /MIN-MAX ranges/],
    ['150', /not a MIN-MAX range/],
    ['150-x', /not a MIN-MAX range/],
    ['-5-10', /not a MIN-MAX range/],
    ['300-150', /is empty/],
    ['1-10', /within 2-600000/],
  ])('refuses %j', (list, message) => {
    expect(() => parseTimeouts(list)).toThrow(UsageError)
    expect(() => parseTimeouts(list)).toThrow(message)
  })
})

describe('parseElectOptions', () => {
  it('defaults to the paper: its eight ranges, 100 trials, 5 nodes, no PreVote or CheckQuorum', () => {
    const o = parseElectOptions([])
    expect(o.ranges).toHaveLength(8)
    expect(o).toMatchObject({
      trials: 100,
      nodes: 5,
      preVote: false,
      checkQuorum: false,
      fsync: 'always',
      format: 'table',
    })
    expect(Number.isInteger(o.seed)).toBe(true)
  })

  it('takes every option', () => {
    const o = parseElectOptions(
      ['--timeouts', '12-24', '--trials', '3', '--nodes', '3', '--prevote', '--checkquorum'].concat(
        ['--fsync', 'never', '--seed', '42', '--csv', '--out', 'x.csv'],
      ),
    )
    expect(o).toMatchObject({
      ranges: [{ minMs: 12, maxMs: 24 }],
      trials: 3,
      nodes: 3,
      preVote: true,
      checkQuorum: true,
      fsync: 'never',
      seed: 42,
      format: 'csv',
      out: 'x.csv',
    })
  })

  it.each([
    [['--json', '--csv'], /one of --json and --csv/],
    [['--out', 'f'], /--out writes the --json or --csv/],
    [['--fsync', 'sometimes'], /--fsync must be always or never/],
    [['--nodes', '2'], /--nodes must be an integer from 3 to 9/],
    [['--trials', '0'], /--trials must be an integer/],
    [['--bogus'], /Unknown option/],
    [['extra'], /unexpected argument/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseElectOptions(argv)).toThrow(message)
  })
})

const trial = (over: Partial<ElectTrial>): ElectTrial => ({
  range: '150-300',
  trial: 1,
  ok: true,
  ms: 171.5,
  electedMs: 160.25,
  detectedMs: 150.5,
  crashedLeader: 2,
  crashedTerm: 4,
  newLeader: 3,
  newTerm: 5,
  crashDelayMs: 12.5,
  killUs: 40,
  ...over,
})

function range(label: string, ms: number[], splitVotes = 0, failures = 0): RangeResult {
  const [minMs, maxMs] = label.split('-').map(Number) as [number, number]
  return {
    range: label,
    minMs,
    maxMs,
    heartbeatMs: Math.floor(minMs / 2),
    trials: ms.length + failures,
    failures,
    discarded: 0,
    splitVotes,
    stats: summarize(ms),
    paper: label === '150-300' ? { medianMs: 171, maxMs: 603 } : null,
  }
}

const ctx = (over: Partial<RunContext['opts']> = {}): RunContext => ({
  opts: { ...parseElectOptions(['--seed', '7']), ...over },
  machine: {
    cpus: 2,
    cpuModel: 'Test CPU',
    os: 'Linux 6 x64',
    node: 'v20.0.0',
    dataDisk: '/tmp: ext4 /dev/vda mounted on /',
    timerTickMs: 1.2,
  },
})

describe('formatCsv', () => {
  it('writes a header and one row per trial, leaving the times of a failed trial empty', () => {
    const csv = formatCsv([
      trial({}),
      trial({
        trial: 2,
        ok: false,
        ms: null,
        electedMs: null,
        detectedMs: null,
        newLeader: null,
        newTerm: null,
      }),
    ])
    const lines = csv.trimEnd().split('\n')
    expect(lines[0]).toBe(
      'range,trial,ms,ok,elected_ms,detected_ms,crashed_leader,crashed_term,new_leader,new_term,crash_delay_ms,error',
    )
    expect(lines[1]).toBe('150-300,1,171.5,true,160.25,150.5,2,4,3,5,12.5,')
    expect(lines[2]).toBe('150-300,2,,false,,,2,4,,,12.5,')
    // The app's export is the same file.
    expect(electTrialsCsv({ trials: [trial({})] } as unknown as ElectRun)).toBe(
      formatCsv([trial({})]),
    )
    expect(lines).toHaveLength(3)
    expect(csv.endsWith('\n')).toBe(true)
  })
})

describe('formatTable and formatJson', () => {
  const run: ElectRun = {
    ranges: [range('150-300', [100, 150, 200, 250], 1, 1)],
    trials: [trial({})],
    durationMs: 65_000,
    aborted: false,
  }

  it('shows the setup, our statistics beside the paper’s, the split share and the duration', () => {
    const text = formatTable(run, ctx())
    const prose = text.replace(/\n {2}/g, ' ')
    expect(prose).toMatch(/PreVote off, CheckQuorum off \(as in the paper\)/)
    expect(prose).toMatch(/fsync always, node data on \/tmp: ext4/)
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(100)
    const row = text.split('\n').find((l) => l.startsWith('150-300')) ?? ''
    // hb 75, 5 trials, 1 failure, 1 of 4 split, min 100, median 175, mean 175, p90 250 …
    expect(row.split(/\s+/)).toEqual(
      ['150-300', '75', '5', '1', '25%', '100', '175', '175', '250', '250', '250'].concat([
        '│',
        '171',
        '603',
      ]),
    )
    expect(text).toMatch(/took 1 min 5 s/)
    expect(prose).toMatch(/a 1 ms timer fires every 1\.20 ms here/)
  })

  it('says when PreVote or CheckQuorum is on, unlike the paper', () => {
    const prose = formatTable(run, ctx({ preVote: true })).replace(/\n {2}/g, ' ')
    expect(prose).toMatch(/PreVote on, CheckQuorum off \(the paper had neither\)/)
  })

  it('puts configuration, machine, ranges and trials in the JSON', () => {
    const o = JSON.parse(formatJson(run, ctx())) as Record<string, unknown>
    expect(o).toMatchObject({
      config: { nodes: 5, trialsPerRange: 100, preVote: false, seed: 7, tickIntervalMs: 1 },
      machine: { cpus: 2 },
      ranges: [{ range: '150-300', failures: 1 }],
      trials: [{ ms: 171.5 }],
    })
  })
})

describe('readShape', () => {
  it('recognizes the paper’s shape: the narrowest range has the longest tail', () => {
    const lines = readShape(
      [range('150-155', [150, 300, 900], 2), range('150-300', [150, 200, 300])],
      3,
      1,
    )
    expect(lines.join('\n')).toMatch(/150-155 has the longest tail \(p99 900 ms vs 150-300: 300\)/)
  })

  it('says so when the narrow range does not have the longest tail', () => {
    const lines = readShape([range('150-155', [150, 200]), range('150-300', [150, 800])], 3, 1)
    expect(lines.join('\n')).toMatch(/150-155 does not show the paper's longest tail/)
  })

  it('checks that medians grow with the timeout on the MIN-2×MIN ranges', () => {
    const grows = readShape([range('12-24', [30]), range('100-200', [120])], 3, 1)
    expect(grows.join('\n')).toMatch(/medians grow with the timeout/)
    const not = readShape([range('12-24', [130]), range('100-200', [120])], 3, 1)
    expect(not.join('\n')).toMatch(/medians do not grow steadily/)
  })

  it('compares medians with the paper and flags few trials and a slow timer', () => {
    const text = readShape([range('150-300', [342])], 100, 1.25).join('\n')
    expect(text).toMatch(/medians are 2\.00 × the paper's/)
    expect(text).toMatch(/about 25% longer than nominal/)
    expect(text).toMatch(/the paper ran 1000 trials per range; with 100/)
    expect(readShape([range('150-300', [171])], 1000, 1).join('\n')).not.toMatch(/note:/)
  })
})

describe('wrap', () => {
  it('breaks at spaces within the width and indents the continuations', () => {
    expect(wrap('aaa bbb ccc ddd', 8)).toEqual(['aaa bbb', '  ccc', '  ddd'])
    expect(wrap('short', 80)).toEqual(['short'])
  })

  it('keeps a word longer than the width whole, on its own line', () => {
    expect(wrap('a /a/very/long/path b', 6)).toEqual(['a', '  /a/very/long/path', '  b'])
  })
})

describe('durations', () => {
  it('estimates more time for more trials and longer timeouts', () => {
    const small = estimateDurationMs([{ minMs: 12, maxMs: 24 }], 10)
    expect(estimateDurationMs([{ minMs: 12, maxMs: 24 }], 20)).toBeGreaterThan(small)
    expect(estimateDurationMs([{ minMs: 150, maxMs: 300 }], 10)).toBeGreaterThan(small)
  })

  it('formats seconds, minutes and hours', () => {
    expect(formatDuration(4_400)).toBe('4.4 s')
    expect(formatDuration(125_000)).toBe('2 min 5 s')
    expect(formatDuration(3_780_000)).toBe('1 h 3 min')
  })
})
