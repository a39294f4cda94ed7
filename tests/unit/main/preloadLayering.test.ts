// The preload may use the shared/lab contract (its channel table is plain data) and electron, and
// nothing else: not the rest of shared/, not Node, not the engine. Lint enforces it.
import { ESLint } from 'eslint'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(__dirname, '..', '..', '..')
const eslint = new ESLint({ cwd: root })

async function layering(code: string): Promise<string> {
  const [res] = await eslint.lintText(code, { filePath: join(root, 'electron/preload/x.ts') })
  return (res?.messages ?? [])
    .filter((m) => m.ruleId === 'layering/imports' || m.ruleId === 'no-restricted-globals')
    .map((m) => m.message)
    .join('\n')
}

describe('preload layering', () => {
  it('may import shared/lab and electron', async () => {
    expect(
      await layering(
        "import { LAB_CHANNELS } from '../../shared/lab/ipc'\nimport { ipcRenderer } from 'electron'\nexport const x = [LAB_CHANNELS, ipcRenderer]",
      ),
    ).toBe('')
  })

  it('may not import the rest of shared/, Node built-ins, or npm packages', async () => {
    expect(
      await layering("import { x } from '../../shared/raft/raft'\nexport const y = x"),
    ).toMatch(/may not import shared\//)
    expect(
      await layering("import { readFileSync } from 'node:fs'\nexport const r = readFileSync"),
    ).toMatch(/Node built-ins/)
    expect(await layering("import WebSocket from 'ws'\nexport const w = WebSocket")).toMatch(
      /may only import electron and shared\/lab/,
    )
    expect(await layering('export const p = process.pid')).toMatch(/no Node globals/)
  })
})
