// View state that belongs to no lab data: which tab, which node is selected, which menu or overlay
// is open.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { NodeId } from '../../../shared/raft/types'
import { useReplayStore } from '../replay/store'

/** useUiStore holds the selection and what is open. */
export const useUiStore = defineStore('ui', () => {
  const view = ref<'lab' | 'bench'>('lab')
  const selectedNode = ref<NodeId | null>(null)
  /** menuNode: the node whose menu is open, if any. */
  const menuNode = ref<NodeId | null>(null)
  const helpOpen = ref(false)
  /** focusForm: bumped to ask the new-cluster form to take the focus (the app menu's "New
   * cluster…"). */
  const focusForm = ref(0)
  /** menuRequest: the last pick from the desktop app's menu (a counter makes a repeat a change),
   * for views that own an action the menu does not know. */
  const menuRequest = ref<{ action: string; n: number } | null>(null)
  /** pickRecording: bumped to open the file picker for a recording (File → Open recording…, the
   * Open button, the `o` key); App.vue owns the hidden file input. */
  const pickRecording = ref(0)

  /** selectNode selects a node (or clears the selection) and closes any other node's menu. */
  function selectNode(id: NodeId | null): void {
    selectedNode.value = id
    if (menuNode.value !== id) menuNode.value = null
  }

  /** openMenu opens a node's menu (selecting the node). */
  function openMenu(id: NodeId): void {
    selectedNode.value = id
    menuNode.value = id
  }

  /** closeMenu closes the node menu. */
  function closeMenu(): void {
    menuNode.value = null
  }

  /** escape closes the innermost open thing: the help, a menu, then the selection. */
  function escape(): void {
    if (helpOpen.value) helpOpen.value = false
    else if (menuNode.value !== null) menuNode.value = null
    else selectedNode.value = null
  }

  /** toggleView switches between the lab and the benchmarks. */
  function toggleView(): void {
    view.value = view.value === 'lab' ? 'bench' : 'lab'
  }

  /** onMenu carries out a pick from the desktop app's menu, or passes it on (menuRequest). */
  function onMenu(action: string): 'done' | 'passed-on' {
    menuRequest.value = { action, n: (menuRequest.value?.n ?? 0) + 1 }
    switch (action) {
      case 'new-cluster':
        view.value = 'lab'
        focusForm.value++
        return 'done'
      case 'benchmark':
        view.value = 'bench'
        return 'done'
      case 'open-recording':
        pickRecording.value++
        return 'done'
      case 'save-recording':
        // Recordings are written as they go: Save starts one (the session so far becomes its
        // first keyframe) or, while one runs, finishes it and says where it is.
        void useReplayStore().toggleRecording()
        return 'done'
      default:
        return 'passed-on'
    }
  }

  return {
    view,
    selectedNode,
    menuNode,
    helpOpen,
    focusForm,
    menuRequest,
    pickRecording,
    selectNode,
    openMenu,
    closeMenu,
    escape,
    toggleView,
    onMenu,
  }
})
