// A stand-in for the lab engine: records commands, answers them from a script of results, and
// lets a test decide whether a leader appears, so the cluster command runs with no processes.
import type { ClusterIo, ClusterLab } from '../../../electron/cli/cluster'
import {
  DEFAULT_CLUSTER_CONFIG,
  type ClusterStatus,
  type CommandResult,
  type LabCommand,
  type LabEvent,
  type NodeStatus,
} from '../../../shared/lab'

/** nodeStatus is a NodeStatus with plausible defaults. */
export function nodeStatus(over: Partial<NodeStatus> = {}): NodeStatus {
  return {
    role: 'follower',
    term: 3,
    vote: 1,
    leaderId: 1,
    commit: 12,
    applied: 12,
    lastIndex: 12,
    lastTerm: 3,
    electionElapsedTicks: 0,
    electionTimeoutTicks: 20,
    ...over,
  }
}

/** clusterStatus is a running 3-node cluster led by n1 in term 3, with no link faults. */
export function clusterStatus(over: Partial<ClusterStatus> = {}): ClusterStatus {
  return {
    running: true,
    clusterId: 'c-test',
    config: DEFAULT_CLUSTER_CONFIG,
    nodes: [1, 2, 3].map((id) => ({
      id,
      pid: 1000 + id,
      state: 'running' as const,
      status: nodeStatus({ role: id === 1 ? 'leader' : 'follower' }),
    })),
    leader: 1,
    term: 3,
    links: [],
    ...over,
  }
}

/** FakeLab is a ClusterLab whose answers a test controls. */
export class FakeLab implements ClusterLab {
  commands: LabCommand[] = []
  waits: number[] = []
  closes = 0
  /** answer decides a command's result; by default everything succeeds. */
  answer: (cmd: LabCommand) => CommandResult = () => ({ ok: true })
  /** hasLeader is what waitFor's predicate sees; false makes wait-leader time out. */
  hasLeader = true
  /** eventsOnStart and eventsOnClose are delivered to subscribers by those commands. */
  eventsOnStart: LabEvent[] = []
  eventsOnClose: LabEvent[] = []
  private listeners = new Set<(events: LabEvent[]) => void>()
  /** current is the status the lab reports (with no leader when hasLeader is false). */
  current = clusterStatus()

  command(cmd: LabCommand): Promise<CommandResult> {
    this.commands.push(cmd)
    const result = this.answer(cmd)
    if (cmd.type === 'cluster.start' && result.ok) this.emit(this.eventsOnStart)
    return Promise.resolve(result)
  }
  subscribe(listener: (events: LabEvent[]) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
  get subscribers(): number {
    return this.listeners.size
  }
  status(): ClusterStatus {
    return this.hasLeader ? this.current : { ...this.current, leader: null }
  }
  waitFor(predicate: (s: ClusterStatus) => boolean, timeoutMs: number): Promise<boolean> {
    this.waits.push(timeoutMs)
    return Promise.resolve(predicate(this.status()))
  }
  close(): Promise<void> {
    this.closes++
    this.emit(this.eventsOnClose)
    return Promise.resolve()
  }
  /** emit delivers `events` to every subscriber now. */
  emit(events: LabEvent[]): void {
    if (events.length > 0) for (const l of this.listeners) l(events)
  }
}

/** couldNotStart makes node `id` of `lab` one that could not start, for `detail`, and returns
 * the node.process event the engine would have sent. */
export function couldNotStart(lab: FakeLab, id: number, detail: string): LabEvent {
  const i = lab.current.nodes.findIndex((n) => n.id === id)
  lab.current.nodes[i] = {
    id,
    pid: null,
    state: 'crashed',
    status: null,
    detail,
    isStartFailure: true,
  }
  return {
    type: 'node.process',
    node: id,
    state: 'crashed',
    pid: null,
    detail,
    isStartFailure: true,
    seq: 1,
    timeMs: 0,
  }
}

/** FakeIo collects output and records sleeps instead of waiting. */
export class FakeIo implements ClusterIo {
  said: string[] = []
  warned: string[] = []
  dataLines: string[] = []
  slept: number[] = []
  clockMs = 0
  color = false
  say(text: string): void {
    this.said.push(text)
  }
  warn(text: string): void {
    this.warned.push(text)
  }
  data(text: string): void {
    this.dataLines.push(text)
  }
  sleep(ms: number): Promise<void> {
    this.slept.push(ms)
    this.clockMs += ms
    return Promise.resolve()
  }
  now(): number {
    return this.clockMs
  }
}
