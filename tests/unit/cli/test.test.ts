import { describe, expect, it } from 'vitest'
import { UsageError } from '../../../electron/cli/args'
import { nemesisArg } from '../../../electron/cli/test'
import { NEMESIS_KINDS } from '../../../electron/lab/nemesis'

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
