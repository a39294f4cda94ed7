// What must survive: acknowledged writes through SIGKILL of every node, bad bytes on a node's
// socket, and the supervisor itself being killed (no process may be left behind).
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { KvClient } from '../../electron/lab/clients/kvClient'
import { DiskStorage } from '../../electron/node/storage'
import { newSyncStats } from '../../electron/node/storage/durableFs'
import { writeHardState } from '../../electron/node/storage/hardStateFile'
import { scanRecords } from '../../electron/node/storage/walFormat'
import { nodeSocketPath } from '../../shared/lab/sockets'
import { encodeHelloFrame, encodeMessageFrames, makeHello } from '../../shared/protocol'
import type { Message } from '../../shared/raft/types'
import { closeAndCheck, isAlive, put, startLab, waitUntil, type TestLab } from './helpers'

let t: TestLab | null = null
afterEach(async () => {
  if (t) await closeAndCheck(t)
  t = null
})

function clusterInfo(t: TestLab): { clusterId: string; runDir: string } {
  const e = t.events.find((x) => x.type === 'cluster.started')
  if (!e || e.type !== 'cluster.started') throw new Error('no cluster.started event')
  return { clusterId: e.clusterId, runDir: e.runDir }
}

describe('durability', () => {
  it('loses no acknowledged write when every node is SIGKILLed under load (fsync always)', async () => {
    t = await startLab({ nodes: 3, fsync: 'always' })
    await t.leader()
    const info = clusterInfo(t)
    const acked = new Map<string, string>()
    let running = true
    const writers = Array.from({ length: 6 }, async (_, w) => {
      const c = new KvClient({ ...info, nodes: [1, 2, 3], timeoutMs: 2000 })
      for (let i = 0; running; i++) {
        const key = `w${w}-${i}`
        const out = await c.put(key, `v${i}`)
        if (out.result === 'ok') acked.set(key, `v${i}`)
      }
      c.close()
    })
    // Crash under load: once writes are being acknowledged steadily.
    expect(await waitUntil(() => acked.size >= 30, 15_000)).toBe(true)
    const crashes = [1, 2, 3].map((id) => t?.lab.command({ type: 'node.crash', node: id }))
    const results = await Promise.all(crashes)
    expect(results.every((r) => r?.ok)).toBe(true)
    running = false
    await Promise.all(writers)
    expect(acked.size).toBeGreaterThan(20)
    for (const id of [1, 2, 3]) await t.lab.command({ type: 'node.restart', node: id })
    await t.leader(15_000)
    const reader = new KvClient({ ...info, nodes: [1, 2, 3], timeoutMs: 5000 })
    const missing: string[] = []
    for (const [key, value] of acked) {
      const out = await reader.get(key)
      if (out.result !== 'ok' || out.value !== value)
        missing.push(`${key}=${value} (got ${out.result} ${out.value})`)
    }
    reader.close()
    expect(missing, `lost acknowledged writes out of ${acked.size}`).toEqual([])
  })
})

describe('recovery refusals', () => {
  it('a node whose WAL lost committed entries (fsync always) does not start, and the lab says why', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'raftlab-refusal-'))
    try {
      t = await startLab({ nodes: 3, fsync: 'always' }, dataDir)
      await t.leader()
      for (let i = 0; i < 5; i++) await put(t, `k${i}`, `v${i}`)
      await closeAndCheck(t)
      t = null
      // n1 loses its last three entries, which its hard state says are committed: fsynced data
      // gone, as a failing disk or a bad restore would leave it.
      const dir = join(dataDir, 'n1')
      const ds = DiskStorage.open({ dir })
      const { hardState, lastIndex } = ds.recovery
      const segments = ds.segmentCount()
      ds.close()
      expect(segments).toBe(1)
      writeHardState(dir, { ...hardState, commit: lastIndex }, 'always', newSyncStats())
      const seg = join(dir, 'wal-0000000000000000-0000000000000001.log')
      const records = scanRecords(new Uint8Array(readFileSync(seg))).records
      const cut = records.find(
        (r) => r.record.kind === 'entry' && r.record.entry.index === lastIndex - 2,
      )
      if (!cut) throw new Error(`no record of entry ${lastIndex - 2}`)
      truncateSync(seg, cut.offsetBytes)

      t = await startLab({ nodes: 3, fsync: 'always' }, dataDir)
      const lab = t
      const crashed = () =>
        lab.events.find((e) => e.type === 'node.process' && e.node === 1 && e.state === 'crashed')
      expect(await waitUntil(() => crashed() !== undefined, 15_000)).toBe(true)
      const ev = crashed()
      if (ev?.type !== 'node.process') throw new Error('no crash event')
      expect(ev.isStartFailure).toBe(true)
      expect(ev.detail).toMatch(
        new RegExp(
          `^exited with code 3: cannot open its storage: storage in ${dir} is inconsistent: ` +
            `the commit index ${lastIndex} recorded in ${dir}/hardstate is past the last entry, ` +
            `index ${lastIndex - 3} of term \\d+, in ${seg}: committed entries that were fsynced are lost`,
        ),
      )
      expect(lab.status().nodes[0]).toMatchObject({ state: 'crashed', isStartFailure: true })
      // It never ran, so it never joined an election; the other two still make a majority.
      expect(lab.events.some((e) => e.type === 'node.status' && e.node === 1)).toBe(false)
      expect(await lab.leader(15_000)).not.toBe(1)
      await put(lab, 'after', 'refusal')
      await closeAndCheck(lab)
      t = null
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})

describe('bad input on a node socket', () => {
  async function send(
    path: string,
    bytes: Uint8Array[],
    end = true,
  ): Promise<'closed by node' | 'still open'> {
    const s = net.createConnection(path)
    s.on('error', () => {})
    s.resume() // read (and discard) the node's hello, so 'close' can fire
    await new Promise((r) => s.once('connect', r))
    for (const b of bytes) s.write(b)
    if (end) s.end()
    const closed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 2000)
      s.once('close', () => {
        clearTimeout(timer)
        resolve(true)
      })
    })
    s.destroy()
    return closed ? 'closed by node' : 'still open'
  }

  it('garbage, truncated, oversized and unknown frames close that connection, never the node', async () => {
    t = await startLab({ nodes: 3 })
    const leader = await t.leader()
    const { clusterId, runDir } = clusterInfo(t)
    const path = nodeSocketPath(runDir, leader, process.platform)
    const hello = encodeHelloFrame(makeHello('client', 0, clusterId))
    const frame = (len: number, kind: number, body: number[] = []) => {
      const b = new Uint8Array(4 + 1 + body.length)
      new DataView(b.buffer).setUint32(0, len)
      b[4] = kind
      b.set(body, 5)
      return b
    }
    const cases: [string, Uint8Array[], boolean][] = [
      ['garbage', [new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n')], false],
      ['oversized', [hello, frame(0x7fffffff, 16)], false],
      ['unknown kind', [hello, frame(1, 200)], false],
      ['malformed request', [hello, frame(4, 16, [0xff, 0xff, 0xff])], false],
      ['truncated', [hello, frame(50, 16, [1, 2, 3])], true],
      ['wrong cluster', [encodeHelloFrame(makeHello('peer', 2, 'another-cluster'))], false],
      [
        'malformed raft message',
        [
          encodeHelloFrame(makeHello('peer', leader === 1 ? 2 : 1, clusterId)),
          frame(4, 2, [0xee, 0xff, 0xff]),
        ],
        false,
      ],
      ['not a member', [encodeHelloFrame(makeHello('peer', 9, clusterId))], false],
    ]
    for (const [name, bytes, end] of cases) {
      expect(await send(path, bytes, end), name).toBe('closed by node')
    }
    await waitUntil(
      () =>
        (t?.events.filter((e) => e.type === 'node.warning' && e.node === leader).length ?? 0) >=
        cases.length,
      3000,
    )
    const warnings = t.events.filter((e) => e.type === 'node.warning' && e.node === leader)
    expect(warnings.length, JSON.stringify(warnings)).toBeGreaterThanOrEqual(cases.length)
    // The node is still the leader and still serving.
    expect(t.status().nodes.find((n) => n.id === leader)?.state).toBe('running')
    await put(t, 'still', 'alive')
  })
})

describe('well-formed forged Raft messages', () => {
  /** forge connects to `to`'s socket as peer `from` and sends `ms`, then closes. */
  async function forge(path: string, clusterId: string, from: number, ms: Message[]) {
    const s = net.createConnection(path)
    s.on('error', () => {})
    // The node's hello: it accepted the connection, and it reads what we send before our end.
    const accepted = new Promise((r) => s.once('data', r))
    await new Promise((r) => s.once('connect', r))
    s.write(encodeHelloFrame(makeHello('peer', from, clusterId)))
    for (const f of encodeMessageFrames(ms)) s.write(f)
    await accepted
    s.resume()
    s.end()
  }
  const base = {
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    context: '',
  }

  it('out-of-range indexes and terms are dropped with a warning; the cluster never adopts them', async () => {
    t = await startLab({ nodes: 3 })
    const leader = await t.leader()
    const { clusterId, runDir } = clusterInfo(t)
    const follower = leader === 1 ? 2 : 1
    const term = t.status().term
    await put(t, 'before', 'forgery')
    // A MsgAppResp past the end of the leader's log once ended the leader with an assertion.
    await forge(nodeSocketPath(runDir, leader, process.platform), clusterId, follower, [
      { ...base, type: 'MsgAppResp', from: follower, to: leader, term, index: 2 ** 53 - 2 },
    ])
    // A term at the encoding's limit was adopted and persisted by every node, after which no
    // election could succeed (the next term cannot be encoded), even across restarts.
    for (const to of [1, 2, 3]) {
      const from = to === 1 ? 2 : 1
      await forge(nodeSocketPath(runDir, to, process.platform), clusterId, from, [
        { ...base, type: 'MsgApp', from, to, term: 2 ** 53 - 1, index: 0, logTerm: 0 },
        { ...base, type: 'MsgHeartbeat', from, to, term: 2 ** 48 + 1 },
      ])
    }
    const warned = (node: number) =>
      t?.events.some(
        (e) =>
          e.type === 'node.warning' &&
          e.node === node &&
          /dropped .*no correct peer/.test(e.message),
      ) ?? false
    expect(await waitUntil(() => [1, 2, 3].every(warned), 5000)).toBe(true)
    const w = t.events.find(
      (e) => e.type === 'node.warning' && e.node === leader && /MsgAppResp/.test(e.message),
    )
    expect(w, 'the leader names the refused MsgAppResp').toBeDefined()
    // Nobody crashed or adopted the forged term; the cluster still commits, and after every node
    // restarts it still elects a leader.
    expect(t.status().nodes.every((n) => n.state === 'running')).toBe(true)
    expect(Math.max(...t.status().nodes.map((n) => n.status?.term ?? 0))).toBeLessThan(2 ** 48)
    await put(t, 'after', 'forgery')
    for (const id of [1, 2, 3]) await t.lab.command({ type: 'node.crash', node: id })
    for (const id of [1, 2, 3]) await t.lab.command({ type: 'node.restart', node: id })
    await t.leader(15_000)
    expect(t.status().term).toBeLessThan(2 ** 48)
    await put(t, 'after', 'restart')
  })
})

describe('no orphans', () => {
  it('when the supervisor is SIGKILLed, every node exits — a paused one too', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'fixtures/supervisor.mts')],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    const line = await new Promise<string>((resolve, reject) => {
      let buf = ''
      child.stdout.on('data', (c: Buffer) => {
        buf += c.toString()
        if (buf.includes('\n')) resolve(buf.split('\n')[0] as string)
      })
      child.once('exit', (code) => reject(new Error(`fixture exited early with ${code}`)))
    })
    const { pids, dirs } = JSON.parse(line) as { pids: number[]; dirs: string[] }
    expect(pids.length).toBe(4)
    expect(pids.every(isAlive)).toBe(true)
    child.kill('SIGKILL')
    const gone = await waitUntil(() => pids.every((p) => !isAlive(p)), 10_000)
    expect(gone, `still alive: ${pids.filter(isAlive).join(', ')}`).toBe(true)
    // …and the run directory and the temporary data directory are removed too.
    expect(await waitUntil(() => dirs.every((d) => !existsSync(d)), 5000), dirs.join(', ')).toBe(
      true,
    )
  })
})
