// The fault plane: the lab's faults on the links a node sends on, as a stage of its own between
// the node and its sockets. Per directed link (this node → a peer) a rule cuts (drops all), loses
// a share of the messages at random, and delays by latency ± jitter while keeping the link's
// order (a stream keeps order, as TCP would). The plane knows nothing of what it carries — Raft
// messages here; any sender's items can go through it the same way.
//
// Randomness comes from a seeded generator (shared/util/rng): one stream per link for losses and
// one for jitter, forked in peer order when the plane is built, so a link's decisions depend only
// on the seed and on the sequence of sends on that link — not on traffic on other links. Given
// the same seed and the same sends, a run drops and delays the same messages. (Which messages a
// node sends, and when, still follows real time: the faults are reproducible, the run is not.)
import type { LinkRule } from '../../../shared/lab/events'
import type { NodeId } from '../../../shared/raft/types'
import { createRng, type Rng } from '../../../shared/util/rng'

/** FaultClock is the time the plane delays by: performance.now() and Node's timers in a node,
 * a fake in tests. */
export interface FaultClock {
  nowMs(): number
  setTimer(fn: () => void, ms: number): unknown
  clearTimer(timer: unknown): void
}

/** REAL_CLOCK is the process's monotonic clock and timers. */
export const REAL_CLOCK: FaultClock = {
  nowMs: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (t) => clearTimeout(t as NodeJS.Timeout),
}

/** FaultPlaneOptions configures a FaultPlane. */
export interface FaultPlaneOptions {
  /** from is the sending node: rules for other senders' links are ignored. */
  from: NodeId
  /** peers are the links' far ends (one stream of randomness each). */
  peers: readonly NodeId[]
  /** rng seeds every link's streams (see faultSeed). */
  rng: Rng
  /** timeScale stretches injected latency like every other timer. */
  timeScale: number
  clock?: FaultClock
}

interface Held {
  atMs: number
  deliver: () => void
}

/** LinkState is one directed link's rule, randomness and held deliveries. */
interface LinkState {
  rule: LinkRule | null
  readonly loss: Rng
  readonly jitter: Rng
  held: Held[]
  timer: unknown
  timerArmed: boolean
  lastDeliveryMs: number
}

/** FaultPlane applies the link rules pushed by the supervisor to what this node sends. */
export class FaultPlane {
  private readonly links = new Map<NodeId, LinkState>()
  private readonly clock: FaultClock

  constructor(private readonly opts: FaultPlaneOptions) {
    this.clock = opts.clock ?? REAL_CLOCK
    for (const peer of [...opts.peers].sort((a, b) => a - b)) {
      const link = opts.rng.fork(peer)
      this.links.set(peer, {
        rule: null,
        loss: link.fork(1),
        jitter: link.fork(2),
        held: [],
        timer: null,
        timerArmed: false,
        lastDeliveryMs: 0,
      })
    }
  }

  /** setRules replaces the rules; only those of links from this node apply. */
  setRules(rules: readonly LinkRule[]): void {
    for (const link of this.links.values()) link.rule = null
    for (const r of rules) {
      const link = this.links.get(r.to)
      if (r.from === this.opts.from && link) link.rule = r
    }
  }

  /** ruleFor is the rule on the link to `to`, or null when it has none. */
  ruleFor(to: NodeId): LinkRule | null {
    return this.links.get(to)?.rule ?? null
  }

  /** admit returns the items of one send to `to` that the link lets through: none on a cut
   * link, each with probability 1 − lossPercent/100 on a lossy one (one draw per item), all
   * otherwise. Order is kept. */
  admit<T>(to: NodeId, items: readonly T[]): T[] {
    const link = this.links.get(to)
    const rule = link?.rule
    if (!link || !rule) return items.slice()
    if (rule.cut) return []
    if (rule.lossPercent <= 0) return items.slice()
    return items.filter(() => link.loss.float() * 100 >= rule.lossPercent)
  }

  /** forward runs `deliver` (which writes one send's admitted items) now, or after the link's
   * latency ± jitter (one draw per send), never before an earlier delayed send on that link. */
  forward(to: NodeId, deliver: () => void): void {
    const link = this.links.get(to)
    const rule = link?.rule
    if (!link || !rule || (rule.latencyMs <= 0 && rule.jitterMs <= 0)) {
      deliver()
      return
    }
    const jitterMs = rule.jitterMs > 0 ? (link.jitter.float() * 2 - 1) * rule.jitterMs : 0
    const delayMs = Math.max(0, (rule.latencyMs + jitterMs) * this.opts.timeScale)
    const atMs = Math.max(this.clock.nowMs() + delayMs, link.lastDeliveryMs)
    link.lastDeliveryMs = atMs
    link.held.push({ atMs, deliver })
    if (!link.timerArmed) this.arm(link)
  }

  /** heldCount is how many sends wait on the link to `to`. */
  heldCount(to: NodeId): number {
    return this.links.get(to)?.held.length ?? 0
  }

  /** close drops every held send and stops the timers. */
  close(): void {
    for (const link of this.links.values()) {
      if (link.timerArmed) this.clock.clearTimer(link.timer)
      link.timerArmed = false
      link.held = []
    }
  }

  private arm(link: LinkState): void {
    const first = link.held[0]
    if (!first) return
    link.timerArmed = true
    link.timer = this.clock.setTimer(
      () => {
        link.timerArmed = false
        const now = this.clock.nowMs()
        // Timers fire up to about a millisecond off: what is due within half a millisecond goes.
        while (link.held.length > 0 && (link.held[0] as Held).atMs <= now + 0.5) {
          const due = link.held.shift() as Held
          due.deliver()
        }
        this.arm(link)
      },
      Math.max(0, first.atMs - this.clock.nowMs()),
    )
  }
}

/** FAULT_STREAM labels the fault plane's fork of a node's seed, apart from its core's stream. */
const FAULT_STREAM = 0x6661756c

/**
 * faultRng is a node's fault-plane generator. With a launch seed (the lab's --seed; the
 * supervisor gives each node seed × 100 + id), it is a fork of that seed. Without one, it is
 * derived from the cluster id and the node id — the cluster id is random per start but is in the
 * cluster.started event, so a recording names the seed of its faults too. A restarted node
 * starts its streams over.
 */
export function faultRng(seed: number, clusterId: string, id: NodeId): Rng {
  const base = seed !== 0 ? seed : (fnv1a(clusterId) ^ Math.imul(id, 0x9e3779b1)) | 0
  return createRng(base).fork(FAULT_STREAM)
}

/** fnv1a is the 32-bit FNV-1a hash of a string's UTF-16 code units. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h | 0
}
