// The replay store with a stand-in engine (issue 12, items 6 and 7): a replay opens framed on the
// recording and leaving it restores the live axis; a re-run from a replay stops the live cluster
// it would collide with, defaults to the recorded part of a recording made mid-session, and is
// stopped when its comparison is closed; Shift+Q in a replay says what it did.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPinia, setActivePinia } from 'pinia'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Recorder } from '../../../electron/lab/recording/recorder'
import { BridgeLabClient } from '../../../renderer/src/api/bridgeClient'
import { FakeLab } from '../../../renderer/src/api/fakeLab'
import { onKeydown } from '../../../renderer/src/keyboard'
import { useRerunStore } from '../../../renderer/src/replay/rerunStore'
import { useReplayStore } from '../../../renderer/src/replay/store'
import { useClusterStore } from '../../../renderer/src/stores/cluster'
import { useSessionStore } from '../../../renderer/src/stores/session'
import { useTimeAxisStore } from '../../../renderer/src/stores/timeAxis'
import { useToastStore } from '../../../renderer/src/stores/toasts'
import type { CommandResult, LabCommand } from '../../../shared/lab/commands'
import type { LabEvent } from '../../../shared/lab/events'
import type { RaftlabBridge } from '../../../shared/lab/ipc'
import type { RerunPlan } from '../../../shared/session/rerun'
import { applyEvent, emptyState } from '../../../shared/session/state'
import { fakeSession } from '../session/fakeSession'

const dir = mkdtempSync(join(tmpdir(), 'raftlab-replay-store-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const settle = () => new Promise((r) => setTimeout(r, 0))

/** A session whose cluster started at once; the recording covers 25 s … 37 s of it (the record
 * button pressed mid-session), with a pause and a resume in the recorded part. */
const all = fakeSession(7, 40, 40).filter((e) => e.type !== 'cluster.stopped')
const RECORD_FROM_MS = 25_000
const RECORD_TO_MS = 37_000
let bytes: Uint8Array

beforeAll(async () => {
  const before = all.filter((e) => e.timeMs <= RECORD_FROM_MS)
  const after = all.filter((e) => e.timeMs > RECORD_FROM_MS && e.timeMs <= RECORD_TO_MS)
  const initial = emptyState()
  for (const e of before) applyEvent(initial, e)
  let seq = (after[after.length - 1] as LabEvent).seq
  const cmd = (timeMs: number, command: LabCommand): LabEvent =>
    ({ type: 'command', id: seq, phase: 'started', command, seq: ++seq, timeMs }) as LabEvent
  // Commands at 27 s and 33 s (seq numbers after the rest: the recorder wants them in order, so
  // they go in by time with fresh numbers).
  const withCommands: LabEvent[] = [...after]
  withCommands.push(cmd(27_000, { type: 'node.pause', node: 2 }))
  withCommands.push(cmd(33_000, { type: 'node.resume', node: 2 }))
  withCommands.sort((a, b) => a.timeMs - b.timeMs)
  let n = initial.seq
  const events = withCommands.map((e) => ({ ...e, seq: ++n }))
  const path = join(dir, 'mid.raftrec')
  const r = Recorder.create(path, { source: 'app', initial })
  r.record(events)
  await r.close()
  bytes = new Uint8Array(readFileSync(path))
})

/** stubEngine is the fake lab behind a bridge that also answers the re-run commands the way the
 * engine does: a re-run is refused while a cluster runs. */
function stubEngine(lab: FakeLab): { bridge: RaftlabBridge; sent: LabCommand[] } {
  const sent: LabCommand[] = []
  const bridge: RaftlabBridge = {
    hello: () => lab.hello(),
    onEvents: (l) => lab.onEvents(l),
    command: async (c): Promise<CommandResult> => {
      sent.push(c)
      if (c.type === 'rerun.start') {
        if (lab.status().running)
          return {
            ok: false,
            code: 'state',
            error: 'stop the live cluster first: a re-run starts its own',
          }
        return { ok: true }
      }
      if (c.type === 'rerun.cancel') return { ok: true }
      return lab.command(c)
    },
  }
  return { bridge, sent }
}

let lab: FakeLab
let sent: LabCommand[]
let session: ReturnType<typeof useSessionStore> | null = null
beforeEach(async () => {
  setActivePinia(createPinia())
  lab = new FakeLab()
  const stub = stubEngine(lab)
  sent = stub.sent
  session = useSessionStore()
  session.connect(new BridgeLabClient(stub.bridge, 'fake'))
  await settle()
})
// Each test's session is closed: a store action of an earlier test's session (its lab's events
// arriving late) would make that test's Pinia the active one again.
afterEach(() => {
  session?.disconnect()
  session = null
})

describe('item 6: a replay is framed on its recording', () => {
  it('opens with the chart span of the recording, cursor unpinned; leaving restores live', () => {
    const axis = useTimeAxisStore()
    const session = useSessionStore()
    // Live settings a person might have: a five-minute span, a pinned cursor, frozen.
    axis.zoom(300_000 / axis.spanMs, 400_000)
    axis.pinnedMs = 123_456
    axis.freeze(400_000)
    const replay = useReplayStore()
    expect(replay.openBytes('mid.raftrec', bytes)).toBe(true)
    const o = replay.opened!
    expect(o.startMs).toBeGreaterThan(RECORD_FROM_MS - 1000)
    expect(o.startMs).toBeLessThanOrEqual(RECORD_FROM_MS)
    const spanMs = o.endMs - o.startMs
    expect(axis.spanMs).toBeCloseTo(spanMs, 3)
    expect(axis.pinnedMs).toBeNull()
    // The window holds exactly the recording, whatever the playhead.
    expect(axis.windowAt(session.nowMs())).toEqual({ fromMs: o.startMs, toMs: o.endMs })
    replay.seek(o.startMs + spanMs / 2)
    expect(axis.windowAt(session.nowMs())).toEqual({ fromMs: o.startMs, toMs: o.endMs })
    // Back to live: the span the person had, following now, no stale cursor.
    replay.close()
    expect(axis.spanMs).toBe(300_000)
    expect(axis.frozen).toBe(false)
    expect(axis.pinnedMs).toBeNull()
  })
})

describe('item 7: re-running from a replay', () => {
  it('(a) stops the live cluster first, when asked to, instead of failing', async () => {
    const cluster = useClusterStore()
    expect((await cluster.start({ nodes: 3 })).ok).toBe(true)
    useSessionStore().flush()
    const replay = useReplayStore()
    replay.openBytes('mid.raftrec', bytes)
    await useRerunStore().rerun({ part: 'whole' })
    const types = sent.map((c) => c.type)
    expect(types.indexOf('cluster.stop')).toBeGreaterThanOrEqual(0)
    expect(types.indexOf('cluster.stop')).toBeLessThan(types.lastIndexOf('rerun.start'))
    expect(useRerunStore().comparison).not.toBeNull()
    expect(useToastStore().toasts.filter((t) => t.kind === 'error')).toEqual([])
  })

  it('(a) the re-run dialog learns that a live cluster would be stopped', async () => {
    await useClusterStore().start({ nodes: 3 })
    useSessionStore().flush()
    const replay = useReplayStore()
    replay.openBytes('mid.raftrec', bytes)
    expect(useRerunStore().choices()?.liveClusterNodes).toBe(3)
  })

  it('(a) a refused re-run leaves the replay open', async () => {
    const cluster = useClusterStore()
    await cluster.start({ nodes: 3 })
    const replay = useReplayStore()
    replay.openBytes('mid.raftrec', bytes)
    // The engine refuses (here: the stop is not confirmed, so the live cluster still runs).
    await useRerunStore().rerun({ part: 'whole', stopLive: false })
    expect(replay.active).toBe(true)
    expect(useRerunStore().comparison).toBeNull()
  })

  it('(c) offers the recorded part of a recording made mid-session, by default', async () => {
    const replay = useReplayStore()
    replay.openBytes('mid.raftrec', bytes)
    const choices = useRerunStore().choices()
    await useRerunStore().rerun()
    const start = sent.find((c) => c.type === 'rerun.start') as { plan: RerunPlan } | undefined
    expect(start).toBeDefined()
    const plan = start!.plan
    // Not the whole session from the cluster's start (37 s): the recorded 12 s after a short
    // lead-in.
    expect(plan.durationMs).toBeLessThan(20_000)
    expect(choices!.defaultPart).toBe('recorded')
    expect(choices!.recordedMs).toBeCloseTo(RECORD_TO_MS - RECORD_FROM_MS, -2)
    expect(choices!.wholeMs).toBeGreaterThan(RECORD_TO_MS - 1000)
    const recorded = plan.commands.filter(
      (c) => c.command.type === 'node.pause' || c.command.type === 'node.resume',
    )
    expect(recorded.map((c) => c.command.type)).toEqual(['node.pause', 'node.resume'])
    expect(recorded[1]!.atMs - recorded[0]!.atMs).toBeCloseTo(6000, 0)
    expect(useRerunStore().comparison?.part).toBe('recorded')
  })

  it('(d) closing the comparison of a running re-run stops it', async () => {
    const replay = useReplayStore()
    replay.openBytes('mid.raftrec', bytes)
    await useRerunStore().rerun({ part: 'whole' })
    expect(useRerunStore().comparison?.running).toBe(true)
    await useRerunStore().closeComparison()
    expect(sent.map((c) => c.type)).toContain('rerun.cancel')
    expect(useRerunStore().comparison).toBeNull()
  })
})

describe('item 7 (b): Shift+Q in a replay', () => {
  const shiftQ = {
    key: 'Q',
    shiftKey: true,
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    target: null,
  } as unknown as KeyboardEvent

  it('stays in the replay, stops nothing, and says so with the live cluster’s truth', async () => {
    const cluster = useClusterStore()
    await cluster.start({ nodes: 3 })
    useSessionStore().flush()
    const replay = useReplayStore()
    replay.openBytes('mid.raftrec', bytes)
    // At the end of a recording its cluster may be gone while the live one runs: the old key
    // said "no cluster is running", which was false.
    replay.seek(replay.opened!.endMs)
    const before = sent.length
    expect(onKeydown(shiftQ)).toBe(true)
    expect(replay.active).toBe(true)
    expect(sent.slice(before).map((c) => c.type)).not.toContain('cluster.stop')
    const t = useToastStore().toasts.at(-1)!
    expect(t.message).toMatch(/replay/)
    expect(t.message).toMatch(/live cluster \(3 nodes\) is still running/)
    expect(t.action?.label).toBe('Stop the live cluster')
    // The action does what the key would have done live, and the replay stays.
    t.action!.run()
    await settle()
    expect(sent.map((c) => c.type)).toContain('cluster.stop')
    expect(replay.active).toBe(true)
  })
})
