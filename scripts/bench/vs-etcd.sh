#!/usr/bin/env bash
# Compare raftlab's write path with etcd 3.4 on this machine, in alternating rounds (disks are
# noisy, so only a same-run comparison means anything). Needs the etcd-compare tool set up as its
# README says (etcd-server, etcd-client, golang-go, golang-etcd-server-dev; npm ci), and a build:
#   ETCD_COMPARE=/tmp/etcd-compare ROUNDS=3 DURATION=10 scripts/bench/vs-etcd.sh
# Prints one line per measurement, then medians and the ratios the benchmark issue sets as goals.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
EC="${ETCD_COMPARE:-/tmp/etcd-compare}"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10}"
OUT="$(mktemp -d /tmp/raftlab-vs-etcd.XXXXXX)"
trap 'rm -rf "$OUT"' EXIT
[ -x "$EC/etcd3.sh" ] || { echo "etcd-compare not found at $EC (see its README)" >&2; exit 2; }
for r in $(seq 1 "$ROUNDS"); do
  echo "# round $r: etcd" >&2
  (cd "$EC" && BENCH="go:1 go:64" DURATION="$DURATION" WARMUP=2 ./etcd3.sh 2>/dev/null) | grep '^{' >> "$OUT/etcd.jsonl"
  echo "# round $r: raftlab" >&2
  node "$HERE/bin/raftlab.cjs" bench --clients 1,64 --duration "${DURATION}s" --warmup 2s --attribution-every 0 --json 2>/dev/null > "$OUT/raftlab-$r.json"
done
node -e '
  const fs = require("fs"); const dir = process.argv[1]
  const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }
  const etcd = fs.readFileSync(dir + "/etcd.jsonl", "utf8").trim().split("\n").map((l) => JSON.parse(l))
  const ours = fs.readdirSync(dir).filter((f) => f.startsWith("raftlab-")).flatMap((f) => JSON.parse(fs.readFileSync(dir + "/" + f, "utf8")).rows)
  const row = (c) => {
    const e = etcd.filter((x) => x.concurrency === c), o = ours.filter((x) => x.config.concurrency === c)
    const eT = med(e.map((x) => x.ops_per_s)), eP = med(e.map((x) => x.p50_us / 1000))
    const oT = med(o.map((x) => x.result.writesPerSec)), oP = med(o.map((x) => x.result.writeLatency.p50))
    console.log(`${String(c).padStart(3)} clients  etcd ${Math.round(eT)} writes/s p50 ${eP.toFixed(2)} ms  |  raftlab ${Math.round(oT)} writes/s p50 ${oP.toFixed(2)} ms  |  throughput ${(oT / eT).toFixed(2)}x, p50 ${(oP / eP).toFixed(2)}x`)
    for (const x of e) console.log(`      etcd    ${x.ops_per_s} writes/s p50 ${(x.p50_us / 1000).toFixed(2)} ms`)
    for (const x of o) console.log(`      raftlab ${Math.round(x.result.writesPerSec)} writes/s p50 ${x.result.writeLatency.p50.toFixed(2)} ms`)
  }
  row(1); row(64)
' "$OUT"
