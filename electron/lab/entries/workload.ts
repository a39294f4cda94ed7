// Entry of the workload process: the load generator runs here, never in a UI process. The parent
// (clients/workloadRunner.ts) sends { type: 'start', target, spec } over the IPC channel; this process
// reports progress and the result, and exits when told to stop or when its parent goes away.
import type { WorkloadSpec } from '../../../shared/lab/workload'
import { Workload, type WorkloadTarget } from '../clients/workload'

type FromParent = { type: 'start'; target: WorkloadTarget; spec: WorkloadSpec } | { type: 'stop' }

let workload: Workload | null = null

function send(msg: unknown): void {
  process.send?.(msg)
}

process.on('message', (m: FromParent) => {
  if (m.type === 'stop') {
    workload?.stop()
    return
  }
  if (workload) return
  workload = new Workload(m.target, m.spec)
  workload
    .run((p) => send({ type: 'progress', progress: p }))
    .then(
      (result) => send({ type: 'done', result }),
      (e: Error) => send({ type: 'error', message: e.stack ?? e.message }),
    )
})

// The parent went away (even by SIGKILL: the IPC pipe closes): nobody wants the results.
process.on('disconnect', () => process.exit(0))
