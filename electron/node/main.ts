// electron/node — the Raft node process: the shared/raft core with real timers, Unix-domain
// sockets and a write-ahead log on disk, reporting to the lab's supervisor. Imports shared/ and
// node:* only; never electron or other electron/* folders.
//
// Started by the supervisor with its configuration (a NodeLaunchConfig) as JSON in the
// RAFTLAB_NODE_CONFIG environment variable; the `--raftlab-node=<cluster>:<id>` argument only
// labels the process so the lab's reaper can recognise it.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { raftTicks } from '../../shared/lab/config'
import { controlSocketPath, nodeSocketPath } from '../../shared/lab/sockets'
import {
  LAG_REPORT_MS,
  type ControlToNode,
  type NodeLaunchConfig,
  type Telemetry,
} from '../../shared/protocol'
import type { Message } from '../../shared/raft/types'
import { createRng } from '../../shared/util/rng'
import { ControlChannel } from './controlChannel'
import { NodeHost } from './host/nodeHost'
import { DiskStorage } from './storage'
import { faultRng } from './transport/faultPlane'
import { Transport } from './transport/transport'

/** REQUEST_TIMEOUT_MS: a request still unanswered after this long gets 'unavailable'. */
const REQUEST_TIMEOUT_MS = 30_000

function fail(message: string, code = 1): never {
  process.stderr.write(`raftlab node: ${message}\n`)
  process.exit(code)
}

function readConfig(): NodeLaunchConfig {
  const raw = process.env.RAFTLAB_NODE_CONFIG
  if (!raw) fail('RAFTLAB_NODE_CONFIG is not set: node processes are started by the lab', 2)
  try {
    return JSON.parse(raw) as NodeLaunchConfig
  } catch (e) {
    fail(`RAFTLAB_NODE_CONFIG is not valid JSON: ${(e as Error).message}`, 2)
  }
}

function summarize(m: Message) {
  return {
    type: m.type,
    from: m.from,
    to: m.to,
    term: m.term,
    index: m.index,
    logTerm: m.logTerm,
    commit: m.commit,
    entries: m.entries.length,
    reject: m.reject,
  }
}

function main(): void {
  const cfg = readConfig()
  const platform = process.platform
  let host: NodeHost | null = null
  let transport: Transport | null = null
  let storage: DiskStorage | null = null
  let exiting = false

  const shutdown = (code: number, why: string): void => {
    if (exiting) return
    exiting = true
    process.stderr.write(`raftlab node n${cfg.id}: exiting: ${why}\n`)
    transport?.close()
    try {
      storage?.close()
    } catch {
      // closing is best effort on the way out
    }
    // Let the last telemetry (a fatal error, say) reach the supervisor before exiting.
    control.close(() => process.exit(code))
  }

  const onCommand = (c: ControlToNode): void => {
    if (!host || !transport) return
    switch (c.type) {
      case 'rules':
        transport.setRules(c.rules)
        break
      case 'transfer': {
        const res = host.transferLeadership(c.to)
        if (!res.ok)
          control.report({
            type: 'warning',
            message: `transfer to n${c.to} refused: ${res.reason}`,
          })
        break
      }
      case 'campaign':
        host.campaign()
        break
      case 'tracing':
        host.tracing = c.on
        break
      case 'snapshot': {
        const res = host.snapshotNow()
        if (!res.ok) control.report({ type: 'warning', message: `snapshot refused: ${res.reason}` })
        break
      }
      case 'shutdown':
        shutdown(0, 'shut down by the supervisor')
        break
    }
  }

  const control = new ControlChannel(
    controlSocketPath(cfg.runDir, platform),
    cfg.id,
    cfg.clusterId,
    onCommand,
    (why) => shutdown(0, why),
  )
  const report = (t: Telemetry): void => control.report(t)

  try {
    storage = DiskStorage.open({ dir: cfg.dataDir, fsync: cfg.cluster.fsync, members: cfg.peers })
  } catch (e) {
    const message = `cannot open its storage: ${(e as Error).message}`
    report({ type: 'fatal', message })
    shutdown(3, message)
    return
  }
  const disk = storage
  const rec = disk.recovery
  report({
    type: 'recovered',
    entries: rec.entryCount,
    lastIndex: rec.lastIndex,
    term: rec.hardState.term,
    truncatedTailBytes: rec.truncatedTailBytes,
    durationMs: rec.durationMs,
    snapshotIndex: rec.snapshotIndex,
  })
  for (const message of rec.warnings) report({ type: 'warning', message })

  const c = cfg.cluster
  host = new NodeHost(
    {
      id: cfg.id,
      peers: cfg.peers,
      ...raftTicks(c),
      preVote: c.preVote,
      checkQuorum: c.checkQuorum,
      maxInflightMsgs: c.maxInflightMsgs,
      maxEntriesPerMsg: c.maxEntriesPerMsg,
      maxSizePerMsgBytes: 1 << 20,
      storage: disk.storage(),
      rng: createRng(cfg.seed !== 0 ? cfg.seed : (Math.random() * 2 ** 31) | 0),
    },
    {
      lastIndex: () => disk.storage().lastIndex(),
      append: (entries, hardState, mustSync) => disk.append(entries, hardState, mustSync),
      installSnapshot: (snap, hs) => disk.installSnapshot(snap, hs),
      saveSnapshot: (index, peers, data, keep) => disk.saveSnapshot(index, peers, data, keep),
    },
    {
      status: (status, monoNs) => report({ type: 'status', status, monoNs: monoNs.toString() }),
      ready: (rd, truncatedFrom, monoNs) => {
        const at = monoNs.toString()
        for (const ev of rd.events) report({ type: 'raft', event: ev, monoNs: at })
        if (truncatedFrom !== null) {
          report({
            type: 'log',
            op: 'truncate',
            fromIndex: truncatedFrom,
            toIndex: truncatedFrom,
            terms: [],
          })
        }
        const first = rd.entries[0]
        const last = rd.entries[rd.entries.length - 1]
        if (first && last) {
          report({
            type: 'log',
            op: 'append',
            fromIndex: first.index,
            toIndex: last.index,
            terms: rd.entries.map((e) => e.term),
          })
        }
      },
      trace: (direction, m) => report({ type: 'trace', direction, message: summarize(m) }),
      leader: (leaderId, term, monoNs) =>
        report({ type: 'leader', leaderId, term, monoNs: monoNs.toString() }),
      warning: (message) => report({ type: 'warning', message }),
      snapshot: (s) => report({ type: 'snapshot', ...s }),
    },
    undefined,
    {
      everyEntries: c.snapshotEveryEntries,
      everyBytes: (c.snapshotEveryMiB ?? 0) * 1024 * 1024,
      ...(c.snapshotKeepEntries !== undefined ? { keepEntries: c.snapshotKeepEntries } : {}),
    },
  )
  host.tracing = c.tracing
  const h = host

  const peers = new Map(
    cfg.peers.filter((p) => p !== cfg.id).map((p) => [p, nodeSocketPath(cfg.runDir, p, platform)]),
  )
  transport = new Transport({
    id: cfg.id,
    clusterId: cfg.clusterId,
    listenPath: nodeSocketPath(cfg.runDir, cfg.id, platform),
    dataDir: cfg.dataDir,
    peers,
    timeScale: c.timeScale,
    faultRng: faultRng(cfg.seed, cfg.clusterId, cfg.id),
    hooks: {
      onMessages: (_from, ms) => h.step(ms),
      onDiskTiming: (from, t) => h.noteDiskTiming(from, t),
      onClientFrame: (frame, reply, conn) => h.onClientFrame(frame, reply, conn),
      onClientClosed: (conn) => h.onClientClosed(conn),
      onWarning: (message) => report({ type: 'warning', message }),
      onSnapshotSent: (to, status) => h.reportSnapshot(to, status),
      onSnapshotTransfer: (r) => report({ type: 'snapshotTransfer', ...r }),
    },
  })
  h.attach(transport)
  const t = transport

  t.listen().then(
    () => {
      t.connectAll()
      report({
        type: 'listening',
        pid: process.pid,
        socket: nodeSocketPath(cfg.runDir, cfg.id, platform),
      })
      h.reportStatus()
      // Replay what is committed: the state machine lives in memory and restarts empty.
      h.schedule()
    },
    (e: Error) => shutdown(4, `cannot listen on its socket: ${e.message}`),
  )

  // Ticks follow the clock, not the timer: setInterval(1 ms) fires every ~1.4 ms here, which would
  // stretch every timeout, so each firing runs as many ticks as are due. After a long stall (a
  // SIGSTOP) at most one maximum election timeout's worth is replayed.
  const tickMs = c.tickIntervalMs * c.timeScale
  const maxCatchUp = raftTicks(c).electionTimeoutMaxTicks
  const tickEpoch = performance.now()
  let ticked = 0
  setInterval(() => {
    const due = Math.floor((performance.now() - tickEpoch) / tickMs)
    if (due - ticked > maxCatchUp) ticked = due - maxCatchUp
    while (ticked < due) {
      ticked++
      h.tick()
    }
  }, tickMs)
  // Status (with election-timer progress) at most every 100 ms, message counts every second.
  // Every node samples on the same grid of CLOCK_MONOTONIC (shared by all processes), so the
  // reports of one moment agree: unaligned, a leader's report could be older than a follower's
  // and show a lower commit index than the follower's. At least once a second even unchanged.
  const statusEveryMs = Math.max(100, tickMs)
  const alwaysEvery = Math.max(1, Math.round(1000 / statusEveryMs))
  let statusRound = 0
  /** untilNextGridPoint: from now to the grid point after the nearest one (a timer may fire a
   * little early or late: either way it is the nearest one's turn that was just served). */
  const untilNextGridPoint = (): number => {
    const nowMs = Number(process.hrtime.bigint() / 1000n) / 1000
    return (Math.round(nowMs / statusEveryMs) + 1) * statusEveryMs - nowMs
  }
  const reportOnGrid = (): void => {
    h.reportStatus(++statusRound % alwaysEvery === 0)
    setTimeout(reportOnGrid, untilNextGridPoint())
  }
  setTimeout(reportOnGrid, untilNextGridPoint())
  // How late the event loop runs timers (Node's own histogram of timer delays): a node that
  // cannot run its timers on time misses heartbeats and elections for no reason of Raft's.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 })
  loopDelay.enable()
  let lagging = false
  let lastCounts = ''
  setInterval(() => {
    const maxMs = loopDelay.max / 1e6
    const p99Ms = loopDelay.percentile(99) / 1e6
    loopDelay.reset()
    if (maxMs >= LAG_REPORT_MS || lagging) {
      report({ type: 'lag', maxMs: Math.round(maxMs), p99Ms: Math.round(p99Ms) })
      lagging = maxMs >= LAG_REPORT_MS
    }
    const s = t.stats
    const key = `${s.sent}/${s.received}/${s.dropped}`
    if (key !== lastCounts) {
      lastCounts = key
      report({ type: 'messages', sent: s.sent, received: s.received, dropped: s.dropped })
    }
    h.sweep(REQUEST_TIMEOUT_MS)
  }, 1000)

  process.on('SIGTERM', () => shutdown(0, 'SIGTERM'))
  process.on('SIGINT', () => shutdown(0, 'SIGINT'))
  // Spawned with an IPC channel? Its loss also means the supervisor is gone.
  process.on('disconnect', () => shutdown(0, 'the supervisor disconnected'))
  process.on('uncaughtException', (e) => {
    report({ type: 'fatal', message: e.stack ?? e.message })
    shutdown(70, e.stack ?? e.message)
  })
}

main()
