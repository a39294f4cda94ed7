// The built `raftlab` command, run as a user would (bin/raftlab.cjs → out/main/cli.js).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const bin = join(__dirname, '..', '..', 'bin', 'raftlab.cjs')
const dir = mkdtempSync(join(tmpdir(), 'raftlab-cli-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function raftlab(args: string[], input?: string) {
  const res = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    input,
    timeout: 120_000,
  })
  return { code: res.status, stdout: res.stdout, stderr: res.stderr }
}

describe('raftlab (built CLI)', () => {
  it('--help lists its commands', () => {
    const r = raftlab(['--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/\bsim\b/)
    expect(r.stdout).toMatch(/\bcluster\b/)
  })

  it('refuses an unknown command, inherited names included, with exit 2 and the list', () => {
    for (const name of ['frobnicate', 'constructor', 'toString', '__proto__']) {
      const r = raftlab([name])
      expect(r.code, name).toBe(2)
      expect(r.stderr).toContain(`raftlab: unknown command '${name}'`)
      expect(r.stderr).not.toMatch(/TypeError/)
    }
  })

  it('sim --json reports seeds, steps and no violations', () => {
    const r = raftlab(['sim', '--seeds', '20', '--steps', '500', '--json'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as { seeds: number; steps: number; violations: unknown[] }
    expect(out.seeds).toBe(20)
    expect(out.steps).toBe(20 * 500)
    expect(out.violations).toEqual([])
  })

  it('sim refuses bad options with exit 2 and the usage', () => {
    const r = raftlab(['sim', '--nodes', '12'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--nodes must be an integer from 1 to 9/)
  })

  it('cluster --script runs commands against real processes and --json prints the final status', () => {
    const script = join(dir, 'ok.txt')
    writeFileSync(
      script,
      [
        'wait-leader 10s',
        'put a 1',
        'get a',
        'pause n1',
        'resume n1',
        'cut n1 n2 both',
        'heal',
        'sleep 200ms',
      ].join('\n'),
    )
    const r = raftlab(['cluster', '--nodes', '3', '--script', script, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout) as {
      leader: number | null
      nodes: { id: number; role: string }[]
    }
    expect(out.nodes).toHaveLength(3)
    expect(out.leader).not.toBeNull()
    expect(r.stderr).toMatch(/ok "1" index=\d+/)
  })

  it('cluster --script stops at a failing command with its line number and exit 1', () => {
    const script = join(dir, 'bad.txt')
    writeFileSync(script, ['wait-leader 10s', 'put a 1', 'pause n1', 'pause n1'].join('\n'))
    const r = raftlab(['cluster', '--nodes', '3', '--script', script])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/line 4: pause n1: n1 is already paused/)
  })

  it('cluster --events prints the LabEvent stream as NDJSON', () => {
    const script = join(dir, 'events.txt')
    writeFileSync(script, ['wait-leader 10s', 'put k v'].join('\n'))
    const r = raftlab(['cluster', '--nodes', '3', '--script', script, '--events'])
    expect(r.code, r.stderr).toBe(0)
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; type: string })
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1))
    const types = new Set(events.map((e) => e.type))
    for (const t of [
      'cluster.started',
      'node.process',
      'node.status',
      'node.raft',
      'client.op',
      'cluster.stopped',
    ]) {
      expect(types, t).toContain(t)
    }
  })
})
