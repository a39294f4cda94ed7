// The supervisor of one cluster: spawns the node processes, pauses (SIGSTOP), crashes (SIGKILL),
// restarts and stops them, pushes fault rules to them, and turns their telemetry into LabEvents.
// Every child is tracked by pid and stopped on every exit path; a reaper process covers the one
// path no handler can: this process being killed outright.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import net from 'node:net'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import type { ClusterConfig } from '../../../shared/lab/config'
import type { ClusterStatus, NodeView } from '../../../shared/lab/commands'
import type { LinkRule, NodeState, NodeStatus } from '../../../shared/lab/events'
import { controlSocketPath } from '../../../shared/lab/sockets'
import {
  checkHello,
  decodeHello,
  decodeTelemetry,
  encodeControl,
  encodeFrame,
  encodeHelloFrame,
  FRAME_KIND,
  FrameDecoder,
  makeHello,
  ProtocolError,
  type ControlToNode,
  type NodeLaunchConfig,
  type Telemetry,
} from '../../../shared/protocol'
import type { NodeId } from '../../../shared/raft/types'
import type { EventBus } from '../events/eventBus'
import { builtEntry, childEnv } from './paths'
import { shareCpu } from './cpuShare'
import { LabStateError } from '../errors'
import { clusterLeader } from '../../../shared/lab/leader'

/** NODE_RUNTIME_FLAGS: V8's young generation is three semi-spaces of up to 16 MiB by default, and a
 * node allocates fast enough to fill them all: 8 MiB kept a node under a 2,000 writes/s soak about
 * 30 MiB smaller (RSS 140–149 MiB against 167–191 MiB, npm run bench:soak -- --phase memory
 * --minutes 2) at no measured cost in latency. Only for plain Node: Electron's binary running as
 * Node is left with its defaults. */
const NODE_RUNTIME_FLAGS: readonly string[] = process.versions.electron
  ? []
  : ['--max-semi-space-size=8']
/** STOP_GRACE_MS is how long a node may take to shut down before it is killed. */
const STOP_GRACE_MS = 3000

interface NodeProc {
  id: NodeId
  state: NodeState
  child: ChildProcess | null
  pid: number | null
  status: NodeStatus | null
  control: net.Socket | null
  stderr: string
  /** fatal is the last fatal error the process reported over its control connection. */
  fatal: string | null
  /** hasListened is set once this process reported it is listening: an exit before that means
   * it could not start. */
  hasListened: boolean
  /** detail and isStartFailure are those of the last node.process event (see NodeView). */
  detail: string | null
  isStartFailure: boolean
  /** expectedExit is set when we killed or stopped it, so its exit is not reported as a crash. */
  expectedExit: NodeState | null
  exited: Promise<void> | null
  /** resumedAtMs: when it was last resumed (session clock): the lag it reports just after a
   * pause is the pause itself, not a slow machine. */
  resumedAtMs: number
}

/** RESUME_LAG_GRACE_MS: lag reports this soon after a resume are the pause, and are dropped. */
const RESUME_LAG_GRACE_MS = 2500

/** EXITING is how a node process announces why it exits, on stderr (electron/node/main.ts). */
const EXITING = /^raftlab node n\d+: exiting: /

/**
 * exitReason says why a node process exited unexpectedly, from what it printed: the line in
 * which the node announced its exit (without that line's prefix), else the first line of the
 * fatal error it reported, else its last lines. Null when it said nothing.
 */
function exitReason(stderr: string, fatal: string | null): string | null {
  const lines = stderr
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '')
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] as string
    if (EXITING.test(line)) return line.replace(EXITING, '')
  }
  if (fatal !== null) return fatal.split('\n')[0] ?? fatal
  return lines.length > 0 ? lines.slice(-3).join(' | ') : null
}

/** ClusterOptions: where the cluster lives and which entries it starts. */
export interface ClusterOptions {
  clusterId: string
  runDir: string
  dataDir: string
  /** tempDataDir is set when dataDir is the lab's own temporary directory, to be removed even if
   * this process is killed. */
  tempDataDir?: string
  seed?: number
}

/** Cluster supervises one running cluster. */
export class Cluster {
  private readonly nodes = new Map<NodeId, NodeProc>()
  private readonly rules = new Map<string, LinkRule>()
  private readonly server: net.Server
  private readonly hello
  private reaper: ChildProcess | null = null
  private stopped = false

  constructor(
    readonly config: ClusterConfig,
    private readonly bus: EventBus,
    readonly opts: ClusterOptions,
  ) {
    this.hello = makeHello('control', 0, opts.clusterId)
    this.server = net.createServer((s) => this.acceptControl(s))
    for (let id = 1; id <= config.nodes; id++) {
      this.nodes.set(id, {
        id,
        state: 'stopped',
        child: null,
        pid: null,
        status: null,
        control: null,
        stderr: '',
        fatal: null,
        hasListened: false,
        detail: null,
        isStartFailure: false,
        expectedExit: null,
        exited: null,
        resumedAtMs: -Infinity,
      })
    }
  }

  /** processIds lists the pids of every live child: the nodes and the reaper. */
  processIds(): number[] {
    const pids = [...this.nodes.values()]
      .filter((n) => n.child && n.pid !== null)
      .map((n) => n.pid as number)
    if (this.reaper?.pid !== undefined && this.reaper.exitCode === null) pids.push(this.reaper.pid)
    return pids
  }

  /** ids lists the node ids, n1…nN. */
  get ids(): NodeId[] {
    return [...this.nodes.keys()]
  }

  /** start listens for the nodes' control connections and spawns every node. */
  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(controlSocketPath(this.opts.runDir, process.platform), () => resolve())
    })
    const dirs = [this.opts.runDir, ...(this.opts.tempDataDir ? [this.opts.tempDataDir] : [])]
    this.reaper = spawn(process.execPath, [builtEntry('reaper'), this.marker(), ...dirs], {
      env: childEnv({}),
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    })
    this.reaper.stdin?.on('error', () => {})
    for (const id of this.ids) this.spawnNode(id)
  }

  /** node returns one node's record, or throws for an unknown id. */
  private node(id: NodeId): NodeProc {
    const n = this.nodes.get(id)
    if (!n)
      throw new LabStateError(`there is no node n${id} (this cluster has n1…n${this.nodes.size})`)
    return n
  }

  // ---------------------------------------------------------------------------------------------
  // Processes

  private marker(): string {
    return `--raftlab-node=${this.opts.clusterId}:`
  }

  private spawnNode(id: NodeId): void {
    const n = this.node(id)
    const dataDir = join(this.opts.dataDir, `n${id}`)
    mkdirSync(dataDir, { recursive: true })
    const launch: NodeLaunchConfig = {
      id,
      peers: this.ids,
      clusterId: this.opts.clusterId,
      runDir: this.opts.runDir,
      dataDir,
      cluster: this.config,
      seed: this.opts.seed ? this.opts.seed * 100 + id : 0,
    }
    // RAFTLAB_NODE_EXEC_ARGV passes runtime flags to every node (a development aid, e.g.
    // "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the nodes of a benchmark).
    const execArgv = [
      ...NODE_RUNTIME_FLAGS,
      ...(process.env.RAFTLAB_NODE_EXEC_ARGV ?? '').split(' ').filter((a) => a !== ''),
    ]
    const child = spawn(
      process.execPath,
      [...execArgv, builtEntry('node'), `${this.marker()}${id}`],
      {
        env: childEnv({ RAFTLAB_NODE_CONFIG: JSON.stringify(launch) }),
        stdio: ['ignore', 'ignore', 'pipe'],
        detached: true,
      },
    )
    n.child = child
    n.pid = child.pid ?? null
    if (n.pid !== null && this.config.cpuShare === 'cluster')
      for (const message of shareCpu(n.pid, this.config.nodes))
        this.bus.emit({ type: 'node.warning', node: id, message })
    n.stderr = ''
    n.fatal = null
    n.hasListened = false
    n.expectedExit = null
    n.status = null
    this.setState(n, 'starting')
    if (n.pid !== null) this.reaper?.stdin?.write(`+${n.pid}\n`)
    child.stderr?.on('data', (chunk: Buffer) => {
      n.stderr = (n.stderr + chunk.toString('utf8')).slice(-2000)
    })
    n.exited = new Promise((resolve) => {
      // 'close', not 'exit': it comes once stderr is drained, so the reason the node printed
      // as it exited is all there.
      child.once('close', (code, signal) => {
        if (n.pid !== null) this.reaper?.stdin?.write(`-${n.pid}\n`)
        if (n.child === child) {
          n.child = null
          n.control = null
          const expected = n.expectedExit
          if (expected) {
            this.setState(n, expected)
          } else if (!this.stopped) {
            const how = signal ? `was killed by ${signal}` : `exited with code ${code}`
            const why = exitReason(n.stderr, n.fatal)
            const detail = why !== null ? `${how}: ${why}` : how
            this.setState(n, 'crashed', detail, !n.hasListened)
          }
        }
        resolve()
      })
    })
    child.once('error', (e) => {
      this.setState(n, 'crashed', `could not start: ${e.message}`, true)
    })
  }

  private setState(n: NodeProc, state: NodeState, detail?: string, isStartFailure = false): void {
    n.state = state
    n.detail = detail ?? null
    n.isStartFailure = isStartFailure
    if (state !== 'running' && state !== 'paused') n.status = null
    this.bus.emit({
      type: 'node.process',
      node: n.id,
      state,
      pid: n.child ? n.pid : null,
      ...(detail ? { detail } : {}),
      ...(isStartFailure ? { isStartFailure } : {}),
    })
  }

  /** pause stops a node with SIGSTOP: it keeps its sockets and state but runs no code. */
  pause(id: NodeId): void {
    const n = this.running(id)
    if (n.state === 'paused') throw new LabStateError(`n${id} is already paused`)
    process.kill(n.pid as number, 'SIGSTOP')
    this.setState(n, 'paused')
  }

  /** resume continues a paused node with SIGCONT. */
  resume(id: NodeId): void {
    const n = this.node(id)
    if (n.state !== 'paused' || !n.child) throw new LabStateError(`n${id} is not paused`)
    process.kill(n.pid as number, 'SIGCONT')
    n.resumedAtMs = this.bus.nowMs()
    this.setState(n, 'running')
  }

  /** crash kills a node with SIGKILL: whatever it had not synced is lost, as in a real crash. */
  async crash(id: NodeId): Promise<void> {
    const n = this.running(id)
    n.expectedExit = 'crashed'
    process.kill(n.pid as number, 'SIGKILL')
    await n.exited
  }

  /** restart starts a crashed or stopped node again on its data directory. */
  restart(id: NodeId): void {
    const n = this.node(id)
    if (n.child) throw new LabStateError(`n${id} is ${n.state}; crash or stop it first`)
    this.spawnNode(id)
  }

  /** stopNode shuts a node down gracefully (killing it if it does not stop in time). */
  async stopNode(id: NodeId): Promise<void> {
    const n = this.running(id)
    await this.shutdown(n, 'stopped')
  }

  private async shutdown(n: NodeProc, as: NodeState): Promise<void> {
    if (!n.child || n.pid === null) return
    n.expectedExit = as
    const pid = n.pid
    if (n.state === 'paused') process.kill(pid, 'SIGCONT')
    this.sendControl(n, { type: 'shutdown' })
    const timer = setTimeout(() => {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }, STOP_GRACE_MS)
    if (!n.control) process.kill(pid, 'SIGTERM')
    await n.exited
    clearTimeout(timer)
  }

  private running(id: NodeId): NodeProc {
    const n = this.node(id)
    if (
      !n.child ||
      n.pid === null ||
      (n.state !== 'running' && n.state !== 'paused' && n.state !== 'starting')
    ) {
      throw new LabStateError(`n${id} is not running (it is ${n.state})`)
    }
    return n
  }

  /** stop stops every node (by pid, whatever its state), the reaper and the control socket. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    await Promise.all([...this.nodes.values()].map((n) => this.shutdown(n, 'stopped')))
    this.reaper?.stdin?.end()
    this.server.close()
    if (process.platform !== 'win32') rmSync(this.opts.runDir, { recursive: true, force: true })
  }

  /** killAllSync kills every child at once; for process-exit handlers, which cannot wait. */
  killAllSync(): void {
    for (const n of this.nodes.values()) {
      if (n.pid !== null && n.child) {
        try {
          process.kill(n.pid, 'SIGKILL')
        } catch {
          // already gone
        }
      }
    }
    this.reaper?.stdin?.end()
  }

  // ---------------------------------------------------------------------------------------------
  // Faults on links

  /** setLink changes the rule for the directed link from → to (a missing field keeps its value). */
  setLink(from: NodeId, to: NodeId, patch: Partial<Omit<LinkRule, 'from' | 'to'>>): void {
    this.node(from)
    this.node(to)
    if (from === to) throw new LabStateError('a link joins two different nodes')
    const key = `${from}->${to}`
    const r: LinkRule = {
      ...(this.rules.get(key) ?? {
        from,
        to,
        cut: false,
        latencyMs: 0,
        jitterMs: 0,
        lossPercent: 0,
      }),
      ...patch,
    }
    if (!r.cut && r.latencyMs === 0 && r.jitterMs === 0 && r.lossPercent === 0)
      this.rules.delete(key)
    else this.rules.set(key, r)
  }

  /** clearLinks removes every link rule. */
  clearLinks(): void {
    this.rules.clear()
  }

  /** pushRules sends each node the rules for its outgoing links and reports the new set. */
  pushRules(): void {
    for (const n of this.nodes.values()) this.sendRules(n)
    this.bus.emit({ type: 'links.changed', rules: this.links() })
  }

  links(): LinkRule[] {
    return [...this.rules.values()].sort((a, b) => a.from - b.from || a.to - b.to)
  }

  private sendRules(n: NodeProc): void {
    this.sendControl(n, { type: 'rules', rules: this.links().filter((r) => r.from === n.id) })
  }

  /** transfer asks the current leader to hand leadership to `to`. */
  transfer(to: NodeId): void {
    this.running(to)
    const leader = this.status().leader
    if (leader === null) throw new LabStateError('there is no leader to transfer from')
    if (leader === to) throw new LabStateError(`n${to} is already the leader`)
    this.sendControl(this.node(leader), { type: 'transfer', to })
  }

  /** snapshot asks node `id` to snapshot its state machine and compact its log now. Only a
   * running node can: a paused one would act on it only when resumed, long after the click. */
  snapshot(id: NodeId): void {
    const n = this.node(id)
    if (n.state !== 'running' || !n.control || n.control.destroyed) {
      throw new LabStateError(`n${id} is not running (it is ${n.state}); it cannot take a snapshot`)
    }
    this.sendControl(n, { type: 'snapshot' })
  }

  private sendControl(n: NodeProc, c: ControlToNode): void {
    if (!n.control || n.control.destroyed) return
    n.control.write(encodeFrame(FRAME_KIND.control, encodeControl(c)))
  }

  // ---------------------------------------------------------------------------------------------
  // Control connections and telemetry

  private acceptControl(socket: net.Socket): void {
    const decoder = new FrameDecoder({ kinds: [FRAME_KIND.hello, FRAME_KIND.telemetry] })
    let n: NodeProc | null = null
    socket.write(encodeHelloFrame(this.hello))
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const f of decoder.push(chunk)) {
          if (!n) {
            const remote = decodeHello(f.body)
            const verdict = checkHello(this.hello, remote, { roles: ['control'] })
            if (!verdict.ok) throw verdict.error
            n = this.node(remote.nodeId)
            n.control = socket
            this.sendRules(n)
            continue
          }
          for (const t of decodeTelemetry(f.body)) this.onTelemetry(n, t)
        }
      } catch (e) {
        if (!(e instanceof ProtocolError) && !(e instanceof LabStateError)) throw e
        this.bus.emit({
          type: 'node.warning',
          node: n?.id ?? 0,
          message: `control connection refused: ${e.message}`,
        })
        socket.destroy()
      }
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      if (n && n.control === socket) n.control = null
    })
  }

  /** occurredMs converts a node's monotonic stamp to the session clock; never later than now (a
   * malformed stamp must not put an event in the future). */
  private occurredMs(monoNs: string): number {
    let ns: bigint
    try {
      ns = BigInt(monoNs)
    } catch {
      return this.bus.nowMs()
    }
    return Math.min(this.bus.monoToSessionMs(ns), this.bus.nowMs())
  }

  private onTelemetry(n: NodeProc, t: Telemetry): void {
    const node = n.id
    switch (t.type) {
      case 'listening':
        n.hasListened = true
        if (n.state === 'starting') this.setState(n, 'running')
        break
      case 'status':
        n.status = t.status
        this.bus.emit({
          type: 'node.status',
          node,
          status: t.status,
          ...(t.monoNs !== undefined ? { atMs: this.occurredMs(t.monoNs) } : {}),
        })
        break
      case 'raft':
        this.bus.emit({
          type: 'node.raft',
          node,
          event: t.event,
          ...(t.monoNs !== undefined ? { atMs: this.occurredMs(t.monoNs) } : {}),
        })
        break
      case 'log':
        this.bus.emit({
          type: 'node.log',
          node,
          op: t.op,
          fromIndex: t.fromIndex,
          toIndex: t.toIndex,
          terms: t.terms,
        })
        break
      case 'recovered':
        this.bus.emit({
          type: 'node.recovered',
          node,
          entries: t.entries,
          lastIndex: t.lastIndex,
          term: t.term,
          truncatedTailBytes: t.truncatedTailBytes,
          durationMs: t.durationMs,
          ...(t.snapshotIndex ? { snapshotIndex: t.snapshotIndex } : {}),
        })
        break
      case 'messages':
        this.bus.emit({
          type: 'node.messages',
          node,
          sent: t.sent,
          received: t.received,
          dropped: t.dropped,
        })
        break
      case 'trace':
        this.bus.emit({ type: 'node.trace', node, direction: t.direction, message: t.message })
        break
      case 'warning':
        this.bus.emit({ type: 'node.warning', node, message: t.message })
        break
      case 'leader':
        this.bus.emit({
          type: 'node.leader',
          node,
          leaderId: t.leaderId,
          term: t.term,
          monoNs: t.monoNs,
          atMs: this.occurredMs(t.monoNs),
        })
        break
      case 'lag':
        if (this.bus.nowMs() - n.resumedAtMs < RESUME_LAG_GRACE_MS) break
        this.bus.emit({
          type: 'node.lag',
          node,
          maxMs: t.maxMs,
          p99Ms: t.p99Ms,
          loadPerCpu: Math.round(((loadavg()[0] ?? 0) / Math.max(1, cpus().length)) * 100) / 100,
        })
        break
      case 'snapshot':
        this.bus.emit({
          type: 'node.snapshot',
          node,
          kind: t.kind,
          index: t.index,
          term: t.term,
          bytes: t.sizeBytes,
          durationMs: t.durationMs,
        })
        break
      case 'snapshotTransfer':
        this.bus.emit({
          type: 'node.snapshotTransfer',
          node,
          peer: t.peer,
          direction: t.direction,
          state: t.state,
          index: t.index,
          term: t.term,
          totalBytes: t.totalBytes,
          doneBytes: t.doneBytes,
          ...(t.durationMs !== undefined ? { durationMs: t.durationMs } : {}),
          ...(t.reason !== undefined ? { reason: t.reason } : {}),
        })
        break
      case 'fatal':
        n.fatal = t.message
        this.bus.emit({ type: 'node.warning', node, message: `fatal: ${t.message}` })
        break
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Status

  /** status summarizes the cluster; the leader is the leader of the highest term any running
   * node reports (a stale leader in a minority partition may still believe it leads). */
  status(): ClusterStatus {
    const nodes: NodeView[] = [...this.nodes.values()].map((n) => ({
      id: n.id,
      pid: n.child ? n.pid : null,
      state: n.state,
      status: n.status,
      ...(n.detail !== null ? { detail: n.detail } : {}),
      ...(n.isStartFailure ? { isStartFailure: true } : {}),
    }))
    const { leader, term } = clusterLeader(nodes)
    return {
      running: !this.stopped,
      clusterId: this.opts.clusterId,
      config: this.config,
      nodes,
      leader,
      term,
      links: this.links(),
    }
  }
}
