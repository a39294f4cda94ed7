// What were the renderer's long tasks made of? Reads a Chrome trace (from `TRACE=… npm run
// bench:ui`, or one saved from DevTools' Performance panel) and prints, for the page's main thread:
// how busy it was, the tasks over LONG ms (wall) with their CPU time (a task whose CPU time is far
// below its wall time was waiting for a core, not working), and where the time of all tasks went,
// by kind (script by function and file, style, layout, paint, GC, …).
//
//   npx tsx scripts/bench/trace-tasks.mts .tmp/bench-ui-trace.json [LONG=50] [TOP=15]
import { readFileSync } from 'node:fs'

interface TraceEvent {
  name: string
  cat?: string
  ph: string
  ts: number
  dur?: number
  tdur?: number
  pid: number
  tid: number
  args?: {
    name?: string
    data?: { functionName?: string; url?: string; type?: string; frame?: string }
  }
}

const file = process.argv[2]
if (!file) {
  console.error('usage: npx tsx scripts/bench/trace-tasks.mts TRACE.json  (env LONG=50 TOP=15)')
  process.exit(2)
}
const LONG = Number(process.env.LONG ?? 50)
const TOP = Number(process.env.TOP ?? 15)

const raw = JSON.parse(readFileSync(file, 'utf8')) as TraceEvent[] | { traceEvents: TraceEvent[] }
const events = Array.isArray(raw) ? raw : raw.traceEvents

// The renderer's main thread(s): CrRendererMain; with several, the busiest.
const mains = events
  .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
  .map((e) => `${e.pid}:${e.tid}`)
const onMain = new Map<string, TraceEvent[]>()
for (const e of events) {
  const k = `${e.pid}:${e.tid}`
  if (e.ph !== 'X' || !mains.includes(k)) continue
  let list = onMain.get(k)
  if (!list) onMain.set(k, (list = []))
  list.push(e)
}
const busiest = [...onMain.entries()].sort(
  (a, b) => b[1].reduce((s, e) => s + (e.dur ?? 0), 0) - a[1].reduce((s, e) => s + (e.dur ?? 0), 0),
)[0]
if (!busiest) {
  console.error(`${file}: no complete events on a CrRendererMain thread`)
  process.exit(1)
}
const list = busiest[1].sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0))

const isTask = (e: TraceEvent): boolean =>
  e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask'

// Nest events: each task's descendants, so we can count self time per kind.
interface Node {
  e: TraceEvent
  children: Node[]
}
const tasks: Node[] = []
const stack: Node[] = []
for (const e of list) {
  const end = e.ts + (e.dur ?? 0)
  while (stack.length) {
    const top = stack[stack.length - 1] as Node
    if (e.ts >= top.e.ts + (top.e.dur ?? 0)) stack.pop()
    else break
  }
  const node: Node = { e, children: [] }
  if (stack.length === 0) {
    if (!isTask(e)) continue // work outside a task: rare; skip
    tasks.push(node)
  } else (stack[stack.length - 1] as Node).children.push(node)
  if (end > e.ts) stack.push(node)
}

/** kind names an event for the breakdown: script by function and file, others by name. */
function kind(e: TraceEvent): string {
  const d = e.args?.data
  if (e.name === 'FunctionCall' || e.name === 'EvaluateScript') {
    const url = (d?.url ?? '').replace(/^.*\//, '').replace(/\?.*$/, '')
    return `script ${d?.functionName || '(anonymous)'} ${url}`.trim()
  }
  if (e.name === 'EventDispatch') return `event ${d?.type ?? '?'}`
  if (e.name === 'TimerFire') return 'TimerFire'
  return e.name
}

const self = new Map<string, number>()
function walk(n: Node, into: Map<string, number>): void {
  const childDur = n.children.reduce((s, c) => s + (c.e.dur ?? 0), 0)
  const k = isTask(n.e) ? '(task, outside any traced event)' : kind(n.e)
  into.set(k, (into.get(k) ?? 0) + Math.max(0, (n.e.dur ?? 0) - childDur))
  for (const c of n.children) walk(c, into)
}
// A script event's self time is attributed to its function; its children (style, layout from
// script) keep their own names.
const first = list[0] as TraceEvent
const last = list.reduce((m, e) => Math.max(m, e.ts + (e.dur ?? 0)), 0)
const spanMs = (last - first.ts) / 1000
let busyMs = 0
let cpuMs = 0
for (const t of tasks) {
  busyMs += (t.e.dur ?? 0) / 1000
  cpuMs += (t.e.tdur ?? t.e.dur ?? 0) / 1000
  walk(t, self)
}
const long = tasks.filter((t) => (t.e.dur ?? 0) / 1000 > LONG)

const f = (n: number, d = 1): string => n.toLocaleString('en-US', { maximumFractionDigits: d })
console.log(`${file}: main thread ${busiest[0]}, ${f(spanMs / 1000)} s traced`)
console.log(
  `  tasks ${f(tasks.length, 0)} · busy ${f(busyMs, 0)} ms wall (${f((busyMs / spanMs) * 100)} %)` +
    ` · ${f(cpuMs, 0)} ms CPU (${f((cpuMs / spanMs) * 100)} %)`,
)
console.log(
  `  over ${LONG} ms: ${long.length} tasks · wall ${f(long.reduce((s, t) => s + (t.e.dur ?? 0), 0) / 1000, 0)} ms` +
    ` · CPU ${f(long.reduce((s, t) => s + (t.e.tdur ?? t.e.dur ?? 0), 0) / 1000, 0)} ms`,
)

function table(title: string, m: Map<string, number>, total: number): void {
  console.log(`\n  ${title}`)
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP))
    console.log(
      `    ${f(us / 1000, 0).padStart(7)} ms ${f((us / total) * 100).padStart(5)} %  ${k}`,
    )
}
table('where all tasks spent their time (self time, wall)', self, busyMs * 1000)

const longSelf = new Map<string, number>()
for (const t of long) walk(t, longSelf)
const longWall = long.reduce((s, t) => s + (t.e.dur ?? 0), 0)
if (long.length) table(`inside the ${long.length} long tasks (self time, wall)`, longSelf, longWall)

console.log(
  `\n  the ${Math.min(TOP, long.length)} longest tasks: wall / CPU ms, then their biggest parts`,
)
for (const t of [...long].sort((a, b) => (b.e.dur ?? 0) - (a.e.dur ?? 0)).slice(0, TOP)) {
  const parts = new Map<string, number>()
  walk(t, parts)
  const top3 = [...parts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([k, us]) => `${k} ${f(us / 1000, 0)}`)
  console.log(
    `    ${f((t.e.ts - first.ts) / 1e6, 2).padStart(6)} s  ${f((t.e.dur ?? 0) / 1000, 0).padStart(4)} / ` +
      `${f((t.e.tdur ?? NaN) / 1000, 0).padStart(4)}  ${top3.join(' · ')}`,
  )
}
