// The settings a person has typed: the next cluster's configuration and the workload's, kept in
// one store (and in localStorage) so the keyboard can act on them as the forms would.
import { defineStore } from 'pinia'
import { computed, reactive, watch } from 'vue'
import {
  ConfigError,
  DEFAULT_CLUSTER_CONFIG,
  resolveClusterConfig,
  type ClusterConfig,
} from '../../../shared/lab/config'
import type { WorkloadSpec } from '../../../shared/lab/workload'
import { useClusterStore } from './cluster'

const CLUSTER_KEY = 'raftlab.clusterForm'

/** APP_CLUSTER_DEFAULTS: the paper's settings, with the cluster weighing as much as the app on a
 * saturated machine (cpuShare), so neither makes the other stall. */
export const APP_CLUSTER_DEFAULTS: ClusterConfig = {
  ...DEFAULT_CLUSTER_CONFIG,
  cpuShare: 'cluster',
}
const WORKLOAD_KEY = 'raftlab.workloadForm'

/** WorkloadForm is what the workload panel edits. */
export interface WorkloadForm {
  mode: 'closed' | 'open'
  concurrency: number
  rate: number
  valueSizeBytes: number
  put: number
  get: number
  cas: number
}

const DEFAULT_WORKLOAD_FORM: WorkloadForm = {
  mode: 'closed',
  concurrency: 16,
  rate: 500,
  valueSizeBytes: 64,
  put: 1,
  get: 0,
  cas: 0,
}

function saved<T>(key: string): Partial<T> {
  try {
    const v = JSON.parse(localStorage.getItem(key) ?? 'null') as unknown
    return typeof v === 'object' && v !== null ? (v as Partial<T>) : {}
  } catch {
    return {}
  }
}

/** checkWorkloadForm says what is wrong with a workload form, or null. */
export function checkWorkloadForm(f: WorkloadForm): string | null {
  if (!(Number.isInteger(f.concurrency) && f.concurrency >= 1 && f.concurrency <= 4096))
    return 'clients: a whole number from 1 to 4096'
  if (f.mode === 'open' && !(f.rate >= 1 && f.rate <= 1_000_000))
    return 'rate: 1 to 1,000,000 a second'
  if (!(f.valueSizeBytes >= 0 && f.valueSizeBytes <= 1 << 20)) return 'value size: 0 to 1 MiB'
  if (!(f.put >= 0 && f.get >= 0 && f.cas >= 0) || f.put + f.get + f.cas <= 0)
    return 'mix: weights ≥ 0, at least one above 0'
  return null
}

/** useFormsStore holds both forms and the actions that use them. */
export const useFormsStore = defineStore('forms', () => {
  const cluster = reactive<ClusterConfig>({ ...APP_CLUSTER_DEFAULTS })
  try {
    Object.assign(
      cluster,
      resolveClusterConfig({ ...APP_CLUSTER_DEFAULTS, ...saved<ClusterConfig>(CLUSTER_KEY) }),
    )
  } catch {
    // A stale saved form that no longer validates: start from the defaults.
  }
  const workload = reactive<WorkloadForm>({
    ...DEFAULT_WORKLOAD_FORM,
    ...saved<WorkloadForm>(WORKLOAD_KEY),
  })

  /** clusterCheck runs the engine's own validation on the form. */
  const clusterCheck = computed<{ config: ClusterConfig | null; error: string | null }>(() => {
    try {
      return { config: resolveClusterConfig({ ...cluster }), error: null }
    } catch (e) {
      return { config: null, error: e instanceof ConfigError ? e.message : String(e) }
    }
  })
  const workloadError = computed(() => checkWorkloadForm(workload))

  watch(cluster, () => {
    if (clusterCheck.value.config)
      localStorage.setItem(CLUSTER_KEY, JSON.stringify(clusterCheck.value.config))
  })
  watch(workload, () => localStorage.setItem(WORKLOAD_KEY, JSON.stringify(workload)))

  /** resetCluster puts the paper's defaults back. */
  function resetCluster(): void {
    Object.assign(cluster, APP_CLUSTER_DEFAULTS)
  }

  /** workloadSpec is what the workload form asks for; the engine fills the rest. */
  function workloadSpec(): Partial<WorkloadSpec> {
    const w = workload
    return {
      mode: w.mode,
      concurrency: w.concurrency,
      rate: w.rate,
      valueSizeBytes: w.valueSizeBytes,
      mix: { put: w.put, get: w.get, cas: w.cas },
    }
  }

  /** startCluster starts a cluster with the form's settings, if they are valid. */
  async function startCluster(): Promise<void> {
    const c = clusterCheck.value.config
    if (c) await useClusterStore().start(c)
  }

  /** toggleWorkload starts the workload with the form's settings, or stops it. */
  async function toggleWorkload(): Promise<void> {
    const cl = useClusterStore()
    if (cl.view.workload.running) await cl.stopWorkload()
    else if (!workloadError.value) await cl.startWorkload(workloadSpec())
  }

  return {
    cluster,
    workload,
    clusterCheck,
    workloadError,
    resetCluster,
    workloadSpec,
    startCluster,
    toggleWorkload,
  }
})
