// Real node processes over real sockets, driven by the lab engine. Outcomes are asserted with
// generous deadlines; speed is measured by benchmarks, not here.
import { existsSync, readFileSync } from 'node:fs'
import { autogroupNice, autogroupNiceFor } from '../../electron/lab/supervisor/cpuShare'
import { afterEach, describe, expect, it } from 'vitest'
import { applyEvents, createLabModel } from '../../renderer/src/model/lab'
import { closeAndCheck, put, sleep, startLab, waitUntil, type TestLab } from './helpers'

let t: TestLab | null = null
afterEach(async () => {
  if (t) await closeAndCheck(t)
  t = null
})

describe('a real cluster', () => {
  it('elects a leader, takes writes and serves linearizable reads', async () => {
    t = await startLab({ nodes: 3 })
    const leader = await t.leader()
    expect(leader).toBeGreaterThan(0)
    const index = await put(t, 'greeting', 'hello')
    expect(index).toBeGreaterThan(0)
    const got = await t.lab.command({ type: 'kv.get', key: 'greeting' })
    expect(got.ok && got.kv?.value).toBe('hello')
    const cas = await t.lab.command({
      type: 'kv.cas',
      key: 'greeting',
      expected: 'hello',
      value: 'bye',
    })
    expect(cas.ok && cas.kv?.swapped).toBe(true)
    const cas2 = await t.lab.command({
      type: 'kv.cas',
      key: 'greeting',
      expected: 'hello',
      value: 'x',
    })
    expect(cas2.ok && cas2.kv).toMatchObject({ swapped: false, value: 'bye' })
  })

  it('stamps raft events when they happened on their node: every vote after the request for it', async () => {
    t = await startLab({ nodes: 3 })
    const old = await t.leader()
    await t.lab.command({ type: 'node.crash', node: old })
    const next = await t.leader(10_000, old)
    // The leader's status can arrive before the voters' reports of the election: wait for those.
    const raftEvents = () => t?.events.flatMap((e) => (e.type === 'node.raft' ? [e] : [])) ?? []
    const reported = await waitUntil(() => {
      const won = raftEvents().find((e) => e.node === next && e.event.kind === 'electionWon')
      if (won?.event.kind !== 'electionWon') return false
      const { term, votes } = won.event
      return votes
        .filter((v) => v !== next)
        .every((v) =>
          raftEvents().some(
            (e) => e.node === v && e.event.kind === 'voteCast' && e.event.term === term,
          ),
        )
    }, 10_000)
    expect(reported, JSON.stringify(raftEvents().map((e) => [e.node, e.event]))).toBe(true)
    const raft = raftEvents()
    expect(raft.length).toBeGreaterThan(4)
    for (const e of raft) {
      expect(e.atMs).toBeTypeOf('number')
      expect(e.atMs as number).toBeLessThanOrEqual(e.timeMs)
      expect(e.timeMs - (e.atMs as number)).toBeLessThan(5000)
    }
    // Each vote (granted or not) comes after the candidate asked for it in that term.
    let votes = 0
    for (const v of raft) {
      if (v.event.kind !== 'voteCast') continue
      const { candidate, term, preVote } = v.event
      const asked = raft.find(
        (e) =>
          e.node === candidate &&
          e.event.kind === 'electionStarted' &&
          e.event.term === term &&
          e.event.preVote === preVote,
      )
      expect(asked, JSON.stringify(v)).toBeDefined()
      expect(v.atMs as number).toBeGreaterThan(asked?.atMs as number)
      votes++
    }
    expect(votes).toBeGreaterThan(0)
  })

  it('nodes report their status at one moment together, so no follower shows more committed than its leader', async () => {
    t = await startLab({ nodes: 3 })
    const leader = await t.leader()
    const from = t.events.length
    const until = Date.now() + 2000
    let i = 0
    while (Date.now() < until) await put(t, `k${i % 10}`, String(i++))
    const statuses = t.events
      .slice(from)
      .flatMap((e) => (e.type === 'node.status' && e.atMs !== undefined ? [e] : []))
    const ofLeader = statuses.filter((e) => e.node === leader && e.status.role === 'leader')
    expect(ofLeader.length).toBeGreaterThan(5)
    // Each leader report's nearest report from each follower: taken within a few ms (on a shared
    // grid; unaligned they were up to a whole period apart, 25 ms on median), and a follower's
    // report taken no later than the leader's never shows a higher commit index.
    const gaps: number[] = []
    for (const l of ofLeader) {
      for (const f of [1, 2, 3].filter((id) => id !== leader)) {
        const near = statuses
          .filter((e) => e.node === f)
          .reduce<(typeof statuses)[number] | null>(
            (best, e) =>
              !best ||
              Math.abs((e.atMs as number) - (l.atMs as number)) <
                Math.abs((best.atMs as number) - (l.atMs as number))
                ? e
                : best,
            null,
          )
        if (!near) continue
        gaps.push(Math.abs((near.atMs as number) - (l.atMs as number)))
        if ((near.atMs as number) <= (l.atMs as number))
          expect(near.status.commit, JSON.stringify([l, near])).toBeLessThanOrEqual(l.status.commit)
      }
    }
    gaps.sort((a, b) => a - b)
    expect(gaps[Math.floor(gaps.length / 2)]).toBeLessThan(12)
  })

  it('a leader held up by the machine reports its late timers, and the narrative blames them for the election', async () => {
    t = await startLab({ nodes: 3 })
    const leader = await t.leader()
    const pid = t.status().nodes.find((n) => n.id === leader)?.pid as number
    // What an overloaded machine does to a process, done on purpose: it does not run for 700 ms
    // (not the lab's pause: no fault is in force as far as the lab knows).
    process.kill(pid, 'SIGSTOP')
    // Held long enough for a lag the node must report (> 500 ms), and until the others have
    // replaced it: the election the narrative must blame on the late timers.
    await Promise.all([sleep(700), t.leader(10_000, leader)])
    process.kill(pid, 'SIGCONT')
    await waitUntil(
      () => t?.events.some((e) => e.type === 'node.lag' && e.node === leader) ?? false,
      5000,
    )
    const lag = t.events.find((e) => e.type === 'node.lag' && e.node === leader)
    expect(lag?.type === 'node.lag' && lag.maxMs).toBeGreaterThan(500)
    const m = createLabModel()
    applyEvents(m, t.events)
    const lines = m.narrative.toArray().map((l) => l.text)
    expect(lines.join('\n')).toMatch(
      new RegExp(
        `^n${leader}'s timers ran \\d+ ms late: .*late timers, not Raft, likely caused this election$`,
        'm',
      ),
    )
  })

  it('replaces a killed leader with a new leader in a higher term', async () => {
    t = await startLab({ nodes: 3 })
    const old = await t.leader()
    const oldTerm = t.status().term
    await t.lab.command({ type: 'node.crash', node: old })
    const next = await t.leader(10_000, old)
    expect(next).not.toBe(old)
    expect(t.status().term).toBeGreaterThan(oldTerm)
    await put(t, 'after', 'failover')
  })

  it('a leader cut off in a minority steps down (CheckQuorum); the majority goes on; after the heal its divergent log is truncated and backfilled', async () => {
    t = await startLab({ nodes: 5 })
    const old = await t.leader()
    await put(t, 'k0', 'before')
    await t.lab.command({ type: 'partition.split', minority: [old] })
    // Writes sent straight to the cut-off leader land in its log but can never commit.
    const { KvClient } = await import('../../electron/lab/clients/kvClient')
    const st = t.status()
    const pinned = new KvClient({
      clusterId: st.clusterId as string,
      runDir: runDirOf(t),
      nodes: [old],
      timeoutMs: 300,
      attemptTimeoutMs: 300,
    })
    const lost = await Promise.all([pinned.put('lost1', 'x'), pinned.put('lost2', 'y')])
    pinned.close()
    expect(lost.map((o) => o.result)).not.toContain('ok')
    // CheckQuorum: the old leader gives up; the majority elects someone else and takes writes.
    expect(
      await waitUntil(
        () => t?.status().nodes.find((n) => n.id === old)?.status?.role !== 'leader',
        5000,
      ),
    ).toBe(true)
    const next = await t.leader(10_000, old)
    expect(next).not.toBe(old)
    await put(t, 'k1', 'during')
    await t.lab.command({ type: 'heal.all' })
    await put(t, 'k2', 'after')
    // Every node ends with the same log: same last index and term, all committed.
    const converged = await waitUntil(() => {
      const ns = t?.status().nodes ?? []
      const s0 = ns[0]?.status
      return (
        !!s0 &&
        ns.every(
          (n) =>
            n.status &&
            n.status.lastIndex === s0.lastIndex &&
            n.status.lastTerm === s0.lastTerm &&
            n.status.commit === s0.lastIndex,
        )
      )
    }, 10_000)
    expect(converged, JSON.stringify(t.status().nodes.map((n) => n.status))).toBe(true)
    const truncated = t.events.some(
      (e) => e.type === 'node.log' && e.node === old && e.op === 'truncate',
    )
    expect(truncated).toBe(true)
    const got = await t.lab.command({ type: 'kv.get', key: 'lost1' })
    expect(got.ok && got.kv?.value).toBe(null)
  })

  it('replaces a paused leader; on resume the old leader steps down', async () => {
    t = await startLab({ nodes: 3 })
    const old = await t.leader()
    await t.lab.command({ type: 'node.pause', node: old })
    const next = await t.leader(10_000, old)
    expect(next).not.toBe(old)
    const newTerm = t.status().term
    await t.lab.command({ type: 'node.resume', node: old })
    const stepped = await waitUntil(() => {
      const s = t?.status().nodes.find((n) => n.id === old)?.status
      return !!s && s.role === 'follower' && s.term >= newTerm
    }, 10_000)
    expect(stepped).toBe(true)
    expect(
      t.events.some(
        (e) => e.type === 'node.raft' && e.node === old && e.event.kind === 'steppedDown',
      ),
    ).toBe(true)
    // The fault events say what was done, and to whom, as data (not only in words).
    const faults = t.events.flatMap((e) => (e.type === 'fault' ? [e] : []))
    expect(faults.map((f) => [f.action, f.kind, f.nodes])).toEqual([
      ['applied', 'pause', [old]],
      ['healed', 'resume', [old]],
    ])
  })

  it('with PreVote, a one-way cut does not cause endless elections', async () => {
    t = await startLab({ nodes: 3, preVote: true, checkQuorum: true })
    const leader = await t.leader()
    const follower = t.status().nodes.find((n) => n.id !== leader)?.id as number
    const from = t.events.length
    await t.lab.command({ type: 'link.cut', from: leader, to: follower, both: false })
    const term = t.status().term
    const preVotes = () =>
      t?.events.filter(
        (e) =>
          e.type === 'node.raft' &&
          e.node === follower &&
          e.event.kind === 'electionStarted' &&
          e.event.preVote,
      ).length ?? 0
    // The cut-off follower keeps asking for pre-votes and is refused: after several rounds of
    // asking, nobody's term has moved.
    expect(await waitUntil(() => preVotes() >= 3, 15_000)).toBe(true)
    expect(t.status().term).toBe(term)
    expect(t.status().leader).toBe(leader)
    // (Reports of the first election may still arrive after the cut — from other nodes, over
    // other connections — so only elections for a later term count.)
    const elections = t.events
      .slice(from)
      .filter(
        (e) =>
          e.type === 'node.raft' &&
          e.event.kind === 'electionStarted' &&
          !e.event.preVote &&
          e.event.term > term,
      )
    expect(elections).toEqual([])
  })

  it('a restarted node recovers its log from disk', async () => {
    t = await startLab({ nodes: 3 })
    const leader = await t.leader()
    for (let i = 0; i < 10; i++) await put(t, `k${i}`, `v${i}`)
    const follower = t.status().nodes.find((n) => n.id !== leader)?.id as number
    const lastBefore = t.status().nodes.find((n) => n.id === follower)?.status?.lastIndex ?? 0
    await t.lab.command({ type: 'node.crash', node: follower })
    await t.lab.command({ type: 'node.restart', node: follower })
    const recovered = await waitUntil(
      () =>
        t?.events.some(
          (e) =>
            e.type === 'node.recovered' &&
            e.node === follower &&
            e.lastIndex >= lastBefore &&
            e.entries >= 10,
        ) ?? false,
      10_000,
    )
    expect(recovered, JSON.stringify(t.events.filter((e) => e.type === 'node.recovered'))).toBe(
      true,
    )
  })
})

function runDirOf(t: TestLab): string {
  const e = t.events.find((x) => x.type === 'cluster.started')
  if (!e || e.type !== 'cluster.started') throw new Error('no cluster.started event')
  return e.runDir
}

describe("the nodes' CPU share (Linux autogroups)", () => {
  const pids = (lab: TestLab): number[] =>
    lab
      .status()
      .nodes.map((n) => n.pid)
      .filter((p): p is number => p !== null)
  // Without autogroups (another OS, or a kernel without them) there is nothing to set or check.
  // Ask the kernel, not our own session: a process in init's session (as in a container, or under
  // CI) sits in the root group and reads an empty /proc/<pid>/autogroup, while the nodes, each
  // leading a session of its own, still get one.
  const haveAutogroups = process.platform === 'linux' && existsSync('/proc/self/autogroup')
  if (!haveAutogroups)
    console.log(
      'cpuShare tests: no /proc/<pid>/autogroup here, so only "nothing breaks" is checked',
    )

  it("'per-node' leaves each node's session at the kernel's default", async () => {
    t = await startLab({ nodes: 3 })
    await t.leader()
    for (const pid of pids(t)) expect(autogroupNice(pid)).toBe(haveAutogroups ? 0 : null)
  })

  it("'cluster' weighs 7 nodes as one session — each a session of its own, lowered; a restarted node's too; the lab's own untouched", async () => {
    const mine = autogroupNice(process.pid)
    t = await startLab({ nodes: 7, cpuShare: 'cluster' })
    const leader = await t.leader()
    const want = haveAutogroups ? autogroupNiceFor(7) : null
    expect(autogroupNiceFor(7)).toBe(9)
    for (const pid of pids(t)) expect(autogroupNice(pid)).toBe(want)
    await t.lab.command({ type: 'node.crash', node: leader })
    await t.lab.command({ type: 'node.restart', node: leader })
    const restarted = () => t?.status().nodes.find((n) => n.id === leader)
    expect(await waitUntil(() => restarted()?.state === 'running', 10_000)).toBe(true)
    expect(autogroupNice(restarted()?.pid as number)).toBe(want)
    // The workload counts on the cluster's side too: a session of its own, weighted like a node.
    if (haveAutogroups) {
      const before = new Set(childPids())
      await t.lab.command({ type: 'workload.start', spec: { mode: 'open', rate: 50 } })
      let workload: number | undefined
      expect(
        await waitUntil(() => {
          workload = childPids().find((p) => !before.has(p) && !pids(t as TestLab).includes(p))
          return workload !== undefined && autogroupNice(workload) === want
        }, 10_000),
      ).toBe(true)
      await t.lab.command({ type: 'workload.stop' })
      expect(await waitUntil(() => !childPids().includes(workload as number), 10_000)).toBe(true)
    }
    expect(autogroupNice(process.pid)).toBe(mine)
    expect(t.events.filter((e) => e.type === 'node.warning')).toEqual([])
  })
})

/** childPids lists this process's children (Linux: /proc/<pid>/task/<pid>/children). */
function childPids(): number[] {
  try {
    return readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
  } catch {
    return []
  }
}
