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
  faultLog: { atMs: number; description: string }[]
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
