// `raftlab test` end to end (the built CLI): runs that must end on time whatever the nemesis is
// doing, fault-free baselines, abandoned requests, every node killed at once.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseHistory } from '../../shared/check'

const dir = mkdtempSync(join(tmpdir(), 'raftlab-jepsen-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const bin = join(__dirname, '..', '..', 'bin', 'raftlab.cjs')

/** raftlab runs the built CLI; a run that hangs is killed after `timeoutMs` (code null). */
function raftlab(args: string[], timeoutMs = 90_000) {
  const res = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: timeoutMs })
  return { code: res.status, stdout: res.stdout, stderr: res.stderr }
}

interface Report {
  valid: unknown
  ops: { total: number; ok: number; fail: number; info: number }
  faults: number
  faultsByKind: Record<string, number>
  faultLog: { atMs: number; timeMicros: number; kind: string; description: string }[]
  durationMs: number
  historyFile: string
}

describe('raftlab test ends at its duration', () => {
  it('a fault interval far longer than the run does not hold the run past its end', () => {
    // The nemesis pauses a node within 2 s and then means to hold it for hours.
    const r = raftlab(
      [
        'test',
        '--nodes',
        '3',
        '--nemesis',
        'pause',
        '--fault-every',
        '100000s',
        '--duration',
        '4s',
        '--rate',
        '50',
        '--history',
        join(dir, 'long-fault.jsonl'),
        '--json',
      ],
      60_000,
    )
    expect(r.code, `exit ${r.code}: ${r.stderr}`).toBe(0)
    const rep = JSON.parse(r.stdout) as Report
    expect(rep.valid).toBe(true)
    expect(rep.faults).toBe(1)
    expect(rep.faultLog[0]?.description).toMatch(/^pause n\d/)
  })

  it('--nemesis none is a fault-free baseline', () => {
    const r = raftlab([
      'test',
      '--nodes',
      '3',
      '--nemesis',
      'none',
      '--duration',
      '2s',
      '--rate',
      '50',
      '--history',
      join(dir, 'baseline.jsonl'),
      '--json',
    ])
    expect(r.code, r.stderr).toBe(0)
    const rep = JSON.parse(r.stdout) as Report
    expect(rep.valid).toBe(true)
    expect(rep.faults).toBe(0)
    expect(rep.ops.ok).toBeGreaterThan(50)
  })
})

describe('raftlab test --abandon', () => {
  it('clients that give up on unanswered requests leave info operations, and the history checks', () => {
    // Pausing or killing the leader leaves requests unanswered; half of them are abandoned
    // instead of retried, so their writes may still take effect after the client moved on.
    const history = join(dir, 'abandon.jsonl')
    const r = raftlab([
      'test',
      '--nodes',
      '3',
      '--nemesis',
      'pause,kill',
      '--fault-every',
      '1s',
      '--duration',
      '8s',
      '--rate',
      '100',
      '--abandon',
      '50',
      '--history',
      history,
      '--json',
    ])
    expect(r.code, r.stdout + r.stderr).toBe(0)
    const rep = JSON.parse(r.stdout) as Report & { options: { abandonPercent: number } }
    expect(rep.valid).toBe(true)
    expect(rep.options.abandonPercent).toBe(50)
    expect(rep.ops.info).toBeGreaterThan(0)
    const events = parseHistory(readFileSync(history, 'utf8'))
    const infoWrites = events.filter((e) => e.type === 'info' && e.op !== 'get')
    expect(infoWrites.length).toBeGreaterThan(0)
    // And the same history checks the same from the command line on its own.
    const again = raftlab(['check', history, '--json'])
    expect(again.code, again.stderr).toBe(0)
    expect((JSON.parse(again.stdout) as Report).ops.info).toBe(rep.ops.info)
  })
})

describe('raftlab test --nemesis kill-all', () => {
  it('kills every node at once under load, restarts them, and every acknowledged write survives', () => {
    const history = join(dir, 'kill-all.jsonl')
    const r = raftlab([
      'test',
      '--nodes',
      '3',
      '--nemesis',
      'kill-all',
      '--fault-every',
      '2s',
      '--duration',
      '8s',
      '--rate',
      '100',
      '--history',
      history,
      '--json',
    ])
    expect(r.code, r.stdout + r.stderr).toBe(0)
    const rep = JSON.parse(r.stdout) as Report
    expect(rep.valid).toBe(true)
    expect(rep.faultsByKind['kill-all']).toBeGreaterThanOrEqual(1)
    expect(rep.faultLog.filter((f) => f.kind === 'kill-all').length).toBe(
      rep.faultsByKind['kill-all'],
    )
    expect(rep.faultLog[0]?.description).toMatch(/^kill every node \(n1,n2,n3\) at once/)
    // Writes were acknowledged before every node died, and operations invoked after the kill
    // (the cluster was down then, so they were served after the restart) succeeded: the
    // verdict covers acknowledged writes surviving the kill.
    const killedAt = rep.faultLog[0]!.timeMicros
    const events = parseHistory(readFileSync(history, 'utf8'))
    const invokedAt = new Map<number, number>()
    let ackedBefore = 0
    let servedAfter = 0
    for (const e of events) {
      if (e.type === 'invoke') invokedAt.set(e.process, e.time)
      else if (e.type === 'ok' && e.op !== 'get' && e.time < killedAt) ackedBefore++
      else if (e.type === 'ok' && (invokedAt.get(e.process) ?? 0) > killedAt) servedAfter++
    }
    expect(ackedBefore).toBeGreaterThan(0)
    expect(servedAfter).toBeGreaterThan(0)
    expect(rep.ops.ok).toBeGreaterThan(100)
  })
})
