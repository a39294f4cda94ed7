import { describe, expect, it } from 'vitest'
import {
  checkScript,
  CLUSTER_COMMANDS,
  clusterHelp,
  DEFAULT_WAIT_LEADER_MS,
  scriptDuration,
  formatResult,
  parseClusterLine,
  parseDuration,
  parsePercent,
  type ParsedLine,
} from '../../../electron/cli/clusterScript'
import type { LabCommand } from '../../../shared/lab'

const command = (line: string, nodes?: number): LabCommand => {
  const p = parseClusterLine(line, nodes)
  if (p.kind !== 'command') throw new Error(`'${line}' parsed as ${JSON.stringify(p)}`)
  return p.command
}
const error = (line: string, nodes?: number): string => {
  const p = parseClusterLine(line, nodes)
  if (p.kind !== 'error') throw new Error(`'${line}' parsed as ${JSON.stringify(p)}`)
  return p.message
}

describe('parseClusterLine: key-value commands', () => {
  it.each<[string, LabCommand]>([
    ['put a 1', { type: 'kv.put', key: 'a', value: '1' }],
    ['put k "hello world"', { type: 'kv.put', key: 'k', value: 'hello world' }],
    ["put 'my key' 'it''s'", { type: 'kv.put', key: 'my key', value: 'its' }],
    ['put k "say \\"hi\\""', { type: 'kv.put', key: 'k', value: 'say "hi"' }],
    ['put k ""', { type: 'kv.put', key: 'k', value: '' }],
    ['get a', { type: 'kv.get', key: 'a' }],
    ['delete a', { type: 'kv.delete', key: 'a' }],
    ['del a', { type: 'kv.delete', key: 'a' }],
    ['cas k 1 2', { type: 'kv.cas', key: 'k', expected: '1', value: '2' }],
    ['cas k - 2', { type: 'kv.cas', key: 'k', expected: null, value: '2' }],
    ['cas k "-" 2', { type: 'kv.cas', key: 'k', expected: '-', value: '2' }],
    ['cas k 1 -', { type: 'kv.cas', key: 'k', expected: '1', value: '-' }],
  ])('%s', (line, want) => {
    expect(command(line)).toEqual(want)
  })

  it('rejects missing and extra arguments, naming the syntax', () => {
    expect(error('put a')).toBe('missing <value> (usage: put <key> <value>)')
    expect(error('put')).toContain('missing <key>')
    expect(error('get')).toBe('missing <key> (usage: get <key>)')
    expect(error('delete')).toContain('usage: delete <key>')
    expect(error('cas k 1')).toBe('missing <new> value (usage: cas <key> <old> <new>)')
    expect(error('put a b c')).toBe(
      "unexpected 'c'; quote values with spaces (usage: put <key> <value>)",
    )
    expect(error('get a b')).toBe("unexpected 'b' (usage: get <key>)")
  })

  it('reports an unterminated quote', () => {
    expect(error('put a "b c')).toBe('unterminated " quote')
    expect(error("put a 'b")).toBe("unterminated ' quote")
  })
})

describe('parseClusterLine: node commands', () => {
  it.each<[string, LabCommand]>([
    ['pause n2', { type: 'node.pause', node: 2 }],
    ['resume n2', { type: 'node.resume', node: 2 }],
    ['kill n2', { type: 'node.crash', node: 2 }],
    ['crash 2', { type: 'node.crash', node: 2 }],
    ['stop n3', { type: 'node.stop', node: 3 }],
    ['restart n1', { type: 'node.restart', node: 1 }],
    ['transfer n3', { type: 'node.transfer', to: 3 }],
    ['snapshot n2', { type: 'node.snapshot', node: 2 }],
    ['isolate n3', { type: 'partition.isolate', node: 3 }],
    ['PAUSE N2', { type: 'node.pause', node: 2 }],
  ])('%s', (line, want) => {
    expect(command(line, 3)).toEqual(want)
  })

  it('accepts n1…n9 and 1…9 when the size is unknown', () => {
    expect(command('pause n9')).toEqual({ type: 'node.pause', node: 9 })
    expect(command('pause 9')).toEqual({ type: 'node.pause', node: 9 })
  })

  it('rejects nodes outside the cluster, and malformed names', () => {
    expect(error('kill n7', 3)).toBe(
      "unknown node 'n7': this cluster has n1…n3 (usage: kill <node>)",
    )
    expect(error('pause 4', 3)).toContain("unknown node '4'")
    expect(error('pause n2', 1)).toContain('this cluster has n1 ')
    expect(error('pause n0')).toBe("unknown node 'n0': nodes are n1…n9 (usage: pause <node>)")
    expect(error('pause n10')).toContain("unknown node 'n10'")
    expect(error('pause x2')).toContain("unknown node 'x2'")
    expect(error('pause')).toBe('missing node (usage: pause <node>)')
    expect(error('transfer')).toContain('usage: transfer <node>')
    expect(error('snapshot')).toContain('usage: snapshot <node>')
    expect(error('pause n1 n2')).toContain("unexpected 'n2'")
  })
})

describe('parseClusterLine: link faults', () => {
  it.each<[string, LabCommand]>([
    ['cut n1 n2', { type: 'link.cut', from: 1, to: 2, both: false }],
    ['cut n1 n2 both', { type: 'link.cut', from: 1, to: 2, both: true }],
    ['cut 3 1', { type: 'link.cut', from: 3, to: 1, both: false }],
    ['heal', { type: 'heal.all' }],
    ['heal all', { type: 'heal.all' }],
    ['heal n1 n2', { type: 'link.heal', from: 1, to: 2, both: false }],
    ['heal n1 n2 both', { type: 'link.heal', from: 1, to: 2, both: true }],
    [
      'latency n1 n2 20ms',
      { type: 'link.set', from: 1, to: 2, both: false, latencyMs: 20, jitterMs: 0 },
    ],
    [
      'latency n1 n2 20ms jitter 5ms',
      { type: 'link.set', from: 1, to: 2, both: false, latencyMs: 20, jitterMs: 5 },
    ],
    [
      'latency n1 n2 20 jitter 5 both',
      { type: 'link.set', from: 1, to: 2, both: true, latencyMs: 20, jitterMs: 5 },
    ],
    [
      'latency n1 n2 0.5s both jitter 0.1s',
      { type: 'link.set', from: 1, to: 2, both: true, latencyMs: 500, jitterMs: 100 },
    ],
    [
      'latency n2 n3 0',
      { type: 'link.set', from: 2, to: 3, both: false, latencyMs: 0, jitterMs: 0 },
    ],
    ['loss n1 n2 10%', { type: 'link.set', from: 1, to: 2, both: false, lossPercent: 10 }],
    ['loss n1 n2 2.5 both', { type: 'link.set', from: 1, to: 2, both: true, lossPercent: 2.5 }],
    ['split', { type: 'partition.split' }],
    ['split n1,n2', { type: 'partition.split', minority: [1, 2] }],
    ['split n1 n2', { type: 'partition.split', minority: [1, 2] }],
    ['split 3', { type: 'partition.split', minority: [3] }],
    ['bridge', { type: 'partition.bridge' }],
  ])('%s', (line, want) => {
    expect(command(line, 5)).toEqual(want)
  })

  it('rejects bad links, durations and percentages', () => {
    expect(error('cut n1')).toBe('missing <to> node (usage: cut <from> <to> [both])')
    expect(error('cut')).toContain('missing <from> node')
    expect(error('cut n1 n1')).toContain('a link joins two different nodes, got n1 twice')
    expect(error('cut n1 n2 twice')).toContain("unexpected 'twice'")
    expect(error('cut n1 n5', 3)).toContain("unknown node 'n5'")
    expect(error('heal n1')).toContain('missing <to> node (usage: heal [<from> <to> [both]])')
    expect(error('latency n1 n2')).toContain('missing <dur> latency')
    expect(error('latency n1 n2 fast')).toContain("bad duration 'fast'")
    expect(error('latency n1 n2 -5ms')).toContain("bad duration '-5ms'")
    expect(error('latency n1 n2 20ms jitter')).toContain('missing <dur> after jitter')
    expect(error('latency n1 n2 20ms jitter 5m')).toContain("bad duration '5m'")
    expect(error('loss n1 n2')).toContain('missing <pct> loss')
    expect(error('loss n1 n2 150%')).toBe(
      "bad percentage '150%': use 0 to 100, e.g. 10% (usage: loss <from> <to> <pct> [both])",
    )
    expect(error('loss n1 n2 ten')).toContain("bad percentage 'ten'")
    expect(error('loss n1 n2 -1%')).toContain("bad percentage '-1%'")
  })

  it('rejects a split listing a node twice, every node, or nodes outside the cluster', () => {
    expect(error('split n1,n1', 5)).toContain('a node is listed twice')
    expect(error('split n1,n2,n3', 3)).toContain('list the nodes of one side only')
    expect(error('split n1,n7', 5)).toContain("unknown node 'n7'")
    expect(error('split ,', 5)).toContain('missing nodes')
  })
})

describe('parseClusterLine: directives', () => {
  it.each<[string, ParsedLine]>([
    ['status', { kind: 'status' }],
    ['help', { kind: 'help' }],
    ['?', { kind: 'help' }],
    ['quit', { kind: 'quit' }],
    ['exit', { kind: 'quit' }],
    ['sleep 500ms', { kind: 'sleep', ms: 500 }],
    ['sleep 2s', { kind: 'sleep', ms: 2000 }],
    ['sleep 1.5s', { kind: 'sleep', ms: 1500 }],
    ['sleep 250', { kind: 'sleep', ms: 250 }],
    ['wait-leader', { kind: 'wait-leader', timeoutMs: DEFAULT_WAIT_LEADER_MS }],
    ['wait-leader 10s', { kind: 'wait-leader', timeoutMs: 10_000 }],
    ['', { kind: 'blank' }],
    ['   ', { kind: 'blank' }],
    ['# a comment', { kind: 'blank' }],
    ['   # indented comment', { kind: 'blank' }],
  ])('%j', (line, want) => {
    expect(parseClusterLine(line, 3)).toEqual(want)
  })

  it('strips a trailing comment but keeps a quoted #', () => {
    expect(command('put a b # why')).toEqual({ type: 'kv.put', key: 'a', value: 'b' })
    expect(command('put a "#1"')).toEqual({ type: 'kv.put', key: 'a', value: '#1' })
    expect(command('put a b#c')).toEqual({ type: 'kv.put', key: 'a', value: 'b#c' })
  })

  it('rejects unknown commands and bad directive arguments', () => {
    expect(error('frobnicate n1')).toBe("unknown command 'frobnicate' (type 'help' for the list)")
    expect(error('"put" a b')).toContain("unknown command 'put'")
    // Inherited names of the command table are not commands (they once reached Object's members).
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      expect(error(`${name} n1`)).toBe(`unknown command '${name}' (type 'help' for the list)`)
    }
    expect(error('sleep')).toBe('missing <dur> (usage: sleep <dur>)')
    expect(error('sleep soon')).toContain("bad duration 'soon'")
    expect(error('wait-leader never')).toContain("bad duration 'never'")
    expect(error('status now')).toContain("unexpected 'now'")
    expect(error('quit please')).toContain("unexpected 'please'")
  })
})

describe('units', () => {
  it('parses durations', () => {
    expect(parseDuration('500ms')).toBe(500)
    expect(parseDuration('2s')).toBe(2000)
    expect(parseDuration('1.5s')).toBe(1500)
    expect(parseDuration('.5s')).toBe(500)
    expect(parseDuration('42')).toBe(42)
    expect(parseDuration('2S')).toBe(2000)
    for (const bad of ['', 'ms', '1.5.2s', '-1', '1h', '1 s', 'NaN', 'Infinity']) {
      expect(parseDuration(bad), bad).toBeNull()
    }
  })

  it('parses percentages from 0 to 100', () => {
    expect(parsePercent('10%')).toBe(10)
    expect(parsePercent('10')).toBe(10)
    expect(parsePercent('0')).toBe(0)
    expect(parsePercent('100%')).toBe(100)
    expect(parsePercent('0.5%')).toBe(0.5)
    for (const bad of ['', '%', '101', '100.1%', '-1', '10%%', 'x']) {
      expect(parsePercent(bad), bad).toBeNull()
    }
  })

  it('formats durations the way they are typed', () => {
    expect(scriptDuration(500)).toBe('500ms')
    expect(scriptDuration(5000)).toBe('5s')
    expect(scriptDuration(1500)).toBe('1.5s')
    expect(scriptDuration(0.25)).toBe('0.25ms')
  })
})

describe('checkScript', () => {
  it('finds the first bad line with its 1-based number, counting blanks and comments', () => {
    const lines = ['# setup', 'wait-leader', '', 'put a 1', 'pause n7', 'frob']
    expect(checkScript(lines, 3)).toEqual({
      line: 5,
      text: 'pause n7',
      message: "unknown node 'n7': this cluster has n1…n3 (usage: pause <node>)",
    })
    expect(checkScript(lines.slice(0, 4), 3)).toBeNull()
  })
})

describe('formatResult', () => {
  const kv = { index: 12, term: 3, node: 1, latencyMs: 2.06 }
  it('shows where and how fast a write committed', () => {
    const put: LabCommand = { type: 'kv.put', key: 'a', value: '1' }
    expect(formatResult(put, { ok: true, kv: { ...kv, value: null } })).toBe(
      'ok index=12 term=3 (n1, 2.1 ms)',
    )
  })
  it('shows values read, deleted and compared', () => {
    const get: LabCommand = { type: 'kv.get', key: 'a' }
    expect(formatResult(get, { ok: true, kv: { ...kv, value: 'x y' } })).toBe(
      'ok "x y" index=12 term=3 (n1, 2.1 ms)',
    )
    expect(formatResult(get, { ok: true, kv: { ...kv, value: null } })).toMatch(/^ok \(absent\) /)
    const del: LabCommand = { type: 'kv.delete', key: 'a' }
    expect(formatResult(del, { ok: true, kv: { ...kv, value: '1' } })).toMatch(/^ok was "1" /)
    const cas: LabCommand = { type: 'kv.cas', key: 'a', expected: null, value: '2' }
    expect(formatResult(cas, { ok: true, kv: { ...kv, value: '2', swapped: true } })).toMatch(
      /^ok swapped index=12/,
    )
    expect(formatResult(cas, { ok: true, kv: { ...kv, value: '9', swapped: false } })).toMatch(
      /^ok not swapped: the value is "9" index=12/,
    )
  })
  it('shows failures with their code, and plain ok for faults', () => {
    const pause: LabCommand = { type: 'node.pause', node: 2 }
    expect(formatResult(pause, { ok: true })).toBe('ok')
    expect(formatResult(pause, { ok: false, error: 'n2 is paused', code: 'state' })).toBe(
      'error: n2 is paused (state)',
    )
  })
})

describe('help', () => {
  it('lists every command word the parser accepts, and nothing it rejects', () => {
    const help = clusterHelp()
    for (const [syntax] of CLUSTER_COMMANDS) {
      expect(help).toContain(syntax)
      const parsed = parseClusterLine(syntax.split(' ')[0]!)
      if (parsed.kind === 'error') expect(parsed.message).not.toContain('unknown command')
    }
    expect(Math.max(...help.split('\n').map((l) => l.length))).toBeLessThanOrEqual(100)
  })
})
