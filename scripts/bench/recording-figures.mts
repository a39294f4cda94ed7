// Figures for recordings (issue 6). Run after `npm run build`, on a quiet machine:
//
//   npx tsx scripts/bench/recording-figures.mts overhead [rounds]   bench throughput with and
//        without --record, alternating (3 nodes, 16 clients, 10 s each)
//   npx tsx scripts/bench/recording-figures.mts size                 a 5-node cluster at 500
//        writes/s for 60 s, recorded: bytes per minute
//   npx tsx scripts/bench/recording-figures.mts hour [minute.raftrec] a one-hour recording built
//        from the real minute (every event re-timed into 60 consecutive minutes and written by the
//        recorder as a live session would be), then the time to open it and to seek anywhere
//
// Everything goes under .tmp/recording-figures/ and is printed as a table.
import { execFileSync } from 'node:child_process'
import { mkdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Recorder } from '../../electron/lab/recording/recorder.ts'
import { openRecording } from '../../electron/lab/recording/recording.ts'
import type { LabEvent } from '../../shared/lab/events.ts'

const out = join(import.meta.dirname, '..', '..', '.tmp', 'recording-figures')
mkdirSync(out, { recursive: true })
const bin = join(import.meta.dirname, '..', '..', 'bin', 'raftlab.cjs')
const q = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN
}

function bench(record: string | null): { writesPerSec: number; p50: number; p99: number } {
  const args = [bin, 'bench', '--nodes', '3', '--clients', '16', '--duration', '10s', '--json']
  if (record) args.push('--record', record)
  const json = JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' })) as {
    rows: { result: { writesPerSec: number; writeLatency: { p50: number; p99: number } } }[]
  }
  const r = json.rows[0]?.result
  if (!r) throw new Error('no bench row')
  return { writesPerSec: r.writesPerSec, p50: r.writeLatency.p50, p99: r.writeLatency.p99 }
}

async function overhead(rounds: number): Promise<void> {
  const rows: string[] = []
  const without: number[] = []
  const withRec: number[] = []
  for (let i = 0; i < rounds; i++) {
    // Alternate the order so a drifting machine does not favour one side.
    const order = i % 2 === 0 ? [false, true] : [true, false]
    for (const rec of order) {
      const path = rec ? join(out, `overhead-${i}.raftrec`) : null
      const r = bench(path)
      ;(rec ? withRec : without).push(r.writesPerSec)
      const size = path ? `${(statSync(path).size / 1024).toFixed(0)} KiB` : ''
      rows.push(
        `round ${i + 1} ${rec ? 'record ' : 'plain  '} ${r.writesPerSec.toFixed(0).padStart(7)} writes/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  ${size}`,
      )
      console.log(rows[rows.length - 1])
    }
  }
  const mw = q(without, 0.5)
  const mr = q(withRec, 0.5)
  console.log(
    `\nmedian throughput: without ${mw.toFixed(0)} writes/s, with --record ${mr.toFixed(0)} writes/s: ${(((mr - mw) / mw) * 100).toFixed(1)}%`,
  )
}

function size(): string {
  const path = join(out, 'five-nodes-500.raftrec')
  execFileSync(
    process.execPath,
    [
      bin,
      'bench',
      '--nodes',
      '5',
      '--mode',
      'open',
      '--rate',
      '500',
      '--duration',
      '60s',
      '--warmup',
      '1s',
      '--record',
      path,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  )
  const rec = openRecording(path)
  const bytes = statSync(path).size
  const minutes = rec.durationMs / 60_000
  console.log(
    `\n5 nodes @ 500 writes/s: ${bytes.toLocaleString('en-US')} bytes over ${(rec.durationMs / 1000).toFixed(1)} s, ${rec.events.toLocaleString('en-US')} events → ${(bytes / minutes / 1024).toFixed(0)} KiB per minute`,
  )
  return path
}

async function hour(minutePath: string): Promise<void> {
  const minute = openRecording(minutePath)
  const events = minute.eventsBetween(-Infinity, Infinity)
  const first = events[0] as LabEvent
  const last = events[events.length - 1] as LabEvent
  const span = last.timeMs - first.timeMs + 1
  const path = join(out, 'one-hour.raftrec')
  const t0 = performance.now()
  const recorder = Recorder.create(path, { source: 'bench' })
  let seq = 0
  let batch: LabEvent[] = []
  let second = 0
  for (let copy = 0; copy < 60; copy++) {
    for (const e of events) {
      // One cluster for the hour: later copies leave out the cluster's start and stop.
      if (copy > 0 && (e.type === 'cluster.started' || e.type === 'record.started')) continue
      if (copy < 59 && e.type === 'cluster.stopped') continue
      const timeMs = copy * span + (e.timeMs - first.timeMs)
      if (Math.floor(timeMs / 1000) !== second) {
        recorder.record(batch)
        recorder.flush()
        batch = []
        second = Math.floor(timeMs / 1000)
        // A live session hands the recorder a minute's events over a minute; here they come as
        // fast as the loop runs, so wait for its writes every 10 s of session time (else its
        // bounded queue overflows and the file is full of gaps no live session would have).
        if (second % 10 === 0) await recorder.settled()
      }
      batch.push({ ...e, seq: ++seq, timeMs })
    }
  }
  recorder.record(batch)
  const stats = await recorder.close()
  const bytes = statSync(path).size
  console.log(
    `one-hour recording: ${bytes.toLocaleString('en-US')} bytes, ${stats.events.toLocaleString('en-US')} events, ${stats.keyframes} keyframes (written in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  )
  const opens: number[] = []
  for (let i = 0; i < 7; i++) {
    const a = performance.now()
    const rec = openRecording(path)
    opens.push(performance.now() - a)
    if (rec.problems.length > 0) throw new Error(rec.problems[0]?.message)
  }
  const rec = openRecording(path)
  const seeks: number[] = []
  for (let i = 0; i < 200; i++) {
    // A fresh reader each time: no decoded chunk is cached, the worst case for a jump.
    const fresh = openRecording(path)
    const t = Math.random() * fresh.durationMs
    const a = performance.now()
    const s = fresh.stateAt(t)
    seeks.push(performance.now() - a)
    if (s.config === null) throw new Error('no state')
  }
  const b = performance.now()
  const markers = rec.markers().length
  const markerMs = performance.now() - b
  console.log(
    `open: median ${q(opens, 0.5).toFixed(0)} ms, max ${Math.max(...opens).toFixed(0)} ms (reads ${(bytes / 1048576).toFixed(1)} MiB and checks every chunk's CRC)`,
  )
  console.log(
    `seek (state at a random moment, cold cache, 200 seeks): median ${q(seeks, 0.5).toFixed(1)} ms, p99 ${q(seeks, 0.99).toFixed(1)} ms, max ${Math.max(...seeks).toFixed(1)} ms`,
  )
  console.log(`markers: ${markers} from the index in ${markerMs.toFixed(1)} ms`)
}

const [what = 'all', arg] = process.argv.slice(2)
if (what === 'overhead') await overhead(Number(arg ?? 3))
else if (what === 'size') size()
else if (what === 'hour') await hour(arg ?? join(out, 'five-nodes-500.raftrec'))
else {
  await overhead(3)
  await hour(size())
}
