// `npm run bench:ui`: does the app stay responsive under load? Browser mode (`raftlab serve`) in
// Debian's Chromium, driven as a person would: a 7-node cluster from the form, an open-loop
// workload of 2,000 writes/s from the workload panel, then DURATION seconds of watching, the first
// WARMUP of them left out of "steady state". Every SAMPLE seconds: long tasks (PerformanceObserver
// 'longtask'), JS heap and DOM size (CDP Performance.getMetrics), main-thread busy time and the
// write rate the cluster achieved (the workload.sample events on the page's own WebSocket). At the
// end: a report, the renderer's own timings (?perf → window.raftlabPerf.stats()) and every sample
// as JSON. Figures to read, not a timed test; run it on a quiet machine.
//
//   npm run build && npm run bench:ui                  7 nodes, 2,000 writes/s, 600 s (30 s warm-up)
//   DURATION=60 WARMUP=15 npm run bench:ui             a short look
//   NODES=5 RATE=500 CONCURRENCY=64 SAMPLE=10 OUT=.tmp/bench-ui.json RAFTLAB_CHROMIUM=/usr/bin/chromium
//   DURATION=60 WARMUP=15 TRACE=20 npm run bench:ui    + a Chrome trace of 20 s of steady state,
//       then `npx tsx scripts/bench/trace-tasks.mts .tmp/bench-ui-trace.json` says what the long
//       tasks were made of
//   DURATION=90 WARMUP=15 PROFILE=60 npm run bench:ui  + a JavaScript CPU profile of 60 s
//
// DURATION counts from the moment the workload runs and includes WARMUP. CONCURRENCY is the
// panel's "max in flight" (the form's default, 16, caps an open loop at 16 / latency). Only
// 127.0.0.1 is used; the server (and with it every node process) is stopped by pid at the end, on
// errors and on Ctrl-C.
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import {
  chromium,
  type Browser,
  type CDPSession,
  type Page,
  type WebSocket as PwWebSocket,
} from '@playwright/test'
import type { WorkloadSample } from '../../shared/lab/workload.ts'
import { CHROMIUM, CHROMIUM_ARGS, startServe } from '../../tests/e2e/browserMode.ts'

const root = join(import.meta.dirname, '..', '..')

function numEnv(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isFinite(n)) usage(`${name}=${raw} is not a number`)
  return n
}
function usage(message: string): never {
  console.error(`bench:ui: ${message}`)
  console.error(
    'usage: [NODES=7] [RATE=2000] [CONCURRENCY=64] [DURATION=600] [WARMUP=30] [SAMPLE=10] ' +
      '[OUT=.tmp/bench-ui.json] [RAFTLAB_CHROMIUM=/usr/bin/chromium] npm run bench:ui',
  )
  process.exit(2)
}

const NODES = numEnv('NODES', 7)
const RATE = numEnv('RATE', 2000)
const CONCURRENCY = numEnv('CONCURRENCY', 64)
const DURATION_S = numEnv('DURATION', 600)
const WARMUP_S = numEnv('WARMUP', 30)
const SAMPLE_S = numEnv('SAMPLE', 10)
const OUT = resolve(root, process.env.OUT || join('.tmp', 'bench-ui.json'))
/** TRACE: seconds of Chrome trace to record from the start of steady state (0: none); written
 * next to OUT as …-trace.json, for chrome://tracing, Perfetto or scripts/bench/trace-tasks.mts. */
const TRACE_S = numEnv('TRACE', 0)
/** PROFILE: seconds of JavaScript CPU profile (CDP Profiler) from the start of steady state;
 * written next to OUT as …-profile.cpuprofile (DevTools opens it), the top functions printed. */
const PROFILE_S = numEnv('PROFILE', 0)
/** LONG_MS: the issue's bar; the Long Tasks API reports tasks of 50 ms and more. */
const LONG_MS = 50

if (!(Number.isInteger(NODES) && NODES >= 1 && NODES <= 9)) usage('NODES: 1 to 9')
if (!(RATE >= 1 && RATE <= 1_000_000)) usage('RATE: 1 to 1,000,000 writes a second')
if (!(Number.isInteger(CONCURRENCY) && CONCURRENCY >= 1 && CONCURRENCY <= 4096))
  usage('CONCURRENCY: a whole number from 1 to 4096')
if (!(SAMPLE_S >= 1 && SAMPLE_S <= 60)) usage('SAMPLE: 1 to 60 seconds')
if (!(TRACE_S >= 0 && TRACE_S <= 120)) usage('TRACE: 0 to 120 seconds')
if (!(PROFILE_S >= 0 && PROFILE_S <= 600)) usage('PROFILE: 0 to 600 seconds')
if (!(WARMUP_S >= 0 && DURATION_S > WARMUP_S && DURATION_S <= 24 * 3600))
  usage('DURATION > WARMUP ≥ 0 (seconds; DURATION includes the warm-up)')
if (
  !existsSync(join(root, 'out', 'renderer', 'index.html')) ||
  !existsSync(join(root, 'out', 'main'))
)
  usage('the app is not built (no out/): run `npm run build` first')
if (!existsSync(CHROMIUM))
  usage(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set RAFTLAB_CHROMIUM)`)

// ---- processes: started here, stopped here (by pid), whatever happens ---------------------------

let server: ChildProcess | null = null
/** serverOutput: the tail of what the server printed. */
let serverOutput = (): string => ''
let browser: Browser | null = null
const scratch = mkdtempSync(join(tmpdir(), 'raftlab-bench-ui-'))
const stopping = new AbortController()
let cleaning: Promise<void> | null = null

const alive = (c: ChildProcess | null): c is ChildProcess =>
  c !== null && c.exitCode === null && c.signalCode === null && c.pid !== undefined

/** cleanup closes the browser and stops the server (SIGTERM, then SIGKILL after 15 s); once. */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    const b = browser
    browser = null
    if (b) await Promise.race([b.close().catch(() => {}), sleepPlain(10_000)])
    const s = server
    if (alive(s)) {
      const exited = new Promise((r) => s.once('exit', r))
      s.kill('SIGTERM')
      const timer = setTimeout(() => {
        if (alive(s)) s.kill('SIGKILL')
      }, 15_000)
      await exited
      clearTimeout(timer)
    }
    server = null
    rmSync(scratch, { recursive: true, force: true })
  })()
  return cleaning
}
for (const [sig, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const) {
  process.once(sig, () => {
    console.error(`\nbench:ui: ${sig}: stopping the browser and the server…`)
    stopping.abort()
    void cleanup().finally(() => process.exit(code))
  })
}
// Last resort (an exit nobody awaited): never leave the server, and so its nodes, behind.
process.once('exit', () => {
  if (alive(server)) server.kill('SIGKILL')
})

function sleepPlain(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
/** sleep waits, but gives up (throwing) when the run is being stopped. */
function sleep(ms: number): Promise<void> {
  return new Promise((res, rej) => {
    if (stopping.signal.aborted) return rej(new Error('stopped'))
    const t = setTimeout(() => {
      stopping.signal.removeEventListener('abort', onAbort)
      res()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(t)
      rej(new Error('stopped'))
    }
    stopping.signal.addEventListener('abort', onAbort, { once: true })
  })
}

/** startServer runs `raftlab serve --no-open` (held in `server` at once, so cleanup stops it
 * whatever happens) and returns the URL it prints. */
function startServer(): Promise<string> {
  const serve = startServe(join(scratch, 'recordings'))
  server = serve.child
  serverOutput = serve.output
  return serve.url
}

// ---- what the page tells us --------------------------------------------------------------------

interface LongTask {
  /** startTime, duration: the entry's, in the page's clock (ms). */
  startTime: number
  duration: number
  name: string
}
interface PerfStat {
  count: number
  totalMs: number
  maxMs: number
  over16: number
  over50: number
  meanMs: number
}
type PerfStats = Record<string, PerfStat>

// Installed before the app's scripts: every long task from page load on, drained by each sample.
const INIT_SCRIPT = `(() => {
  const w = window
  w.__benchLongTasks = []
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        w.__benchLongTasks.push({ startTime: e.startTime, duration: e.duration, name: e.name })
    }).observe({ type: 'longtask', buffered: true })
    w.__benchLongTaskObserver = 'ok'
  } catch (e) {
    w.__benchLongTaskObserver = String(e)
  }
})()`
const DRAIN = `(() => ({
  now: performance.now(),
  tasks: (window.__benchLongTasks || []).splice(0),
  elements: document.getElementsByTagName('*').length,
  regions: Object.fromEntries(
    ['cluster-view', 'log-view', 'narrative', 'charts', 'new-cluster', 'faults'].map((id) => {
      const el = document.querySelector('[data-testid="' + id + '"]')
      return [id, el ? el.getElementsByTagName('*').length : 0]
    }),
  ),
}))()`
const PERF_STATS = `window.raftlabPerf ? window.raftlabPerf.stats() : null`
const PERF_RESET = `window.raftlabPerf && window.raftlabPerf.reset()`

/** Traffic counts what the page's WebSocket brought in since the last sample. */
interface Traffic {
  frames: number
  bytes: number
  hellos: number
  samples: number
  windowMs: number
  writes: number
  reads: number
  fail: number
  info: number
  maxP99Ms: number
}
const emptyTraffic = (): Traffic => ({
  frames: 0,
  bytes: 0,
  hellos: 0,
  samples: 0,
  windowMs: 0,
  writes: 0,
  reads: 0,
  fail: 0,
  info: 0,
  maxP99Ms: 0,
})

function watchSocket(ws: PwWebSocket, traffic: { now: Traffic; hellos: number }): void {
  if (!/\/lab\?/.test(ws.url())) return
  ws.on('framereceived', ({ payload }) => {
    const text = typeof payload === 'string' ? payload : payload.toString('utf8')
    const t = traffic.now
    t.frames++
    t.bytes += text.length
    if (text.startsWith('{"kind":"hello"')) {
      // A hello's recent events repeat old samples: count the (re)connect, not its contents.
      t.hellos++
      traffic.hellos++
      return
    }
    if (!text.startsWith('{"kind":"events"') || !text.includes('"workload.sample"')) return
    const msg = JSON.parse(text) as { events: { type: string; sample?: WorkloadSample }[] }
    for (const e of msg.events) {
      if (e.type !== 'workload.sample' || !e.sample) continue
      const s = e.sample
      t.samples++
      t.windowMs += s.windowMs
      t.writes += s.writes
      t.reads += s.reads
      t.fail += s.fail
      t.info += s.info
      t.maxP99Ms = Math.max(t.maxP99Ms, s.p99Ms)
    }
  })
}

async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics: ms } = await cdp.send('Performance.getMetrics')
  return Object.fromEntries(ms.map((m) => [m.name, m.value]))
}
const MB = 1024 * 1024

/** heapAfterGc forces a full collection in the page and returns the heap it keeps (MB). */
async function heapAfterGc(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage')
  return ((await metrics(cdp)).JSHeapUsedSize ?? NaN) / MB
}

async function toastText(page: Page): Promise<string> {
  const t = await page
    .getByTestId('toast')
    .allTextContents()
    .catch(() => [])
  return t.length ? ` (the app says: ${t.map((s) => s.trim()).join(' | ')})` : ''
}

/** step runs one UI action, turning a timeout into a message that says what was being done. */
async function step<T>(page: Page, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message.split('\n')[0]}${await toastText(page)}`, {
      cause: e,
    })
  }
}

// ---- the run -----------------------------------------------------------------------------------

interface Sample {
  /** atS: seconds since the workload started (end of the interval). */
  atS: number
  phase: 'warmup' | 'steady'
  intervalS: number
  writesPerSec: number | null
  readsPerSec: number | null
  fail: number
  info: number
  maxP99Ms: number | null
  topbar: string
  longTasks: number
  longTaskMaxMs: number | null
  heapUsedMB: number
  heapTotalMB: number
  domNodes: number
  elements: number
  /** regions: elements inside each main panel, to see which one grows. */
  regions: Record<string, number>
  listeners: number
  /** busyPct: the renderer main thread's task time over the interval (CDP TaskDuration). */
  busyPct: number
  scriptPct: number
  wsFramesPerSec: number
  wsKiBPerSec: number
}

const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '—'
const maxOf = (xs: number[]): number => (xs.length ? Math.max(...xs) : NaN)
const meanOf = (xs: number[]): number =>
  xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN

/** fitSlope is the least-squares slope of ys over xs. */
function fitSlope(xs: number[], ys: number[]): number {
  const n = xs.length
  if (n < 2) return NaN
  const mx = meanOf(xs)
  const my = meanOf(ys)
  let num = 0
  let den = 0
  for (let i = 0; i < n; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my)
    den += ((xs[i] as number) - mx) ** 2
  }
  return den === 0 ? NaN : num / den
}

/** topFunctions sums a CPU profile's samples by function (self time) and lists the top n. */
function topFunctions(
  profile: {
    nodes: {
      id: number
      callFrame: { functionName: string; url: string; lineNumber: number }
    }[]
    samples?: number[]
    timeDeltas?: number[]
  },
  n: number,
): string[] {
  const byId = new Map(profile.nodes.map((x) => [x.id, x]))
  const self = new Map<string, number>()
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  let total = 0
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i] as number)
    const dt = (deltas[i + 1] ?? 0) / 1000 // ms; a sample's time is the gap to the next one
    if (!node) continue
    const f = node.callFrame
    if (f.functionName === '(idle)' || f.functionName === '(program)') continue
    const where = f.url ? ` ${f.url.replace(/^.*\//, '')}:${f.lineNumber + 1}` : ''
    const key = `${f.functionName || '(anonymous)'}${where}`
    self.set(key, (self.get(key) ?? 0) + dt)
    total += dt
  }
  return [
    `total ${fmt(total)} ms of JavaScript (idle and the engine's own time left out)`,
    ...[...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(
        ([k, ms]) => `${fmt(ms).padStart(6)} ms ${fmt((ms / total) * 100, 1).padStart(5)} %  ${k}`,
      ),
  ]
}

async function main(): Promise<void> {
  const loadStart = loadavg()[0] as number
  console.log(
    `bench:ui: ${NODES} nodes, open loop ${fmt(RATE)} writes/s (max ${CONCURRENCY} in flight), ` +
      `${DURATION_S} s with ${WARMUP_S} s warm-up, a sample every ${SAMPLE_S} s`,
  )
  const url = await startServer()
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS],
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  })
  const version = browser.version()
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  const page = await context.newPage()
  page.setDefaultTimeout(30_000)
  const consoleErrors: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error' && consoleErrors.length < 50) consoleErrors.push(m.text())
  })
  page.on('pageerror', (e) => {
    if (consoleErrors.length < 50) consoleErrors.push(e.message)
  })
  const traffic = { now: emptyTraffic(), hellos: 0 }
  page.on('websocket', (ws) => watchSocket(ws, traffic))
  await page.addInitScript(INIT_SCRIPT)
  const cdp = await context.newCDPSession(page)
  await cdp.send('Performance.enable')
  // PROFILE: a CPU profile of the page's JavaScript, sampled every 0.5 ms, alongside sampling.
  let profileDone: Promise<void> = Promise.resolve()
  const startProfile = (): void => {
    profileDone = (async () => {
      await cdp.send('Profiler.enable')
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 })
      await cdp.send('Profiler.start')
      await sleep(PROFILE_S * 1000)
      const { profile } = await cdp.send('Profiler.stop')
      const path = OUT.replace(/\.json$/, '') + '-profile.cpuprofile'
      writeFileSync(path, JSON.stringify(profile))
      console.log(`  -- CPU profile of ${PROFILE_S} s written to ${path}; self time by function:`)
      for (const line of topFunctions(profile, 25)) console.log(`     ${line}`)
    })()
  }
  // TRACE: a Chrome trace of the first TRACE_S seconds of steady state, taken alongside sampling.
  const tracePath = OUT.replace(/\.json$/, '') + '-trace.json'
  let traceDone: Promise<void> = Promise.resolve()
  const startTrace = (): void => {
    const b = browser
    if (!b) return
    traceDone = (async () => {
      await b.startTracing(page, {
        path: tracePath,
        categories: [
          'devtools.timeline',
          'disabled-by-default-devtools.timeline',
          'disabled-by-default-devtools.timeline.frame',
          'toplevel',
          'v8.execute',
          'blink.user_timing',
        ],
      })
      await sleep(TRACE_S * 1000)
      await b.stopTracing()
      console.log(`  -- trace of ${TRACE_S} s written to ${tracePath}`)
    })()
  }

  await step(page, 'opening the app', async () => {
    await page.goto(`${url}&perf`)
    await page
      .getByTestId('live-indicator')
      .filter({ hasText: /idle|live/ })
      .waitFor()
  })
  const observer = await page.evaluate<string>('window.__benchLongTaskObserver')
  if (observer !== 'ok') throw new Error(`this Chromium has no 'longtask' observer: ${observer}`)
  if ((await page.evaluate<unknown>(PERF_STATS)) === null)
    throw new Error('window.raftlabPerf is missing: is out/ built from a renderer with perf.ts?')

  // A cluster from the form, as a person would.
  const tCluster = Date.now()
  await step(page, `starting a ${NODES}-node cluster`, async () => {
    await page.getByTestId('form-nodes').selectOption(String(NODES))
    await page.getByTestId('start-cluster').click()
    await page
      .getByTestId('topbar-leader')
      .filter({ hasText: /leader n\d/ })
      .waitFor({ timeout: 60_000 })
  })
  const leader = ((await page.getByTestId('topbar-leader').textContent()) ?? '').trim()
  console.log(`cluster up in ${fmt((Date.now() - tCluster) / 1000, 1)} s, ${leader}`)

  // The workload panel: open loop, the rate, how many in flight.
  await step(page, 'starting the workload', async () => {
    await page.getByTestId('workload-open').check()
    await page.getByTestId('workload-rate').fill(String(RATE))
    await page.getByTestId('workload-concurrency').fill(String(CONCURRENCY))
    const formError = page.getByTestId('workload').locator('[role="alert"]')
    if ((await formError.count()) > 0)
      throw new Error(`the workload form refuses: ${await formError.first().textContent()}`)
    await page.getByTestId('workload-start').click()
    await page.getByTestId('topbar-workload').waitFor({ timeout: 30_000 })
  })
  const t0Wall = performance.now()
  type Drain = {
    now: number
    tasks: LongTask[]
    elements: number
    regions: Record<string, number>
  }
  const tasks: { atS: number; ms: number; phase: 'before' | 'warmup' | 'steady' }[] = []
  let steadyPage = Infinity
  /** absorb keeps the long tasks of a drain, each in the phase it started in. */
  const absorb = (d: Drain): Drain => {
    for (const t of d.tasks)
      if (t.duration > LONG_MS)
        tasks.push({
          atS: (t.startTime - t0Page) / 1000,
          ms: t.duration,
          phase: t.startTime < t0Page ? 'before' : t.startTime < steadyPage ? 'warmup' : 'steady',
        })
    return d
  }
  const firstDrain = await page.evaluate<Drain>(DRAIN)
  const t0Page = firstDrain.now
  absorb(firstDrain) // page load and cluster start: 'before'
  console.log(`workload running; sampling every ${SAMPLE_S} s (Ctrl-C stops cleanly)\n`)

  // The retained-heap baseline: a forced full GC 10 s before the warm-up ends. A forced GC also
  // throws away compiled code and caches; the page's recovery from that belongs to the warm-up,
  // not to steady state (with a warm-up under 20 s it happens at its end, and may show).
  const GC_MARK_S = WARMUP_S >= 20 ? WARMUP_S - 10 : WARMUP_S
  // Sample at every SAMPLE_S, at the baseline GC and exactly at the end of the warm-up.
  const marks = new Set<number>([GC_MARK_S, WARMUP_S, DURATION_S])
  for (let t = SAMPLE_S; t < DURATION_S; t += SAMPLE_S) marks.add(t)
  const schedule = [...marks].filter((t) => t > 0).sort((a, b) => a - b)

  const samples: Sample[] = []
  if (WARMUP_S === 0) steadyPage = t0Page
  let retainedStartMB = NaN
  let warmupStats: PerfStats | null = null
  if (WARMUP_S === 0) {
    retainedStartMB = await heapAfterGc(cdp)
    await page.evaluate(PERF_RESET)
  }
  let prev = { wall: t0Wall, m: await metrics(cdp) }
  traffic.now = emptyTraffic()

  for (const mark of schedule) {
    await sleep(Math.max(0, t0Wall + mark * 1000 - performance.now()))
    const d = absorb(await page.evaluate<Drain>(DRAIN))
    const m = await metrics(cdp)
    const wall = performance.now()
    const tr = traffic.now
    traffic.now = emptyTraffic()
    const topbar = (
      (await page
        .getByTestId('topbar-workload')
        .textContent({ timeout: 2000 })
        .catch(() => '(no workload in the top bar)')) ?? ''
    )
      .replace(/\s+/g, ' ')
      .trim()
    const phase: Sample['phase'] = mark <= WARMUP_S ? 'warmup' : 'steady'
    const long = d.tasks.filter((t) => t.duration > LONG_MS)
    const dt = (wall - prev.wall) / 1000
    const dTask = (m.TaskDuration ?? NaN) - (prev.m.TaskDuration ?? NaN)
    const dScript = (m.ScriptDuration ?? NaN) - (prev.m.ScriptDuration ?? NaN)
    const s: Sample = {
      atS: (wall - t0Wall) / 1000,
      phase,
      intervalS: dt,
      writesPerSec: tr.windowMs > 0 ? tr.writes / (tr.windowMs / 1000) : null,
      readsPerSec: tr.windowMs > 0 ? tr.reads / (tr.windowMs / 1000) : null,
      fail: tr.fail,
      info: tr.info,
      maxP99Ms: tr.samples > 0 ? tr.maxP99Ms : null,
      topbar,
      longTasks: long.length,
      longTaskMaxMs: long.length ? maxOf(long.map((t) => t.duration)) : null,
      heapUsedMB: (m.JSHeapUsedSize ?? NaN) / MB,
      heapTotalMB: (m.JSHeapTotalSize ?? NaN) / MB,
      domNodes: m.Nodes ?? NaN,
      elements: d.elements,
      regions: d.regions,
      listeners: m.JSEventListeners ?? NaN,
      busyPct: (dTask / dt) * 100,
      scriptPct: (dScript / dt) * 100,
      wsFramesPerSec: tr.frames / dt,
      wsKiBPerSec: tr.bytes / 1024 / dt,
    }
    samples.push(s)
    console.log(
      `${fmt(s.atS).padStart(5)} s ${phase === 'warmup' ? 'warm-up' : 'steady '}  ` +
        `${fmt(s.writesPerSec ?? NaN).padStart(6)} writes/s (top bar ${topbar.replace(/^▶ workload /, '')})  ` +
        `long tasks ${s.longTasks}${s.longTaskMaxMs !== null ? ` (max ${fmt(s.longTaskMaxMs)} ms)` : ''}  ` +
        `heap ${fmt(s.heapUsedMB, 1)} MB  DOM nodes ${fmt(s.domNodes)}  main thread ${fmt(s.busyPct)}% busy` +
        (tr.hellos > 0 ? `  RECONNECTED ×${tr.hellos}` : '') +
        (tr.fail + tr.info > 0 ? `  fail ${tr.fail} info ${tr.info}` : ''),
    )
    prev = { wall, m }
    if (mark === GC_MARK_S && WARMUP_S > 0) {
      retainedStartMB = await heapAfterGc(cdp)
      console.log(`  -- heap after a forced GC: ${fmt(retainedStartMB, 1)} MB`)
      prev = { wall: performance.now(), m: await metrics(cdp) }
    }
    if (mark === WARMUP_S && WARMUP_S > 0) {
      // Steady state starts here, with fresh ?perf stats.
      warmupStats = await page.evaluate<PerfStats>(PERF_STATS)
      await page.evaluate(PERF_RESET)
      // This drain's tasks (the forced GC's, if it was long) still belong to the warm-up.
      const boundary = await page.evaluate<Drain>(DRAIN)
      absorb(boundary)
      steadyPage = boundary.now
      console.log('  -- warm-up over: steady state from here')
      prev = { wall: performance.now(), m: await metrics(cdp) }
      if (TRACE_S > 0) startTrace()
      if (PROFILE_S > 0) startProfile()
    }
  }
  await traceDone
  await profileDone
  const steadyStats = await page.evaluate<PerfStats>(PERF_STATS)
  const retainedEndMB = await heapAfterGc(cdp)
  const loadEnd = loadavg()[0] as number

  // ---- the report ------------------------------------------------------------------------------
  const steady = samples.filter((s) => s.phase === 'steady')
  const steadyMin = (DURATION_S - WARMUP_S) / 60
  const steadyLong = tasks.filter((t) => t.phase === 'steady')
  const warmLong = tasks.filter((t) => t.phase === 'warmup')
  const beforeLong = tasks.filter((t) => t.phase === 'before')
  const rated = steady.filter((s) => s.writesPerSec !== null)
  // Achieved rate over steady state: total writes over total measured window time.
  const achieved = rated.length
    ? rated.reduce((a, s) => a + (s.writesPerSec as number) * s.intervalS, 0) /
      rated.reduce((a, s) => a + s.intervalS, 0)
    : NaN
  const ratio = achieved / RATE
  const heapSlope = fitSlope(
    steady.map((s) => s.atS / 60),
    steady.map((s) => s.heapUsedMB),
  )
  const firstS = steady[0]
  const lastS = steady[steady.length - 1]
  const reconnects = Math.max(0, traffic.hellos - 1)
  const lines: string[] = []
  const row = (k: string, v: string): number => lines.push(`  ${k.padEnd(13)}${v}`)
  lines.push('', '==== bench:ui report ====')
  row(
    'config',
    `${NODES} nodes · open loop ${fmt(RATE)} writes/s asked, max ${CONCURRENCY} in flight · ` +
      `${DURATION_S} s = ${WARMUP_S} s warm-up + ${DURATION_S - WARMUP_S} s steady state · sample every ${SAMPLE_S} s`,
  )
  row(
    'machine',
    `${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? '?'}) · load average ${fmt(loadStart, 2)} at start, ` +
      `${fmt(loadEnd, 2)} at end · Chromium ${version} headless · Node ${process.version}`,
  )
  row(
    'throughput',
    `${fmt(achieved)} writes/s achieved in steady state = ${fmt(ratio * 100)}% of the ${fmt(RATE)} asked` +
      ` · fail ${fmt(steady.reduce((a, s) => a + s.fail, 0))}, info ${fmt(steady.reduce((a, s) => a + s.info, 0))}` +
      ` · write p99 up to ${fmt(maxOf(steady.map((s) => s.maxP99Ms ?? NaN).filter(Number.isFinite)), 1)} ms (0.5-s windows)`,
  )
  if (!(ratio >= 0.95))
    lines.push(
      `  ${''.padEnd(13)}NOTE: the cluster did not keep up: ${fmt(achieved)} of ${fmt(RATE)} writes/s` +
        `${ratio < 0.5 ? ' (FAR below the asked rate)' : ''}; the UI was measured at this lower load.`,
    )
  const noWorkload = samples.filter((s) => s.topbar.startsWith('(no workload'))
  if (noWorkload.length)
    lines.push(
      `  ${''.padEnd(13)}NOTE: the workload was not running at ${noWorkload.length} sample(s), from ` +
        `${fmt(noWorkload[0]?.atS ?? NaN)} s on${await page
          .getByTestId('workload')
          .locator('.error')
          .allTextContents()
          .then((t) => (t.length ? `: ${t.join(' | ')}` : ''))
          .catch(() => '')}`,
    )
  const top5 = [...steadyLong].sort((a, b) => b.ms - a.ms).slice(0, 5)
  row(
    'long tasks',
    `steady state: ${steadyLong.length} over ${LONG_MS} ms` +
      (steadyLong.length
        ? ` · max ${fmt(maxOf(steadyLong.map((t) => t.ms)))} ms · total ${fmt(steadyLong.reduce((a, t) => a + t.ms, 0))} ms`
        : ''),
  )
  if (top5.length)
    lines.push(
      `  ${''.padEnd(13)}top ${top5.length}: ` +
        top5.map((t) => `${fmt(t.ms)} ms at ${fmt(t.atS, 1)} s`).join(', ') +
        ' (s since the workload started)',
    )
  row(
    '',
    `warm-up: ${warmLong.length}${warmLong.length ? ` (max ${fmt(maxOf(warmLong.map((t) => t.ms)))} ms)` : ''}` +
      ` · before the workload (page load, cluster start): ${beforeLong.length}` +
      (beforeLong.length ? ` (max ${fmt(maxOf(beforeLong.map((t) => t.ms)))} ms)` : ''),
  )
  row(
    'JS heap',
    `steady start ${fmt(firstS?.heapUsedMB ?? NaN, 1)} MB · max ${fmt(maxOf(steady.map((s) => s.heapUsedMB)), 1)} MB` +
      ` · end ${fmt(lastS?.heapUsedMB ?? NaN, 1)} MB · trend ${heapSlope >= 0 ? '+' : ''}${fmt(heapSlope, 2)} MB/min (linear fit, ${steady.length} samples)`,
  )
  row(
    '',
    `after a forced GC: ${fmt(retainedStartMB, 1)} MB near the end of warm-up → ${fmt(retainedEndMB, 1)} MB at end` +
      ` (${retainedEndMB - retainedStartMB >= 0 ? '+' : ''}${fmt((retainedEndMB - retainedStartMB) / steadyMin, 2)} MB/min)` +
      (steadyMin < 5 ? ' · a short run: trends this short are mostly GC noise' : ''),
  )
  row(
    'DOM',
    `nodes ${fmt(firstS?.domNodes ?? NaN)} → ${fmt(lastS?.domNodes ?? NaN)} (max ${fmt(maxOf(steady.map((s) => s.domNodes)))})` +
      ` · elements ${fmt(firstS?.elements ?? NaN)} → ${fmt(lastS?.elements ?? NaN)}` +
      ` · listeners ${fmt(firstS?.listeners ?? NaN)} → ${fmt(lastS?.listeners ?? NaN)}`,
  )
  lines.push(
    `  ${''.padEnd(13)}elements by panel: ` +
      Object.keys(firstS?.regions ?? {})
        .map((k) => `${k} ${fmt(firstS?.regions[k] ?? NaN)} → ${fmt(lastS?.regions[k] ?? NaN)}`)
        .join(' · '),
  )
  row(
    'main thread',
    `busy ${fmt(meanOf(steady.map((s) => s.busyPct)))}% on average (max ${fmt(maxOf(steady.map((s) => s.busyPct)))}% over ${SAMPLE_S} s),` +
      ` script ${fmt(meanOf(steady.map((s) => s.scriptPct)))}%`,
  )
  row(
    'WebSocket',
    `${fmt(meanOf(steady.map((s) => s.wsFramesPerSec)), 1)} frames/s, ${fmt(meanOf(steady.map((s) => s.wsKiBPerSec)))} KiB/s` +
      ` · reconnects ${reconnects}`,
  )
  row(
    'console',
    consoleErrors.length
      ? `${consoleErrors.length} errors, first: ${consoleErrors[0]?.slice(0, 200)}`
      : 'no errors',
  )
  lines.push(
    '  renderer timings (?perf, steady state): label, count, mean ms, max ms, over 16 ms, over 50 ms',
  )
  for (const [label, s] of Object.entries(steadyStats ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    if (label === 'events.batch') {
      // Recorded as a size, not a time: how many events each 100-ms flush folded in.
      lines.push(
        `    ${label.padEnd(18)} ${fmt(s.count).padStart(8)} flushes, ${fmt(s.totalMs)} events, ` +
          `${fmt(s.meanMs, 1)} per flush on average, at most ${fmt(s.maxMs)}`,
      )
      continue
    }
    lines.push(
      `    ${label.padEnd(18)} ${fmt(s.count).padStart(8)} ${fmt(s.meanMs, 2).padStart(8)} ` +
        `${fmt(s.maxMs, 1).padStart(8)} ${fmt(s.over16).padStart(7)} ${fmt(s.over50).padStart(7)}`,
    )
  }
  const verdict =
    steadyLong.length === 0
      ? `no long task over ${LONG_MS} ms in ${fmt(DURATION_S - WARMUP_S)} s of steady state`
      : `${steadyLong.length} long task(s) over ${LONG_MS} ms in ${fmt(DURATION_S - WARMUP_S)} s of steady state`
  lines.push(
    `  summary      ${verdict}; heap trend ${heapSlope >= 0 ? '+' : ''}${fmt(heapSlope, 2)} MB/min; ` +
      `${fmt(achieved)} of ${fmt(RATE)} writes/s`,
  )
  console.log(lines.join('\n'))

  mkdirSync(dirname(OUT), { recursive: true })
  writeFileSync(
    OUT,
    JSON.stringify(
      {
        config: {
          nodes: NODES,
          rate: RATE,
          concurrency: CONCURRENCY,
          durationS: DURATION_S,
          warmupS: WARMUP_S,
          sampleS: SAMPLE_S,
          longTaskMs: LONG_MS,
        },
        machine: {
          cpus: cpus().length,
          cpuModel: cpus()[0]?.model.trim() ?? null,
          loadAverage: { start: loadStart, end: loadEnd },
          chromium: version,
          node: process.version,
        },
        summary: {
          achievedWritesPerSec: achieved,
          steadyLongTasks: steadyLong.length,
          steadyLongTaskMaxMs: steadyLong.length ? maxOf(steadyLong.map((t) => t.ms)) : null,
          warmupLongTasks: warmLong.length,
          beforeWorkloadLongTasks: beforeLong.length,
          heapSlopeMBPerMin: heapSlope,
          heapAfterGcMB: { steadyStart: retainedStartMB, end: retainedEndMB },
          reconnects,
          consoleErrors,
        },
        samples,
        longTasks: tasks,
        rendererStats: { warmup: warmupStats, steady: steadyStats },
      },
      null,
      2,
    ) + '\n',
  )
  console.log(`\nevery sample: ${OUT}`)

  // Stop as a person would: the workload, then the cluster.
  await step(page, 'stopping the workload', async () => {
    await page.getByTestId('workload-stop').click()
    await page.getByTestId('topbar-workload').waitFor({ state: 'detached', timeout: 30_000 })
  })
  await step(page, 'stopping the cluster', async () => {
    await page.getByTestId('stop-cluster').click()
    await page
      .getByTestId('cluster-facts')
      .filter({ hasText: /no cluster/ })
      .waitFor({ timeout: 60_000 })
  })
  console.log('workload and cluster stopped from the UI')
}

main()
  .catch((e: Error) => {
    if (stopping.signal.aborted) return
    console.error(`\nbench:ui failed: ${e.message}`)
    const said = serverOutput()
    if (said && !e.message.includes(said.slice(-200)))
      console.error(`raftlab serve said (last lines):\n${said.split('\n').slice(-15).join('\n')}`)
    process.exitCode = 1
  })
  .finally(async () => {
    if (!stopping.signal.aborted) await cleanup()
  })
