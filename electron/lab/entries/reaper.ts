// The lab's reaper: a tiny process that outlives a supervisor killed without warning (SIGKILL)
// and kills the node processes it left behind — including paused ones, which cannot notice on
// their own that their supervisor is gone. The supervisor writes "+pid" and "-pid" lines to its
// stdin; when stdin closes, the reaper kills every pid still listed that is really one of this
// cluster's nodes (checked on Linux through /proc, so a reused pid is never hit), removes the
// directories it was given (the run directory, a temporary data directory), then exits.
// Usage: reaper <marker> [dir…]
import { readFileSync, rmSync } from 'node:fs'
import { createInterface } from 'node:readline'

const marker = process.argv[2] ?? ''
const dirs = process.argv.slice(3)
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
  const killed: number[] = []
  for (const pid of pids) {
    if (!isOurNode(pid)) continue
    try {
      process.kill(pid, 'SIGKILL')
      killed.push(pid)
    } catch {
      // already gone
    }
  }
  // Remove the directories once the nodes are gone (they may still hold files open).
  const started = Date.now()
  const finish = (): void => {
    const alive = killed.filter((pid) => {
      try {
        process.kill(pid, 0)
        return true
      } catch {
        return false
      }
    })
    if (alive.length > 0 && Date.now() - started < 3000) {
      setTimeout(finish, 20)
      return
    }
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
    process.exit(0)
  }
  finish()
})
