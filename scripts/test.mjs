#!/usr/bin/env node
// `npm test`: typecheck, lint, build, then every test this machine can run. Each stage's result
// counts toward the final line, which CI reads: "N passed, N failed".
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { listedCount, playwrightSkips, summaryLines } from './testSummary.mjs'

const root = join(import.meta.dirname, '..')
const tmp = join(root, '.tmp')
mkdirSync(tmp, { recursive: true })

let passed = 0
let failed = 0
const failures = []
/** skipReasons counts the tests that did not run, by why, for the final line. */
const skipReasons = new Map()
function skip(count, why) {
  if (count <= 0) return
  skipReasons.set(why, (skipReasons.get(why) ?? 0) + count)
}
const started = Date.now()

// RAFTLAB_TEST_STAGES=unit,playwright runs only those stages (typecheck, lint, build, unit,
// integration, playwright); by default, all of them.
const STAGES = ['typecheck', 'lint', 'build', 'unit', 'integration', 'playwright']
const only = process.env.RAFTLAB_TEST_STAGES?.split(',')
  .map((x) => x.trim())
  .filter(Boolean)
for (const x of only ?? []) {
  if (!STAGES.includes(x)) {
    console.error(`RAFTLAB_TEST_STAGES: unknown stage '${x}' (stages: ${STAGES.join(', ')})`)
    process.exit(2)
  }
}
const wanted = (name) => !only || only.includes(name)
if (only) console.log(`running only: ${only.join(', ')} (RAFTLAB_TEST_STAGES)`)

function run(label, cmd, args, env = {}) {
  const t0 = Date.now()
  console.log(`\n▶ ${label}: ${[cmd, ...args].join(' ')}`)
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } })
  const ok = res.status === 0
  console.log(`${ok ? '✔' : '✘'} ${label} (${((Date.now() - t0) / 1000).toFixed(1)} s)`)
  return ok
}

function stage(label, cmd, args) {
  if (!wanted(label)) return
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
for (const project of ['unit', 'integration'].filter(wanted)) {
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
  skip(r.numPendingTests + r.numTodoTests, `vitest ${project}: skipped or todo (see its output)`)
  // A test file that fails to load has no tests to count: count the file itself as a failure.
  const brokenFiles = (r.testResults ?? []).filter(
    (f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0,
  )
  failed += brokenFiles.length
  for (const f of brokenFiles) failures.push(`vitest could not run ${f.name}: ${f.message ?? ''}`)
  if (r.numFailedTests > 0) failures.push(`${r.numFailedTests} ${project} test(s)`)
}

// Playwright: the renderer in Chromium through browser mode, and the desktop app where Electron's
// binary exists (its tests skip, printing why, where it does not). Where Chromium is missing the
// browser tests cannot run; they are listed (not run) so that the summary counts them as skipped
// instead of passing over them in silence.
if (wanted('playwright')) {
  const chromium = process.env.RAFTLAB_CHROMIUM ?? '/usr/bin/chromium'
  const json = join(tmp, 'playwright.json')
  rmSync(json, { force: true })
  const projects = ['--project=electron']
  if (existsSync(chromium)) projects.push('--project=browser')
  else {
    const why = `no Chromium at ${chromium} (apt-get install -y chromium, or set RAFTLAB_CHROMIUM)`
    console.log(`\nskipping the browser tests: ${why}`)
    const listed = spawnSync(
      'npx',
      ['playwright', 'test', '--project=browser', '--list', '--reporter=json'],
      { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 },
    )
    const count = listedCount(listed.stdout)
    if (count === 0) {
      failed++
      failures.push('could not list the browser tests to count them as skipped')
    } else skip(count, `browser tests: ${why}`)
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
    for (const [why, n] of playwrightSkips(r)) skip(n, `playwright: ${why}`)
    if (st.unexpected > 0) failures.push(`${st.unexpected} playwright test(s)`)
    // A spec file that fails to load reports an error and no tests.
    for (const e of r.errors ?? []) {
      failed++
      failures.push(`playwright: ${String(e.message ?? e).split('\n')[0]}`)
    }
  }
}

const seconds = ((Date.now() - started) / 1000).toFixed(0)
console.log(`\nnpm test finished in ${seconds} s`)
// The last line is the one CI reads; every test that did not run is counted in it.
for (const line of summaryLines({ passed, failed, skipReasons, failures })) console.log(line)
process.exit(failed > 0 ? 1 : 0)
