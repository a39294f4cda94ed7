// The per-folder layering rules of STYLE.md are enforced by lint: these cases prove the rules
// fire (and stay quiet where imports are allowed).
import { ESLint } from 'eslint'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(__dirname, '..', '..')
const eslint = new ESLint({ cwd: root })

async function problems(file: string, code: string): Promise<string[]> {
  const [res] = await eslint.lintText(code, { filePath: join(root, file) })
  return (res?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`)
}

describe('layering lint', () => {
  const cases: [string, string, RegExp | null][] = [
    [
      'shared/raft/x.ts',
      "import { readFileSync } from 'node:fs'\nexport const x = readFileSync",
      /Node built-ins/,
    ],
    ['shared/raft/x.ts', "import fs from 'fs'\nexport const x = fs", /Node built-ins/],
    ['shared/raft/x.ts', 'export const t = Date.now()', /no 'Date'/],
    ['shared/raft/x.ts', 'export const r = Math.random()', /seeded Rng/],
    ['shared/raft/x.ts', 'setTimeout(() => {}, 1)', /no 'setTimeout'/],
    ['shared/raft/x.ts', 'export const p = process.pid', /no 'process'/],
    [
      'shared/raft/x.ts',
      "import { x } from '../../electron/lab/sim/simRunner'\nexport const y = x",
      /may not import electron\/lab/,
    ],
    [
      'shared/raft/x.ts',
      "import { createRng } from '../util/rng'\nexport const r = createRng",
      null,
    ],
    [
      'electron/lab/x.ts',
      "import { app } from 'electron'\nexport const a = app",
      /may not import 'electron'/,
    ],
    [
      'electron/lab/x.ts',
      "import { readFileSync } from 'node:fs'\nexport const r = readFileSync",
      null,
    ],
    [
      'electron/node/x.ts',
      "import { x } from '../lab/sim/simRunner'\nexport const y = x",
      /may not import electron\/lab/,
    ],
    ['electron/cli/x.ts', "import { x } from '../lab/sim/simRunner'\nexport const y = x", null],
    // Inside the lab engine dependencies run one way: the Lab owns its activities, which are
    // given a factory and never import it back.
    [
      'electron/lab/activities/x.ts',
      "import { Lab } from '../engine/lab'\nexport const y = Lab",
      /electron\/lab\/activities\/ may not import electron\/lab\/engine\//,
    ],
    [
      'electron/lab/supervisor/x.ts',
      "import { KvClient } from '../clients/kvClient'\nexport const y = KvClient",
      /may not import electron\/lab\/clients\//,
    ],
    [
      'electron/lab/engine/x.ts',
      "import { runBench } from '../activities/bench'\nexport const y = runBench",
      null,
    ],
    [
      'electron/lab/clients/x.ts',
      "import { LabStateError } from '../errors'\nexport const y = LabStateError",
      null,
    ],
    [
      'renderer/src/x.ts',
      "import { x } from '../../electron/lab/sim/simRunner'\nexport const y = x",
      /may not import electron\/lab/,
    ],
    [
      'renderer/src/x.ts',
      "import { readFileSync } from 'node:fs'\nexport const r = readFileSync",
      /Node built-ins/,
    ],
    ['renderer/src/x.ts', "import { ref } from 'vue'\nexport const r = ref", null],
    [
      'electron/preload/x.ts',
      "import { x } from '../lab/sim/simRunner'\nexport const y = x",
      /may not import electron\/lab/,
    ],
  ]
  // Inside shared/, the sub-layers: core, then kv / protocol, then the lab's contract, then
  // sessions; arrows point down only.
  cases.push(
    [
      'shared/protocol/x.ts',
      "import type { ClusterConfig } from '../lab/config'\nexport type C = ClusterConfig",
      /shared\/protocol\/ may not import shared\/lab\//,
    ],
    [
      'shared/lab/x.ts',
      "import { planRerun } from '../session/rerun'\nexport const p = planRerun",
      /shared\/lab\/ may not import shared\/session\//,
    ],
    [
      'shared/raft/x.ts',
      "import { Kv } from '../kv/store'\nexport const k = Kv",
      /shared\/raft\/ may not import shared\/kv\//,
    ],
    [
      'shared/session/x.ts',
      "import type { LabEvent } from '../lab/events'\nexport type E = LabEvent",
      null,
    ],
    [
      'shared/lab/x.ts',
      "import type { NodeStatus } from '../protocol/node'\nexport type S = NodeStatus",
      null,
    ],
    ['shared/kv/x.ts', "import { ref } from 'vue'\nexport const r = ref", /may not import 'vue'/],
  )
  for (const [file, code, expected] of cases) {
    it(`${file}: ${code.split('\n')[0]}`, async () => {
      const found = (await problems(file, code)).filter((p) => /layering|restricted/.test(p))
      if (expected === null) expect(found).toEqual([])
      else expect(found.join('\n')).toMatch(expected)
    })
  }
})

describe('no import cycles', () => {
  // raftLog.ts imports storage.ts: storage.ts importing raftLog.ts back closes a cycle.
  it('reports an import that closes a cycle, naming the whole chain', async () => {
    const found = await problems(
      'shared/raft/storage.ts',
      "import { RaftLog } from './raftLog'\nexport const l = RaftLog",
    )
    expect(found).toContain(
      'layering/no-cycle: import cycle: shared/raft/storage.ts → shared/raft/raftLog.ts → ' +
        'shared/raft/storage.ts (dependencies must run one way)',
    )
  })

  it('sees cycles through several files and type-only imports', async () => {
    // types.ts ← raftLog.ts ← raft.ts: types.ts importing raft.ts closes a longer cycle.
    const found = await problems(
      'shared/raft/types.ts',
      "import type { RaftNode } from './raft'\nexport type R = RaftNode",
    )
    expect(found.join('\n')).toMatch(
      /layering\/no-cycle: import cycle: shared\/raft\/types\.ts → shared\/raft\/raft\.ts → .*shared\/raft\/types\.ts/,
    )
  })

  it('stays quiet for imports that run one way', async () => {
    const found = await problems(
      'shared/raft/x.ts',
      "import { RaftLog } from './raftLog'\nexport const l = RaftLog",
    )
    expect(found.filter((p) => p.startsWith('layering/no-cycle'))).toEqual([])
  })

  it('finds no cycle anywhere in the sources it covers', async () => {
    const results = await eslint.lintFiles(['shared', 'electron', 'renderer/src'])
    const cycles = results.flatMap((r) =>
      r.messages.filter((m) => m.ruleId === 'layering/no-cycle').map((m) => m.message),
    )
    expect(cycles).toEqual([])
  })
})
