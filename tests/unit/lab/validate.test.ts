import { describe, expect, it } from 'vitest'
import { CommandValidationError, parseCommand } from '../../../shared/lab/validate'

describe('parseCommand (commands from a renderer are checked at run time)', () => {
  it('accepts well-formed commands', () => {
    for (const c of [
      { type: 'cluster.start', config: { nodes: 5 } },
      { type: 'node.pause', node: 2 },
      { type: 'link.set', from: 1, to: 2, both: true, latencyMs: 20 },
      { type: 'partition.split' },
      { type: 'partition.split', minority: [1, 2] },
      { type: 'kv.cas', key: 'k', expected: null, value: 'v' },
      {
        type: 'elect.start',
        ranges: ['150-300'],
        trials: 10,
        nodes: 5,
        preVote: false,
        checkQuorum: false,
      },
    ]) {
      expect(parseCommand(c)).toEqual(c)
    }
  })

  it('refuses anything else with a message that says what is wrong', () => {
    const cases: [unknown, RegExp][] = [
      [null, /must be an object/],
      [[], /must be an object/],
      [{ type: 'format.disk' }, /unknown command type/],
      [{ type: 'node.pause' }, /missing node/],
      [{ type: 'node.pause', node: 12 }, /node must be a node/],
      [{ type: 'node.pause', node: '2' }, /node must be a node/],
      [{ type: 'kv.put', key: 'k', value: 3 }, /value must be a string/],
      [{ type: 'link.cut', from: 1, to: 2, both: 'yes' }, /both must be a boolean/],
      [{ type: 'node.pause', node: 1, shell: 'rm -rf /' }, /unexpected field shell/],
      [{ type: 'partition.split', minority: [1, 99] }, /minority must be a nodeList/],
    ]
    for (const [c, msg] of cases) {
      expect(() => parseCommand(c), JSON.stringify(c)).toThrow(CommandValidationError)
      expect(() => parseCommand(c)).toThrow(msg)
    }
  })
})
