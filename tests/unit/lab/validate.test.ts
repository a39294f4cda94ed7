import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CommandValidationError, parseCommand } from '../../../shared/lab/validate'
import { DEFAULT_CLUSTER_CONFIG } from '../../../shared/lab/config'
import { DEFAULT_WORKLOAD } from '../../../shared/lab/workload'
import { DEFAULT_SWEEP } from '../../../shared/lab/bench'

describe('parseCommand (commands from a renderer are checked at run time)', () => {
  it('accepts well-formed commands', () => {
    const { historyFile: _, ...workload } = DEFAULT_WORKLOAD
    for (const c of [
      { type: 'cluster.start', config: { nodes: 5 } },
      { type: 'cluster.start', config: DEFAULT_CLUSTER_CONFIG },
      { type: 'node.pause', node: 2 },
      { type: 'link.set', from: 1, to: 2, both: true, latencyMs: 20 },
      { type: 'link.set', from: 1, to: 2, both: true, latencyMs: undefined, lossPercent: 100 },
      { type: 'partition.split' },
      { type: 'partition.split', minority: [1, 2] },
      { type: 'kv.cas', key: 'k', expected: null, value: 'v' },
      { type: 'workload.start', spec: workload },
      { type: 'workload.start', spec: { mode: 'open', rate: 300 } },
      { type: 'bench.start', sweep: DEFAULT_SWEEP, workload: { durationMs: 1000 } },
      {
        type: 'elect.start',
        ranges: ['150-300'],
        trials: 10,
        nodes: 5,
        preVote: false,
        checkQuorum: false,
      },
      { type: 'record.start', name: 'my-run.1' },
      {
        type: 'rerun.start',
        record: false,
        plan: {
          config: DEFAULT_CLUSTER_CONFIG,
          durationMs: 1000,
          commands: [{ atMs: 10, command: { type: 'node.crash', node: 1 } }],
        },
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
      [{ type: 'node.pause', node: 12 }, /node must be a node id from 1 to 9/],
      [{ type: 'node.pause', node: '2' }, /node must be a node id/],
      [{ type: 'kv.put', key: 'k', value: 3 }, /value must be a string/],
      [{ type: 'link.cut', from: 1, to: 2, both: 'yes' }, /both must be a boolean/],
      [{ type: 'node.pause', node: 1, shell: 'rm -rf /' }, /unexpected field shell/],
      [{ type: 'partition.split', minority: [1, 99] }, /minority\[1\] must be a node id/],
      [{ type: 'record.start', name: '../x' }, /name must be a file name/],
      [
        {
          type: 'elect.start',
          ranges: ['x'],
          trials: 1,
          nodes: 3,
          preVote: true,
          checkQuorum: true,
        },
        /ranges\[0\] must be a MIN-MAX/,
      ],
    ]
    for (const [c, msg] of cases) {
      expect(() => parseCommand(c), JSON.stringify(c)).toThrow(CommandValidationError)
      expect(() => parseCommand(c)).toThrow(msg)
    }
  })

  it('refuses inherited names as command types and fields (they once crashed raftlab serve)', () => {
    for (const type of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      expect(() => parseCommand({ type }), type).toThrow(CommandValidationError)
      expect(() => parseCommand({ type })).toThrow(/unknown command type/)
    }
    // JSON.parse makes `__proto__` an own field, which an `in` check took for a known one.
    const proto = JSON.parse('{"type":"node.pause","node":1,"__proto__":{"polluted":true}}')
    expect(() => parseCommand(proto)).toThrow(/unexpected field __proto__/)
    const nested = JSON.parse('{"type":"cluster.start","config":{"__proto__":{"nodes":9}}}')
    expect(() => parseCommand(nested)).toThrow(/unexpected field config.__proto__/)
    expect(() => parseCommand({ type: 'node.pause', node: 1, constructor: 1 })).toThrow(
      /unexpected field constructor/,
    )
    // A required field may not be satisfied by an inherited member either.
    expect(() =>
      parseCommand(Object.assign(Object.create({ node: 1 }), { type: 'node.pause' })),
    ).toThrow(/missing node/)
  })

  it('bounds every number, in nested objects too', () => {
    const cases: [unknown, RegExp][] = [
      [
        { type: 'link.set', from: 1, to: 2, both: false, latencyMs: 1e15 },
        /latencyMs must be a number from 0 to 60000/,
      ],
      [{ type: 'link.set', from: 1, to: 2, both: false, jitterMs: -1 }, /jitterMs/],
      [{ type: 'link.set', from: 1, to: 2, both: false, lossPercent: 101 }, /lossPercent/],
      [{ type: 'link.set', from: 1, to: 2, both: false, latencyMs: Infinity }, /latencyMs/],
      [
        { type: 'cluster.start', config: { nodes: 1e9 } },
        /config.nodes must be an integer from 1 to 9/,
      ],
      [{ type: 'cluster.start', config: { timeScale: 1e300 } }, /config.timeScale/],
      [{ type: 'cluster.start', config: { fsync: 'sometimes' } }, /config.fsync must be one of/],
      [{ type: 'cluster.start', config: { nodes: 3, rogue: 1 } }, /unexpected field config.rogue/],
      [{ type: 'workload.start', spec: { rate: 1e12 } }, /spec.rate/],
      [{ type: 'workload.start', spec: { seed: 2 ** 60 } }, /spec.seed/],
      [{ type: 'workload.start', spec: { ops: 1.5 } }, /spec.ops must be an integer/],
      [{ type: 'workload.start', spec: { mix: { put: 1, get: 1e300, cas: 0 } } }, /spec.mix.get/],
      [
        { type: 'workload.start', spec: { historyFile: '/etc/passwd' } },
        /unexpected field spec.historyFile/,
      ],
      [
        {
          type: 'elect.start',
          ranges: ['150-300'],
          trials: 1e12,
          nodes: 3,
          preVote: true,
          checkQuorum: true,
        },
        /trials/,
      ],
      [
        { type: 'bench.start', sweep: { ...DEFAULT_SWEEP, concurrency: [1e9] }, workload: {} },
        /sweep.concurrency\[0\]/,
      ],
      [
        { type: 'bench.start', sweep: { ...DEFAULT_SWEEP, nodes: [] }, workload: {} },
        /sweep.nodes must be a list of 1 to 9/,
      ],
      [
        {
          type: 'rerun.start',
          record: false,
          plan: {
            config: {},
            durationMs: 1,
            commands: [{ atMs: 1e300, command: { type: 'heal.all' } }],
          },
        },
        /plan.commands\[0\] must be/,
      ],
      [
        {
          type: 'rerun.start',
          record: false,
          plan: {
            config: {},
            durationMs: 1,
            commands: [
              {
                atMs: 1,
                command: { type: 'link.set', from: 1, to: 2, both: true, latencyMs: 1e15 },
              },
            ],
          },
        },
        /plan.commands\[0\]: link.set: latencyMs/,
      ],
    ]
    for (const [c, msg] of cases) {
      expect(() => parseCommand(c), JSON.stringify(c)).toThrow(CommandValidationError)
      expect(() => parseCommand(c), JSON.stringify(c)).toThrow(msg)
    }
  })

  it('never throws anything but CommandValidationError, whatever JSON it is given', () => {
    const types = [
      'cluster.start',
      'node.pause',
      'link.set',
      'kv.cas',
      'workload.start',
      'bench.start',
      'elect.start',
      'rerun.start',
      'partition.split',
      'constructor',
      '__proto__',
      'toString',
    ]
    const names = fc.constantFrom(
      'type',
      'node',
      'config',
      'spec',
      'sweep',
      'plan',
      'commands',
      'command',
      'mix',
      'nodes',
      'latencyMs',
      'minority',
      'ranges',
      '__proto__',
      'constructor',
      'toString',
      'valueOf',
    )
    const leaf = fc.oneof(
      fc.constantFrom(...types),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.string(),
    )
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(fc.oneof(names, fc.string()), tie('v'), { maxKeys: 5 }),
      ),
    })).v
    const command = fc
      .tuple(fc.constantFrom(...types), fc.dictionary(names, value, { maxKeys: 5 }))
      .map(([type, rest]) => ({ ...rest, type }))
    fc.assert(
      fc.property(fc.oneof(value, command), (x) => {
        // Through JSON, as a WebSocket message arrives (own __proto__ fields included).
        const parsed: unknown = JSON.parse(JSON.stringify(x) ?? 'null')
        try {
          parseCommand(parsed)
        } catch (e) {
          if (!(e instanceof CommandValidationError)) throw e
        }
      }),
      { numRuns: 3000, seed: 11 },
    )
  })
})
