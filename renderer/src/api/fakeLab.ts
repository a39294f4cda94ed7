// An in-memory stand-in for the lab engine, offering the preload bridge's interface. Tests drive
// it event by event (`emit`); with `live` it also plays a toy cluster (elections on timeouts,
// heartbeats over uncut links, a workload that appends and commits) so the UI can be seen and
// demonstrated without an engine (`?fake` in the address). It is not Raft: it only produces
// plausible event streams in the contract's shapes.
import type {
  ClusterStatus,
  CommandResult,
  LabCommand,
  NodeView,
} from '../../../shared/lab/commands'
import { nodeName, resolveClusterConfig, type ClusterConfig } from '../../../shared/lab/config'
import { LAB_EVENT_VERSION } from '../../../shared/lab/events'
import type { LabEvent } from '../../../shared/lab/events'
import type { HelloMessage, RaftlabBridge } from '../../../shared/lab/ipc'
import { DEFAULT_WORKLOAD } from '../../../shared/lab/workload'
import type { NodeId } from '../../../shared/raft/types'
import { blankStatus, ToyCluster, type Body, type FakeNode } from './fakeCluster'

/** FakeLabOptions: a clock, and whether to play a live cluster on timers. */
export interface FakeLabOptions {
  now?: () => number
  live?: boolean
  tickMs?: number
}

/** FakeLab is a RaftlabBridge backed by memory. */
export class FakeLab implements RaftlabBridge {
  /** commands records every command received, for tests. */
  readonly commands: LabCommand[] = []
  /** failNext makes the next command fail with this result, for tests. */
  failNext: { error: string; code: 'invalid' | 'state' | 'unavailable' | 'internal' } | null = null
  private seq = 0
  private readonly listeners = new Set<(events: LabEvent[]) => void>()
  private readonly recent: LabEvent[] = []
  private config: ClusterConfig | null = null
  private timer: ReturnType<typeof setInterval> | null = null
  private readonly now: () => number
  private readonly start: number
  private readonly toy: ToyCluster

  constructor(private readonly opts: FakeLabOptions = {}) {
    this.now = opts.now ?? (() => performance.now())
    this.start = this.now()
    this.toy = new ToyCluster((body) => this.emit(body), opts.tickMs ?? 100)
  }

  /** emit stamps an event and delivers it to the subscribers at once. */
  emit(body: Body): LabEvent {
    const ev = { ...body, seq: ++this.seq, timeMs: Math.round(this.now() - this.start) } as LabEvent
    this.recent.push(ev)
    if (this.recent.length > 5000) this.recent.splice(0, 1000)
    for (const l of this.listeners) l([ev])
    return ev
  }

  hello(): Promise<HelloMessage> {
    return Promise.resolve({
      eventVersion: { ...LAB_EVENT_VERSION },
      appVersion: 'fake',
      status: this.status(),
      lastSeq: this.seq,
      recent: this.recent.slice(),
    })
  }

  onEvents(listener: (events: LabEvent[]) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** crashOnStart makes a node's process die as it starts, with `detail` as the reason (the
   * engine reports a start failure like this), for tests and demos of that case. */
  crashOnStart(id: NodeId, detail: string): void {
    const n = this.toy.nodes.find((x) => x.view.id === id)
    if (!n) return
    n.view.state = 'starting'
    n.view.status = null
    this.emit({ type: 'node.process', node: id, state: 'starting', pid: 4000 + id })
    n.view.state = 'crashed'
    this.emit({ type: 'node.process', node: id, state: 'crashed', pid: null, detail })
  }

  /** close stops the live timers. */
  close(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  status(): ClusterStatus {
    const nodes = this.toy.nodes.map((n) => ({ ...n.view }))
    const live = nodes.filter((n) => n.status && n.state !== 'crashed')
    const term = Math.max(0, ...live.map((n) => n.status?.term ?? 0))
    const leader =
      live.find(
        (n) => n.state === 'running' && n.status?.role === 'leader' && n.status.term === term,
      )?.id ?? null
    return {
      running: this.config !== null,
      clusterId: this.config ? 'lab-fake' : null,
      config: this.config,
      nodes,
      leader,
      term,
      links: this.toy.links.map((r) => ({ ...r })),
    }
  }

  async command(cmd: LabCommand): Promise<CommandResult> {
    this.commands.push(cmd)
    if (this.failNext) {
      const f = this.failNext
      this.failNext = null
      return { ok: false, ...f }
    }
    try {
      this.run(cmd)
    } catch (e) {
      return { ok: false, error: (e as Error).message, code: 'state' }
    }
    return { ok: true, status: this.status() }
  }

  private node(id: NodeId): FakeNode {
    const n = this.toy.nodes.find((x) => x.view.id === id)
    if (!n) throw new Error(`no node ${nodeName(id)}`)
    return n
  }

  private setState(n: FakeNode, state: NodeView['state'], detail?: string): void {
    n.view.state = state
    if (state !== 'running' && state !== 'paused') n.view.status = null
    this.emit({
      type: 'node.process',
      node: n.view.id,
      state,
      pid: state === 'crashed' || state === 'stopped' ? null : 1000 + n.view.id,
      ...(detail ? { detail } : {}),
    })
  }

  private setLink(from: NodeId, to: NodeId, cut: boolean): void {
    this.toy.links = this.toy.links.filter((r) => !(r.from === from && r.to === to))
    if (cut) this.toy.links.push({ from, to, cut: true, latencyMs: 0, jitterMs: 0, lossPercent: 0 })
  }

  private cutBoth(a: NodeId, b: NodeId): void {
    this.setLink(a, b, true)
    this.setLink(b, a, true)
  }

  private pushLinks(description: string, action: 'applied' | 'healed'): void {
    this.toy.links.sort((a, b) => a.from - b.from || a.to - b.to)
    this.emit({ type: 'links.changed', rules: this.toy.links.map((r) => ({ ...r })) })
    this.emit({ type: 'fault', action, description })
  }

  private run(cmd: LabCommand): void {
    if (cmd.type === 'cluster.start') return this.startCluster(cmd.config)
    // The fake keeps no recordings: its list is empty.
    if (cmd.type === 'record.list') return
    if (cmd.type === 'bench.start' || cmd.type === 'elect.start') {
      if (this.config)
        throw new Error('stop the live cluster first: a benchmark runs clusters of its own')
      return
    }
    if (!this.config) throw new Error('no cluster is running; start one first')
    const ids = this.toy.nodes.map((n) => n.view.id)
    switch (cmd.type) {
      case 'cluster.stop':
        this.close()
        this.toy.workload = false
        for (const n of this.toy.nodes) this.setState(n, 'stopped')
        this.toy.nodes = []
        this.config = null
        this.toy.links = []
        this.emit({ type: 'cluster.stopped', reason: 'stopped by command' })
        return
      case 'node.pause':
      case 'node.resume':
      case 'node.crash':
      case 'node.restart': {
        const n = this.node(cmd.node)
        const verb = cmd.type.slice(5)
        const state = {
          pause: 'paused',
          resume: 'running',
          crash: 'crashed',
          restart: 'running',
        } as const
        if (verb === 'pause' && n.view.state !== 'running')
          throw new Error(`${nodeName(cmd.node)} is not running`)
        if (verb === 'resume' && n.view.state !== 'paused')
          throw new Error(`${nodeName(cmd.node)} is not paused`)
        this.setState(n, state[verb as keyof typeof state])
        if (verb === 'restart') n.view.status = { ...blankStatus(), term: n.log.at(-1) ?? 0 }
        const desc = {
          pause: 'paused',
          resume: 'resumed',
          crash: 'crashed (SIGKILL)',
          restart: 'restarted',
        }
        this.emit({
          type: 'fault',
          action: verb === 'pause' || verb === 'crash' ? 'applied' : 'healed',
          description: `${nodeName(cmd.node)} ${desc[verb as keyof typeof desc]}`,
        })
        return
      }
      case 'node.stop':
        this.setState(this.node(cmd.node), 'stopped')
        // As the engine does: the stop is a fault, told once.
        this.emit({
          type: 'fault',
          action: 'applied',
          description: `${nodeName(cmd.node)} stopped`,
        })
        return
      case 'node.snapshot':
        this.toy.snapshot(this.node(cmd.node))
        return
      case 'node.transfer': {
        const leader = this.status().leader
        if (leader === null) throw new Error('there is no leader to transfer from')
        const to = this.node(cmd.to)
        to.elapsed = to.timeout
        return
      }
      case 'link.cut':
      case 'link.heal':
        this.setLink(cmd.from, cmd.to, cmd.type === 'link.cut')
        if (cmd.both) this.setLink(cmd.to, cmd.from, cmd.type === 'link.cut')
        this.pushLinks(
          `link ${nodeName(cmd.from)}${cmd.both ? '↔' : '→'}${nodeName(cmd.to)} ${cmd.type === 'link.cut' ? 'cut' : 'healed'}`,
          cmd.type === 'link.cut' ? 'applied' : 'healed',
        )
        return
      case 'partition.isolate':
        for (const o of ids) if (o !== cmd.node) this.cutBoth(cmd.node, o)
        this.pushLinks(`${nodeName(cmd.node)} isolated`, 'applied')
        return
      case 'partition.split': {
        const leader = this.status().leader
        const size = Math.max(1, Math.floor((ids.length - 1) / 2))
        const minority =
          cmd.minority ??
          (leader ? [leader, ...ids.filter((i) => i !== leader)] : ids).slice(0, size)
        for (const a of ids)
          for (const b of ids)
            if (a !== b && minority.includes(a) !== minority.includes(b)) this.setLink(a, b, true)
        this.pushLinks(
          `partition {${minority.map(nodeName).join(',')}} | {${ids
            .filter((i) => !minority.includes(i))
            .map(nodeName)
            .join(',')}}`,
          'applied',
        )
        return
      }
      case 'partition.bridge': {
        const mid = ids[Math.floor(ids.length / 2)] as NodeId
        for (const a of ids) for (const b of ids) if (a < mid && b > mid) this.cutBoth(a, b)
        this.pushLinks(`bridge through ${nodeName(mid)}`, 'applied')
        return
      }
      case 'link.set': {
        const set = (from: NodeId, to: NodeId): void => {
          const old = this.toy.links.find((r) => r.from === from && r.to === to)
          this.toy.links = this.toy.links.filter((r) => r !== old)
          const rule = {
            from,
            to,
            cut: old?.cut ?? false,
            latencyMs: cmd.latencyMs ?? old?.latencyMs ?? 0,
            jitterMs: cmd.jitterMs ?? old?.jitterMs ?? 0,
            lossPercent: cmd.lossPercent ?? old?.lossPercent ?? 0,
          }
          if (rule.cut || rule.latencyMs > 0 || rule.jitterMs > 0 || rule.lossPercent > 0)
            this.toy.links.push(rule)
        }
        set(cmd.from, cmd.to)
        if (cmd.both) set(cmd.to, cmd.from)
        this.pushLinks(
          `link ${nodeName(cmd.from)}${cmd.both ? '↔' : '→'}${nodeName(cmd.to)}: latency ${cmd.latencyMs ?? 0} ms`,
          'applied',
        )
        return
      }
      case 'heal.all':
        this.toy.links = []
        this.pushLinks('all links healed', 'healed')
        return
      case 'workload.start':
        if (this.toy.workload) throw new Error('a workload is already running; stop it first')
        this.toy.workload = true
        this.emit({
          type: 'workload.started',
          spec: { ...DEFAULT_WORKLOAD, durationMs: 3_600_000, warmupMs: 0, ...cmd.spec },
        })
        return
      case 'workload.stop':
        if (!this.toy.workload) throw new Error('no workload is running')
        this.toy.workload = false
        this.emit({ type: 'workload.stopped', result: null })
        return
      default:
        return
    }
  }

  private startCluster(partial: Partial<ClusterConfig>): void {
    if (this.config) throw new Error('a cluster is already running; stop it first')
    const config = resolveClusterConfig(partial)
    this.config = config
    this.emit({
      type: 'cluster.started',
      clusterId: 'lab-fake',
      config,
      runDir: '/tmp/fake',
      dataDir: '/tmp/fake',
    })
    this.toy.nodes = Array.from({ length: config.nodes }, (_, i) => ({
      view: { id: i + 1, pid: null, state: 'starting' as const, status: null },
      log: [],
      elapsed: 0,
      timeout: 15 + Math.floor(Math.random() * 15),
    }))
    for (const n of this.toy.nodes) this.setState(n, 'starting')
    for (const n of this.toy.nodes) {
      this.setState(n, 'running')
      n.view.status = blankStatus()
    }
    if (this.opts.live) this.timer = setInterval(() => this.toy.tick(), this.opts.tickMs ?? 100)
  }
}
