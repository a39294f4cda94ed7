// The link to the lab engine: the connection's state, the command channel (run), and which plain
// model the views are shown — the live one, or a replay's. Every store that sends commands or
// reads the model depends on this one, and it depends on no other store but the toasts, so
// dependencies run one way: stores → link; the session's event pipeline (session.ts) → stores.
import { defineStore } from 'pinia'
import { markRaw, ref, shallowRef } from 'vue'
import type { CommandResult, LabCommand } from '../../../shared/lab/commands'
import type { ConnectionState, LabClient } from '../api'
import { createLabModel, type LabModel } from '../model/lab'
import { describeCommand } from '../model/narrative'
import { useToastStore } from './toasts'

/** REPLAY_COMMANDS may still be sent while a recording is replayed (none of them touches what is
 * shown): recording the live session, listing recordings, and re-running a recording on a fresh
 * cluster. */
const REPLAY_COMMANDS = new Set<LabCommand['type']>([
  'record.start',
  'record.stop',
  'record.list',
  'rerun.start',
  'rerun.cancel',
])

/** useLinkStore owns the connection and the command channel. */
export const useLinkStore = defineStore('link', () => {
  const connection = shallowRef<ConnectionState>({
    status: 'connecting',
    transport: 'browser',
    attempt: 0,
    retryInMs: null,
    message: null,
  })
  /** engine: versions from the last hello. */
  const engine = shallowRef<{ appVersion: string; eventVersion: string } | null>(null)
  /** incompatible: the engine speaks a newer major event version; its events are ignored. */
  const incompatible = ref<string | null>(null)
  /** busy: command types on their way, so buttons can show it (starting a cluster takes seconds). */
  const busy = shallowRef<ReadonlySet<string>>(new Set())
  /** mode: 'live' follows the engine; 'replay' shows a recording (the replay store drives it). */
  const mode = ref<'live' | 'replay'>('live')

  // The models are deliberately outside Vue's reactivity: `shown` is what the views show — the
  // live model, or a replay's while a recording is shown (the live one keeps folding the engine's
  // events meanwhile, unpublished). `models` is a plain object, not state and not actions: the
  // session pipeline calls it from timers, and a Pinia action would make this store's Pinia the
  // active one (which matters where there are several, as in tests).
  let live: LabModel = createLabModel()
  let shown: LabModel = live
  let client: LabClient | null = null
  const models = markRaw({
    /** shown: the plain model the views show (charts read rings directly). */
    shown: (): LabModel => shown,
    /** live: the live lab's model, even while a replay is shown. */
    live: (): LabModel => live,
    /** set replaces the live model and/or the one shown (the session pipeline's job). */
    set(m: { live?: LabModel; shown?: LabModel }): void {
      if (m.live) live = m.live
      if (m.shown) shown = m.shown
    },
    client: (): LabClient | null => client,
    setClient(c: LabClient | null): void {
      client = c
    },
  })

  /** currentModel gives views read access to the plain model shown. */
  function currentModel(): LabModel {
    return shown
  }

  /** liveCluster is the live lab's cluster as the page knows it, even while a replay is shown
   * (the views then show the recording's). */
  function liveCluster(): { running: boolean; nodes: number } {
    const c = live.cluster
    return { running: c.running, nodes: c.nodes.length }
  }

  /** run sends a command. A failure shows a toast with the engine's message (never silent); the
   * result is returned either way so callers can react to it. While a replay is shown, commands
   * that would act on the live lab are refused unless `live` says the person asked for exactly
   * that (e.g. confirmed stopping the live cluster to re-run the recording). */
  async function run(
    cmd: LabCommand,
    opts: { quiet?: boolean; live?: boolean } = {},
  ): Promise<CommandResult> {
    const toasts = useToastStore()
    const what = describeCommand(cmd)
    if (mode.value === 'replay' && !opts.live && !REPLAY_COMMANDS.has(cmd.type)) {
      const error = 'a recording is being replayed: close it to act on the live lab'
      if (!opts.quiet) toasts.push('info', `${what}: ${error}`)
      return { ok: false, error, code: 'state' }
    }
    if (!client) {
      toasts.push('error', `${what}: not connected to the lab engine`)
      return { ok: false, error: 'not connected to the lab engine', code: 'unavailable' }
    }
    busy.value = new Set([...busy.value, cmd.type])
    try {
      const r = await client.command(cmd)
      if (!r.ok && !opts.quiet) toasts.push('error', `${what} failed: ${r.error}`)
      return r
    } catch (e) {
      const error = (e as Error).message
      if (!opts.quiet) toasts.push('error', `${what}: ${error}`)
      return { ok: false, error, code: 'unavailable' }
    } finally {
      const next = new Set(busy.value)
      next.delete(cmd.type)
      busy.value = next
    }
  }

  return {
    connection,
    engine,
    incompatible,
    busy,
    mode,
    models,
    currentModel,
    liveCluster,
    run,
  }
})
