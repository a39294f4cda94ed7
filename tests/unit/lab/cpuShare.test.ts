import { describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import {
  autogroupNice,
  autogroupNiceFor,
  shareCpu,
} from '../../../electron/lab/supervisor/cpuShare'

/** weight approximates the kernel's nice-to-weight table (sched_prio_to_weight): 1024 at nice 0,
 * about 1.25× less per step. */
const weight = (nice: number) => 1024 / 1.25 ** nice

describe('autogroupNiceFor', () => {
  it('makes N node sessions weigh about one session (within a nice step), for 1 to 9 nodes', () => {
    expect(autogroupNiceFor(1)).toBe(0)
    for (let n = 2; n <= 9; n++) {
      const total = n * weight(autogroupNiceFor(n))
      expect(total / 1024).toBeGreaterThan(0.8)
      expect(total / 1024).toBeLessThan(1.25)
    }
    expect([3, 5, 7, 9].map(autogroupNiceFor)).toEqual([5, 7, 9, 10])
  })

  it('stays within the kernel range for silly sizes', () => {
    expect(autogroupNiceFor(0)).toBe(0)
    expect(autogroupNiceFor(1e9)).toBe(19)
  })
})

describe('shareCpu', () => {
  it('does nothing (and reports nothing) off Linux, or for a process that is gone', () => {
    expect(shareCpu(process.pid, 7, 'darwin')).toEqual([])
    expect(shareCpu(2 ** 22 + 12345, 7, 'linux')).toEqual([])
  })

  it('never lowers a session it shares with its caller: a child not detached keeps ours', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], {
      stdio: 'ignore',
    })
    try {
      const before = autogroupNice(process.pid)
      expect(shareCpu(child.pid as number, 7)).toEqual([])
      expect(autogroupNice(process.pid)).toBe(before)
      expect(autogroupNice(child.pid as number)).toBe(before)
    } finally {
      child.kill('SIGKILL')
      await new Promise((r) => child.once('exit', r))
    }
  })
})
