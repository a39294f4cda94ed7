// The app menu: the lab's items with their shortcuts, Quit where each platform expects it, and
// the standard Edit/View/Window menus.
import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it } from 'vitest'
import { menuTemplate } from '../../../electron/main/menu'
import type { LabMenuAction } from '../../../shared/lab/ipc'

function fileMenu(t: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return t.find((m) => m.label === 'File')?.submenu as MenuItemConstructorOptions[]
}

describe('menuTemplate', () => {
  it('lists New cluster, Open/Save recording and Benchmark, each sending its action', () => {
    const sent: LabMenuAction[] = []
    const file = fileMenu(menuTemplate('linux', (a) => sent.push(a)))
    const items = file.filter((i) => i.label !== undefined)
    expect(items.map((i) => [i.label, i.accelerator])).toEqual([
      ['New cluster…', 'CmdOrCtrl+N'],
      ['Open recording…', 'CmdOrCtrl+O'],
      ['Save recording…', 'CmdOrCtrl+S'],
      ['Benchmark…', 'CmdOrCtrl+B'],
    ])
    for (const i of items) (i.click as () => void)()
    expect(sent).toEqual(['new-cluster', 'open-recording', 'save-recording', 'benchmark'])
  })

  it('ends File with Quit on Linux and Windows', () => {
    for (const platform of ['linux', 'win32'] as const) {
      const t = menuTemplate(platform, () => {})
      expect(fileMenu(t).at(-1)).toEqual({ role: 'quit' })
      expect(t.map((m) => m.role ?? m.label)).toEqual([
        'File',
        'editMenu',
        'viewMenu',
        'windowMenu',
      ])
    }
  })

  it('puts the app menu (with Quit) first on macOS', () => {
    const t = menuTemplate('darwin', () => {})
    expect(t.map((m) => m.role ?? m.label)).toEqual([
      'appMenu',
      'File',
      'editMenu',
      'viewMenu',
      'windowMenu',
    ])
    expect(fileMenu(t).some((i) => i.role === 'quit')).toBe(false)
  })
})
