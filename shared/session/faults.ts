// Fault bands: the periods during which a fault held — a node paused, crashed or stopped, or link
// rules in force — folded from the state events that say so (node.process, links.changed), never
// from the wording of fault descriptions, so a band ends exactly when its fault does. One reducer
// for every consumer: the session state recordings keep, and the app's charts. Labels take the
// words of the fault events. Plain JSON-able data (keyframes store it). Pure.
import { nodeName } from '../lab/config'
import { LINK_FAULT_KINDS, type LabEvent } from '../lab/events'
import type { NodeId } from '../raft/types'

/** FaultBand is one period a fault held. */
export interface FaultBand {
  id: number
  kind: 'node' | 'link'
  /** node: the node a node band is about (0 for link bands). */
  node: NodeId
  /** state: for a node band, the process state it shows (paused, crashed, stopped). */
  state?: string
  label: string
  startMs: number
  endMs: number | null
  /** discarded: not a fault after all (nodes stopping because the whole cluster stopped). */
  discarded?: boolean
}

/** FaultBands holds the bands (oldest first, at most `cap`) and the bookkeeping of open ones. */
export interface FaultBands {
  bands: FaultBand[]
  cap: number
  /** open: the open band of each node (by id) and of the links. */
  openNodes: Record<string, number>
  openLink: number | null
  nextId: number
  /** stoppingAtMs: when the running cluster began to stop: its nodes stop one by one meanwhile,
   * and that is the shutdown, not a fault. */
  stoppingAtMs: number | null
}

/** createFaultBands: no band yet. */
export function createFaultBands(cap = 1024): FaultBands {
  return { bands: [], cap, openNodes: {}, openLink: null, nextId: 1, stoppingAtMs: null }
}

/** openLinkBand is the band of the link rules in force, if any. */
export function openLinkBand(f: FaultBands): FaultBand | null {
  return f.openLink === null ? null : (byId(f, f.openLink) ?? null)
}

/** openNodeBand is a node's open band, if any. */
export function openNodeBand(f: FaultBands, node: NodeId): FaultBand | null {
  const id = f.openNodes[String(node)]
  return id === undefined ? null : (byId(f, id) ?? null)
}

function byId(f: FaultBands, id: number): FaultBand | undefined {
  for (let i = f.bands.length - 1; i >= 0; i--) if (f.bands[i]?.id === id) return f.bands[i]
  return undefined
}

function open(f: FaultBands, b: Omit<FaultBand, 'id' | 'endMs'>): FaultBand {
  const band: FaultBand = { ...b, id: f.nextId++, endMs: null }
  f.bands.push(band)
  // Bounded: the oldest closed band goes first (an open one is still being drawn).
  if (f.bands.length > f.cap) {
    const i = f.bands.findIndex((x) => x.endMs !== null)
    f.bands.splice(i >= 0 ? i : 0, 1)
  }
  return band
}

function closeNode(f: FaultBands, node: NodeId, timeMs: number): void {
  const b = openNodeBand(f, node)
  if (b) b.endMs = Math.max(b.startMs, timeMs)
  delete f.openNodes[String(node)]
}

function closeAll(f: FaultBands, timeMs: number): void {
  for (const id of Object.keys(f.openNodes)) closeNode(f, Number(id), timeMs)
  const l = openLinkBand(f)
  if (l) l.endMs = Math.max(l.startMs, timeMs)
  f.openLink = null
}

/** describeRules labels a link band from its rules until a fault event words it. */
function describeRules(total: number, cut: number): string {
  if (cut === total) return `${cut} link${cut === 1 ? '' : 's'} cut`
  return `${total} link rule${total === 1 ? '' : 's'}`
}

/** reduceFaults folds one event into the bands; `running` says whether a cluster was running
 * before it (a stop command only begins a shutdown of a running cluster). */
export function reduceFaults(f: FaultBands, ev: LabEvent, running: boolean): void {
  switch (ev.type) {
    case 'cluster.started':
      f.stoppingAtMs = null
      break
    case 'cluster.stopped': {
      // Stopping a cluster stops its nodes first; those are not faults (a node stopped on purpose
      // before the cluster's stop began is).
      const since = f.stoppingAtMs
      for (const id of Object.values(f.openNodes)) {
        const b = byId(f, id)
        if (b && b.state === 'stopped' && (since === null || b.startMs >= since)) b.discarded = true
      }
      closeAll(f, since ?? ev.timeMs)
      f.stoppingAtMs = null
      break
    }
    case 'command':
      if (ev.command.type !== 'cluster.stop') break
      if (ev.phase === 'started' && running) f.stoppingAtMs = ev.timeMs
      else if (ev.phase === 'failed') f.stoppingAtMs = null
      break
    case 'node.process': {
      const down = ev.state === 'crashed' || ev.state === 'stopped'
      const faulty = down || ev.state === 'paused'
      const was = openNodeBand(f, ev.node)
      if (was && (!faulty || was.state !== ev.state)) closeNode(f, ev.node, ev.timeMs)
      if (faulty && !openNodeBand(f, ev.node)) {
        const b = open(f, {
          startMs: ev.timeMs,
          kind: 'node',
          node: ev.node,
          state: ev.state,
          label: `${nodeName(ev.node)} ${ev.state}`,
        })
        f.openNodes[String(ev.node)] = b.id
      }
      break
    }
    case 'links.changed': {
      const l = openLinkBand(f)
      if (ev.rules.length > 0 && !l) {
        const label = describeRules(ev.rules.length, ev.rules.filter((r) => r.cut).length)
        f.openLink = open(f, { startMs: ev.timeMs, kind: 'link', node: 0, label }).id
      } else if (ev.rules.length === 0 && l) {
        l.endMs = ev.timeMs
        f.openLink = null
      }
      break
    }
    case 'fault': {
      // The band for link faults takes the words of the fault that opened or changed it.
      const l = openLinkBand(f)
      // (Recordings from before events minor 7 carry only the words.)
      const linkFault = ev.kind
        ? LINK_FAULT_KINDS.has(ev.kind)
        : /link|partition|bridge|isolated/.test(ev.description)
      if (l && ev.action === 'applied' && linkFault) l.label = ev.description
      break
    }
    default:
      break
  }
}
