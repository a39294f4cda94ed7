// The time series behind the charts, published as a version number. Charts read the plain rings
// directly when they redraw (at most a few times a second), so thousands of points never pass
// through Vue's reactivity.
import { defineStore } from 'pinia'
import { shallowRef } from 'vue'
import type { TimelineModel } from '../model/timeline'
import { useLinkStore } from './link'
import { useTimeAxisStore } from './timeAxis'

/** useTimelineStore tells the charts when new data arrived. */
export const useTimelineStore = defineStore('timeline', () => {
  const version = shallowRef(0)

  /** publish marks the series changed, and starts the time axis at the shown cluster's start. */
  function publish(): void {
    version.value++
    useTimeAxisStore().setOrigin(model().clusterStartMs ?? 0)
  }

  /** model reads the plain timeline model. */
  function model(): TimelineModel {
    return useLinkStore().currentModel().timeline
  }

  return { version, publish, model }
})
