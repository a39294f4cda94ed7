// Helpers for integration tests with real node processes: a lab that records every pid it ever
// started, and a check that none of them outlives the test.
import type { ClusterConfig } from '../../shared/lab/config'
import type { ClusterStatus } from '../../shared/lab/commands'
import type { LabEvent } from '../../shared/lab/events'
import { Lab } from '../../electron/lab/engine/lab'
import { expect } from 'vitest'

/** TestLab is a Lab plus everything it emitted and every pid it started. */
export interface TestLab {
  lab: Lab
  events: LabEvent[]
  pids: Set<number>
  /** leader waits for a leader (generous deadline) and returns it. */
  leader(timeoutMs?: number, not?: number): Promise<number>
  status(): ClusterStatus
}

/** startLab starts a cluster and records its events and pids. */
export async function startLab(config: Partial<ClusterConfig>, dataDir?: string): Promise<TestLab> {
  const lab = new Lab(dataDir ? { dataDir } : {})
  const events: LabEvent[] = []
  const pids = new Set<number>()
  lab.subscribe((batch) => {
    for (const e of batch) {
      events.push(e)
      if (e.type === 'node.process' && e.pid !== null) pids.add(e.pid)
    }
  })
  const res = await lab.command({ type: 'cluster.start', config })
  if (!res.ok) throw new Error(`cluster did not start: ${res.error}`)
  for (const n of res.status?.nodes ?? []) if (n.pid !== null) pids.add(n.pid)
  for (const pid of lab.processIds()) pids.add(pid) // the reaper too
  return {
    lab,
    events,
    pids,
    status: () => lab.status(),
    async leader(timeoutMs = 10_000, not?: number) {
      const ok = await lab.waitFor((s) => s.leader !== null && s.leader !== not, timeoutMs)
      const s = lab.status()
      if (!ok || s.leader === null)
        throw new Error(`no leader within ${timeoutMs} ms: ${JSON.stringify(s.nodes)}`)
      return s.leader
    },
  }
}

/** isAlive tells whether a pid still exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** closeAndCheck closes the lab and asserts every process it started is gone. */
export async function closeAndCheck(t: TestLab): Promise<void> {
  await t.lab.close()
  const alive = await waitUntil(() => [...t.pids].filter(isAlive).length === 0, 5000)
  expect(alive, `processes left behind: ${[...t.pids].filter(isAlive).join(', ')}`).toBe(true)
}

/** waitUntil polls `check` until it is true or the deadline passes. */
export async function waitUntil(
  check: () => boolean,
  timeoutMs: number,
  everyMs = 20,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    if (check()) return true
    await sleep(everyMs)
  }
  return check()
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/** put writes through the lab's client and fails the test if the write does not succeed. */
export async function put(t: TestLab, key: string, value: string): Promise<number> {
  const res = await t.lab.command({ type: 'kv.put', key, value })
  if (!res.ok) throw new Error(`put ${key}: ${res.error}`)
  return res.kv?.index ?? 0
}
