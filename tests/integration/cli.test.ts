// The built `raftlab` command, run as a user would (bin/raftlab.cjs → out/main/cli.js).
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
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
    expect(r.stdout).toMatch(/^ {2}check {2,}\S/m)
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

  it('cluster --script: snapshot <node> compacts a real node, and status and --json show it', () => {
    const script = join(dir, 'snap.txt')
    // The sleep lets the commit index reach n2 (with the next heartbeat) so it has applied both.
    writeFileSync(
      script,
      ['wait-leader 10s', 'put a 1', 'put b 2', 'sleep 300ms', 'snapshot n2', 'status'].join('\n'),
    )
    const r = raftlab(['cluster', '--nodes', '3', '--script', script, '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/ok n2 took a snapshot at index \d+ \(\d+ B, [\d.]+ ms\)/)
    expect(r.stderr).toMatch(/COMMIT +LAST +FIRST +SNAP +LINKS CUT/)
    const out = JSON.parse(r.stdout) as { nodes: { id: number; snapshotIndex: number | null }[] }
    expect(out.nodes.find((n) => n.id === 2)?.snapshotIndex).toBeGreaterThanOrEqual(2)
  })

  it('cluster --script stops at a failing command with its line number and exit 1', () => {
    const script = join(dir, 'bad.txt')
    writeFileSync(script, ['wait-leader 10s', 'put a 1', 'pause n1', 'pause n1'].join('\n'))
    const r = raftlab(['cluster', '--nodes', '3', '--script', script])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/line 4: pause n1: n1 is already paused/)
  })

  describe('nodes that cannot start', () => {
    const data = join(dir, 'refusals')
    const script = (name: string, lines: string[]): string => {
      const path = join(dir, name)
      writeFileSync(path, lines.join('\n'))
      return path
    }

    it('a node whose hard-state file is gone is named with its reason, and the exit status is 3', () => {
      const first = raftlab(['cluster', '--dir', data, '--script', script('w.txt', ['put a 1'])])
      expect(first.code, first.stderr).toBe(0)
      cpSync(data, `${data}-2`, { recursive: true })
      rmSync(join(data, 'n1', 'hardstate'))
      const lines = ['wait-leader 10s', 'put b 2', 'sleep 200ms', 'status']
      const r = raftlab(['cluster', '--dir', data, '--script', script('s.txt', lines), '--json'])
      expect(r.code, r.stderr).toBe(3)
      const why =
        /n1 could not start: exited with code 3: cannot open its storage: storage in \S+ is inconsistent: the hard-state file \S+hardstate is missing, yet the WAL holds entries up to index \d+/
      // Under the status table (indented under `status`), and once more at the end.
      expect(r.stderr).toMatch(new RegExp(`\n  ${why.source}`))
      expect(r.stderr).toMatch(new RegExp(`\nraftlab cluster: ${why.source}`))
      const out = JSON.parse(r.stdout) as {
        leader: number | null
        nodes: { state: string; detail: string | null; isStartFailure: boolean }[]
      }
      expect(out.leader).not.toBeNull()
      expect(out.nodes[0]).toMatchObject({ state: 'crashed', isStartFailure: true })
      expect(out.nodes[0]?.detail).toMatch(/hardstate is missing/)
      expect(out.nodes.slice(1).map((n) => n.isStartFailure)).toEqual([false, false])
    })

    it('wait-leader says at once that no leader is possible, and names the nodes and why', () => {
      const copy = `${data}-2`
      rmSync(join(copy, 'n1', 'hardstate'))
      rmSync(join(copy, 'n2', 'hardstate'))
      const r = raftlab([
        'cluster',
        '--dir',
        copy,
        '--script',
        script('l.txt', ['wait-leader 60s']),
      ])
      expect(r.code, r.stderr).toBe(3)
      expect(r.stderr).toMatch(
        /raftlab cluster: line 1: wait-leader 60s: no leader possible: 2 of 3 nodes could not start, and a leader needs 2\n {2}n1 could not start: [^\n]*hardstate is missing[^\n]*\n {2}n2 could not start: [^\n]*hardstate is missing/,
      )
      // Said once: the failing line already named them.
      expect(r.stderr.match(/n1 could not start/g)).toHaveLength(1)
    })
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

describe('raftlab check (built CLI)', () => {
  const line = (e: Record<string, unknown>) => JSON.stringify({ key: 'k1', ...e })
  // p1 writes "a"; p2 reads it after; p3's cas expecting "b" fails.
  const good = [
    line({ type: 'invoke', process: 1, op: 'put', value: 'a', time: 10 }),
    line({ type: 'ok', process: 1, op: 'put', value: 'a', time: 20 }),
    line({ type: 'invoke', process: 2, op: 'get', time: 30 }),
    line({ type: 'ok', process: 2, op: 'get', value: 'a', time: 40 }),
    line({ type: 'invoke', process: 3, op: 'cas', value: 'c', expected: 'b', time: 50 }),
    line({ type: 'fail', process: 3, op: 'cas', value: 'c', expected: 'b', time: 60 }),
    line({ type: 'invoke', process: 1, op: 'put', value: 'd', time: 70 }),
    '',
  ].join('\n')
  // A read after the write completed still sees the key absent: a stale read.
  const stale = [
    line({ type: 'invoke', process: 1, op: 'put', value: 'a', time: 10 }),
    line({ type: 'ok', process: 1, op: 'put', value: 'a', time: 20 }),
    line({ type: 'invoke', process: 2, op: 'get', time: 30 }),
    line({ type: 'ok', process: 2, op: 'get', value: null, time: 40 }),
  ].join('\n')

  it('gives the verdict and counts of raftlab test, as text or JSON, with exit 0', () => {
    const file = join(dir, 'good.jsonl')
    writeFileSync(file, good)
    const text = raftlab(['check', file])
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toMatch(/verdict +linearizable/)
    expect(text.stdout).toMatch(/operations +4: 2 ok, 1 fail, 1 info/)
    const r = raftlab(['check', file, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout) as {
      valid: unknown
      ops: { total: number; ok: number; fail: number; info: number }
      check: { keys: number; ops: number }
      historyFile: string
    }
    expect(out.valid).toBe(true)
    expect(out.ops).toMatchObject({ total: 4, ok: 2, fail: 1, info: 1 })
    expect(out.check).toEqual({ keys: 1, ops: 3 })
    expect(out.historyFile).toBe(file)
  })

  it('a violation: exit 1 and the witness', () => {
    const file = join(dir, 'stale.jsonl')
    writeFileSync(file, stale)
    const text = raftlab(['check', file])
    expect(text.code).toBe(1)
    expect(text.stdout).toMatch(/NOT LINEARIZABLE/)
    expect(text.stdout).toMatch(/key "k1": get by process 2 returned absent/)
    const r = raftlab(['check', file, '--json'])
    expect(r.code).toBe(1)
    const out = JSON.parse(r.stdout) as { valid: unknown; check: { witness?: string } }
    expect(out.valid).toBe(false)
    expect(out.check.witness).toMatch(/could not be placed/)
  })

  it('unknown when the time budget runs out: exit 3 and the reason', () => {
    // Thousands of keys take far more than 1 ms to search; the clock is read between keys.
    const file = join(dir, 'many-keys.jsonl')
    const lines: string[] = []
    for (let k = 0; k < 5000; k++) {
      const base = { process: k, op: 'put', key: `k${k}`, value: 'v' }
      lines.push(JSON.stringify({ ...base, type: 'invoke', time: 2 * k }))
      lines.push(JSON.stringify({ ...base, type: 'ok', time: 2 * k + 1 }))
    }
    writeFileSync(file, lines.join('\n'))
    const r = raftlab(['check', file, '--time-budget', '1ms'])
    expect(r.code, r.stderr).toBe(3)
    expect(r.stdout).toMatch(/verdict +unknown \(key "k\d+": time budget exhausted/)
    const zero = raftlab(['check', file, '--time-budget', '0ms'])
    expect(zero.code).toBe(2)
    expect(zero.stderr).toMatch(/--time-budget takes a duration/)
  })

  it('a missing or unreadable file: a clear error, exit 2', () => {
    const missing = raftlab(['check', join(dir, 'nope.jsonl')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/raftlab check: cannot read .*nope\.jsonl: no such file/)
    const isDir = raftlab(['check', dir])
    expect(isDir.code).toBe(2)
    expect(isDir.stderr).toMatch(/cannot read .*: it is a directory/)
  })

  it('a malformed line: its line number, exit 2', () => {
    const file = join(dir, 'bad.jsonl')
    writeFileSync(file, [good.split('\n')[0], good.split('\n')[1], '{"type": "ok"', ''].join('\n'))
    const r = raftlab(['check', file])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/bad\.jsonl: line 3: not JSON/)
    const shape = join(dir, 'shape.jsonl')
    writeFileSync(
      shape,
      [good.split('\n')[0], '', line({ type: 'ok', op: 'put', time: 1 })].join('\n'),
    )
    const s = raftlab(['check', shape])
    expect(s.code).toBe(2)
    expect(s.stderr).toMatch(/shape\.jsonl: line 3: process is not a number/)
  })

  it('needs exactly one file', () => {
    const r = raftlab(['check'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/Usage: raftlab check HISTORY/)
  })
})
