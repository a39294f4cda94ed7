// Recording real sessions: the app's record commands on a live lab (starting mid-session), a
// re-run of the recording, and the CLI (`cluster --record`, `replay` in every format, `rerun`,
// and a clear message with its own exit status for each kind of bad file).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { LabEvent } from '../../shared/lab/events'
import { planRerun } from '../../shared/session/rerun'
import { openRecording, summarizeRecording } from '../../electron/lab/recording/recording'
import { closeAndCheck, startLab } from './helpers'

const bin = join(__dirname, '..', '..', 'bin', 'raftlab.cjs')
const dir = mkdtempSync(join(tmpdir(), 'raftlab-recording-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function raftlab(args: string[]) {
  const res = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 })
  return { code: res.status, stdout: res.stdout, stderr: res.stderr }
}

describe('recording a live lab', () => {
  it('records from mid-session: the first keyframe holds the session before the button', async () => {
    const t = await startLab({ nodes: 3 }, undefined)
    const leader = await t.leader()
    const put = await t.lab.command({ type: 'kv.put', key: 'before', value: '1' })
    expect(put.ok).toBe(true)
    const path = join(dir, 'mid.raftrec')
    const info = t.lab.startRecording(path, 'app')
    expect(info).toMatchObject({ path, active: true })
    await t.lab.command({ type: 'node.crash', node: leader })
    await t.leader(10_000, leader)
    await t.lab.command({ type: 'kv.put', key: 'after', value: '2' })
    await t.lab.command({ type: 'node.restart', node: leader })
    const done = await t.lab.stopRecording()
    expect(done.active).toBe(false)
    expect(done.events).toBeGreaterThan(10)
    await closeAndCheck(t)

    const rec = openRecording(path)
    expect(rec.problems).toEqual([])
    // The first keyframe holds the session before the record button: the cluster and its leader.
    const first = rec.stateAt(rec.startMs)
    expect(first.config?.nodes).toBe(3)
    expect(first.counters.clientOps).toBe(1)
    const s = summarizeRecording(rec, path)
    expect(s.faults).toBe(1)
    expect(s.clientOps).toBe(2)
    expect(rec.markers().some((m) => m.kind === 'leader')).toBe(true)
    const types = new Set(rec.eventsBetween(-Infinity, Infinity).map((e: LabEvent) => e.type))
    expect(types).toContain('record.started')
    expect(types).toContain('fault')
  })

  it('runs record.start / record.stop as commands, naming files in the recordings folder', async () => {
    const { Lab } = await import('../../electron/lab/engine/lab')
    const recordingsDir = join(dir, 'named')
    const lab = new Lab({ recordingsDir })
    try {
      const bad = await lab.command({ type: 'record.stop' })
      expect(bad).toMatchObject({ ok: false, code: 'state', error: 'not recording' })
      const a = await lab.command({ type: 'record.start', name: 'demo' })
      expect(a.ok && a.recording?.path).toBe(join(recordingsDir, 'demo.raftrec'))
      const twice = await lab.command({ type: 'record.start' })
      expect(twice).toMatchObject({ ok: false, code: 'state' })
      expect(await lab.command({ type: 'record.stop' })).toMatchObject({ ok: true })
      // The same name again does not overwrite the first recording.
      const b = await lab.command({ type: 'record.start', name: 'demo' })
      expect(b.ok && b.recording?.path).toBe(join(recordingsDir, 'demo-2.raftrec'))
    } finally {
      await lab.close()
    }
    expect(openRecording(join(recordingsDir, 'demo-2.raftrec')).problems).toEqual([])
  })

  it('re-runs a plan as a command, recording it, and reports when it is done', async () => {
    const { Lab } = await import('../../electron/lab/engine/lab')
    const lab = new Lab({ recordingsDir: join(dir, 'reruns') })
    const events: LabEvent[] = []
    lab.subscribe((b) => events.push(...b))
    try {
      const plan = {
        config: { ...(await import('../../shared/lab/config')).DEFAULT_CLUSTER_CONFIG, nodes: 3 },
        commands: [
          { atMs: 800, command: { type: 'node.pause' as const, node: 1 } },
          { atMs: 1500, command: { type: 'node.resume' as const, node: 1 } },
          { atMs: 1600, command: { type: 'node.resume' as const, node: 1 } },
        ],
        durationMs: 2000,
      }
      const r = await lab.command({ type: 'rerun.start', plan, record: true, name: 'again' })
      expect(r.ok).toBe(true)
      const deadline = Date.now() + 20_000
      while (!events.some((e) => e.type === 'rerun.done') && Date.now() < deadline) {
        await new Promise((res) => setTimeout(res, 100))
      }
      const done = events.find((e) => e.type === 'rerun.done')
      expect(done).toMatchObject({ cancelled: false })
      if (done?.type !== 'rerun.done') throw new Error('no rerun.done')
      // Resuming a node that is not paused fails, and the re-run says so.
      expect(done.failedCommands).toEqual([
        { atMs: 1600, type: 'node.resume', error: expect.stringMatching(/not paused/) },
      ])
      expect(events.some((e) => e.type === 'rerun.progress')).toBe(true)
      expect(lab.status().running).toBe(false)
      const rec = openRecording(done.recording?.path ?? '')
      expect(rec.meta.source).toBe('rerun')
      const again = planRerun(rec.iterate())
      expect(again.commands.map((c) => c.command.type)).toEqual([
        'node.pause',
        'node.resume',
        'node.resume',
      ])
    } finally {
      await lab.close()
    }
  })
})

describe('raftlab replay / rerun (built CLI)', () => {
  const rec = join(dir, 'cli.raftrec')

  it('cluster --record writes a recording that replay summarizes', () => {
    const script = join(dir, 'script.txt')
    writeFileSync(
      script,
      [
        'wait-leader 10s',
        'put a 1',
        'kill n1',
        'sleep 500ms',
        'wait-leader 10s',
        'put b 2',
        'restart n1',
        'sleep 300ms',
      ].join('\n'),
    )
    const r = raftlab(['cluster', '--nodes', '3', '--script', script, '--record', rec])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/recorded [\d,]+ events to .*cli\.raftrec \(\d+ KiB\)/)
    const s = raftlab(['replay', rec])
    expect(s.code, s.stderr).toBe(0)
    expect(s.stdout).toMatch(/duration\s+\d+\.\d s, [\d,]+ events/)
    expect(s.stdout).toMatch(/nodes\s+3/)
    expect(s.stdout).toMatch(/faults\s+1\b/)
    expect(s.stdout).toMatch(/write latency p50 \d+\.\d\d ms/)
  })

  it('replay --events, --csv and --json', () => {
    const ev = raftlab(['replay', rec, '--events'])
    expect(ev.code).toBe(0)
    const lines = ev.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as LabEvent)
    expect(lines[0]?.type).toBe('record.started')
    expect(lines.some((e) => e.type === 'cluster.started')).toBe(true)
    const csv = raftlab(['replay', rec, '--csv'])
    expect(csv.stdout.split('\n')[0]).toBe(
      'timeMs,writesPerSec,readsPerSec,p50Ms,p99Ms,maxMs,writes,fail,info',
    )
    const json = JSON.parse(raftlab(['replay', rec, '--json']).stdout) as {
      nodes: number
      markers: unknown[]
    }
    expect(json.nodes).toBe(3)
    expect(json.markers.length).toBeGreaterThan(0)
    expect(raftlab(['replay', rec, '--csv', '--json']).code).toBe(2)
  })

  it('rerun plays the recording again and compares', () => {
    const out = join(dir, 'cli-again.raftrec')
    const r = raftlab(['rerun', rec, '--record', out])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/re-ran .* → .*cli-again\.raftrec \(4 commands replayed/)
    expect(r.stdout).toMatch(/Real timing differs between runs/)
    expect(openRecording(out).meta.rerunOf).toBe(rec)
  })

  it('says what is wrong with each kind of bad file', () => {
    const bytes = readFileSync(rec)
    const cases: [string, Uint8Array | null, number, RegExp][] = [
      ['missing.raftrec', null, 1, /missing\.raftrec: no such file/],
      ['empty.raftrec', new Uint8Array(0), 1, /the file is empty: it is not a raftlab recording/],
      [
        'notes.txt',
        new TextEncoder().encode('hello, world'),
        1,
        /not a raftlab recording \(it starts with "hello, w"\)/,
      ],
      [
        'future.raftrec',
        Uint8Array.from(bytes, (b, i) => (i === 8 ? 9 : b)),
        1,
        /recorded by a newer raftlab \(recording format 9\.0\).*upgrade raftlab/,
      ],
      [
        'cut.raftrec',
        bytes.subarray(0, bytes.length - 100),
        3,
        /truncated\s+the recording is cut short at byte \d+ of \d+/,
      ],
      [
        'flipped.raftrec',
        Uint8Array.from(bytes, (b, i) => (i === bytes.length - 200 ? b ^ 0xff : b)),
        3,
        /damaged\s+\d+ damaged bytes at byte \d+/,
      ],
    ]
    for (const [name, content, code, message] of cases) {
      const p = join(dir, name)
      if (content) writeFileSync(p, content)
      const r = raftlab(['replay', p])
      expect(r.code, `${name}: ${r.stderr}`).toBe(code)
      expect(r.stdout + r.stderr, name).toMatch(message)
      expect(r.stderr, name).not.toMatch(/at .*\.js:\d+/) // no stack traces
    }
    const dirArg = raftlab(['replay', dir])
    expect(dirArg.stderr).toMatch(/is a directory, not a recording/)
  })
})
