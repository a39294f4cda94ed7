// The lab's reaper: a tiny process that outlives a supervisor killed without warning (SIGKILL)
// and kills the node processes it left behind — including paused ones, which cannot notice on
// their own that their supervisor is gone. The supervisor writes "+pid" and "-pid" lines to its
// stdin; when stdin closes, the reaper kills every pid still listed that is really one of this
// cluster's nodes (checked on Linux through /proc, so a reused pid is never hit), then exits.
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'

const marker = process.argv[2] ?? ''
const pids = new Set<number>()

function isOurNode(pid: number): boolean {
  if (process.platform !== 'linux') return true
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)
  } catch {
    return false
  }
}

// Terminal signals are for the supervisor; the reaper only stops when its stdin closes.
process.on('SIGINT', () => {})
process.on('SIGTERM', () => {})

const lines = createInterface({ input: process.stdin })
lines.on('line', (line) => {
  const pid = Number(line.slice(1))
  if (!Number.isInteger(pid) || pid <= 0) return
  if (line.startsWith('+')) pids.add(pid)
  else if (line.startsWith('-')) pids.delete(pid)
})
lines.on('close', () => {
  for (const pid of pids) {
    if (!isOurNode(pid)) continue
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  process.exit(0)
})
