import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  MalformedHistoryError,
  checkHistory,
  pairOperations,
  parseHistory,
  partitionByKey,
  type HistoryEvent,
} from '../../../shared/check'
import { cas, get, history, put } from './histories'

const ev = (e: Omit<HistoryEvent, 'key'> & { key?: string }): HistoryEvent => ({ key: 'x', ...e })

describe('pairOperations', () => {
  it('pairs invocations with completions and orders operations by invocation', () => {
    const ops = pairOperations(
      history(put(1, 'x', 'a', 0, 10), get(2, 'x', 'a', 5, 6), cas(3, 'y', null, 'b', 7, 20)),
    )
    expect(ops.map((o) => [o.id, o.process, o.op, o.key, o.value, o.expected])).toEqual([
      [0, 1, 'put', 'x', 'a', null],
      [1, 2, 'get', 'x', 'a', null],
      [2, 3, 'cas', 'y', 'b', null],
    ])
    expect(ops.map((o) => [o.call, o.return, o.status])).toEqual([
      [0, 10, 'ok'],
      [5, 6, 'ok'],
      [7, 20, 'ok'],
    ])
    expect(ops.map((o) => [o.index, o.returnIndex])).toEqual([
      [0, 4],
      [1, 2],
      [3, 5],
    ])
  })

  it('drops failed operations and gets with unknown results, keeps info writes', () => {
    const ops = pairOperations(
      history(
        put(1, 'x', 'a', 0, 1, 'fail'),
        get(2, 'x', null, 2, 3, 'info'),
        put(3, 'x', 'b', 4, 5, 'info'),
        cas(4, 'x', 'b', 'c', 6, 7, 'fail'),
        get(5, 'x', null, 8),
        put(6, 'x', 'd', 9),
      ),
    )
    expect(ops.map((o) => [o.op, o.value, o.status, o.return])).toEqual([
      ['put', 'b', 'info', Infinity],
      ['put', 'd', 'info', Infinity],
    ])
    expect(ops[0]?.returnRank).toBe(Infinity)
  })

  it('breaks equal timestamps by the order of the events in the history', () => {
    // The put's completion is listed before the get's invocation at the same time 5: the put
    // precedes the get, so a stale read is caught.
    const ordered: HistoryEvent[] = [
      ev({ type: 'invoke', process: 1, op: 'put', value: 'a', time: 0 }),
      ev({ type: 'ok', process: 1, op: 'put', time: 5 }),
      ev({ type: 'invoke', process: 2, op: 'get', time: 5 }),
      ev({ type: 'ok', process: 2, op: 'get', value: null, time: 6 }),
    ]
    expect(checkHistory(ordered).valid).toBe(false)
    // Listed the other way round, the two overlap and the read may come first.
    const swapped = [ordered[0], ordered[2], ordered[1], ordered[3]] as HistoryEvent[]
    expect(checkHistory(swapped).valid).toBe(true)
    const [p, g] = pairOperations(ordered)
    expect(p!.returnRank).toBeLessThan(g!.callRank)
  })

  it('orders by time first, so events listed out of time order still pair and check', () => {
    const events: HistoryEvent[] = [
      ev({ type: 'invoke', process: 2, op: 'get', time: 10 }),
      ev({ type: 'invoke', process: 1, op: 'put', value: 'a', time: 0 }),
      ev({ type: 'ok', process: 1, op: 'put', time: 5 }),
      ev({ type: 'ok', process: 2, op: 'get', value: null, time: 11 }),
    ]
    const ops = pairOperations(events)
    expect(ops.map((o) => o.op)).toEqual(['put', 'get'])
    expect(checkHistory(events).valid).toBe(false)
  })

  it('keeps a cas that failed with the value it saw, as a read; ignores what an info op says', () => {
    const ops = pairOperations([
      ev({ type: 'invoke', process: 1, op: 'cas', expected: 'a', value: 'b', time: 0 }),
      ev({
        type: 'fail',
        process: 1,
        op: 'cas',
        expected: 'a',
        value: 'b',
        observed: 'z',
        time: 1,
      }),
      ev({ type: 'invoke', process: 2, op: 'put', value: 'c', time: 2 }),
      ev({ type: 'ok', process: 2, op: 'put', value: 'c', observed: null, time: 3 }),
      ev({ type: 'invoke', process: 3, op: 'put', value: 'd', time: 4 }),
      ev({ type: 'info', process: 3, op: 'put', value: 'd', observed: 'z', time: 5 }),
    ])
    expect(ops.map((o) => [o.op, o.status, o.swapped, o.observed, o.expected, o.value])).toEqual([
      ['cas', 'ok', false, 'z', 'a', 'b'],
      ['put', 'ok', undefined, null, null, 'c'],
      ['put', 'info', undefined, undefined, null, 'd'],
    ])
  })

  it('reports event indices from the index field when present', () => {
    const events = [
      ev({ type: 'invoke', process: 1, op: 'put', value: 'a', time: 0, index: 40 }),
      ev({ type: 'invoke', process: 1, op: 'put', value: 'b', time: 1, index: 41 }),
    ]
    expect(() => pairOperations(events)).toThrow(/event 41/)
  })
})

describe('malformed histories', () => {
  const cases: [string, HistoryEvent[], RegExp][] = [
    [
      'a completion with no open invoke',
      [ev({ type: 'ok', process: 1, op: 'get', value: null, time: 0 })],
      /event 0: 'ok' on process 1 with no open invoke/,
    ],
    [
      'a second invoke on a busy process',
      [
        ev({ type: 'invoke', process: 1, op: 'put', value: 'a', time: 0 }),
        ev({ type: 'invoke', process: 1, op: 'get', time: 1 }),
      ],
      /event 1: process 1 invokes get while its put from event 0 is still open/,
    ],
    [
      'a completion for another operation',
      [
        ev({ type: 'invoke', process: 1, op: 'put', value: 'a', time: 0 }),
        ev({ type: 'ok', process: 1, op: 'get', value: 'a', time: 1 }),
      ],
      /event 1: 'ok' get "x" completes put "x" from event 0/,
    ],
    [
      'a completion before its invocation',
      [
        ev({ type: 'invoke', process: 1, op: 'get', time: 5 }),
        ev({ type: 'ok', process: 1, op: 'get', value: null, time: 4 }),
      ],
      /event 1: completes at 4, before its invoke at 5/,
    ],
    [
      'a put without a value',
      [ev({ type: 'invoke', process: 1, op: 'put', time: 0 })],
      /event 0: put without a string value/,
    ],
    [
      'a cas without an expected value',
      [
        ev({ type: 'invoke', process: 1, op: 'cas', value: 'b', time: 0 }),
        ev({ type: 'ok', process: 1, op: 'cas', time: 1 }),
      ],
      /event 0: cas without expected value/,
    ],
    [
      'an ok get without the value read',
      [
        ev({ type: 'invoke', process: 1, op: 'get', time: 0 }),
        ev({ type: 'ok', process: 1, op: 'get', time: 1 }),
      ],
      /event 1: ok get without the value read/,
    ],
    [
      'an unknown event type',
      [{ type: 'done', process: 1, op: 'get', key: 'x', time: 0 } as unknown as HistoryEvent],
      /event 0: unknown type "done"/,
    ],
    [
      'an observed value that is not a string or null',
      [
        ev({ type: 'invoke', process: 1, op: 'put', value: 'a', time: 0 }),
        ev({
          type: 'ok',
          process: 1,
          op: 'put',
          value: 'a',
          observed: 3 as unknown as string,
          time: 1,
        }),
      ],
      /event 1: observed is not a string or null/,
    ],
    [
      'a time that is not a number',
      [ev({ type: 'invoke', process: 1, op: 'get', time: Number.NaN })],
      /event 0: time is not a finite number/,
    ],
  ]
  for (const [name, events, message] of cases) {
    it(`rejects ${name}`, () => {
      expect(() => checkHistory(events)).toThrow(MalformedHistoryError)
      expect(() => checkHistory(events)).toThrow(message)
    })
  }

  it('names the offending event on the error object', () => {
    try {
      pairOperations([ev({ type: 'info', process: 7, op: 'put', time: 3, index: 12 })])
      expect.unreachable('pairOperations accepted a completion with no invoke')
    } catch (err) {
      expect(err).toBeInstanceOf(MalformedHistoryError)
      expect((err as MalformedHistoryError).eventIndex).toBe(12)
    }
  })
})

describe('partitionByKey', () => {
  it('groups by key in first-invocation order and keeps each group in order', () => {
    const ops = pairOperations(
      history(put(1, 'b', '1', 0, 1), put(2, 'a', '2', 2, 3), get(3, 'b', '1', 4, 5)),
    )
    const parts = partitionByKey(ops)
    expect([...parts.keys()]).toEqual(['b', 'a'])
    expect(parts.get('b')?.map((o) => o.op)).toEqual(['put', 'get'])
    expect(parts.get('a')?.map((o) => o.value)).toEqual(['2'])
  })
})

describe('parseHistory', () => {
  const line = (e: Partial<HistoryEvent>): string => JSON.stringify({ key: 'x', ...e })

  it('reads JSON Lines, skips blank lines and names each event by its line number', () => {
    const text = [
      line({ type: 'invoke', process: 1, op: 'put', value: 'a', time: 0 }),
      '',
      `${line({ type: 'ok', process: 1, op: 'put', value: 'a', time: 1 })}\r`,
      '   ',
      line({ type: 'invoke', process: 2, op: 'get', time: 2 }),
      line({ type: 'ok', process: 2, op: 'get', value: 'a', time: 3 }),
      '',
    ].join('\n')
    const events = parseHistory(text)
    expect(events.map((e) => [e.type, e.index])).toEqual([
      ['invoke', 1],
      ['ok', 3],
      ['invoke', 5],
      ['ok', 6],
    ])
    expect(checkHistory(events).valid).toBe(true)
  })

  it('names the line that is not JSON', () => {
    const text = [line({ type: 'invoke', process: 1, op: 'get', time: 0 }), '{"type":"ok",'].join(
      '\n',
    )
    expect(() => parseHistory(text)).toThrow(MalformedHistoryError)
    expect(() => parseHistory(text)).toThrow(/line 2: not JSON/)
  })

  it('names the line whose record has the wrong shape', () => {
    const cases: [string, RegExp][] = [
      ['[1, 2]', /line 2: not an object/],
      ['null', /line 2: not an object/],
      ['"ok"', /line 2: not an object/],
      [line({ type: 'ok', process: 1, op: 'get', time: '5' as unknown as number }), /line 2: time/],
      [line({ type: 'ok', process: 1, op: 'read', time: 5 } as never), /line 2: unknown op "read"/],
    ]
    for (const [bad, message] of cases) {
      const text = [line({ type: 'invoke', process: 1, op: 'get', time: 0 }), bad].join('\n')
      expect(() => parseHistory(text), bad).toThrow(message)
      try {
        parseHistory(text)
      } catch (err) {
        expect((err as MalformedHistoryError).eventIndex).toBe(2)
      }
    }
  })

  it('numbers pairing errors by line too', () => {
    const text = ['', line({ type: 'ok', process: 1, op: 'get', value: null, time: 0 })].join('\n')
    expect(() => checkHistory(parseHistory(text))).toThrow(/event 2: 'ok' on process 1/)
  })
})

describe('docs/formats/history.md', () => {
  it('its example parses, checks as linearizable, and its failed cas counts as a read', () => {
    const doc = readFileSync(
      fileURLToPath(new URL('../../../docs/formats/history.md', import.meta.url)),
      'utf8',
    )
    const start = doc.indexOf('```json\n')
    expect(start).toBeGreaterThanOrEqual(0)
    const events = parseHistory(doc.slice(start + 8, doc.indexOf('```', start + 8)))
    expect(events).toHaveLength(6)
    const r = checkHistory(events)
    expect(r.valid).toBe(true)
    expect(r.ops).toBe(3)
    // Had the cas seen anything but the put's value, the example would not be linearizable.
    const stale = events.map((e) => (e.type === 'fail' ? { ...e, observed: null } : e))
    expect(checkHistory(stale).valid).toBe(false)
  })
})
