#!/usr/bin/env node
// `npm test`: typecheck, lint, build, then every test this machine can run. Each stage's result
// counts toward the final line, which CI reads: "N passed, N failed".
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const tmp = join(root, '.tmp')
mkdirSync(tmp, { recursive: true })

let passed = 0
let failed = 0
let skipped = 0
const failures = []
const started = Date.now()

function run(label, cmd, args, env = {}) {
  const t0 = Date.now()
  console.log(`\n▶ ${label}: ${[cmd, ...args].join(' ')}`)
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } })
  const ok = res.status === 0
  console.log(`${ok ? '✔' : '✘'} ${label} (${((Date.now() - t0) / 1000).toFixed(1)} s)`)
  return ok
}

function stage(label, cmd, args) {
  if (run(label, cmd, args)) passed++
  else {
    failed++
    failures.push(label)
  }
}

stage('typecheck', 'npm', ['run', '--silent', 'typecheck'])
stage('lint', 'npm', ['run', '--silent', 'lint'])
stage('build', 'npm', ['run', '--silent', 'build'])

// Vitest, in two runs: the unit project (pure code, scenarios, the simulator sweep — CPU-heavy,
// in parallel threads), then the integration project alone, so that real clusters are not
// starved of CPU by the simulator while their timers run.
for (const project of ['unit', 'integration']) {
  const json = join(tmp, `vitest-${project}.json`)
  rmSync(json, { force: true })
  run(`vitest ${project}`, 'npx', [
    'vitest',
    'run',
    '--project',
    project,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${json}`,
  ])
  if (!existsSync(json)) {
    failed++
    failures.push(`vitest ${project} produced no report`)
    continue
  }
  const r = JSON.parse(readFileSync(json, 'utf8'))
  passed += r.numPassedTests
  failed += r.numFailedTests
  skipped += r.numPendingTests + r.numTodoTests
  // A test file that fails to load has no tests to count: count the file itself as a failure.
  const brokenFiles = (r.testResults ?? []).filter(
    (f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0,
  )
  failed += brokenFiles.length
  for (const f of brokenFiles) failures.push(`vitest could not run ${f.name}: ${f.message ?? ''}`)
  if (r.numFailedTests > 0) failures.push(`${r.numFailedTests} ${project} test(s)`)
}

// Playwright: the renderer in Chromium through browser mode, and the desktop app where Electron's
// binary exists (its tests skip, printing why, where it does not).
{
  const chromium = process.env.RAFTLAB_CHROMIUM ?? '/usr/bin/chromium'
  const json = join(tmp, 'playwright.json')
  rmSync(json, { force: true })
  const projects = ['--project=electron']
  if (existsSync(chromium)) projects.push('--project=browser')
  else {
    console.log(
      `\nskipping the browser tests: no Chromium at ${chromium} (apt-get install -y chromium, or set RAFTLAB_CHROMIUM)`,
    )
  }
  run('playwright', 'npx', ['playwright', 'test', ...projects, '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: json,
  })
  if (!existsSync(json)) {
    failed++
    failures.push('playwright produced no report')
  } else {
    const r = JSON.parse(readFileSync(json, 'utf8'))
    const st = r.stats ?? {}
    passed += (st.expected ?? 0) + (st.flaky ?? 0)
    failed += st.unexpected ?? 0
    skipped += st.skipped ?? 0
    if (st.unexpected > 0) failures.push(`${st.unexpected} playwright test(s)`)
    // A spec file that fails to load reports an error and no tests.
    for (const e of r.errors ?? []) {
      failed++
      failures.push(`playwright: ${String(e.message ?? e).split('\n')[0]}`)
    }
  }
}

const seconds = ((Date.now() - started) / 1000).toFixed(0)
console.log(
  `\nnpm test finished in ${seconds} s${skipped ? `; ${skipped} skipped (reasons printed above)` : ''}`,
)
if (failures.length > 0) console.log(`failed: ${failures.join('; ')}`)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed > 0 ? 1 : 0)
