// Worker-thread entry for simRunner: runs the seed ranges it is sent and streams back each seed's
// statistics and any violation, then asks for more work.
import { parentPort } from 'node:worker_threads'
import { runSeedRange } from '../sim/simRunner'

interface Job {
  from: number
  to: number
  steps: number
  nodeCounts: number[]
  traceLines: number
}

const port = parentPort
if (!port) throw new Error('simWorker must run in a worker thread')
port.on('message', (job: Job) => {
  const res = runSeedRange(job.from, job.to, job, (stats) =>
    port.postMessage({ type: 'seed', stats }),
  )
  for (const violation of res.violations) port.postMessage({ type: 'violation', violation })
  port.postMessage({ type: 'done' })
})
