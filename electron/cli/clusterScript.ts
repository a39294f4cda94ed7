// The command language of `raftlab cluster`: one line typed at the prompt or read from a script
// becomes a LabCommand or a directive the CLI itself runs (sleep, wait-leader…). Pure: no I/O, so
// the prompt, script files and piped stdin all share one parser that tests cover exhaustively.
import type { CommandResult, LabCommand } from '../../shared/lab'
import { MAX_NODES, nodeName } from '../../shared/lab'
import type { NodeId } from '../../shared/raft/types'
import { ownValue } from '../../shared/util/own'

/** ParsedLine is what one line asks for: a lab command, a directive for the CLI, nothing (blank
 * or comment) or a parse error whose message names the accepted syntax. */
export type ParsedLine =
  | { kind: 'command'; command: LabCommand }
  | { kind: 'status' }
  | { kind: 'sleep'; ms: number }
  | { kind: 'wait-leader'; timeoutMs: number }
  | { kind: 'quit' }
  | { kind: 'help' }
  | { kind: 'blank' }
  | { kind: 'error'; message: string }

/** DEFAULT_WAIT_LEADER_MS is how long `wait-leader` waits when no timeout is given. */
export const DEFAULT_WAIT_LEADER_MS = 5000

/** CLUSTER_COMMANDS lists the accepted syntax, in the order `help` shows it; every parse error
 * quotes its command's line from here. */
export const CLUSTER_COMMANDS = [
  ['status', 'show the status table'],
  ['put <key> <value>', 'write a value; quote values with spaces'],
  ['get <key>', 'read a value'],
  ['delete <key>', 'delete a key (alias: del)'],
  ['cas <key> <old> <new>', 'set <new> if the value is <old> (- = absent)'],
  ['pause <node>', 'freeze a node process (SIGSTOP)'],
  ['resume <node>', 'continue a paused node (SIGCONT)'],
  ['kill <node>', 'crash a node with SIGKILL (alias: crash)'],
  ['stop <node>', 'stop a node gracefully'],
  ['restart <node>', 'restart a crashed or stopped node'],
  ['transfer <node>', 'hand leadership to <node>'],
  ['snapshot <node>', 'snapshot a node now and compact its log'],
  ['cut <from> <to> [both]', 'drop messages from→to (both: both ways)'],
  ['heal [<from> <to> [both]]', 'heal one link; no arguments: every fault'],
  ['latency <from> <to> <dur> [jitter <dur>] [both]', 'delay messages on a link (0 clears)'],
  ['loss <from> <to> <pct> [both]', "drop a share of a link's messages"],
  ['isolate <node>', 'cut all links to and from a node'],
  ['split [<node>,<node>…]', 'partition; default puts the leader in a minority'],
  ['bridge', 'partition with one node reaching both sides'],
  ['sleep <dur>', 'wait, e.g. 500ms, 2s, 1.5s'],
  ['wait-leader [<dur>]', 'wait for a leader (default 5s), else fail'],
  ['help', 'list the commands'],
  ['quit', 'stop the cluster and exit (alias: exit)'],
] as const

const ALIASES: Record<string, string> = { crash: 'kill', del: 'delete', exit: 'quit', '?': 'help' }

function syntaxOf(name: string): string {
  const row = CLUSTER_COMMANDS.find(([syntax]) => syntax.split(' ')[0] === name)
  return row ? row[0] : name
}

/** clusterHelp formats CLUSTER_COMMANDS as an aligned list, with the node and unit notes. */
export function clusterHelp(): string {
  const width = Math.max(...CLUSTER_COMMANDS.map(([s]) => s.length))
  return [
    'Commands:',
    ...CLUSTER_COMMANDS.map(([s, what]) => `  ${s.padEnd(width)}  ${what}`),
    '',
    'Nodes are n1…n9 (or 1…9). Durations: 500ms, 2s, 1.5s or milliseconds. Percentages: 10% or 10.',
    'A # starts a comment. Quote a literal "-" to compare against the string "-" in cas.',
  ].join('\n')
}

interface Token {
  text: string
  quoted: boolean
}

// tokenize splits like a shell: whitespace separates, '…' and "…" group (with \" and \\ escapes
// in double quotes), and an unquoted # starting a word begins a comment.
function tokenize(line: string): Token[] | string {
  const tokens: Token[] = []
  let i = 0
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++
    if (i >= line.length || line[i] === '#') break
    let text = ''
    let quoted = false
    while (i < line.length && !/\s/.test(line[i]!)) {
      const c = line[i]!
      if (c === '"' || c === "'") {
        quoted = true
        let j = i + 1
        while (j < line.length && line[j] !== c) {
          if (c === '"' && line[j] === '\\' && j + 1 < line.length) j++
          text += line[j]
          j++
        }
        if (j >= line.length) return `unterminated ${c} quote`
        i = j + 1
      } else {
        text += c
        i++
      }
    }
    tokens.push({ text, quoted })
  }
  return tokens
}

class ParseError extends Error {}

/** parseDuration reads 500ms, 2s, 1.5s or a bare number of milliseconds; null when malformed. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?|\.\d+)(ms|s)?$/i.exec(text)
  if (!m) return null
  const n = Number(m[1]) * (m[2]?.toLowerCase() === 's' ? 1000 : 1)
  return Number.isFinite(n) ? n : null
}

/** parsePercent reads 10% or 10, from 0 to 100; null when malformed or out of range. */
export function parsePercent(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?|\.\d+)%?$/.exec(text)
  if (!m) return null
  const n = Number(m[1])
  return n >= 0 && n <= 100 ? n : null
}

/** scriptDuration shows milliseconds the way people type them: 500ms, 2s, 1.5s. */
export function scriptDuration(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(3))}s` : `${Number(ms.toFixed(3))}ms`
}

// Args reads one command's arguments in order, throwing ParseErrors that quote its syntax.
class Args {
  private i = 0
  constructor(
    private readonly name: string,
    private readonly tokens: Token[],
    readonly nodes: number | undefined,
  ) {}

  fail(message: string): never {
    throw new ParseError(`${message} (usage: ${syntaxOf(this.name)})`)
  }
  get left(): number {
    return this.tokens.length - this.i
  }
  peek(): string | undefined {
    return this.tokens[this.i]?.text
  }
  next(what: string): Token {
    const t = this.tokens[this.i++]
    if (t === undefined) this.fail(`missing ${what}`)
    return t
  }
  word(what: string): string {
    return this.next(what).text
  }
  node(what = 'node'): NodeId {
    return this.nodeId(this.word(what))
  }
  nodeId(text: string): NodeId {
    const m = /^[nN]?([1-9])$/.exec(text)
    const max = this.nodes ?? MAX_NODES
    const id = m ? Number(m[1]) : NaN
    if (!(id >= 1 && id <= max)) {
      const range = max === 1 ? 'n1' : `n1…${nodeName(max)}`
      const which = this.nodes === undefined ? 'nodes are' : `this cluster has`
      this.fail(`unknown node '${text}': ${which} ${range}`)
    }
    return id
  }
  link(): { from: NodeId; to: NodeId } {
    const from = this.node('<from> node')
    const to = this.node('<to> node')
    if (from === to) this.fail(`a link joins two different nodes, got ${nodeName(from)} twice`)
    return { from, to }
  }
  duration(what: string): number {
    const text = this.word(what)
    const ms = parseDuration(text)
    if (ms === null) this.fail(`bad duration '${text}': use 500ms, 2s, 1.5s or milliseconds`)
    return ms
  }
  percent(what: string): number {
    const text = this.word(what)
    const p = parsePercent(text)
    if (p === null) this.fail(`bad percentage '${text}': use 0 to 100, e.g. 10%`)
    return p
  }
  /** both consumes an optional trailing `both`. */
  both(): boolean {
    if (this.peek() !== 'both') return false
    this.i++
    return true
  }
  end(): void {
    const extra = this.tokens[this.i]
    if (extra === undefined) return
    const hint = ['put', 'cas'].includes(this.name) ? '; quote values with spaces' : ''
    this.fail(`unexpected '${extra.text}'${hint}`)
  }
}

type Parsed = Exclude<ParsedLine, { kind: 'error' } | { kind: 'blank' }>

function cmd(command: LabCommand): Parsed {
  return { kind: 'command', command }
}

const PARSERS: Record<string, (a: Args) => Parsed> = {
  status: () => ({ kind: 'status' }),
  help: () => ({ kind: 'help' }),
  quit: () => ({ kind: 'quit' }),
  put: (a) => cmd({ type: 'kv.put', key: a.word('<key>'), value: a.word('<value>') }),
  get: (a) => cmd({ type: 'kv.get', key: a.word('<key>') }),
  delete: (a) => cmd({ type: 'kv.delete', key: a.word('<key>') }),
  cas: (a) => {
    const key = a.word('<key>')
    const old = a.next('<old> value')
    const value = a.word('<new> value')
    // An unquoted - is "absent"; '-' in quotes is the one-character string.
    return cmd({
      type: 'kv.cas',
      key,
      expected: old.text === '-' && !old.quoted ? null : old.text,
      value,
    })
  },
  pause: (a) => cmd({ type: 'node.pause', node: a.node() }),
  resume: (a) => cmd({ type: 'node.resume', node: a.node() }),
  kill: (a) => cmd({ type: 'node.crash', node: a.node() }),
  stop: (a) => cmd({ type: 'node.stop', node: a.node() }),
  restart: (a) => cmd({ type: 'node.restart', node: a.node() }),
  transfer: (a) => cmd({ type: 'node.transfer', to: a.node() }),
  snapshot: (a) => cmd({ type: 'node.snapshot', node: a.node() }),
  isolate: (a) => cmd({ type: 'partition.isolate', node: a.node() }),
  bridge: () => cmd({ type: 'partition.bridge' }),
  cut: (a) => cmd({ type: 'link.cut', ...a.link(), both: a.both() }),
  heal: (a) => {
    if (a.left === 0 || (a.left === 1 && a.peek() === 'all')) {
      if (a.left === 1) a.word('all')
      return cmd({ type: 'heal.all' })
    }
    return cmd({ type: 'link.heal', ...a.link(), both: a.both() })
  },
  latency: (a) => {
    const link = a.link()
    const latencyMs = a.duration('<dur> latency')
    let jitterMs = 0
    let both = false
    while (a.left > 0) {
      if (a.peek() === 'jitter') {
        a.word('jitter')
        jitterMs = a.duration('<dur> after jitter')
      } else if (a.both()) both = true
      else break
    }
    return cmd({ type: 'link.set', ...link, both, latencyMs, jitterMs })
  },
  loss: (a) => {
    const link = a.link()
    const lossPercent = a.percent('<pct> loss')
    return cmd({ type: 'link.set', ...link, both: a.both(), lossPercent })
  },
  split: (a) => {
    if (a.left === 0) return cmd({ type: 'partition.split' })
    const names: string[] = []
    while (a.left > 0)
      names.push(
        ...a
          .word('node')
          .split(',')
          .filter((s) => s !== ''),
      )
    const minority = names.map((n) => a.nodeId(n))
    if (minority.length === 0) a.fail('missing nodes')
    if (new Set(minority).size !== minority.length) a.fail('a node is listed twice')
    // Either side of a split may be listed, but not every node: that leaves no other side.
    if (a.nodes !== undefined && minority.length >= a.nodes) {
      a.fail('list the nodes of one side only, not every node')
    }
    return cmd({ type: 'partition.split', minority })
  },
  sleep: (a) => ({ kind: 'sleep', ms: a.duration('<dur>') }),
  'wait-leader': (a) => ({
    kind: 'wait-leader',
    timeoutMs: a.left === 0 ? DEFAULT_WAIT_LEADER_MS : a.duration('<dur> timeout'),
  }),
}

/**
 * parseClusterLine turns one line of the cluster command language into a ParsedLine. `nodes`, the
 * cluster size when known, makes node names beyond it (n7 in a 3-node cluster) an error here
 * rather than a failed command later. It never throws: mistakes come back as `kind: 'error'`.
 */
export function parseClusterLine(line: string, nodes?: number): ParsedLine {
  const tokens = tokenize(line)
  if (typeof tokens === 'string') return { kind: 'error', message: tokens }
  const [first, ...rest] = tokens
  if (first === undefined) return { kind: 'blank' }
  const name = ownValue(ALIASES, first.text.toLowerCase()) ?? first.text.toLowerCase()
  const parser = ownValue(PARSERS, name)
  if (parser === undefined || first.quoted) {
    return { kind: 'error', message: `unknown command '${first.text}' (type 'help' for the list)` }
  }
  try {
    const args = new Args(name, rest, nodes)
    const parsed = parser(args)
    args.end()
    return parsed
  } catch (err) {
    if (err instanceof ParseError) return { kind: 'error', message: err.message }
    throw err
  }
}

/** ScriptError is the first bad line of a script: its 1-based number, its text and the error. */
export interface ScriptError {
  line: number
  text: string
  message: string
}

/** checkScript parses every line before anything runs, so a typo on line 40 fails at once instead
 * of after a cluster has started and 39 commands have run. */
export function checkScript(lines: readonly string[], nodes?: number): ScriptError | null {
  for (const [i, text] of lines.entries()) {
    const parsed = parseClusterLine(text, nodes)
    if (parsed.kind === 'error') return { line: i + 1, text: text.trim(), message: parsed.message }
  }
  return null
}

const quote = (v: string | null): string => (v === null ? '(absent)' : JSON.stringify(v))

/**
 * formatResult is the one-line answer shown for a command: `ok index=12 term=3 (n1, 2.1 ms)` for
 * a write, the value for a read, `error: …` for a failure. A cas that did not swap is ok (the
 * command ran; the comparison failed) and says so with the current value.
 */
export function formatResult(command: LabCommand, result: CommandResult): string {
  if (!result.ok) return `error: ${result.error} (${result.code})`
  const kv = result.kv
  if (kv === undefined) return 'ok'
  const where = `index=${kv.index} term=${kv.term} (${nodeName(kv.node)}, ${kv.latencyMs.toFixed(1)} ms)`
  switch (command.type) {
    case 'kv.get':
      return `ok ${quote(kv.value)} ${where}`
    case 'kv.delete':
      return `ok was ${quote(kv.value)} ${where}`
    case 'kv.cas':
      return kv.swapped === false
        ? `ok not swapped: the value is ${quote(kv.value)} ${where}`
        : `ok swapped ${where}`
    default:
      return `ok ${where}`
  }
}
