import { isAbsolute } from 'node:path'
import { describe, expect, it } from 'vitest'
import { UsageError } from '../../../electron/cli/args'
import {
  clusterUsage,
  EXIT_NODE_NOT_STARTED,
  parseClusterOptions,
  runCluster,
  runLine,
  runScript,
} from '../../../electron/cli/cluster'
import { DEFAULT_CLUSTER_CONFIG, type LabCommand, type LabEvent } from '../../../shared/lab'
import { couldNotStart, FakeIo, FakeLab } from './fakeLab'

const ok = { ok: true } as const

async function* lines(...ls: string[]): AsyncIterable<string> {
  for (const l of ls) yield l
}

describe('runScript', () => {
  it('runs every line in order, echoing each with its result', async () => {
    const lab = new FakeLab()
    lab.answer = (c) =>
      c.type === 'kv.put'
        ? { ok: true, kv: { value: null, index: 7, term: 3, node: 1, latencyMs: 1.25 } }
        : ok
    const io = new FakeIo()
    const code = await runScript(lab, ['wait-leader', 'put a 1', 'cut n1 n2 both', 'heal'], 3, io)
    expect(code).toBe(0)
    expect(lab.commands).toEqual<LabCommand[]>([
      { type: 'kv.put', key: 'a', value: '1' },
      { type: 'link.cut', from: 1, to: 2, both: true },
      { type: 'heal.all' },
    ])
    expect(io.said).toEqual([
      '> wait-leader',
      '  leader n1 (term 3) after 0 ms',
      '> put a 1',
      '  ok index=7 term=3 (n1, 1.3 ms)',
      '> cut n1 n2 both',
      '  ok',
      '> heal',
      '  ok',
    ])
    expect(io.warned).toEqual([])
  })

  it('stops at the first failed command with its line number, and runs nothing after it', async () => {
    const lab = new FakeLab()
    lab.answer = (c) =>
      c.type === 'node.resume' ? { ok: false, error: 'n2 is not paused', code: 'state' } : ok
    const io = new FakeIo()
    const code = await runScript(lab, ['# demo', 'pause n1', 'resume n2', 'put a 1'], 3, io)
    expect(code).toBe(1)
    expect(io.warned).toEqual(['raftlab cluster: line 3: resume n2: n2 is not paused'])
    expect(lab.commands.map((c) => c.type)).toEqual(['node.pause', 'node.resume'])
  })

  it('fails wait-leader after its timeout with the line number', async () => {
    const lab = new FakeLab()
    lab.hasLeader = false
    const io = new FakeIo()
    const code = await runScript(lab, ['', 'wait-leader 2s', 'put a 1'], 3, io)
    expect(code).toBe(1)
    expect(lab.waits).toEqual([2000])
    expect(io.warned).toEqual(['raftlab cluster: line 2: wait-leader 2s: no leader within 2s'])
    expect(lab.commands).toEqual([])
  })

  it('waits 5s for a leader by default', async () => {
    const lab = new FakeLab()
    lab.hasLeader = false
    const io = new FakeIo()
    expect(await runScript(lab, ['wait-leader'], 3, io)).toBe(1)
    expect(lab.waits).toEqual([5000])
    expect(io.warned[0]).toMatch(/line 1: wait-leader: no leader within 5s$/)
  })

  it('sleeps through the injected sleep, so tests do not wait', async () => {
    const lab = new FakeLab()
    const io = new FakeIo()
    expect(await runScript(lab, ['sleep 500ms', 'sleep 1.5s', 'sleep 20'], 3, io)).toBe(0)
    expect(io.slept).toEqual([500, 1500, 20])
    expect(io.said).toContain('  slept 1.5s')
  })

  it('reports how long wait-leader took by the injected clock', async () => {
    const lab = new FakeLab()
    const io = new FakeIo()
    io.clockMs = 100
    const realWait = lab.waitFor.bind(lab)
    lab.waitFor = (p, t) => {
      io.clockMs += 312
      return realWait(p, t)
    }
    await runScript(lab, ['wait-leader'], 3, io)
    expect(io.said).toContain('  leader n1 (term 3) after 312 ms')
  })

  it('fails a line that does not parse, naming the line, without sending anything', async () => {
    const lab = new FakeLab()
    const io = new FakeIo()
    expect(await runScript(lab, ['put a 1', 'kill n7'], 3, io)).toBe(1)
    expect(io.warned).toEqual([
      "raftlab cluster: line 2: kill n7: unknown node 'n7': this cluster has n1…n3 (usage: kill <node>)",
    ])
    expect(lab.commands).toHaveLength(1)
  })

  it('stops at quit with status 0', async () => {
    const lab = new FakeLab()
    const io = new FakeIo()
    expect(await runScript(lab, ['put a 1', 'quit', 'put b 2'], 3, io)).toBe(0)
    expect(lab.commands).toHaveLength(1)
  })

  it('reads lines from an async source such as stdin', async () => {
    const lab = new FakeLab()
    const io = new FakeIo()
    expect(await runScript(lab, lines('put a 1', '', 'get a'), 3, io)).toBe(0)
    expect(lab.commands.map((c) => c.type)).toEqual(['kv.put', 'kv.get'])
  })

  it('prints the status table for status, indented under the command', async () => {
    const lab = new FakeLab()
    const io = new FakeIo()
    await runScript(lab, ['status'], 3, io)
    expect(io.said[1]).toMatch(/^ {2}cluster c-test {2}3 nodes {2}leader n1/)
    expect(io.said[1]).toMatch(/\n {2}n1 /)
  })
})

describe('nodes that could not start', () => {
  const refused = 'exited with code 3: cannot open its storage: storage in /d/n1 is inconsistent'

  it('wait-leader names them and why, and the script exits 3 without saying it twice', async () => {
    const lab = new FakeLab()
    lab.hasLeader = false
    couldNotStart(lab, 1, refused)
    const io = new FakeIo()
    expect(await runScript(lab, ['wait-leader 2s', 'put a 1'], 3, io)).toBe(3)
    expect(io.warned).toEqual([
      `raftlab cluster: line 1: wait-leader 2s: no leader within 2s\n  n1 could not start: ${refused}`,
    ])
    expect(lab.commands).toEqual([])
  })

  it('wait-leader gives up at once when too few nodes can run to elect a leader', async () => {
    const lab = new FakeLab()
    lab.hasLeader = false
    couldNotStart(lab, 1, refused)
    couldNotStart(lab, 3, 'exited with code 3: cannot open its storage: n3 is damaged')
    let early: boolean | undefined
    lab.waitFor = (p) => Promise.resolve((early = p(lab.status())))
    const io = new FakeIo()
    expect(await runScript(lab, ['wait-leader 10s'], 3, io)).toBe(3)
    expect(early).toBe(true)
    expect(io.warned).toEqual([
      'raftlab cluster: line 1: wait-leader 10s: no leader possible: 2 of 3 nodes could not ' +
        `start, and a leader needs 2\n  n1 could not start: ${refused}\n  n3 could not start: ` +
        'exited with code 3: cannot open its storage: n3 is damaged',
    ])
  })

  it('a script whose lines all succeeded still exits 3, naming a node that could not start', async () => {
    const lab = new FakeLab()
    lab.answer = (c) => {
      if (c.type === 'node.restart') lab.emit([couldNotStart(lab, c.node, refused)])
      return ok
    }
    const io = new FakeIo()
    expect(await runScript(lab, ['kill n2', 'restart n2', 'put a 1'], 3, io)).toBe(3)
    expect(lab.commands.map((c) => c.type)).toEqual(['node.crash', 'node.restart', 'kv.put'])
    expect(io.warned).toEqual([`raftlab cluster: n2 could not start: ${refused}`])
    expect(lab.subscribers).toBe(0)
  })

  it('counts a node that failed before the script began, seen in the status', async () => {
    const lab = new FakeLab()
    couldNotStart(lab, 3, refused)
    const io = new FakeIo()
    expect(await runScript(lab, ['put a 1'], 3, io)).toBe(3)
    expect(io.warned).toEqual([`raftlab cluster: n3 could not start: ${refused}`])
  })

  it('a node that crashed after it ran is not a start failure', async () => {
    const lab = new FakeLab()
    lab.current.nodes[1] = {
      ...lab.current.nodes[1]!,
      state: 'crashed',
      pid: null,
      detail: 'exited with code 70: AssertionError: boom',
    }
    const io = new FakeIo()
    expect(await runScript(lab, ['put a 1'], 3, io)).toBe(0)
    expect(io.warned).toEqual([])
  })
})

describe('runLine', () => {
  it('answers help without touching the lab', async () => {
    const lab = new FakeLab()
    const out = await runLine(lab, { kind: 'help' }, new FakeIo())
    expect(out.kind === 'ok' && out.output).toContain('wait-leader [<dur>]')
    expect(lab.commands).toEqual([])
  })
})

describe('runCluster', () => {
  const opts = { config: DEFAULT_CLUSTER_CONFIG, dataDir: undefined, events: false, json: false }
  const started: LabEvent = {
    type: 'cluster.started',
    clusterId: 'c-test',
    config: DEFAULT_CLUSTER_CONFIG,
    runDir: '/run/x',
    dataDir: '/tmp/raftlab-x',
    seq: 1,
    timeMs: 0,
  }
  const stopped: LabEvent = { type: 'cluster.stopped', reason: 'closed', seq: 2, timeMs: 9 }

  it('starts the cluster with the config, drives it and always closes it', async () => {
    const lab = new FakeLab()
    lab.eventsOnStart = [started]
    const io = new FakeIo()
    let closesDuringDrive = -1
    const code = await runCluster(
      lab,
      opts,
      async () => {
        closesDuringDrive = lab.closes
        return 7
      },
      io,
    )
    expect(code).toBe(7)
    expect(lab.commands[0]).toEqual({ type: 'cluster.start', config: DEFAULT_CLUSTER_CONFIG })
    expect(closesDuringDrive).toBe(0)
    expect(lab.closes).toBe(1)
    expect(lab.subscribers).toBe(0)
    expect(io.said[0]).toBe(
      'cluster started: 3 nodes (n1…n3), fsync always, data in /tmp/raftlab-x (removed on exit)',
    )
    expect(io.dataLines).toEqual([])
  })

  it('says a --dir is kept', async () => {
    const io = new FakeIo()
    await runCluster(new FakeLab(), { ...opts, dataDir: '/data/run1' }, async () => 0, io)
    expect(io.said[0]).toContain('data in /data/run1 (kept)')
  })

  it('returns 1 with a message when the cluster cannot start, and still closes', async () => {
    const lab = new FakeLab()
    lab.answer = () => ({ ok: false, error: 'cannot create /nope', code: 'internal' })
    const io = new FakeIo()
    let driven = false
    const code = await runCluster(lab, opts, async () => ((driven = true), 0), io)
    expect(code).toBe(1)
    expect(driven).toBe(false)
    expect(io.warned).toEqual(['raftlab cluster: cannot start the cluster: cannot create /nope'])
    expect(lab.closes).toBe(1)
  })

  it('closes the lab when driving throws', async () => {
    const lab = new FakeLab()
    const drive = (): Promise<number> => Promise.reject(new Error('boom'))
    await expect(runCluster(lab, opts, drive, new FakeIo())).rejects.toThrow('boom')
    expect(lab.closes).toBe(1)
  })

  it('--events prints every event as one JSON line, including the shutdown', async () => {
    const lab = new FakeLab()
    lab.eventsOnStart = [started]
    lab.eventsOnClose = [stopped]
    const io = new FakeIo()
    await runCluster(lab, { ...opts, events: true }, async () => 0, io)
    expect(io.dataLines.map((l) => JSON.parse(l) as LabEvent)).toEqual([started, stopped])
  })

  it('--json prints the final status once, after the shutdown events, on one line with --events', async () => {
    const lab = new FakeLab()
    lab.eventsOnClose = [stopped]
    const io = new FakeIo()
    await runCluster(lab, { ...opts, events: true, json: true }, async () => 1, io)
    expect(io.dataLines).toHaveLength(2)
    expect(JSON.parse(io.dataLines[0]!)).toEqual(stopped)
    const last = io.dataLines[1]!
    expect(last).not.toContain('\n')
    const summary = JSON.parse(last) as Record<string, unknown>
    expect(Object.keys(summary)).toEqual(['leader', 'term', 'nodes', 'links'])
    expect(summary.leader).toBe(1)
    expect((summary.nodes as unknown[])[0]).toEqual({
      id: 1,
      pid: 1001,
      state: 'running',
      role: 'leader',
      term: 3,
      commit: 12,
      lastIndex: 12,
      firstIndex: null,
      snapshotIndex: null,
      detail: null,
      isStartFailure: false,
    })
  })

  it('--json alone pretty-prints and stays parseable', async () => {
    const io = new FakeIo()
    await runCluster(new FakeLab(), { ...opts, json: true }, async () => 0, io)
    expect(io.dataLines).toHaveLength(1)
    expect(io.dataLines[0]).toContain('\n  "leader": 1')
    expect(JSON.parse(io.dataLines[0]!)).toMatchObject({ leader: 1, term: 3 })
  })
})

describe('parseClusterOptions', () => {
  it('defaults to the paper-advised config, a temp dir and a prompt', () => {
    expect(parseClusterOptions([])).toEqual({
      config: DEFAULT_CLUSTER_CONFIG,
      dataDir: undefined,
      scriptPath: undefined,
      recordPath: undefined,
      events: false,
      json: false,
      help: false,
    })
  })

  it('maps every option onto the cluster config', () => {
    const o = parseClusterOptions([
      ...['--nodes', '5', '--fsync', 'never', '--election', '300-600', '--heartbeat', '100ms'],
      ...['--tick', '20', '--time-scale', '2.5', '--no-prevote', '--no-checkquorum', '--trace'],
      ...['--dir', 'data/run1', '--script', 's.txt', '--events', '--json'],
      ...['--cpu-share', 'cluster'],
    ])
    expect(o.config).toEqual({
      ...DEFAULT_CLUSTER_CONFIG,
      nodes: 5,
      fsync: 'never',
      electionTimeoutMinMs: 300,
      electionTimeoutMaxMs: 600,
      heartbeatMs: 100,
      tickIntervalMs: 20,
      timeScale: 2.5,
      preVote: false,
      checkQuorum: false,
      tracing: true,
      cpuShare: 'cluster',
    })
    expect(parseClusterOptions([]).config.cpuShare).toBe('per-node')
    expect(isAbsolute(o.dataDir!)).toBe(true)
    expect(o.dataDir).toMatch(/data\/run1$/)
    expect(o).toMatchObject({ scriptPath: 's.txt', events: true, json: true })
    expect(parseClusterOptions(['-h']).help).toBe(true)
  })

  it.each([
    [['--nodes', '10'], '--nodes must be an integer from 1 to 9'],
    [['--nodes', '0'], '--nodes must be an integer from 1 to 9'],
    [['--fsync', 'sometimes'], "--fsync must be 'always' or 'never', got 'sometimes'"],
    [['--election', '300'], '--election must be MIN-MAX in ms, e.g. 150-300'],
    [['--election', '300-150'], 'the election timeout range 300-150 ms is empty'],
    [['--heartbeat', '200'], 'heartbeatMs (200) must be well under electionTimeoutMinMs (150)'],
    [['--time-scale', 'slow'], '--time-scale must be a number'],
    [['--time-scale', '5000'], 'timeScale must be from 0.1 to 1000'],
    [['--tick', '0'], '--tick must be an integer from 1 to 1000'],
    [['extra'], "unexpected argument 'extra'"],
    [['--bogus'], "Unknown option '--bogus'"],
    [['--cpu-share', 'half'], "--cpu-share must be 'per-node' or 'cluster', got 'half'"],
  ])('rejects %j', (argv, message) => {
    expect(() => parseClusterOptions(argv)).toThrow(UsageError)
    expect(() => parseClusterOptions(argv)).toThrow(message)
  })
})

describe('clusterUsage', () => {
  it('documents every option the parser accepts', () => {
    for (const flag of ['--nodes', '--dir', '--fsync', '--election', '--heartbeat', '--tick']) {
      expect(clusterUsage).toContain(flag)
    }
    for (const flag of [
      '--time-scale',
      '--no-prevote',
      '--no-checkquorum',
      '--trace',
      '--cpu-share',
    ]) {
      expect(clusterUsage).toContain(flag)
    }
    for (const flag of ['--script', '--events', '--json', '--help']) {
      expect(clusterUsage).toContain(flag)
    }
    expect(clusterUsage).toContain('cut <from> <to> [both]')
  })

  it('documents every exit status a script can end with', () => {
    expect(clusterUsage).toMatch(/\b1 when a command failed/)
    expect(clusterUsage).toMatch(/\b2 on a usage error/)
    expect(clusterUsage).toMatch(/\b3 when a node could not start/)
    expect(clusterUsage).toContain(`${EXIT_NODE_NOT_STARTED} when`)
  })
})
