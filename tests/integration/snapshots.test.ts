// Snapshots and log compaction on real node processes (§7): nodes snapshot their KV store every
// few entries, delete the WAL segments the snapshots cover, a follower that missed them catches
// up by snapshot, and a cluster killed under writes restarts from snapshots with every
// acknowledged write.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { listSnapshotFiles, parseSegmentFileName } from '../../electron/node/storage'
import { SNAPSHOT_CHUNK_BYTES } from '../../shared/protocol'
import { closeAndCheck, put, startLab, waitUntil, type TestLab } from './helpers'

const EVERY = 50
let t: TestLab | null = null
let dir: string | null = null
afterEach(async () => {
  if (t) await closeAndCheck(t)
  t = null
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
  dir = null
})

function nodeDir(id: number): string {
  return path.join(dir as string, `n${id}`)
}

/** firstSegmentIndex is the first index of a node's oldest WAL segment (1: nothing deleted). */
function firstSegmentIndex(id: number): number {
  const firsts = fs
    .readdirSync(nodeDir(id))
    .map((n) => parseSegmentFileName(n)?.firstIndex)
    .filter((x): x is number => x !== undefined)
  return Math.min(...firsts)
}

async function getValue(key: string): Promise<string | null | undefined> {
  const res = await (t as TestLab).lab.command({ type: 'kv.get', key })
  if (!res.ok) throw new Error(`get ${key}: ${res.error}`)
  return res.kv?.value
}

describe('snapshots on a real cluster', () => {
  it('compacts every node, and a follower stopped meanwhile catches up by snapshot and agrees', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftlab-snap-'))
    t = await startLab({ nodes: 3, snapshotEveryEntries: EVERY }, dir)
    const leader = await t.leader()
    const lagging = t.status().nodes.find((n) => n.id !== leader)?.id as number
    const other = t.status().nodes.find((n) => n.id !== leader && n.id !== lagging)?.id as number
    expect((await t.lab.command({ type: 'node.stop', node: lagging })).ok).toBe(true)
    const writes = 6 * EVERY
    for (let i = 0; i < writes; i++) await put(t, `k${i}`, `v${i}`)

    // Every running node snapshotted and deleted the segments its snapshots cover.
    for (const id of [leader, other]) {
      const snaps = await waitUntil(() => listSnapshotFiles(nodeDir(id)).length === 2, 10_000)
      expect(snaps, `snapshot files of n${id}`).toBe(true)
      expect(listSnapshotFiles(nodeDir(id))[0]?.index).toBeGreaterThanOrEqual(writes - EVERY)
      expect(firstSegmentIndex(id), `n${id}'s oldest segment`).toBeGreaterThan(EVERY)
    }

    expect((await t.lab.command({ type: 'node.restart', node: lagging })).ok).toBe(true)
    const caughtUp = await waitUntil(() => {
      const s = t?.status().nodes.find((n) => n.id === lagging)?.status
      return (s?.applied ?? 0) >= writes
    }, 20_000)
    expect(caughtUp, JSON.stringify(t.status().nodes)).toBe(true)
    // It installed the leader's snapshot (it never had the entries the leader compacted), and
    // the others report the snapshots they took.
    expect(listSnapshotFiles(nodeDir(lagging)).length).toBeGreaterThan(0)
    const snapshots = t.events.flatMap((e) => (e.type === 'node.snapshot' ? [e] : []))
    expect(snapshots.some((e) => e.node === lagging && e.kind === 'installed')).toBe(true)
    for (const id of [leader, other]) {
      expect(snapshots.filter((e) => e.node === id && e.kind === 'taken').length).toBeGreaterThan(3)
    }

    // Its state machine agrees: lead with it and read through it.
    expect((await t.lab.command({ type: 'node.transfer', to: lagging })).ok).toBe(true)
    expect(await waitUntil(() => t?.status().leader === lagging, 10_000)).toBe(true)
    for (const i of [0, 1, EVERY, writes / 2, writes - 1]) {
      expect(await getValue(`k${i}`)).toBe(`v${i}`)
    }
  })

  it('sends a snapshot bigger than one chunk in chunks, reported by both ends', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftlab-snap-'))
    t = await startLab({ nodes: 3, snapshotEveryEntries: EVERY }, dir)
    const leader = await t.leader()
    const lagging = t.status().nodes.find((n) => n.id !== leader)?.id as number
    expect((await t.lab.command({ type: 'node.stop', node: lagging })).ok).toBe(true)
    // 4 KB values: the state the leader snapshots outgrows one chunk (256 KiB) many times over.
    const value = (i: number): string => `v${i}:` + 'x'.repeat(4096)
    const writes = 4 * EVERY
    for (let i = 0; i < writes; i++) await put(t, `k${i}`, value(i))
    const compacted = await waitUntil(() => firstSegmentIndex(leader) > EVERY, 10_000)
    expect(compacted, `n${leader} compacted its log`).toBe(true)

    expect((await t.lab.command({ type: 'node.restart', node: lagging })).ok).toBe(true)
    const caughtUp = await waitUntil(() => {
      const s = t?.status().nodes.find((n) => n.id === lagging)?.status
      return (s?.applied ?? 0) >= writes
    }, 30_000)
    expect(caughtUp, JSON.stringify(t.status().nodes)).toBe(true)
    const transfers = t.events.flatMap((e) => (e.type === 'node.snapshotTransfer' ? [e] : []))
    const sent = transfers.find(
      (e) => e.node === leader && e.peer === lagging && e.direction === 'send',
    )
    expect(sent?.state, JSON.stringify(transfers)).toBe('started')
    const done = (node: number, direction: 'send' | 'receive') =>
      transfers.find((e) => e.node === node && e.direction === direction && e.state === 'finished')
    const received = done(lagging, 'receive')
    expect(received, JSON.stringify(transfers)).toBeDefined()
    expect(received?.peer).toBe(leader)
    expect(received?.totalBytes).toBeGreaterThan(2 * SNAPSHOT_CHUNK_BYTES)
    expect(received?.doneBytes).toBe(received?.totalBytes)
    expect(done(leader, 'send')?.totalBytes).toBe(received?.totalBytes)
    expect(
      t.events.some(
        (e) => e.type === 'node.snapshot' && e.node === lagging && e.kind === 'installed',
      ),
    ).toBe(true)
    expect(fs.existsSync(path.join(nodeDir(lagging), 'snapshot-incoming.tmp'))).toBe(false)

    // Its state machine holds the big values: lead with it and read through it.
    expect((await t.lab.command({ type: 'node.transfer', to: lagging })).ok).toBe(true)
    expect(await waitUntil(() => t?.status().leader === lagging, 10_000)).toBe(true)
    for (const i of [0, EVERY, writes - 1]) expect(await getValue(`k${i}`)).toBe(value(i))
  })

  it('every node killed under writes restarts from its snapshot with every acknowledged write', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftlab-snap-'))
    t = await startLab({ nodes: 3, snapshotEveryEntries: EVERY }, dir)
    await t.leader()
    const acked: number[] = []
    let stop = false
    const writers = [0, 1, 2, 3].map(async (w) => {
      for (let i = w; !stop; i += 4) {
        const res = await (t as TestLab).lab.command({
          type: 'kv.put',
          key: `w${i}`,
          value: `${i}`,
        })
        if (res.ok) acked.push(i)
      }
    })
    await waitUntil(() => acked.length >= 3 * EVERY, 30_000)
    for (const n of t.status().nodes) await t.lab.command({ type: 'node.crash', node: n.id })
    stop = true
    await Promise.all(writers)
    expect(acked.length).toBeGreaterThanOrEqual(3 * EVERY)
    for (const n of t.status().nodes) {
      expect(listSnapshotFiles(nodeDir(n.id)).length, `n${n.id}'s snapshots`).toBeGreaterThan(0)
      expect((await t.lab.command({ type: 'node.restart', node: n.id })).ok).toBe(true)
    }
    await t.leader(20_000)
    // Each restarted from its snapshot, replaying only the WAL after it.
    for (const n of t.status().nodes) {
      const fromSnapshot = await waitUntil(
        () =>
          t?.events.some(
            (e) => e.type === 'node.recovered' && e.node === n.id && (e.snapshotIndex ?? 0) > 0,
          ) ?? false,
        10_000,
      )
      expect(fromSnapshot, `n${n.id} recovered from a snapshot`).toBe(true)
    }
    for (const i of acked) expect(await getValue(`w${i}`), `acknowledged write w${i}`).toBe(`${i}`)
  })
})

describe('node.snapshot: a snapshot on demand', () => {
  it('makes a follower snapshot with the policy off, says so when nothing is new, and refuses a stopped node', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftlab-snap-'))
    // Policy off: any snapshot seen here is the command's.
    t = await startLab({ nodes: 3, snapshotEveryEntries: 0 }, dir)
    const leader = await t.leader()
    const [follower, other] = t
      .status()
      .nodes.filter((n) => n.id !== leader)
      .map((n) => n.id) as [number, number]
    let last = 0
    for (let i = 0; i < 20; i++) last = await put(t, `k${i}`, `v${i}`)
    const statusOf = (id: number) => t?.status().nodes.find((n) => n.id === id)?.status
    expect(await waitUntil(() => (statusOf(follower)?.applied ?? 0) >= last, 10_000)).toBe(true)
    expect(statusOf(follower)?.snapshotIndex).toBe(0)
    expect(statusOf(follower)?.firstIndex).toBe(1)

    expect(await t.lab.command({ type: 'node.snapshot', node: follower })).toMatchObject({
      ok: true,
    })
    const taken = () =>
      t?.events.find((e) => e.type === 'node.snapshot' && e.node === follower && e.kind === 'taken')
    expect(await waitUntil(() => taken() !== undefined, 10_000)).toBe(true)
    expect(taken()).toMatchObject({ index: last })
    expect(await waitUntil(() => (statusOf(follower)?.snapshotIndex ?? 0) >= last, 10_000)).toBe(
      true,
    )
    // Policy off keeps no margin: the log now starts after the snapshot.
    expect(statusOf(follower)?.firstIndex).toBe(last + 1)
    expect(listSnapshotFiles(nodeDir(follower)).length).toBe(1)
    expect(t.events.some((e) => e.type === 'node.snapshot' && e.node !== follower)).toBe(false)

    // Nothing applied since: no second snapshot, a warning instead.
    expect((await t.lab.command({ type: 'node.snapshot', node: follower })).ok).toBe(true)
    const warned = () =>
      t?.events.some(
        (e) =>
          e.type === 'node.warning' &&
          e.node === follower &&
          e.message.includes('nothing applied since the last snapshot'),
      ) ?? false
    expect(await waitUntil(warned, 10_000)).toBe(true)

    expect((await t.lab.command({ type: 'node.stop', node: other })).ok).toBe(true)
    const refused = await t.lab.command({ type: 'node.snapshot', node: other })
    expect(refused.ok).toBe(false)
    expect(!refused.ok && refused.error).toMatch(/n\d is not running \(it is stopped\)/)
  })
})
