// Run-time checks of commands that arrive from outside the engine's process (Electron IPC, the
// browser-mode WebSocket): a renderer is not trusted to send well-formed data. Every command is
// checked against a schema down to its nested objects: each field's type and range (every number
// has an upper bound), no missing fields, no unknown ones — `__proto__` and other inherited names
// included, since only own properties of the schema count.
import { MAX_NODES, MAX_SNAPSHOT_EVERY_ENTRIES, MAX_SNAPSHOT_EVERY_MIB } from './config'
import {
  MAX_RERUN_COMMANDS,
  MAX_RERUN_MS,
  SCRIPTED,
  type LabCommand,
  type LabCommandType,
} from './commands'
import { hasOwnKey, ownValue } from '../util/own'

/** CommandValidationError says what is wrong with a command. */
export class CommandValidationError extends Error {
  override name = 'CommandValidationError'
}

/** Schema describes the values a field may take. */
type Schema =
  | { kind: 'int'; min: number; max: number; what?: string }
  | { kind: 'number'; min: number; max: number }
  | { kind: 'string'; maxLength: number }
  | { kind: 'pattern'; re: RegExp; what: string }
  | { kind: 'boolean' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'nullable'; of: Schema }
  | { kind: 'list'; of: Schema; minLength: number; maxLength: number }
  | { kind: 'object'; fields: Fields }
  | { kind: 'plan' }

interface Field {
  schema: Schema
  optional: boolean
}

type Fields = Readonly<Record<string, Field>>

/** FILE_NAME is what a recording's name may be: no folders, no hidden files. */
export const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/

/** MAX_STRING_CHARS bounds a key or a value sent from a front end (1 MiB of text). */
export const MAX_STRING_CHARS = 1 << 20

/** MAX_LINK_DELAY_MS bounds injected link latency and jitter: a minute is far past any election
 * timeout the lab allows to be useful, and keeps timers in range. */
export const MAX_LINK_DELAY_MS = 60_000

const int = (min: number, max: number, what?: string): Schema => ({
  kind: 'int',
  min,
  max,
  ...(what ? { what } : {}),
})
const num = (min: number, max: number): Schema => ({ kind: 'number', min, max })
const str: Schema = { kind: 'string', maxLength: MAX_STRING_CHARS }
const bool: Schema = { kind: 'boolean' }
const oneOf = (...values: string[]): Schema => ({ kind: 'enum', values })
const list = (of: Schema, minLength: number, maxLength: number): Schema => ({
  kind: 'list',
  of,
  minLength,
  maxLength,
})
const node = int(1, MAX_NODES, 'node id')
const req = (schema: Schema): Field => ({ schema, optional: false })
const opt = (schema: Schema): Field => ({ schema, optional: true })
const obj = (fields: Fields): Schema => ({ kind: 'object', fields })
/** allOptional makes every field of a schema optional (a Partial<…> of the engine's defaults). */
const partial = (fields: Record<string, Schema>): Schema =>
  obj(Object.fromEntries(Object.entries(fields).map(([k, s]) => [k, opt(s)])))

/** CLUSTER_CONFIG: a Partial<ClusterConfig>; the engine checks the rules between fields. */
const CLUSTER_CONFIG = partial({
  nodes: int(1, MAX_NODES),
  electionTimeoutMinMs: int(1, 600_000),
  electionTimeoutMaxMs: int(2, 600_000),
  heartbeatMs: int(1, 600_000),
  tickIntervalMs: int(1, 1000),
  timeScale: num(0.1, 1000),
  fsync: oneOf('always', 'never'),
  preVote: bool,
  checkQuorum: bool,
  maxInflightMsgs: int(1, 4096),
  maxEntriesPerMsg: int(1, 65_536),
  snapshotEveryEntries: int(0, MAX_SNAPSHOT_EVERY_ENTRIES),
  snapshotEveryMiB: int(0, MAX_SNAPSHOT_EVERY_MIB),
  snapshotKeepEntries: int(0, MAX_SNAPSHOT_EVERY_ENTRIES),
  tracing: bool,
  cpuShare: oneOf('per-node', 'cluster'),
})

/** WORKLOAD: a Partial<WorkloadSpec> without historyFile (a front end may not choose a file to
 * write; that is for the engine's own runs). */
const WORKLOAD = partial({
  mode: oneOf('closed', 'open'),
  concurrency: int(1, 4096),
  rate: num(1, 1_000_000),
  durationMs: num(100, 24 * 3_600_000),
  warmupMs: num(0, 3_600_000),
  ops: int(0, 1_000_000_000),
  mix: obj({
    put: req(num(0, 1_000_000)),
    get: req(num(0, 1_000_000)),
    cas: req(num(0, 1_000_000)),
  }),
  keys: int(1, 100_000_000),
  distribution: oneOf('uniform', 'zipf'),
  zipfExponent: num(0, 10),
  valueSizeBytes: int(0, 1 << 20),
  readMode: oneOf('linearizable', 'log', 'local'),
  timingSampleEvery: int(0, 1_000_000),
  timeoutMs: num(10, 600_000),
  abandonPercent: num(0, 100),
  seed: int(0, 2 ** 31 - 1),
})

const SWEEP = obj({
  nodes: req(list(int(1, MAX_NODES), 1, MAX_NODES)),
  fsync: req(list(oneOf('always', 'never'), 1, 2)),
  concurrency: req(list(int(1, 4096), 1, 32)),
  valueSizeBytes: req(list(int(0, 1 << 20), 1, 32)),
  maxEntriesPerMsg: req(list(int(1, 65_536), 1, 32)),
  linkLatencyMs: req(list(num(0, MAX_LINK_DELAY_MS), 1, 32)),
})

const LINK = { from: req(node), to: req(node), both: req(bool) }

/** COMMANDS gives, for every command type, its fields (besides `type`). */
const COMMANDS: Readonly<Record<LabCommandType, Fields>> = {
  'cluster.start': { config: req(CLUSTER_CONFIG) },
  'cluster.stop': {},
  'cluster.status': {},
  'node.pause': { node: req(node) },
  'node.resume': { node: req(node) },
  'node.crash': { node: req(node) },
  'node.restart': { node: req(node) },
  'node.stop': { node: req(node) },
  'node.snapshot': { node: req(node) },
  'node.transfer': { to: req(node) },
  'link.cut': LINK,
  'link.heal': LINK,
  'link.set': {
    ...LINK,
    latencyMs: opt(num(0, MAX_LINK_DELAY_MS)),
    jitterMs: opt(num(0, MAX_LINK_DELAY_MS)),
    lossPercent: opt(num(0, 100)),
  },
  'partition.isolate': { node: req(node) },
  'partition.split': { minority: opt(list(node, 0, MAX_NODES)) },
  'partition.bridge': {},
  'heal.all': {},
  'kv.put': { key: req(str), value: req(str) },
  'kv.get': { key: req(str) },
  'kv.delete': { key: req(str) },
  'kv.cas': { key: req(str), expected: req({ kind: 'nullable', of: str }), value: req(str) },
  'workload.start': { spec: req(WORKLOAD) },
  'workload.stop': {},
  'bench.start': { sweep: req(SWEEP), workload: req(WORKLOAD) },
  'bench.cancel': {},
  'elect.start': {
    ranges: req(list({ kind: 'pattern', re: /^\d{1,6}-\d{1,6}$/, what: 'MIN-MAX' }, 1, 64)),
    trials: req(int(1, 10_000)),
    nodes: req(int(3, MAX_NODES)),
    preVote: req(bool),
    checkQuorum: req(bool),
  },
  'elect.cancel': {},
  'record.start': { name: opt({ kind: 'pattern', re: FILE_NAME, what: 'file name' }) },
  'record.stop': {},
  'record.list': {},
  'rerun.start': {
    plan: req({ kind: 'plan' }),
    record: req(bool),
    name: opt({ kind: 'pattern', re: FILE_NAME, what: 'file name' }),
  },
  'rerun.cancel': {},
}

/** describe says in words what a schema accepts. */
function describe(s: Schema): string {
  switch (s.kind) {
    case 'int':
      return `${s.what ? `a ${s.what}` : 'an integer'} from ${s.min} to ${s.max}`
    case 'number':
      return `a number from ${s.min} to ${s.max}`
    case 'string':
      return `a string of at most ${s.maxLength} characters`
    case 'pattern':
      return `a ${s.what}`
    case 'boolean':
      return 'a boolean'
    case 'enum':
      return `one of ${s.values.map((v) => `'${v}'`).join(', ')}`
    case 'nullable':
      return `null or ${describe(s.of)}`
    case 'list':
      return `a list of ${s.minLength} to ${s.maxLength} items, each ${describe(s.of)}`
    case 'object':
      return 'an object'
    case 'plan':
      return 'a re-run plan'
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** check throws CommandValidationError unless `v` fits `s`; `path` names the value in messages. */
function check(v: unknown, s: Schema, type: string, path: string): void {
  const bad = (): never => {
    throw new CommandValidationError(`${type}: ${path} must be ${describe(s)}`)
  }
  switch (s.kind) {
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < s.min || v > s.max) bad()
      return
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v) || v < s.min || v > s.max) bad()
      return
    case 'string':
      if (typeof v !== 'string' || v.length > s.maxLength) bad()
      return
    case 'pattern':
      if (typeof v !== 'string' || !s.re.test(v)) bad()
      return
    case 'boolean':
      if (typeof v !== 'boolean') bad()
      return
    case 'enum':
      if (typeof v !== 'string' || !s.values.includes(v)) bad()
      return
    case 'nullable':
      if (v !== null) check(v, s.of, type, path)
      return
    case 'list':
      if (!Array.isArray(v) || v.length < s.minLength || v.length > s.maxLength) bad()
      ;(v as unknown[]).forEach((x, i) => check(x, s.of, type, `${path}[${i}]`))
      return
    case 'object':
      if (!isRecord(v)) bad()
      checkFields(v as Record<string, unknown>, s.fields, type, `${path}.`)
      return
    case 'plan':
      checkPlan(v)
      return
  }
}

/** checkFields checks an object's fields: every required one present, every present one known
 * (an own property of `fields`) and well formed. `prefix` is the object's path with a dot. */
function checkFields(o: Record<string, unknown>, fields: Fields, type: string, prefix: string) {
  for (const name of Object.keys(o)) {
    if (prefix === '' && name === 'type') continue
    const field = ownValue(fields, name)
    if (!field) throw new CommandValidationError(`${type}: unexpected field ${prefix}${name}`)
    // An optional field may be present as undefined (Electron's structured clone keeps it).
    if (field.optional && o[name] === undefined) continue
    check(o[name], field.schema, type, `${prefix}${name}`)
  }
  for (const [name, field] of Object.entries(fields)) {
    if (!field.optional && !hasOwnKey(o, name)) {
      throw new CommandValidationError(`${type}: missing ${prefix}${name}`)
    }
  }
}

/** parseCommand checks that `x` is a well-formed LabCommand and returns it. Unknown fields are
 * refused (they would be silently ignored otherwise), and every number is range-checked; the
 * engine checks what depends on the cluster (a node that exists) and rules between fields. It
 * throws CommandValidationError and nothing else, whatever `x` is. */
export function parseCommand(x: unknown): LabCommand {
  if (!isRecord(x)) throw new CommandValidationError('a command must be an object')
  const type = hasOwnKey(x, 'type') ? x.type : undefined
  const fields = typeof type === 'string' ? ownValue(COMMANDS, type) : undefined
  if (typeof type !== 'string' || !fields) {
    const shown = typeof type === 'string' ? JSON.stringify(type.slice(0, 64)) : typeof type
    throw new CommandValidationError(`unknown command type ${shown}`)
  }
  checkFields(x, fields, type, '')
  return x as unknown as LabCommand
}

/** checkPlan checks a re-run plan's shape: every command well formed and one a re-run may play
 * (the engine checks the cluster configuration's values when it starts the cluster). */
function checkPlan(x: unknown): void {
  if (!isRecord(x)) throw new CommandValidationError('rerun.start: plan must be an object')
  for (const name of Object.keys(x)) {
    if (name !== 'config' && name !== 'durationMs' && name !== 'commands') {
      throw new CommandValidationError(`rerun.start: unexpected field plan.${name}`)
    }
  }
  check(x.config, CLUSTER_CONFIG, 'rerun.start', 'plan.config')
  check(x.durationMs, num(0, MAX_RERUN_MS), 'rerun.start', 'plan.durationMs')
  if (!Array.isArray(x.commands) || x.commands.length > MAX_RERUN_COMMANDS) {
    throw new CommandValidationError(
      `rerun.start: plan.commands must be a list of at most ${MAX_RERUN_COMMANDS}`,
    )
  }
  for (const [i, c] of (x.commands as unknown[]).entries()) {
    if (
      !isRecord(c) ||
      Object.keys(c).some((k) => k !== 'atMs' && k !== 'command') ||
      typeof c.atMs !== 'number' ||
      !Number.isFinite(c.atMs) ||
      c.atMs < 0 ||
      c.atMs > MAX_RERUN_MS
    ) {
      throw new CommandValidationError(
        `rerun.start: plan.commands[${i}] must be {atMs: 0 to ${MAX_RERUN_MS}, command}`,
      )
    }
    let cmd: LabCommand
    try {
      cmd = parseCommand(c.command)
    } catch (e) {
      throw new CommandValidationError(`rerun.start: plan.commands[${i}]: ${(e as Error).message}`)
    }
    if (!SCRIPTED.has(cmd.type)) {
      throw new CommandValidationError(
        `rerun.start: plan.commands[${i}]: a re-run does not play ${cmd.type}`,
      )
    }
  }
}
