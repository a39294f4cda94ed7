// Starts a workload in its own process and returns its result. The child is stopped (by pid) if
// the caller aborts, if it misbehaves, or when this process exits.
import { fork } from 'node:child_process'
import type { WorkloadProgress, WorkloadResult, WorkloadSpec } from '../../../shared/lab/workload'
import { shareCpu } from '../supervisor/cpuShare'
import { builtEntry, childEnv } from '../supervisor/paths'
import type { WorkloadTarget } from './workload'

type FromChild =
  | { type: 'progress'; progress: WorkloadProgress }
  | { type: 'done'; result: WorkloadResult }
  | { type: 'error'; message: string }

/** runWorkload runs `spec` against `target` in a child process. Aborting `signal` stops the load
 * early; the promise then resolves with what was measured so far. With `shareAs` (a cluster of
 * that many nodes with cpuShare 'cluster'), on Linux the process runs in a session of its own
 * weighted like one of the nodes, so the load counts on the cluster's side of the CPU share, not
 * the app's (see supervisor/cpuShare.ts); it still exits when this process goes away (the IPC pipe closes). */
export function runWorkload(
  target: WorkloadTarget,
  spec: WorkloadSpec,
  onProgress: (p: WorkloadProgress) => void = () => {},
  signal?: AbortSignal,
  shareAs?: number,
): Promise<WorkloadResult> {
  const share = shareAs !== undefined && process.platform === 'linux'
  const child = fork(builtEntry('workload'), [], {
    execPath: process.execPath,
    env: childEnv({}),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: share,
  })
  if (share && child.pid !== undefined)
    for (const problem of shareCpu(child.pid, shareAs))
      process.stderr.write(`raftlab: the workload process ${problem}\n`)
  const kill = (): void => {
    if (child.exitCode === null) child.kill('SIGKILL')
  }
  process.once('exit', kill)
  return new Promise<WorkloadResult>((resolve, reject) => {
    let settled = false
    const finish = (f: () => void): void => {
      if (settled) return
      settled = true
      process.off('exit', kill)
      signal?.removeEventListener('abort', onAbort)
      f()
      child.disconnect?.()
      setTimeout(kill, 2000).unref()
    }
    const onAbort = (): void => {
      if (child.connected) child.send({ type: 'stop' })
    }
    signal?.addEventListener('abort', onAbort)
    child.on('message', (m: FromChild) => {
      if (m.type === 'progress') onProgress(m.progress)
      else if (m.type === 'done') finish(() => resolve(m.result))
      else finish(() => reject(new Error(`the workload failed: ${m.message}`)))
    })
    child.on('exit', (code, sig) => {
      finish(() =>
        reject(new Error(`the workload process exited early (${sig ?? `code ${code}`})`)),
      )
    })
    child.on('error', (e) => finish(() => reject(e)))
    child.send({ type: 'start', target, spec })
    if (signal?.aborted) onAbort()
  })
}
