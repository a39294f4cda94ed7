// A node process's state as the event stream tells it — one fold for the session state
// recordings keep and the app's cluster model. Pure.
import type { NodeState, NodeStatus } from '../lab/events'

/** ProcessView is what the fold keeps of a node's process. */
export interface ProcessView {
  state: NodeState
  pid: number | null
  /** detail: why it is in that state (an exit code, a signal, a start failure); it stays while
   * the node is down — a crash's reason outlives a later stop — and goes once it runs again. */
  detail: string | null
  /** status: its Raft state while its process runs or is paused; null otherwise. */
  status: NodeStatus | null
}

/** foldNodeProcess applies a node.process event. */
export function foldNodeProcess(
  n: ProcessView,
  ev: { state: NodeState; pid: number | null; detail?: string },
): void {
  n.state = ev.state
  n.pid = ev.pid
  if (ev.detail !== undefined) n.detail = ev.detail
  else if (ev.state === 'running' || ev.state === 'starting') n.detail = null
  if (ev.state !== 'running' && ev.state !== 'paused') n.status = null
}
