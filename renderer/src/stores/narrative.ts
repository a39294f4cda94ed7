// The narrative lines (a snapshot of the ring, replaced when lines arrive) and the kind filter.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { NARRATIVE_KINDS, type NarrativeKind, type NarrativeLine } from '../model/narrative'
import type { Ring } from '../model/ring'

/** useNarrativeStore holds the story so far and what the filter shows. */
export const useNarrativeStore = defineStore('narrative', () => {
  const lines = shallowRef<readonly NarrativeLine[]>([])
  const shown = ref<NarrativeKind[]>(NARRATIVE_KINDS.map((k) => k.kind))
  /** selectedId: the line whose moment the charts show. */
  const selectedId = ref<string | null>(null)

  /** publish copies the ring. */
  function publish(r: Ring<NarrativeLine>): void {
    lines.value = r.toArray()
  }

  const visible = computed(() => {
    const keep = new Set(shown.value)
    return lines.value.filter((l) => keep.has(l.kind))
  })

  /** toggleKind shows or hides one kind of line. */
  function toggleKind(kind: NarrativeKind): void {
    shown.value = shown.value.includes(kind)
      ? shown.value.filter((k) => k !== kind)
      : [...shown.value, kind]
  }

  /** showOnly shows one kind alone, or all kinds again when it already was alone. */
  function showOnly(kind: NarrativeKind): void {
    const alone = shown.value.length === 1 && shown.value[0] === kind
    shown.value = alone ? NARRATIVE_KINDS.map((k) => k.kind) : [kind]
  }

  return { lines, shown, visible, selectedId, publish, toggleKind, showOnly }
})
