// Toasts: short messages in a corner. Every failed command lands here with the engine's own words,
// so nothing fails silently.
import { defineStore } from 'pinia'
import { ref } from 'vue'

/** Toast is one message; an action offers the obvious next step (e.g. "stop the cluster"), or
 * `actions` several (e.g. download a recording, or replay it). */
export interface Toast {
  id: number
  kind: 'error' | 'info' | 'success'
  message: string
  action?: { label: string; run: () => void }
  actions?: { label: string; run: () => void }[]
}

/** useToastStore holds the visible toasts. */
export const useToastStore = defineStore('toasts', () => {
  const toasts = ref<Toast[]>([])
  let nextId = 1

  /** push shows a toast for timeoutMs (errors stay longer: they need reading). */
  function push(
    kind: Toast['kind'],
    message: string,
    opts: { timeoutMs?: number; action?: Toast['action']; actions?: Toast['actions'] } = {},
  ): number {
    const id = nextId++
    const toast: Toast = {
      id,
      kind,
      message,
      ...(opts.action ? { action: opts.action } : {}),
      ...(opts.actions ? { actions: opts.actions } : {}),
    }
    toasts.value = [...toasts.value.slice(-4), toast]
    const timeoutMs = opts.timeoutMs ?? (kind === 'error' ? 9000 : 3500)
    if (timeoutMs > 0) setTimeout(() => dismiss(id), timeoutMs)
    return id
  }

  /** dismiss removes a toast. */
  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((t) => t.id !== id)
  }

  return { toasts, push, dismiss }
})
