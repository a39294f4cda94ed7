// The app's view of snapshots: the compacted prefix of a log as one block, a snapshot being
// received, and the sentences the narrative tells about snapshots and their transfers.
import { describe, expect, it } from 'vitest'
import { FakeLab } from '../../../renderer/src/api/fakeLab'
import {
  createLogsModel,
  installingLabel,
  logWindow,
  reduceLogs,
  snapshotBlock,
  snapshotLabel,
} from '../../../renderer/src/model/logs'
import { applyEvents, createLabModel } from '../../../renderer/src/model/lab'
import {
  createSnapshotStory,
  formatBytes,
  snapshotLine,
} from '../../../renderer/src/model/snapshotStory'
import type { LabEvent, LabEventBody } from '../../../shared/lab/events'
import { startedCluster, status, Stream } from './events'

type Transfer = Extract<LabEventBody, { type: 'node.snapshotTransfer' }>
const transfer = (over: Partial<Transfer>): Transfer => ({
  type: 'node.snapshotTransfer',
  node: 4,
  peer: 1,
  direction: 'receive',
  state: 'started',
  index: 180_050,
  term: 3,
  totalBytes: 1_200_000,
  doneBytes: 0,
  ...over,
})

describe('the log view of a compacted log', () => {
  it('draws what the snapshot holds as one block named by it, the entries after it as runs', () => {
    const m = createLogsModel()
    const s = new Stream()
    const terms = Array.from({ length: 60 }, () => 2)
    reduceLogs(
      m,
      s.at(0, { type: 'node.log', node: 2, op: 'append', fromIndex: 1, toIndex: 60, terms }),
    )
    // Snapshot at 52 keeping a margin of 2 entries: the log starts at 51, and the block (with a
    // title that says so) covers the snapshot.
    reduceLogs(
      m,
      s.at(5, {
        type: 'node.status',
        node: 2,
        status: status({ lastIndex: 60, commit: 60, firstIndex: 51, snapshotIndex: 52 }),
      }),
    )
    const row = logWindow(m, [2], 100).rows[0]!
    expect(row.compacted).toEqual({ from: 1, to: 52, snapshotIndex: 52, firstIndex: 51 })
    expect(row.segments).toEqual([{ from: 53, to: 60, term: 2, committed: true }])
    expect(snapshotLabel(52_000)).toBe('snapshot ≤ 52,000')
    expect(snapshotBlock(row.compacted!)).toEqual({
      text: 'snapshot ≤ 52',
      title:
        'entries up to 52 are in the snapshot; those before 51 are compacted away, the rest kept for slow followers',
    })
    // The tail window past the prefix shows no block.
    expect(logWindow(m, [2], 5).rows[0]!.compacted).toBeNull()
    // A window cutting the prefix shows the part of the block inside it.
    expect(logWindow(m, [2], 15).rows[0]!.compacted).toEqual({
      from: 46,
      to: 52,
      snapshotIndex: 52,
      firstIndex: 51,
    })
  })

  it('takes the block from node.snapshot alone in older recordings (no firstIndex in statuses)', () => {
    const m = createLogsModel()
    const s = new Stream()
    const terms = Array.from({ length: 30 }, () => 1)
    reduceLogs(
      m,
      s.at(0, { type: 'node.log', node: 1, op: 'append', fromIndex: 1, toIndex: 30, terms }),
    )
    reduceLogs(
      m,
      s.at(0, {
        type: 'node.snapshot',
        node: 1,
        kind: 'taken',
        index: 20,
        term: 1,
        bytes: 900,
        durationMs: 2,
      }),
    )
    expect(logWindow(m, [1], 100).rows[0]!.compacted).toEqual({
      from: 1,
      to: 20,
      snapshotIndex: 20,
      firstIndex: 0,
    })
  })

  it('a snapshot installed from the leader reaches entries the node never saw, as one block', () => {
    const m = createLogsModel()
    const s = new Stream()
    reduceLogs(
      m,
      s.at(0, {
        type: 'node.log',
        node: 4,
        op: 'append',
        fromIndex: 1,
        toIndex: 3,
        terms: [1, 1, 1],
      }),
    )
    reduceLogs(
      m,
      s.at(10, {
        type: 'node.snapshot',
        node: 4,
        kind: 'installed',
        index: 500,
        term: 2,
        bytes: 9000,
        durationMs: 1,
      }),
    )
    const row = logWindow(m, [4], 1000).rows[0]!
    expect(row.lastIndex).toBe(500)
    expect(row.compacted).toEqual({ from: 1, to: 500, snapshotIndex: 500, firstIndex: 501 })
    expect(row.segments).toEqual([])
  })

  it('shows a snapshot being received with its progress until it ends', () => {
    const m = createLogsModel()
    const s = new Stream()
    reduceLogs(m, s.at(0, transfer({ state: 'started' })))
    reduceLogs(m, s.at(5, transfer({ state: 'progress', doneBytes: 480_000 })))
    const row = logWindow(m, [4], 10).rows[0]!
    expect(row.installing).toEqual({
      peer: 1,
      index: 180_050,
      doneBytes: 480_000,
      totalBytes: 1_200_000,
    })
    expect(installingLabel(row.installing!)).toBe('installing snapshot ≤ 180,050 — 40%')
    // The sender's reports are not this row's business.
    expect(
      reduceLogs(m, s.at(6, transfer({ node: 1, peer: 4, direction: 'send', state: 'progress' }))),
    ).toBe(false)
    reduceLogs(m, s.at(9, transfer({ state: 'rejected', reason: 'bad checksum' })))
    expect(logWindow(m, [4], 10).rows[0]!.installing).toBeNull()
  })
})

describe('the narrative of snapshots', () => {
  const fold = (events: LabEvent[]) => {
    const st = createSnapshotStory()
    return events.map((e) => snapshotLine(st, e)?.text ?? null).filter((t) => t !== null)
  }

  it('formats sizes as people say them', () => {
    expect(formatBytes(830)).toBe('830 B')
    expect(formatBytes(48_000)).toBe('48 kB')
    expect(formatBytes(1_200_000)).toBe('1.2 MB')
    expect(formatBytes(250_000_000)).toBe('250 MB')
  })

  it('tells a snapshot taken', () => {
    const s = new Stream()
    expect(
      fold([
        s.at(1, {
          type: 'node.snapshot',
          node: 2,
          kind: 'taken',
          index: 52_000,
          term: 3,
          bytes: 1_200_000,
          durationMs: 35,
        }),
      ]),
    ).toEqual(['n2 took a snapshot at 52,000 (1.2 MB, 35 ms) and compacted its log'])
  })

  it('tells a transfer by how far behind the receiver was, once (not again for the install)', () => {
    const s = new Stream()
    expect(
      fold([
        s.at(1, { type: 'node.status', node: 4, status: status({ lastIndex: 50 }) }),
        s.at(2, transfer({ state: 'started' })),
        // The install shows in its status before the transfer's end is reported.
        s.at(3, { type: 'node.status', node: 4, status: status({ lastIndex: 180_050 }) }),
        s.at(4, transfer({ state: 'finished', doneBytes: 1_200_000, durationMs: 35 })),
        s.at(4, {
          type: 'node.snapshot',
          node: 4,
          kind: 'installed',
          index: 180_050,
          term: 3,
          bytes: 1_100_000,
          durationMs: 3,
        }),
      ]),
    ).toEqual(['n4 was 180,000 entries behind; n1 sent it a snapshot of 1.2 MB in 35 ms'])
  })

  it('says what it knows with only an installed event (older recordings)', () => {
    const s = new Stream()
    const installed = {
      type: 'node.snapshot',
      node: 3,
      kind: 'installed',
      index: 900,
      term: 2,
      bytes: 48_000,
      durationMs: 1,
    } as const
    expect(
      fold([
        s.at(1, { type: 'node.status', node: 3, status: status({ lastIndex: 100 }) }),
        s.at(2, installed),
      ]),
    ).toEqual(['n3 was 800 entries behind; it installed a snapshot at 900 (48 kB)'])
    expect(fold([s.at(3, installed)])).toEqual(['n3 installed a snapshot at 900 (48 kB)'])
  })

  it('tells failed and rejected transfers as warnings, and nothing for progress', () => {
    const s = new Stream()
    const st = createSnapshotStory()
    expect(snapshotLine(st, s.at(1, transfer({ state: 'progress', doneBytes: 10 })))).toBeNull()
    const rejected = snapshotLine(
      st,
      s.at(2, transfer({ state: 'rejected', doneBytes: 480_000, reason: 'bad checksum' })),
    )
    expect(rejected).toMatchObject({
      kind: 'warning',
      nodes: [4, 1],
      text: 'n4 rejected the snapshot n1 was sending it (at 180,050, 480 kB of 1.2 MB): bad checksum',
    })
    const failed = snapshotLine(
      st,
      s.at(
        3,
        transfer({
          node: 1,
          peer: 4,
          direction: 'send',
          state: 'failed',
          doneBytes: 600_000,
          reason: 'the link was cut',
        }),
      ),
    )
    expect(failed?.text).toBe(
      'n1 could not send n4 its snapshot at 180,050 (600 kB of 1.2 MB sent): the link was cut',
    )
  })

  it('is part of the lab model, ordered by when things happened', () => {
    const s = new Stream()
    const m = createLabModel()
    applyEvents(m, startedCluster(s, 3))
    applyEvents(m, [
      s.at(900, {
        type: 'node.snapshot',
        node: 2,
        kind: 'taken',
        index: 10,
        term: 1,
        bytes: 400,
        durationMs: 1.5,
      }),
    ])
    expect(m.narrative.toArray().at(-1)?.text).toBe(
      'n2 took a snapshot at 10 (400 B, 1.5 ms) and compacted its log',
    )
  })
})

describe('the fake lab answers node.snapshot as the engine does', () => {
  it('refuses a node that is not running, and warns when nothing is new', async () => {
    const lab = new FakeLab()
    const seen: LabEvent[] = []
    lab.onEvents((evs) => seen.push(...evs))
    expect((await lab.command({ type: 'cluster.start', config: { nodes: 3 } })).ok).toBe(true)
    expect((await lab.command({ type: 'node.snapshot', node: 1 })).ok).toBe(true)
    expect(seen.at(-1)).toMatchObject({ type: 'node.warning', node: 1 })
    await lab.command({ type: 'node.stop', node: 2 })
    const refused = await lab.command({ type: 'node.snapshot', node: 2 })
    expect(refused).toMatchObject({ ok: false, error: 'n2 is not running (it is stopped)' })
  })
})
