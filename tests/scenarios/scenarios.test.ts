// Runs every tests/scenarios/*.txt transcript against the real core. REWRITE=1 regenerates the
// expected outputs; review the diff before committing it.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runDataFile } from './datadriven'
import { Harness } from './harness'

const dir = __dirname
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.txt'))
  .sort()

describe('scenario transcripts', () => {
  it('finds the scenario files', () => {
    expect(files.length).toBeGreaterThanOrEqual(8)
  })
  for (const file of files) {
    it(file, () => {
      const harness = new Harness()
      const mismatches = runDataFile(join(dir, file), (cmd) => harness.run(cmd))
      const report = mismatches
        .map(
          (m) =>
            `${file}:${m.line}: ${m.command}\n--- expected\n${m.expected}\n--- actual\n${m.actual}`,
        )
        .join('\n\n')
      expect(report).toBe('')
    })
  }
})
