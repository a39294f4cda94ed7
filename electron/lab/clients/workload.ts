// The load generator: closed- or open-loop clients issuing put/get/cas against a cluster,
// recording latencies in HDR histograms, a Jepsen-style history, and (for sampled writes) where
// the time went. It runs in its own process (entries/workload.ts), never in a UI process.
import { randomInt } from 'node:crypto'
import { createWriteStream, type WriteStream } from 'node:fs'
import * as hdr from 'hdr-histogram-js'
import type {
  AttributionStage,
  AttributionSummary,
  LatencySummary,
  OpCounts,
  WorkloadProgress,
  WorkloadResult,
  WorkloadSample,
  WorkloadSpec,
} from '../../../shared/lab/workload'
import { SAMPLE_POINTS } from '../../../shared/lab/workload'
import type { HistoryEvent } from '../../../shared/check/history'
import type { TimingMark } from '../../../shared/protocol'
import type { NodeId } from '../../../shared/raft/types'
import { createRng, type Rng } from '../../../shared/util/rng'
import { KvPool, KvSession, type KvOutcome } from './kvClient'

/** WorkloadTarget says which cluster to load. */
export interface WorkloadTarget {
  clusterId: string
  runDir: string
  nodes: NodeId[]
}

type Op = 'put' | 'get' | 'cas'

/** monoMicros is the monotonic clock of histories, in microseconds. On Linux it is
 * CLOCK_MONOTONIC, the same in every process, so histories from several processes interleave. */
export function monoMicros(): number {
  return Number(process.hrtime.bigint() / 1000n)
}

/** KeyChooser draws keys uniformly or by a Zipf law (rank r has weight 1/r^s), the latter by
 * binary search in a precomputed cumulative table. */
export class KeyChooser {
  private readonly cdf: Float64Array | null

  constructor(
    private readonly keys: number,
    distribution: 'uniform' | 'zipf',
    exponent: number,
    private readonly rng: Rng,
  ) {
    if (distribution === 'uniform') {
      this.cdf = null
      return
    }
    this.cdf = new Float64Array(keys)
    let sum = 0
    for (let r = 0; r < keys; r++) {
      sum += 1 / Math.pow(r + 1, exponent)
      this.cdf[r] = sum
    }
    for (let r = 0; r < keys; r++) this.cdf[r] = (this.cdf[r] as number) / sum
  }

  /** next returns a key index in [0, keys). */
  next(): number {
    if (!this.cdf) return this.rng.int(0, this.keys)
    const u = this.rng.float()
    let lo = 0
    let hi = this.keys - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((this.cdf[mid] as number) < u) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

const STAGES: AttributionStage[] = [
  'leaderQueue',
  'leaderDisk',
  'replication',
  'followerDisk',
  'commitApply',
  'clientNetwork',
]

/** attribute splits one sampled write's latency into stages (ms), from the leader's timing marks
 * (µs since it received the request) and the client's total; null if marks are missing. */
export function attribute(
  marks: TimingMark[],
  totalMs: number,
): Record<AttributionStage, number> | null {
  const at = (s: TimingMark['stage']) => marks.find((m) => m.stage === s)
  const proposed = at('proposed')
  const persisted = at('leaderPersisted')
  const acked = at('quorumAcked')
  const applied = at('applied')
  if (!proposed || !persisted || !applied) return null
  const us = (x: number) => x / 1000
  const followerDisk = acked?.followerPersistMicros ?? 0
  // The leader sends its entries before writing them (diss. §10.2.1), so replication overlaps the
  // leader's disk write: the round trip runs from proposing to the quorum's acknowledgement.
  const ackMicros = acked ? acked.micros : persisted.micros
  const replication = acked ? Math.max(0, ackMicros - proposed.micros - followerDisk) : 0
  const serverMs = us(applied.micros)
  return {
    leaderQueue: us(proposed.micros),
    leaderDisk: us(persisted.micros - proposed.micros),
    replication: us(replication),
    followerDisk: us(followerDisk),
    commitApply: us(Math.max(0, applied.micros - Math.max(ackMicros, persisted.micros))),
    clientNetwork: Math.max(0, totalMs - serverMs),
  }
}

function newHistogram(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  })
}

/** summarize turns a histogram of microseconds into a LatencySummary in milliseconds. A
 * percentile is its bucket's highest equivalent value, which can lie above the largest value
 * recorded; it is capped there, so p99 never exceeds max (the exact largest value). */
export function summarize(h: hdr.Histogram): LatencySummary {
  const ms = (p: number) =>
    h.totalCount === 0 ? 0 : Math.min(h.getValueAtPercentile(p), h.maxValue) / 1000
  return {
    count: h.totalCount,
    mean: h.totalCount === 0 ? 0 : h.mean / 1000,
    p50: ms(50),
    p90: ms(90),
    p99: ms(99),
    p999: ms(99.9),
    max: h.totalCount === 0 ? 0 : h.maxValue / 1000,
  }
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

/** Workload runs one WorkloadSpec against a cluster. */
export class Workload {
  private readonly pool: KvPool
  private readonly rng: Rng
  /** abandonRng draws which requests are abandoned, apart from `rng` so that a run without
   * abandoning draws the same operations and keys as before. */
  private readonly abandonRng: Rng
  private readonly keys: KeyChooser
  private readonly writeHist = newHistogram()
  private readonly readHist = newHistogram()
  private readonly counts: Record<Op, OpCounts> = {
    put: { ok: 0, fail: 0, info: 0 },
    get: { ok: 0, fail: 0, info: 0 },
    cas: { ok: 0, fail: 0, info: 0 },
  }
  private readonly errors = new Map<string, number>()
  private readonly samples: Record<AttributionStage, number>[] = []
  private readonly history: WriteStream | null
  private readonly lastValue = new Map<string, string>()
  private readonly value: string
  private window: {
    startMs: number
    hist: hdr.Histogram
    writes: number
    reads: number
    fail: number
    info: number
    points: number[]
    seen: number
    errors: Map<string, number>
  } = {
    startMs: performance.now(),
    hist: newHistogram(),
    writes: 0,
    reads: 0,
    fail: 0,
    info: 0,
    points: [],
    seen: 0,
    errors: new Map(),
  }
  private writes = 0
  private measuredOps = 0
  private stopped = false
  private startMs = 0
  private measureFromMs = 0
  private measureToMs = 0
  /** Open loop: operations that fell due in the measured period, and those never sent. */
  private due = 0
  private unsent = 0
  /** sessionBase: this run's client session ids are sessionBase + 0 … concurrency − 1. */
  private readonly sessionBase = randomInt(1, 2 ** 36) * 4096

  constructor(
    target: WorkloadTarget,
    private readonly spec: WorkloadSpec,
  ) {
    this.pool = new KvPool({ ...target, attemptTimeoutMs: Math.min(1000, spec.timeoutMs) })
    this.rng = createRng(spec.seed)
    this.keys = new KeyChooser(spec.keys, spec.distribution, spec.zipfExponent, this.rng.fork(1))
    this.abandonRng = createRng(spec.seed).fork(2)
    this.history = spec.historyFile ? createWriteStream(spec.historyFile) : null
    this.value = 'x'.repeat(Math.max(0, spec.valueSizeBytes - 12))
  }

  /** stop ends the run early (the result covers what was measured). */
  stop(): void {
    this.stopped = true
  }

  /** run drives the load until the measured period ends and returns the result. */
  async run(onProgress: (p: WorkloadProgress) => void): Promise<WorkloadResult> {
    const spec = this.spec
    this.startMs = performance.now()
    this.measureFromMs = this.startMs + spec.warmupMs
    this.measureToMs = this.measureFromMs + spec.durationMs
    const total = spec.warmupMs + spec.durationMs
    const progress = setInterval(() => {
      const now = performance.now()
      const c = this.totals()
      const measuring = now >= this.measureFromMs
      const secs = (Math.min(now, this.measureToMs) - this.measureFromMs) / 1000
      onProgress({
        elapsedMs: now - this.startMs,
        totalMs: total,
        phase: measuring ? 'measure' : 'warmup',
        ...c,
        opsPerSec: measuring && secs > 0 ? this.measuredOps / secs : 0,
        sample: this.takeSample(now),
      })
    }, 500)
    try {
      if (spec.mode === 'closed') await this.closedLoop()
      else await this.openLoop()
    } finally {
      clearInterval(progress)
      this.pool.close()
    }
    if (this.history) await new Promise<void>((r) => this.history?.end(r))
    return this.result()
  }

  private done(): boolean {
    const now = performance.now()
    if (this.stopped || now >= this.measureToMs) return true
    return this.spec.ops > 0 && this.measuredOps >= this.spec.ops
  }

  private async closedLoop(): Promise<void> {
    const clients = Array.from({ length: this.spec.concurrency }, (_, i) => this.client(i))
    await Promise.all(
      clients.map(async (session) => {
        while (!this.done()) await this.one(session, performance.now())
      }),
    )
  }

  private async openLoop(): Promise<void> {
    const free = Array.from({ length: this.spec.concurrency }, (_, i) => this.client(i))
    const queue: number[] = []
    const inflight = new Set<Promise<void>>()
    const intervalMs = 1000 / this.spec.rate
    let next = performance.now()
    const pump = (): void => {
      while (queue.length > 0 && free.length > 0 && !this.done()) {
        const session = free.pop() as KvSession
        const scheduled = queue.shift() as number
        const p = this.one(session, scheduled).then(() => {
          free.push(session)
          inflight.delete(p)
          pump()
        })
        inflight.add(p)
      }
    }
    const inPeriod = (t: number) => t >= this.measureFromMs && t < this.measureToMs
    while (!this.done()) {
      const now = performance.now()
      while (next <= now) {
        queue.push(next)
        if (inPeriod(next)) this.due++
        next += intervalMs
      }
      pump()
      await new Promise((r) => setTimeout(r, Math.max(0, Math.min(5, next - performance.now()))))
    }
    this.unsent = queue.filter(inPeriod).length
    while (inflight.size > 0) await Promise.all(inflight)
  }

  private client(i: number): KvSession {
    // Session ids must be new for every run (diss. §6.3: a server remembers each session's last
    // seq): a second run on the same cluster that reused them — they once came from the seed —
    // had its writes answered from the first run's session cache (a duplicate: acknowledged but
    // never applied) or refused as stale, and counted as failures.
    return new KvSession(this.pool, {
      timeoutMs: this.spec.timeoutMs,
      clientId: this.sessionBase + i,
    })
  }

  private pickOp(): Op {
    const { put, get, cas } = this.spec.mix
    const x = this.rng.float() * (put + get + cas)
    return x < put ? 'put' : x < put + get ? 'get' : 'cas'
  }

  /** one runs one operation for a session; `scheduledMs` is when it was due (open loop). */
  private async one(session: KvSession, scheduledMs: number): Promise<void> {
    const op = this.pickOp()
    const key = `k${this.keys.next()}`
    const process_ = session.clientId
    const isWrite = op !== 'get'
    const writeNo = isWrite ? ++this.writes : 0
    const timing =
      isWrite && this.spec.timingSampleEvery > 0 && writeNo % this.spec.timingSampleEvery === 0
    // Unique values make a history checkable: every read names the write it saw.
    const value = isWrite ? `${process_}-${writeNo}${this.value}` : ''
    const expected = op === 'cas' ? (this.lastValue.get(key) ?? null) : null
    this.record({
      type: 'invoke',
      process: process_,
      op,
      key,
      ...(isWrite ? { value } : {}),
      ...(op === 'cas' ? { expected } : {}),
      time: monoMicros(),
    })
    const abandonPercent = this.spec.abandonPercent ?? 0
    const req = { abandonOnNoAnswer: this.abandonRng.chance(abandonPercent / 100) }
    let out: KvOutcome
    if (op === 'put') out = await session.put(key, value, timing, req)
    else if (op === 'get') out = await session.get(key, this.spec.readMode, false, req)
    else out = await session.cas(key, expected, value, timing, req)
    const endMs = performance.now()
    this.observe(isWrite, out.result, endMs - scheduledMs, out.error)
    // A cas that did not swap wrote nothing: for the history it failed. But the node said what
    // the key held when it took effect (as it does for every write it answers: a put's previous
    // value, a cas's current one), and that is evidence the checker uses: a read of that value.
    const result = op === 'cas' && out.result === 'ok' && !out.swapped ? 'fail' : out.result
    this.record({
      type: result,
      process: process_,
      op,
      key,
      ...(op === 'get' && result === 'ok' ? { value: out.value } : isWrite ? { value } : {}),
      ...(op === 'cas' ? { expected } : {}),
      ...(isWrite && out.result === 'ok' ? { observed: out.value } : {}),
      time: monoMicros(),
    })
    if (out.result === 'ok') {
      if (op === 'get') this.lastValue.set(key, out.value ?? '')
      else if (op === 'put' || out.swapped) this.lastValue.set(key, value)
      else if (out.value !== null) this.lastValue.set(key, out.value)
    } else {
      this.errors.set(out.error ?? 'unknown', (this.errors.get(out.error ?? 'unknown') ?? 0) + 1)
    }
    // The measured period: a closed loop counts operations started and finished in it. An open
    // loop counts those that finished in it, whenever they fell due: counting by due time found
    // nothing at all once the clients fell further behind than the warm-up (every operation due
    // in the period was still queued when it ended).
    const from = this.spec.mode === 'open' ? endMs : scheduledMs
    if (from < this.measureFromMs || endMs > this.measureToMs) return
    this.counts[op][out.result]++
    if (out.result !== 'ok') return
    this.measuredOps++
    const micros = Math.max(1, Math.round((endMs - scheduledMs) * 1000))
    if (isWrite) this.writeHist.recordValue(micros)
    else this.readHist.recordValue(micros)
    if (timing && out.timing) {
      const a = attribute(out.timing, out.latencyMs)
      if (a) this.samples.push(a)
    }
  }

  /** takeSample closes the current progress window and starts the next. */
  private takeSample(now: number): WorkloadSample {
    const w = this.window
    const secs = Math.max(0.001, (now - w.startMs) / 1000)
    const h = w.hist
    const l = summarize(h)
    const sample: WorkloadSample = {
      windowMs: now - w.startMs,
      writes: w.writes,
      reads: w.reads,
      fail: w.fail,
      info: w.info,
      writesPerSec: w.writes / secs,
      readsPerSec: w.reads / secs,
      p50Ms: l.p50,
      p99Ms: l.p99,
      maxMs: l.max,
      points: w.points,
    }
    let top: [string, number] | null = null
    for (const e of w.errors) if (!top || e[1] > top[1]) top = e
    if (top) sample.topError = { message: top[0], count: top[1] }
    h.reset()
    this.window = {
      startMs: now,
      hist: h,
      writes: 0,
      reads: 0,
      fail: 0,
      info: 0,
      points: [],
      seen: 0,
      errors: new Map(),
    }
    return sample
  }

  /** observe feeds the current window (every completed operation, warm-up included). */
  private observe(
    isWrite: boolean,
    result: 'ok' | 'fail' | 'info',
    latencyMs: number,
    error: string | undefined,
  ): void {
    const w = this.window
    if (result !== 'ok') {
      const e = error ?? 'unknown'
      w.errors.set(e, (w.errors.get(e) ?? 0) + 1)
    }
    if (result === 'fail') w.fail++
    else if (result === 'info') w.info++
    else if (!isWrite) w.reads++
    else {
      w.writes++
      w.hist.recordValue(Math.max(1, Math.round(latencyMs * 1000)))
      // Reservoir sampling keeps SAMPLE_POINTS latencies drawn uniformly from the window.
      w.seen++
      if (w.points.length < SAMPLE_POINTS) w.points.push(latencyMs)
      else {
        const j = this.rng.int(0, w.seen)
        if (j < SAMPLE_POINTS) w.points[j] = latencyMs
      }
    }
  }

  private record(e: HistoryEvent): void {
    if (this.history) this.history.write(`${JSON.stringify(e)}\n`)
  }

  private totals(): OpCounts {
    const t: OpCounts = { ok: 0, fail: 0, info: 0 }
    for (const c of Object.values(this.counts)) {
      t.ok += c.ok
      t.fail += c.fail
      t.info += c.info
    }
    return t
  }

  private result(): WorkloadResult {
    const measuredMs = Math.max(
      1,
      Math.min(performance.now(), this.measureToMs) - this.measureFromMs,
    )
    const okWrites = this.counts.put.ok + this.counts.cas.ok
    let attribution: AttributionSummary | null = null
    if (this.samples.length > 0) {
      const stages = STAGES.map((stage) => {
        const xs = this.samples.map((s) => s[stage])
        return { stage, medianMs: median(xs), meanMs: xs.reduce((a, b) => a + b, 0) / xs.length }
      })
      attribution = {
        samples: this.samples.length,
        stages,
        totalMedianMs: median(this.samples.map((s) => STAGES.reduce((a, st) => a + s[st], 0))),
      }
    }
    return {
      spec: this.spec,
      measuredMs,
      opsPerSec: (this.totals().ok / measuredMs) * 1000,
      writesPerSec: (okWrites / measuredMs) * 1000,
      counts: this.counts,
      writeLatency: summarize(this.writeHist),
      readLatency: summarize(this.readHist),
      writeHistogram: hdr.encodeIntoCompressedBase64(this.writeHist),
      readHistogram: hdr.encodeIntoCompressedBase64(this.readHist),
      attribution,
      errors: [...this.errors.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)
        .map(([message, count]) => ({ message, count })),
      ...(this.spec.mode === 'open'
        ? { open: { offeredPerSec: this.spec.rate, due: this.due, unsent: this.unsent } }
        : {}),
    }
  }
}
