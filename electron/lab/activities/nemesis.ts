// The nemesis of `raftlab test`: a seeded schedule of faults applied to a live cluster and healed
// again — partitions (random halves, majorities ring, the leader isolated, a bridge), pauses
// (a random node or the leader), kills and restarts, every node killed at once and restarted,
// slow links and lossy links — and the loop that plays it until the run ends.
import type { ClusterStatus, CommandResult, LabCommand } from '../../../shared/lab/commands'
import { nodeName } from '../../../shared/lab/config'
import type { NodeId } from '../../../shared/raft/types'
import type { Rng } from '../../../shared/util/rng'
import { sleep } from '../sleep'

/** NemesisKind names a family of faults the nemesis may choose from. 'kill-all' SIGKILLs every
 * node at the same moment and restarts them all: a whole-cluster crash under load, after which
 * every acknowledged write must still be there (it was fsynced on a majority before it was). */
export type NemesisKind = 'partition' | 'pause' | 'kill' | 'kill-all' | 'latency' | 'loss'

/** NEMESIS_KINDS lists every family. */
export const NEMESIS_KINDS: readonly NemesisKind[] = [
  'partition',
  'pause',
  'kill',
  'kill-all',
  'latency',
  'loss',
]

/** Fault is one planned fault: the commands that apply it and the ones that heal it. */
export interface Fault {
  kind: NemesisKind
  description: string
  apply: LabCommand[]
  heal: LabCommand[]
}

function shuffled<T>(rng: Rng, xs: readonly T[]): T[] {
  const a = [...xs]
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(0, i + 1)
    ;[a[i], a[j]] = [a[j] as T, a[i] as T]
  }
  return a
}

/** cutsBetween returns the commands that cut both directions between two groups. */
function cutsBetween(a: NodeId[], b: NodeId[]): LabCommand[] {
  const out: LabCommand[] = []
  for (const x of a) for (const y of b) out.push({ type: 'link.cut', from: x, to: y, both: true })
  return out
}

/** planFault draws the next fault of one of `kinds` for the cluster as it is now. */
export function planFault(rng: Rng, kinds: readonly NemesisKind[], status: ClusterStatus): Fault {
  const ids = status.nodes.map((n) => n.id)
  const running = status.nodes.filter((n) => n.state === 'running').map((n) => n.id)
  const leader = status.leader
  const kind = rng.pick(kinds)
  const heal: LabCommand[] = [{ type: 'heal.all' }]
  switch (kind) {
    case 'partition': {
      const shape = rng.pick(['halves', 'ring', 'isolate-leader', 'bridge'] as const)
      if (shape === 'isolate-leader' && leader !== null) {
        return {
          kind,
          description: `isolate the leader ${nodeName(leader)}`,
          apply: [{ type: 'partition.isolate', node: leader }],
          heal,
        }
      }
      if (shape === 'bridge' && ids.length >= 3) {
        return { kind, description: 'bridge', apply: [{ type: 'partition.bridge' }], heal }
      }
      if (shape === 'ring' && ids.length >= 4) {
        // Jepsen's majorities ring: every node sees a majority (itself and its ring neighbours
        // out to a majority), but no two nodes see the same one.
        const ring = shuffled(rng, ids)
        // Keeping neighbours up to distance k on each side gives each node 2k + 1 ≥ a majority.
        const k = Math.ceil(Math.floor(ids.length / 2) / 2)
        const apply: LabCommand[] = []
        ring.forEach((a, i) => {
          ring.forEach((b, j) => {
            const d = Math.min(Math.abs(i - j), ring.length - Math.abs(i - j))
            if (i < j && d > k) apply.push({ type: 'link.cut', from: a, to: b, both: true })
          })
        })
        return { kind, description: `majorities ring ${ring.map(nodeName).join('-')}`, apply, heal }
      }
      const order = shuffled(rng, ids)
      const cut = rng.int(1, Math.max(2, ids.length))
      const left = order.slice(0, cut)
      const right = order.slice(cut)
      return {
        kind,
        description: `random halves {${left.map(nodeName).join(',')}} | {${right.map(nodeName).join(',')}}`,
        apply: cutsBetween(left, right),
        heal,
      }
    }
    case 'pause': {
      const target =
        leader !== null && rng.chance(0.5) ? leader : rng.pick(running.length > 0 ? running : ids)
      return {
        kind,
        description: `pause ${nodeName(target)}${target === leader ? ' (the leader)' : ''}`,
        apply: [{ type: 'node.pause', node: target }],
        heal: [{ type: 'node.resume', node: target }],
      }
    }
    case 'kill': {
      const target =
        leader !== null && rng.chance(0.5) ? leader : rng.pick(running.length > 0 ? running : ids)
      return {
        kind,
        description: `kill ${nodeName(target)}${target === leader ? ' (the leader)' : ''} and restart it`,
        apply: [{ type: 'node.crash', node: target }],
        heal: [{ type: 'node.restart', node: target }],
      }
    }
    case 'kill-all': {
      // Every node with a process — paused ones too: SIGKILL ends a stopped process.
      const alive = status.nodes
        .filter((n) => n.pid !== null && n.state !== 'crashed' && n.state !== 'stopped')
        .map((n) => n.id)
      return {
        kind,
        description: `kill every node (${alive.map(nodeName).join(',')}) at once and restart them`,
        apply: alive.map((node) => ({ type: 'node.crash', node })),
        heal: alive.map((node) => ({ type: 'node.restart', node })),
      }
    }
    case 'latency':
    case 'loss': {
      const from = rng.pick(ids)
      const to = rng.pick(ids.filter((x) => x !== from))
      const both = rng.chance(0.5)
      const arrow = both ? '↔' : '→'
      if (kind === 'latency') {
        const latencyMs = rng.pick([20, 50, 100])
        return {
          kind,
          description: `latency ${latencyMs} ms ± ${latencyMs / 2} on ${nodeName(from)}${arrow}${nodeName(to)}`,
          apply: [{ type: 'link.set', from, to, both, latencyMs, jitterMs: latencyMs / 2 }],
          heal,
        }
      }
      const lossPercent = rng.pick([10, 30, 60])
      return {
        kind,
        description: `loss ${lossPercent}% on ${nodeName(from)}${arrow}${nodeName(to)}`,
        apply: [{ type: 'link.set', from, to, both, lossPercent }],
        heal,
      }
    }
  }
}

/** NemesisTarget is what the nemesis acts on: a cluster's status and its commands (a Lab). */
export interface NemesisTarget {
  status(): ClusterStatus
  command(cmd: LabCommand): Promise<CommandResult>
}

/** NemesisOptions configures runNemesis. `endMs` is when the run ends, on the clock `now`
 * (default performance.now): no wait of the nemesis lasts past it. */
export interface NemesisOptions {
  kinds: readonly NemesisKind[]
  /** faultEveryMs: the mean time between the start of one fault and the next. */
  faultEveryMs: number
  rng: Rng
  endMs: number
  now?: () => number
  /** onFault is told of each fault once it is applied. */
  onFault?: (fault: Fault) => void
}

/** between draws an integer in [lo, hi), or returns lo when the range is empty: fault intervals
 * are fractions of a user's duration and need not be integers. */
function between(rng: Rng, lo: number, hi: number): number {
  const a = Math.round(lo)
  const b = Math.round(hi)
  return b > a ? rng.int(a, b) : a
}

/**
 * runNemesis plays the fault schedule on `target` — rest, fault, hold, heal, rest… — until the
 * run ends (`opts.endMs`) or `signal` aborts, and resolves with the number of faults applied.
 * Every wait ends at whichever comes first, so the nemesis never keeps a run past its end however
 * long its interval; a fault it applied is always healed before it returns. A fault's commands are
 * issued at once (so "every node" really means every node at the same moment), and a command
 * that fails (say, pausing a node that is down) does not stop the schedule. With no kinds, it
 * applies nothing: the fault-free baseline.
 */
export async function runNemesis(
  target: NemesisTarget,
  opts: NemesisOptions,
  signal: AbortSignal,
): Promise<number> {
  const now = opts.now ?? (() => performance.now())
  const { rng, faultEveryMs } = opts
  const isOver = (): boolean => signal.aborted || now() >= opts.endMs
  const wait = (ms: number): Promise<void> => sleep(Math.min(ms, opts.endMs - now()), signal)
  const run = async (cmds: readonly LabCommand[]): Promise<void> => {
    await Promise.all(cmds.map((c) => target.command(c)))
  }
  if (opts.kinds.length === 0) return 0
  let faults = 0
  await wait(between(rng, 1000, 2000))
  while (!isOver()) {
    const fault = planFault(rng, opts.kinds, target.status())
    await run(fault.apply)
    faults++
    opts.onFault?.(fault)
    await wait(between(rng, faultEveryMs / 3, faultEveryMs))
    await run(fault.heal)
    await wait(between(rng, faultEveryMs / 6, faultEveryMs / 2))
  }
  return faults
}
