// Figures for real clusters: time to first leader, failover time, resident memory per node and
// sequential write latency. Run after `npm run build`:  npx tsx scripts/bench/cluster-figures.mts
// Prints a table and writes .tmp/cluster-figures.json. Timing is real time, so the machine's
// load matters: run it on a quiet machine.
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { cpus, platform, release } from 'node:os'
import { Lab } from '../../electron/lab/engine/lab.ts'
import { KvClient } from '../../electron/lab/clients/kvClient.ts'

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN
}
const med = (xs: number[]) => quantile(xs, 0.5)
const max = (xs: number[]) => Math.max(...xs)

async function firstLeader(nodes: number): Promise<number> {
  const lab = new Lab()
  const t0 = performance.now()
  const res = await lab.command({ type: 'cluster.start', config: { nodes } })
  if (!res.ok) throw new Error(res.error)
  const ok = await lab.waitFor((s) => s.leader !== null, 10_000)
  const ms = performance.now() - t0
  await lab.close()
  if (!ok) throw new Error('no leader')
  return ms
}

async function failovers(trials: number): Promise<number[]> {
  const lab = new Lab()
  await lab.command({ type: 'cluster.start', config: { nodes: 3 } })
  const out: number[] = []
  for (let i = 0; i < trials; i++) {
    await lab.waitFor(
      (s) => s.leader !== null && s.nodes.every((n) => n.state === 'running'),
      10_000,
    )
    await new Promise((r) => setTimeout(r, 300))
    const old = lab.status().leader as number
    const term = lab.status().term
    const t0 = performance.now()
    await lab.command({ type: 'node.crash', node: old })
    const ok = await lab.waitFor(
      (s) => s.leader !== null && s.leader !== old && s.term > term,
      10_000,
    )
    if (!ok) throw new Error('no new leader')
    out.push(performance.now() - t0)
    await lab.command({ type: 'node.restart', node: old })
  }
  await lab.close()
  return out
}

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) : NaN
}

async function latencies(
  fsync: 'always' | 'never',
  n: number,
): Promise<{ p50: number; p99: number; rssMiB: number[] }> {
  const lab = new Lab()
  const res = await lab.command({ type: 'cluster.start', config: { nodes: 3, fsync } })
  if (!res.ok) throw new Error(res.error)
  await lab.waitFor((s) => s.leader !== null, 10_000)
  const started = (lab as unknown as { bus: { flush(): void } }).bus
  void started
  const ev = (lab as unknown as { cluster: { opts: { clusterId: string; runDir: string } } })
    .cluster.opts
  const c = new KvClient({ clusterId: ev.clusterId, runDir: ev.runDir, nodes: [1, 2, 3] })
  for (let i = 0; i < 100; i++) await c.put(`warm${i}`, 'x'.repeat(64)) // warm-up
  const xs: number[] = []
  for (let i = 0; i < n; i++) {
    const o = await c.put(`k${i % 100}`, 'x'.repeat(64))
    if (o.result === 'ok') xs.push(o.latencyMs)
  }
  const rssMiB = lab.status().nodes.map((node) => rssKiB(node.pid as number) / 1024)
  c.close()
  await lab.close()
  return { p50: med(xs), p99: quantile(xs, 0.99), rssMiB }
}

const leaders3: number[] = []
const leaders5: number[] = []
for (let i = 0; i < 10; i++) leaders3.push(await firstLeader(3))
for (let i = 0; i < 10; i++) leaders5.push(await firstLeader(5))
const fo = await failovers(20)
const always = await latencies('always', 2000)
const never = await latencies('never', 2000)

const fmt = (x: number) => x.toFixed(x < 10 ? 2 : 0)
const lines = [
  `machine: ${cpus().length} CPUs, ${platform()} ${release()}, Node ${process.version}`,
  `time to first leader, 3 nodes (10 runs, from start command): median ${fmt(med(leaders3))} ms, max ${fmt(max(leaders3))} ms`,
  `time to first leader, 5 nodes (10 runs): median ${fmt(med(leaders5))} ms, max ${fmt(max(leaders5))} ms`,
  `failover after SIGKILL of the leader, 3 nodes, 150-300 ms (20 runs): median ${fmt(med(fo))} ms, max ${fmt(max(fo))} ms`,
  `sequential puts (64 B values, 2,000 after 100 warm-up), fsync always: p50 ${fmt(always.p50)} ms, p99 ${fmt(always.p99)} ms`,
  `sequential puts, fsync never (unsafe): p50 ${fmt(never.p50)} ms, p99 ${fmt(never.p99)} ms`,
  `resident memory per node after the run: ${always.rssMiB.map((m) => m.toFixed(1)).join(', ')} MiB`,
]
console.log(lines.join('\n'))
mkdirSync('.tmp', { recursive: true })
writeFileSync(
  '.tmp/cluster-figures.json',
  JSON.stringify({ leaders3, leaders5, failovers: fo, always, never }, null, 2),
)
