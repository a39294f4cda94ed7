// Every node's log, published as a version number: the log view cuts its window from the plain
// model when the version moves (the logs themselves never enter Vue's reactivity).
import { defineStore } from 'pinia'
import { shallowRef } from 'vue'
import type { LogsModel } from '../model/logs'
import { useLinkStore } from './link'

/** useLogsStore tells the log view when the logs changed. */
export const useLogsStore = defineStore('logs', () => {
  const version = shallowRef(0)

  /** publish marks the logs changed. */
  function publish(): void {
    version.value++
  }

  /** model reads the plain logs model. */
  function model(): LogsModel {
    return useLinkStore().currentModel().logs
  }

  return { version, publish, model }
})
