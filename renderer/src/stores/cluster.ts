// The cluster as the views show it (a snapshot replaced per batch) and the commands that act on
// it: node actions, links, partition presets, the workload.
import { defineStore } from 'pinia'
import { computed, shallowRef } from 'vue'
import type { CommandResult, LabCommand } from '../../../shared/lab/commands'
import type { ClusterConfig } from '../../../shared/lab/config'
import type { LinkRule } from '../../../shared/lab/events'
import type { WorkloadSpec } from '../../../shared/lab/workload'
import type { NodeId } from '../../../shared/raft/types'
import {
  emptyWorkload,
  isIsolated,
  type ClusterModel,
  type NodeModel,
  type VoteArrow,
  type WorkloadModel,
} from '../model/cluster'
import { useLinkStore } from './link'
import { useToastStore } from './toasts'

/** ClusterSnapshot is an immutable copy of the cluster model for rendering. */
export interface ClusterSnapshot {
  running: boolean
  clusterId: string | null
  config: ClusterConfig | null
  nodes: readonly NodeModel[]
  links: readonly LinkRule[]
  leader: NodeId | null
  term: number
  votes: readonly VoteArrow[]
  workload: WorkloadModel
  lastTimeMs: number
}

const EMPTY: ClusterSnapshot = {
  running: false,
  clusterId: null,
  config: null,
  nodes: [],
  links: [],
  leader: null,
  term: 0,
  votes: [],
  workload: emptyWorkload(),
  lastTimeMs: 0,
}

/** useClusterStore exposes the cluster and its commands. */
export const useClusterStore = defineStore('cluster', () => {
  const view = shallowRef<ClusterSnapshot>(EMPTY)

  /** publish replaces the snapshot (nodes are copied so child components see new props). */
  function publish(m: ClusterModel): void {
    view.value = {
      running: m.running,
      clusterId: m.clusterId,
      config: m.config,
      nodes: m.nodes.map((n) => ({ ...n })),
      links: m.links.slice(),
      leader: m.leader,
      term: m.term,
      votes: m.votes.toArray(),
      workload: { ...m.workload },
      lastTimeMs: m.lastTimeMs,
    }
  }

  const nodeIds = computed(() => view.value.nodes.map((n) => n.id))
  const node = (id: NodeId | null): NodeModel | null =>
    id === null ? null : (view.value.nodes.find((n) => n.id === id) ?? null)

  const run = (cmd: LabCommand) => useLinkStore().run(cmd)

  /** togglePause pauses a running node or resumes a paused one. */
  function togglePause(id: NodeId): Promise<CommandResult> {
    const paused = node(id)?.state === 'paused'
    return run({ type: paused ? 'node.resume' : 'node.pause', node: id })
  }

  /** toggleCrash crashes a live node or restarts a dead one. */
  function toggleCrash(id: NodeId): Promise<CommandResult> {
    const s = node(id)?.state
    const dead = s === 'crashed' || s === 'stopped'
    return run({ type: dead ? 'node.restart' : 'node.crash', node: id })
  }

  /** toggleLink cuts one direction of a link, or heals it if it is cut. */
  function toggleLink(from: NodeId, to: NodeId): Promise<CommandResult> {
    const cut = view.value.links.some((r) => r.from === from && r.to === to && r.cut)
    return run({ type: cut ? 'link.heal' : 'link.cut', from, to, both: false })
  }

  /** isolateLeader isolates the current leader (an error toast if there is none). */
  async function isolateLeader(): Promise<CommandResult | null> {
    const leader = view.value.leader
    if (leader === null) {
      useToastStore().push('error', 'isolate leader: there is no leader right now')
      return null
    }
    return run({ type: 'partition.isolate', node: leader })
  }

  /** rejoin heals every cut link to and from an isolated node: all links at once when the
   * isolation is the only fault in force, else the cut pairs one by one (other faults stay). */
  async function rejoin(id: NodeId): Promise<CommandResult> {
    const rules = view.value.links
    const touches = (r: LinkRule) => r.from === id || r.to === id
    if (rules.every((r) => r.cut && touches(r))) return run({ type: 'heal.all' })
    const peers = [
      ...new Set(
        rules.filter((r) => r.cut && touches(r)).map((r) => (r.from === id ? r.to : r.from)),
      ),
    ]
    let last: CommandResult = { ok: true }
    for (const other of peers) {
      last = await run({ type: 'link.heal', from: id, to: other, both: true })
      if (!last.ok) break
    }
    return last
  }

  /** toggleIsolate isolates a node, or lets an isolated one rejoin. */
  function toggleIsolate(id: NodeId): Promise<CommandResult> {
    return isIsolated(view.value, id) ? rejoin(id) : run({ type: 'partition.isolate', node: id })
  }

  return {
    view,
    nodeIds,
    node,
    publish,
    togglePause,
    toggleCrash,
    toggleLink,
    isolateLeader,
    rejoin,
    toggleIsolate,
    isolate: (id: NodeId) => run({ type: 'partition.isolate', node: id }),
    transfer: (to: NodeId) => run({ type: 'node.transfer', to }),
    stopNode: (id: NodeId) => run({ type: 'node.stop', node: id }),
    snapshot: (id: NodeId) => run({ type: 'node.snapshot', node: id }),
    setLink: (
      from: NodeId,
      to: NodeId,
      both: boolean,
      latencyMs: number,
      jitterMs: number,
      lossPercent: number,
    ) => run({ type: 'link.set', from, to, both, latencyMs, jitterMs, lossPercent }),
    split: () => run({ type: 'partition.split' }),
    bridge: () => run({ type: 'partition.bridge' }),
    healAll: () => run({ type: 'heal.all' }),
    start: (config: Partial<ClusterConfig>) => run({ type: 'cluster.start', config }),
    stop: () => run({ type: 'cluster.stop' }),
    startWorkload: (spec: Partial<WorkloadSpec>) => run({ type: 'workload.start', spec }),
    stopWorkload: () => run({ type: 'workload.stop' }),
  }
})
