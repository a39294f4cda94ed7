// electron/lab — the lab engine in plain Node. Imports shared/, node:* and electron/lab only;
// never 'electron', so the CLI, the tests and browser mode run it under plain Node.
// engine/lab.ts is its facade: the Lab runs LabCommands against one cluster at a time (the
// supervisor), its clients and workloads, recordings and activities, and streams LabEvents.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { LabApi } from '../../../shared/lab/api'
import type {
  ClusterStatus,
  CommandResult,
  LabCommand,
  RecordingInfo,
} from '../../../shared/lab/commands'
import { ConfigError, nodeName, resolveClusterConfig } from '../../../shared/lab/config'
import { LAB_EVENT_VERSION, type FaultKind, type LabEvent } from '../../../shared/lab/events'
import { RECENT_EVENTS, type HelloMessage } from '../../../shared/lab/ipc'
import { APP_VERSION } from '../version'
import {
  DEFAULT_WORKLOAD,
  type WorkloadProgress,
  type WorkloadResult,
  type WorkloadSpec,
} from '../../../shared/lab/workload'
import type { SessionMeta } from '../../../shared/session/format'
import type { RerunPlan } from '../../../shared/session/rerun'
import { applyEvent, emptyState, type SessionState } from '../../../shared/session/state'
import { SocketPathError } from '../../../shared/lab/sockets'
import type { NodeId } from '../../../shared/raft/types'
import { Cluster } from '../supervisor/cluster'
import { InvalidArgument, LabStateError } from '../errors'
import { EventBus } from '../events/eventBus'
import { KvClient, type KvOutcome } from '../clients/kvClient'
import { ActivityRunner } from '../activities/activityRunner'
import { checkWorkload } from '../clients/workloadSpec'
import type { ClusterLab } from '../activities/clusterLab'
import { defaultRecordingsDir, makeDataDir, makeRunDir } from '../supervisor/paths'
import { Recorder } from '../recording/recorder'
import { listRecordings } from '../recording/recording'
import { playPlan } from '../activities/rerun'
import { runWorkload } from '../clients/workloadRunner'

export { APP_VERSION } from '../version'

/** LabOptions configures a Lab. */
export interface LabOptions {
  /** dataDir: where node data directories go (n1/, n2/ …); default: a fresh temp dir removed
   * when the lab closes. */
  dataDir?: string
  /** seed makes the nodes' election timeouts reproducible (0 = random). */
  seed?: number
  /** recordingsDir: where record.start writes (default: defaultRecordingsDir()). */
  recordingsDir?: string
  /** electronVersion goes into recordings' metadata when the engine runs inside the app. */
  electronVersion?: string
}

const EMPTY_STATUS: ClusterStatus = {
  running: false,
  clusterId: null,
  config: null,
  nodes: [],
  leader: null,
  term: 0,
  links: [],
}

/** Lab is the engine behind every front end: it runs commands against one cluster at a time and
 * streams LabEvents. */
export class Lab implements LabApi, ClusterLab {
  readonly bus = new EventBus()
  private cluster: Cluster | null = null
  private client: KvClient | null = null
  private tempDataDir: string | null = null
  private nextCommandId = 1
  private workload: { abort(): void; done: Promise<void> } | null = null
  private readonly activities = new ActivityRunner(this.bus, (o) => new Lab(o))
  private readonly recent: LabEvent[] = []
  /** session is the whole session so far, as recordings' keyframes hold it (a recording started
   * mid-session begins from it). */
  readonly session: SessionState = emptyState()
  private recording: { recorder: Recorder; unfollow: () => void; name: string } | null = null
  private rerunning: { abort: AbortController; done: Promise<void> } | null = null
  private readonly exitHandler = (): void => this.cluster?.killAllSync()

  constructor(private readonly options: LabOptions = {}) {
    process.on('exit', this.exitHandler)
    this.bus.subscribe((events) => {
      for (const e of events) applyEvent(this.session, e)
      this.recent.push(...events)
      if (this.recent.length > RECENT_EVENTS * 1.25)
        this.recent.splice(0, this.recent.length - RECENT_EVENTS)
    })
  }

  subscribe(listener: (events: LabEvent[]) => void): () => void {
    return this.bus.subscribe(listener)
  }

  /** hello is a front end's starting point: versions, the state now and the latest events. */
  hello(): HelloMessage {
    this.bus.flush()
    return {
      eventVersion: LAB_EVENT_VERSION,
      appVersion: APP_VERSION,
      status: this.status(),
      lastSeq: this.bus.lastSeq,
      recent: this.recent.slice(),
      recording: this.recording ? this.recordingInfo() : null,
      nowMs: this.bus.nowMs(),
    }
  }

  /** status is a synchronous snapshot of the cluster. */
  status(): ClusterStatus {
    return this.cluster?.status() ?? EMPTY_STATUS
  }

  /** runDir is the running cluster's socket directory (clients connect there). */
  runDir(): string {
    if (!this.cluster) throw new LabStateError('no cluster is running')
    return this.cluster.opts.runDir
  }

  /** processIds lists the pids of every process the lab runs now (nodes and their reaper). */
  processIds(): number[] {
    return this.cluster?.processIds() ?? []
  }

  /** waitFor resolves true once predicate(status) holds, false after timeoutMs. */
  waitFor(predicate: (s: ClusterStatus) => boolean, timeoutMs: number): Promise<boolean> {
    if (predicate(this.status())) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        stop()
        resolve(predicate(this.status()))
      }, timeoutMs)
      const stop = this.bus.subscribe(() => {
        if (!predicate(this.status())) return
        clearTimeout(timer)
        stop()
        resolve(true)
      })
    })
  }

  async command(cmd: LabCommand): Promise<CommandResult> {
    // Looking at the recordings folder changes nothing in the session: it is neither told in the
    // narrative nor kept in recordings.
    if (cmd.type === 'record.list') return this.run(cmd).catch((e: Error) => failure(e))
    const id = this.nextCommandId++
    this.bus.emit({ type: 'command', id, phase: 'started', command: cmd })
    let result: CommandResult
    try {
      result = await this.run(cmd)
    } catch (e) {
      result = failure(e)
    }
    if (result.ok) this.bus.emit({ type: 'command', id, phase: 'done', command: cmd })
    else this.bus.emit({ type: 'command', id, phase: 'failed', command: cmd, error: result.error })
    return result
  }

  /** close stops the cluster and removes temporary directories; idempotent. */
  async close(): Promise<void> {
    await this.activities.close()
    if (this.rerunning) {
      this.rerunning.abort.abort()
      await this.rerunning.done
    }
    await this.stopCluster('the lab closed')
    if (this.recording) await this.stopRecording().catch(() => {})
    process.off('exit', this.exitHandler)
    this.bus.flush()
  }

  /** startRecording records the session from now on into `path` (overwriting it): the session
   * so far becomes the recording's first keyframe. */
  startRecording(
    path: string,
    source: SessionMeta['source'] = 'app',
    rerunOf?: string,
  ): RecordingInfo {
    if (this.recording) {
      throw new LabStateError(`already recording to ${this.recording.recorder.path}; stop it first`)
    }
    this.bus.flush()
    const recorder = Recorder.create(
      path,
      {
        source,
        initial: this.session,
        ...(rerunOf ? { rerunOf } : {}),
        onError: (e) => {
          if (this.recording?.recorder === recorder) void this.stopRecording(e.message)
        },
      },
      this.options.electronVersion ?? null,
    )
    this.recording = { recorder, unfollow: recorder.follow(this.bus), name: basename(path) }
    const info = this.recordingInfo()
    this.bus.emit({ type: 'record.started', recording: info })
    return info
  }

  /** stopRecording finishes the recording (its index, a last keyframe) and closes the file. */
  async stopRecording(failure?: string): Promise<RecordingInfo> {
    const r = this.recording
    if (!r) throw new LabStateError('not recording')
    this.bus.flush()
    r.unfollow()
    let error = failure
    try {
      await r.recorder.close()
    } catch (e) {
      error ??= (e as Error).message
    }
    const info = this.recordingInfo(false)
    this.recording = null
    this.bus.emit({ type: 'record.stopped', recording: info, ...(error ? { error } : {}) })
    if (error) throw new Error(`the recording ${r.recorder.path} failed: ${error}`)
    return info
  }

  /** runWorkload runs a workload against the live cluster, reported on the event stream (so a
   * recording holds its samples and result) and to `onProgress`; it resolves with the result. */
  runWorkload(
    partial: Partial<WorkloadSpec>,
    onProgress: (p: WorkloadProgress) => void = () => {},
    signal?: AbortSignal,
  ): Promise<WorkloadResult> {
    const c = this.cluster
    if (!c) throw new LabStateError('no cluster is running; start one first')
    return this.startWorkload(c, partial, onProgress, signal)
  }

  /** rerun plays a re-run plan on a fresh cluster (none may be running) and stops it at the end;
   * it resolves with the commands that failed this time. */
  async rerun(
    plan: RerunPlan,
    signal?: AbortSignal,
  ): Promise<{ atMs: number; type: string; error: string }[]> {
    if (this.cluster)
      throw new LabStateError('stop the live cluster first: a re-run starts its own')
    return playPlan(this, plan, {
      signal,
      onProgress: (p) => this.bus.emit({ type: 'rerun.progress', ...p }),
    })
  }

  // ---------------------------------------------------------------------------------------------

  private recordingInfo(active = true): RecordingInfo {
    const r = this.recording as NonNullable<Lab['recording']>
    const st = r.recorder.stats
    return {
      path: r.recorder.path,
      name: r.name,
      active,
      events: st.events,
      bytes: st.bytes,
      droppedTraces: st.droppedTraces,
      droppedOther: st.droppedOther,
    }
  }

  /** recordingsDir is where record.start writes and what record.list lists. */
  recordingsDir(): string {
    return this.options.recordingsDir ?? defaultRecordingsDir()
  }

  private recordingPath(name: string | undefined): string {
    const dir = this.recordingsDir()
    mkdirSync(dir, { recursive: true })
    const stem =
      name?.replace(/\.raftrec$/, '') ??
      `session-${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}`
    let path = join(dir, `${stem}.raftrec`)
    for (let i = 2; existsSync(path); i++) path = join(dir, `${stem}-${i}.raftrec`)
    return path
  }

  private startRerun(cmd: Extract<LabCommand, { type: 'rerun.start' }>): CommandResult {
    if (this.rerunning) throw new LabStateError('a re-run is already running; cancel it first')
    if (this.cluster)
      throw new LabStateError('stop the live cluster first: a re-run starts its own')
    const abort = new AbortController()
    let info: RecordingInfo | null = null
    if (cmd.record) info = this.startRecording(this.recordingPath(cmd.name), 'rerun')
    const done = this.rerun(cmd.plan, abort.signal).then(
      async (failedCommands) => {
        if (info) info = await this.stopRecording().catch(() => info)
        this.bus.emit({
          type: 'rerun.done',
          cancelled: abort.signal.aborted,
          recording: info,
          failedCommands,
        })
      },
      async (e: Error) => {
        await this.stopCluster('the re-run failed')
        if (info) info = await this.stopRecording().catch(() => info)
        this.bus.emit({
          type: 'rerun.done',
          cancelled: abort.signal.aborted,
          recording: info,
          failedCommands: [],
          error: e.message,
        })
      },
    )
    this.rerunning = {
      abort,
      done: done.finally(() => {
        this.rerunning = null
      }),
    }
    return { ok: true, ...(info ? { recording: info } : {}) }
  }

  private async run(cmd: LabCommand): Promise<CommandResult> {
    if (cmd.type === 'cluster.start') return this.startCluster(cmd.config)
    if (cmd.type === 'cluster.status') return { ok: true, status: this.status() }
    if (cmd.type === 'record.start') {
      return { ok: true, recording: this.startRecording(this.recordingPath(cmd.name), 'app') }
    }
    if (cmd.type === 'record.stop') return { ok: true, recording: await this.stopRecording() }
    if (cmd.type === 'record.list') {
      const dir = this.recordingsDir()
      const active = this.recording?.recorder.path ?? null
      return { ok: true, recordings: listRecordings(dir, active), recordingsDir: dir }
    }
    if (cmd.type === 'rerun.start') return this.startRerun(cmd)
    if (cmd.type === 'rerun.cancel') {
      if (!this.rerunning) throw new LabStateError('no re-run is running')
      this.rerunning.abort.abort()
      return { ok: true }
    }
    if (
      cmd.type === 'bench.start' ||
      cmd.type === 'bench.cancel' ||
      cmd.type === 'elect.start' ||
      cmd.type === 'elect.cancel'
    ) {
      if (this.cluster && (cmd.type === 'bench.start' || cmd.type === 'elect.start')) {
        throw new LabStateError('stop the live cluster first: a benchmark runs clusters of its own')
      }
      return this.activities.run(cmd)
    }
    const c = this.cluster
    if (!c) throw new LabStateError('no cluster is running; start one first')
    switch (cmd.type) {
      case 'cluster.stop':
        await this.stopCluster('stopped by command')
        return { ok: true, status: this.status() }
      case 'node.pause':
        c.pause(cmd.node)
        this.fault('applied', `${nodeName(cmd.node)} paused`, 'pause', [cmd.node])
        break
      case 'node.resume':
        c.resume(cmd.node)
        this.fault('healed', `${nodeName(cmd.node)} resumed`, 'resume', [cmd.node])
        break
      case 'node.crash':
        await c.crash(cmd.node)
        this.fault('applied', `${nodeName(cmd.node)} crashed (SIGKILL)`, 'crash', [cmd.node])
        break
      case 'node.restart':
        c.restart(cmd.node)
        this.fault('healed', `${nodeName(cmd.node)} restarted`, 'restart', [cmd.node])
        break
      case 'node.stop':
        await c.stopNode(cmd.node)
        this.fault('applied', `${nodeName(cmd.node)} stopped`, 'stop', [cmd.node])
        break
      case 'node.transfer':
        c.transfer(cmd.to)
        break
      case 'node.snapshot':
        // The node reports the result as a node.snapshot event, or a node.warning if it had
        // nothing new to snapshot.
        c.snapshot(cmd.node)
        break
      case 'link.cut':
      case 'link.heal': {
        const cut = cmd.type === 'link.cut'
        c.setLink(cmd.from, cmd.to, { cut })
        if (cmd.both) c.setLink(cmd.to, cmd.from, { cut })
        c.pushRules()
        const arrow = cmd.both ? '↔' : '→'
        this.fault(
          cut ? 'applied' : 'healed',
          `link ${nodeName(cmd.from)}${arrow}${nodeName(cmd.to)} ${cut ? 'cut' : 'healed'}`,
          cut ? 'link-cut' : 'link-heal',
          [cmd.from, cmd.to],
        )
        break
      }
      case 'link.set': {
        const patch: { latencyMs?: number; jitterMs?: number; lossPercent?: number } = {}
        if (cmd.latencyMs !== undefined) patch.latencyMs = nonNegative(cmd.latencyMs, 'latencyMs')
        if (cmd.jitterMs !== undefined) patch.jitterMs = nonNegative(cmd.jitterMs, 'jitterMs')
        if (cmd.lossPercent !== undefined) {
          patch.lossPercent = nonNegative(cmd.lossPercent, 'lossPercent')
          if (patch.lossPercent > 100) throw new InvalidCommand('lossPercent must be at most 100')
        }
        c.setLink(cmd.from, cmd.to, patch)
        if (cmd.both) c.setLink(cmd.to, cmd.from, patch)
        c.pushRules()
        const arrow = cmd.both ? '↔' : '→'
        this.fault(
          'applied',
          `link ${nodeName(cmd.from)}${arrow}${nodeName(cmd.to)}: ${describePatch(patch)}`,
          'link-slow',
          [cmd.from, cmd.to],
        )
        break
      }
      case 'partition.isolate':
        for (const other of c.ids) {
          if (other === cmd.node) continue
          c.setLink(cmd.node, other, { cut: true })
          c.setLink(other, cmd.node, { cut: true })
        }
        c.pushRules()
        this.fault('applied', `${nodeName(cmd.node)} isolated`, 'isolate', [cmd.node])
        break
      case 'partition.split': {
        const minority = cmd.minority ?? this.defaultMinority(c)
        const side = new Set(minority)
        for (const a of c.ids)
          for (const b of c.ids)
            if (a !== b && side.has(a) !== side.has(b)) c.setLink(a, b, { cut: true })
        c.pushRules()
        const majority = c.ids.filter((id) => !side.has(id))
        this.fault(
          'applied',
          `partition {${minority.map(nodeName).join(',')}} | {${majority.map(nodeName).join(',')}}`,
          'split',
          [...minority],
        )
        break
      }
      case 'partition.bridge': {
        // Jepsen's bridge: two halves that only one node in the middle can talk to.
        const ids = c.ids
        const mid = ids[Math.floor(ids.length / 2)] as NodeId
        const left = ids.filter((id) => id < mid)
        const right = ids.filter((id) => id > mid)
        for (const a of left)
          for (const b of right) {
            c.setLink(a, b, { cut: true })
            c.setLink(b, a, { cut: true })
          }
        c.pushRules()
        this.fault(
          'applied',
          `bridge {${left.map(nodeName).join(',')}} - ${nodeName(mid)} - {${right.map(nodeName).join(',')}}`,
          'bridge',
          [mid],
        )
        break
      }
      case 'heal.all':
        c.clearLinks()
        c.pushRules()
        this.fault('healed', 'all links healed', 'heal-all', [])
        break
      case 'kv.put':
        return this.kv(cmd.type, cmd.key, (k) => k.put(cmd.key, cmd.value))
      case 'kv.get':
        return this.kv(cmd.type, cmd.key, (k) => k.get(cmd.key))
      case 'kv.delete':
        return this.kv(cmd.type, cmd.key, (k) => k.delete(cmd.key))
      case 'kv.cas':
        return this.kv(cmd.type, cmd.key, (k) => k.cas(cmd.key, cmd.expected, cmd.value))
      case 'workload.start':
        // The command answers at once; the run reports on the event stream.
        // A front end may not choose a file to write: historyFile is for the engine's own runs.
        this.startWorkload(c, { ...cmd.spec, historyFile: null }).catch(() => {})
        break
      case 'workload.stop':
        if (!this.workload) throw new LabStateError('no workload is running')
        this.workload.abort()
        break
    }
    return { ok: true, status: this.status() }
  }

  private async startCluster(
    partial: Parameters<typeof resolveClusterConfig>[0],
  ): Promise<CommandResult> {
    if (this.cluster) throw new LabStateError('a cluster is already running; stop it first')
    const config = resolveClusterConfig(partial)
    const clusterId = `lab-${randomBytes(4).toString('hex')}`
    const runDir = makeRunDir()
    let dataDir = this.options.dataDir
    if (!dataDir) {
      dataDir = makeDataDir()
      this.tempDataDir = dataDir
    }
    const cluster = new Cluster(config, this.bus, {
      clusterId,
      runDir,
      dataDir,
      seed: this.options.seed ?? 0,
      ...(this.tempDataDir ? { tempDataDir: this.tempDataDir } : {}),
    })
    this.cluster = cluster
    this.bus.emit({ type: 'cluster.started', clusterId, config, runDir, dataDir })
    try {
      await cluster.start()
    } catch (e) {
      await this.stopCluster(`could not start: ${(e as Error).message}`)
      throw e
    }
    this.client = new KvClient({ clusterId, runDir, nodes: cluster.ids })
    return { ok: true, status: this.status() }
  }

  /** startWorkload runs a workload against the live cluster in its own process, reporting a
   * sample about every half second, until it ends or is stopped. */
  private startWorkload(
    c: Cluster,
    partial: Partial<WorkloadSpec>,
    onProgress: (p: WorkloadProgress) => void = () => {},
    signal?: AbortSignal,
  ): Promise<WorkloadResult> {
    if (this.workload) throw new LabStateError('a workload is already running; stop it first')
    const spec = checkWorkload({
      ...DEFAULT_WORKLOAD,
      durationMs: 3_600_000,
      warmupMs: 0,
      historyFile: null,
      ...partial,
    })
    const abort = new AbortController()
    if (signal?.aborted) abort.abort()
    signal?.addEventListener('abort', () => abort.abort(), { once: true })
    const target = { clusterId: c.opts.clusterId, runDir: c.opts.runDir, nodes: c.ids }
    this.bus.emit({ type: 'workload.started', spec })
    const done = runWorkload(
      target,
      spec,
      (p) => {
        this.bus.emit({
          type: 'workload.sample',
          elapsedMs: p.elapsedMs,
          totalMs: p.totalMs,
          phase: p.phase,
          sample: p.sample,
        })
        onProgress(p)
      },
      abort.signal,
      c.config.cpuShare === 'cluster' ? c.config.nodes : undefined,
    )
    const reported = done.then(
      (result) => {
        this.bus.emit({ type: 'workload.stopped', result })
      },
      (e: Error) => {
        this.bus.emit({ type: 'workload.stopped', result: null, error: e.message })
      },
    )
    this.workload = {
      abort: () => abort.abort(),
      done: reported.then(() => {
        this.workload = null
      }),
    }
    return done
  }

  private async stopCluster(reason: string): Promise<void> {
    const c = this.cluster
    if (!c) return
    if (this.workload) {
      this.workload.abort()
      await this.workload.done
    }
    this.client?.close()
    this.client = null
    await c.stop()
    this.cluster = null
    if (this.tempDataDir) rmSync(this.tempDataDir, { recursive: true, force: true })
    this.tempDataDir = null
    this.bus.emit({ type: 'cluster.stopped', reason })
  }

  private defaultMinority(c: Cluster): NodeId[] {
    // The most telling split puts the leader in the minority: it must step down, the majority
    // elects a new leader.
    const size = Math.floor((c.ids.length - 1) / 2)
    const leader = c.status().leader
    const order = leader === null ? c.ids : [leader, ...c.ids.filter((id) => id !== leader)]
    return order.slice(0, Math.max(1, size))
  }

  private async kv(
    op: 'kv.put' | 'kv.get' | 'kv.delete' | 'kv.cas',
    key: string,
    f: (k: KvClient) => Promise<KvOutcome>,
  ): Promise<CommandResult> {
    const client = this.client
    if (!client) throw new LabStateError('no cluster is running; start one first')
    const out = await f(client)
    const name = op.slice(3) as 'put' | 'get' | 'delete' | 'cas'
    this.bus.emit({
      type: 'client.op',
      clientId: client.clientId,
      op: name,
      key,
      result: out.result,
      latencyMs: out.latencyMs,
      node: out.node,
      ...(out.result === 'ok' ? { index: out.index, term: out.term, value: out.value } : {}),
      ...(out.result === 'ok' && name === 'cas' ? { swapped: out.swapped } : {}),
      ...(out.error ? { error: out.error } : {}),
    })
    if (out.result !== 'ok') {
      const what = out.result === 'info' ? 'outcome unknown' : 'failed'
      return {
        ok: false,
        error: `${name} ${what}: ${out.error ?? 'no answer'}`,
        code: 'unavailable',
      }
    }
    return {
      ok: true,
      kv: {
        value: out.value,
        ...(name === 'cas' ? { swapped: out.swapped } : {}),
        index: out.index,
        term: out.term,
        node: out.node,
        latencyMs: out.latencyMs,
      },
    }
  }

  private fault(
    action: 'applied' | 'healed',
    description: string,
    kind: FaultKind,
    nodes: NodeId[],
  ): void {
    this.bus.emit({ type: 'fault', action, description, kind, nodes })
  }
}

/** InvalidCommand is a command with bad arguments. */
class InvalidCommand extends Error {
  override name = 'InvalidCommand'
}

function nonNegative(v: number, name: string): number {
  if (!Number.isFinite(v) || v < 0) throw new InvalidCommand(`${name} must be a number ≥ 0`)
  return v
}

function describePatch(p: { latencyMs?: number; jitterMs?: number; lossPercent?: number }): string {
  const parts: string[] = []
  if (p.latencyMs !== undefined) parts.push(`latency ${p.latencyMs} ms`)
  if (p.jitterMs !== undefined) parts.push(`jitter ${p.jitterMs} ms`)
  if (p.lossPercent !== undefined) parts.push(`loss ${p.lossPercent}%`)
  return parts.join(', ')
}

function failure(e: unknown): CommandResult {
  return { ok: false, error: (e as Error).message, code: errorCode(e) }
}

function errorCode(e: unknown): 'invalid' | 'state' | 'unavailable' | 'internal' {
  if (
    e instanceof ConfigError ||
    e instanceof InvalidCommand ||
    e instanceof SocketPathError ||
    e instanceof InvalidArgument
  )
    return 'invalid'
  if (e instanceof LabStateError) return 'state'
  return 'internal'
}
