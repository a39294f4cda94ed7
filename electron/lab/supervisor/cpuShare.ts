// How much of a busy machine a cluster gets, on Linux. The kernel's autogroups (the default on
// desktops without a CPU cgroup controller) share the CPU between sessions first, then between
// the threads inside each. Nodes are spawned detached, each in a session of its own (so a Ctrl-C
// at a terminal never reaches them behind the supervisor's back) — and so, when the cores are
// saturated, each node weighs as much as the whole app: seven nodes get 7/8 of the machine and
// the window, the engine and the workload share what is left. The window then stalls.
//
// With `cpuShare: 'cluster'` the supervisor lowers each node's session so that the cluster as a
// whole weighs as much as one session: N nodes at autogroup nice round(log₁.₂₅ N), the kernel's
// weights falling by about 1.25× a nice step. Neither side starves the other, and idle cores are
// still anybody's. 'per-node' leaves the kernel's default, as benchmarks run.
//
// Elsewhere there is nothing to do: macOS and Windows do not share the CPU by session, and on
// Linux without autogroups (a CPU cgroup controller) every thread competes on its own.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'

/** autogroupNiceFor is the session nice that makes `nodes` sessions weigh about one. */
export function autogroupNiceFor(nodes: number): number {
  if (!(nodes > 1)) return 0
  return Math.min(19, Math.round(Math.log(nodes) / Math.log(1.25)))
}

/** shareCpu lowers the autogroup of node process `pid` for a cluster of `nodes`, when the kernel
 * has autogroups and the process leads its own session (never a session it shares with us). It
 * returns what went wrong, if anything (empty when done or when there was nothing to do). */
export function shareCpu(
  pid: number,
  nodes: number,
  platform: NodeJS.Platform = process.platform,
): string[] {
  const file = `/proc/${pid}/autogroup`
  if (platform !== 'linux' || !existsSync(file) || !leadsSession(pid)) return []
  try {
    writeFileSync(file, String(autogroupNiceFor(nodes)))
    return []
  } catch (e) {
    return [`could not set its session's CPU share: ${(e as Error).message}`]
  }
}

/** autogroupNice reads the nice value of `pid`'s autogroup (Linux), or null without one. */
export function autogroupNice(pid: number): number | null {
  try {
    const m = / nice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, 'utf8'))
    return m ? Number(m[1]) : null
  } catch {
    return null
  }
}

/** leadsSession tells whether `pid` leads its own session (Linux: /proc/<pid>/stat, whose fields
 * after "pid (comm) " are state ppid pgrp session …; comm may hold spaces and parentheses). */
function leadsSession(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]) === pid
  } catch {
    return false
  }
}
