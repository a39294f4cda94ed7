import { describe, expect, it } from 'vitest'
import { UsageError } from '../../../electron/cli/args'
import { abandonArg, nemesisArg } from '../../../electron/cli/test'
import { checkWorkload } from '../../../electron/lab/clients/workloadSpec'
import { DEFAULT_WORKLOAD } from '../../../shared/lab/workload'
import { NEMESIS_KINDS } from '../../../electron/lab/activities/nemesis'

describe('raftlab test --nemesis', () => {
  it('defaults to every kind and reads a list', () => {
    expect(nemesisArg(undefined)).toEqual(NEMESIS_KINDS)
    expect(nemesisArg('pause, kill')).toEqual(['pause', 'kill'])
  })

  it('takes none alone, for a fault-free baseline', () => {
    expect(nemesisArg('none')).toEqual([])
    expect(() => nemesisArg('none,pause')).toThrow(UsageError)
  })

  it('refuses an unknown kind and names the choices', () => {
    expect(() => nemesisArg('flood')).toThrow(/unknown nemesis 'flood' \(choose from .*or none\)/)
  })
})

describe('raftlab test --abandon', () => {
  it('reads a percentage, 0 by default', () => {
    expect(abandonArg(undefined)).toBe(0)
    expect(abandonArg('50')).toBe(50)
    expect(abandonArg('12.5%')).toBe(12.5)
  })

  it('refuses what is not a percentage, here and in a workload from the app', () => {
    expect(() => abandonArg('150')).toThrow(/--abandon takes a percentage from 0 to 100/)
    expect(() => abandonArg('lots')).toThrow(UsageError)
    expect(() => checkWorkload({ ...DEFAULT_WORKLOAD, abandonPercent: -1 })).toThrow(
      /abandonPercent must be from 0 to 100/,
    )
    expect(checkWorkload({ ...DEFAULT_WORKLOAD, abandonPercent: undefined }).mix).toBeDefined()
  })
})
