// `snapshot <node>` in raftlab cluster: the line waits for what the node did, since the command
// itself only asks it.
import { describe, expect, it } from 'vitest'
import { runScript, SNAPSHOT_WAIT_MS } from '../../../electron/cli/clusterRun'
import type { LabEvent, LabEventBody } from '../../../shared/lab'
import { FakeIo, FakeLab } from './fakeLab'

const stamp = (body: LabEventBody): LabEvent => ({ ...body, seq: 1, timeMs: 0 }) as LabEvent

describe('snapshot <node>', () => {
  it('tells the snapshot the node reports', async () => {
    const lab = new FakeLab()
    lab.answer = (c) => {
      if (c.type === 'node.snapshot')
        lab.emit([
          stamp({
            type: 'node.snapshot',
            node: 3,
            kind: 'taken',
            index: 9,
            term: 1,
            bytes: 1,
            durationMs: 1,
          }),
          stamp({
            type: 'node.snapshot',
            node: 2,
            kind: 'taken',
            index: 473,
            term: 1,
            bytes: 25_123,
            durationMs: 8.94,
          }),
        ])
      return { ok: true }
    }
    const io = new FakeIo()
    expect(await runScript(lab, ['snapshot n2'], 3, io)).toBe(0)
    expect(lab.commands).toEqual([{ type: 'node.snapshot', node: 2 }])
    expect(io.said).toEqual([
      '> snapshot n2',
      '  ok n2 took a snapshot at index 473 (25123 B, 8.9 ms) and compacted its log',
    ])
    expect(lab.subscribers).toBe(0)
  })

  it('says why there was none, without failing the script', async () => {
    const lab = new FakeLab()
    lab.answer = () => {
      lab.emit([
        stamp({
          type: 'node.warning',
          node: 2,
          message: 'snapshot refused: nothing applied since the last snapshot at 473',
        }),
      ])
      return { ok: true }
    }
    const io = new FakeIo()
    expect(await runScript(lab, ['snapshot n2', 'status'], 3, io)).toBe(0)
    expect(io.said[1]).toBe(
      '  no snapshot: snapshot refused: nothing applied since the last snapshot at 473',
    )
  })

  it('fails the line when the lab refuses (a node that is not running)', async () => {
    const lab = new FakeLab()
    lab.answer = () => ({
      ok: false,
      error: 'n2 is not running (it is stopped); it cannot take a snapshot',
      code: 'state',
    })
    const io = new FakeIo()
    expect(await runScript(lab, ['snapshot n2'], 3, io)).toBe(1)
    expect(io.warned).toEqual([
      'raftlab cluster: line 1: snapshot n2: n2 is not running (it is stopped); it cannot take a snapshot',
    ])
    expect(io.slept).toEqual([])
  })

  it('gives up waiting after SNAPSHOT_WAIT_MS, saying it only asked', async () => {
    const lab = new FakeLab()
    const io = new FakeIo()
    expect(await runScript(lab, ['snapshot n1'], 3, io)).toBe(0)
    expect(io.slept.reduce((a, b) => a + b, 0)).toBe(SNAPSHOT_WAIT_MS)
    expect(io.said[1]).toBe('  ok asked; n1 has not reported a snapshot yet')
  })
})
