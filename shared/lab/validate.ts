// Run-time checks of commands that arrive from outside the engine's process (Electron IPC, the
// browser-mode WebSocket): a renderer is not trusted to send well-formed data.
import type { LabCommand, LabCommandType } from './commands'
import { MAX_RERUN_COMMANDS, MAX_RERUN_MS, SCRIPTED } from '../session/rerun'

/** CommandValidationError says what is wrong with a command. */
export class CommandValidationError extends Error {
  override name = 'CommandValidationError'
}

type FieldKind =
  | 'node'
  | 'string'
  | 'nullableString'
  | 'boolean'
  | 'number'
  | 'object'
  | 'stringList'
  | 'nodeList'
  | 'fileName'

/** FIELDS lists, for every command type, its required and optional fields and their kinds. */
const FIELDS: Record<
  LabCommandType,
  { required: Record<string, FieldKind>; optional?: Record<string, FieldKind> }
> = {
  'cluster.start': { required: { config: 'object' } },
  'cluster.stop': { required: {} },
  'cluster.status': { required: {} },
  'node.pause': { required: { node: 'node' } },
  'node.resume': { required: { node: 'node' } },
  'node.crash': { required: { node: 'node' } },
  'node.restart': { required: { node: 'node' } },
  'node.stop': { required: { node: 'node' } },
  'node.transfer': { required: { to: 'node' } },
  'link.cut': { required: { from: 'node', to: 'node', both: 'boolean' } },
  'link.heal': { required: { from: 'node', to: 'node', both: 'boolean' } },
  'link.set': {
    required: { from: 'node', to: 'node', both: 'boolean' },
    optional: { latencyMs: 'number', jitterMs: 'number', lossPercent: 'number' },
  },
  'partition.isolate': { required: { node: 'node' } },
  'partition.split': { required: {}, optional: { minority: 'nodeList' } },
  'partition.bridge': { required: {} },
  'heal.all': { required: {} },
  'kv.put': { required: { key: 'string', value: 'string' } },
  'kv.get': { required: { key: 'string' } },
  'kv.delete': { required: { key: 'string' } },
  'kv.cas': { required: { key: 'string', expected: 'nullableString', value: 'string' } },
  'workload.start': { required: { spec: 'object' } },
  'workload.stop': { required: {} },
  'bench.start': { required: { sweep: 'object', workload: 'object' } },
  'bench.cancel': { required: {} },
  'elect.start': {
    required: {
      ranges: 'stringList',
      trials: 'number',
      nodes: 'number',
      preVote: 'boolean',
      checkQuorum: 'boolean',
    },
  },
  'elect.cancel': { required: {} },
  'record.start': { required: {}, optional: { name: 'fileName' } },
  'record.stop': { required: {} },
  'rerun.start': {
    required: { plan: 'object', record: 'boolean' },
    optional: { name: 'fileName' },
  },
  'rerun.cancel': { required: {} },
}

/** FILE_NAME is what a recording's name may be: no folders, no hidden files. */
export const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/

function fits(v: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case 'node':
      return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 9
    case 'string':
      return typeof v === 'string' && v.length <= 1 << 20
    case 'nullableString':
      return v === null || (typeof v === 'string' && v.length <= 1 << 20)
    case 'boolean':
      return typeof v === 'boolean'
    case 'number':
      return typeof v === 'number' && Number.isFinite(v)
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v)
    case 'stringList':
      return (
        Array.isArray(v) &&
        v.length <= 64 &&
        v.every((x) => typeof x === 'string' && x.length <= 64)
      )
    case 'nodeList':
      return Array.isArray(v) && v.length <= 9 && v.every((x) => fits(x, 'node'))
    case 'fileName':
      return typeof v === 'string' && FILE_NAME.test(v)
  }
}

/** parseCommand checks that `x` is a well-formed LabCommand and returns it; unknown fields are
 * refused too (they would be silently ignored otherwise). Values are range-checked later by the
 * engine, which knows the cluster. */
export function parseCommand(x: unknown): LabCommand {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) {
    throw new CommandValidationError('a command must be an object')
  }
  const o = x as Record<string, unknown>
  const type = o.type
  if (typeof type !== 'string' || !(type in FIELDS)) {
    throw new CommandValidationError(`unknown command type ${JSON.stringify(type)}`)
  }
  const spec = FIELDS[type as LabCommandType]
  for (const [name, kind] of Object.entries(spec.required)) {
    if (!(name in o)) throw new CommandValidationError(`${type}: missing ${name}`)
    if (!fits(o[name], kind)) throw new CommandValidationError(`${type}: ${name} must be a ${kind}`)
  }
  for (const [name, kind] of Object.entries(spec.optional ?? {})) {
    if (name in o && o[name] !== undefined && !fits(o[name], kind)) {
      throw new CommandValidationError(`${type}: ${name} must be a ${kind}`)
    }
  }
  for (const name of Object.keys(o)) {
    if (name !== 'type' && !(name in spec.required) && !(name in (spec.optional ?? {}))) {
      throw new CommandValidationError(`${type}: unexpected field ${name}`)
    }
  }
  if (type === 'rerun.start') checkPlan(o.plan)
  return o as unknown as LabCommand
}

/** checkPlan checks a re-run plan's shape: every command well formed and one a re-run may play
 * (the engine checks the cluster configuration's values when it starts the cluster). */
function checkPlan(x: unknown): void {
  const p = x as Record<string, unknown>
  if (!fits(p.config, 'object'))
    throw new CommandValidationError('rerun.start: plan.config must be an object')
  if (
    !fits(p.durationMs, 'number') ||
    (p.durationMs as number) < 0 ||
    (p.durationMs as number) > MAX_RERUN_MS
  ) {
    throw new CommandValidationError(
      `rerun.start: plan.durationMs must be from 0 to ${MAX_RERUN_MS}`,
    )
  }
  if (!Array.isArray(p.commands) || p.commands.length > MAX_RERUN_COMMANDS) {
    throw new CommandValidationError(
      `rerun.start: plan.commands must be a list of at most ${MAX_RERUN_COMMANDS}`,
    )
  }
  for (const [i, c] of (p.commands as unknown[]).entries()) {
    const t = c as Record<string, unknown>
    if (typeof t !== 'object' || t === null || !fits(t.atMs, 'number') || (t.atMs as number) < 0) {
      throw new CommandValidationError(
        `rerun.start: plan.commands[${i}] needs atMs ≥ 0 and a command`,
      )
    }
    let cmd: LabCommand
    try {
      cmd = parseCommand(t.command)
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
