// The app menu: the lab's own items (they only tell the renderer which dialog to open) and
// Electron's standard Edit, View and Window menus.
import type { MenuItemConstructorOptions } from 'electron'
import type { LabMenuAction } from '../../shared/lab/ipc'

/** LAB_MENU_ITEMS are the lab's menu items with their shortcuts. Each only tells the renderer:
 * Open recording… opens its file picker; Save recording… starts a recording, or finishes the
 * one in progress and shows where it was written. */
export const LAB_MENU_ITEMS: Readonly<Record<LabMenuAction, { label: string; key: string }>> = {
  'new-cluster': { label: 'New cluster…', key: 'CmdOrCtrl+N' },
  'open-recording': { label: 'Open recording…', key: 'CmdOrCtrl+O' },
  'save-recording': { label: 'Save recording…', key: 'CmdOrCtrl+S' },
  benchmark: { label: 'Benchmark…', key: 'CmdOrCtrl+B' },
}

/** menuTemplate builds the menu for `platform`: on macOS the app menu (About, Hide, Quit…)
 * comes first and Quit lives there; elsewhere Quit ends the File menu. */
export function menuTemplate(
  platform: NodeJS.Platform,
  send: (action: LabMenuAction) => void,
): MenuItemConstructorOptions[] {
  const isMac = platform === 'darwin'
  const item = (action: LabMenuAction): MenuItemConstructorOptions => ({
    label: LAB_MENU_ITEMS[action].label,
    accelerator: LAB_MENU_ITEMS[action].key,
    click: () => send(action),
  })
  const separator: MenuItemConstructorOptions = { type: 'separator' }
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      item('new-cluster'),
      separator,
      item('open-recording'),
      item('save-recording'),
      separator,
      item('benchmark'),
      ...(isMac ? [] : [separator, { role: 'quit' } as const]),
    ],
  }
  return [
    ...(isMac ? [{ role: 'appMenu' } as const] : []),
    file,
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ]
}
