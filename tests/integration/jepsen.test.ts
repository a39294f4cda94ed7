// `raftlab test` end to end (the built CLI): runs that must end on time whatever the nemesis is
// doing, fault-free baselines, abandoned requests, every node killed at once.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

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
