// Deliberately broken variants of the core, used to prove the simulator and the scenario checks
// catch real bugs. Each overrides one protected rule of RaftNode.
import type { Progress } from '../../shared/raft'
import {
  quorum,
  RaftNode,
  type EntryType,
  type Message,
  type NodeId,
  type RaftConfig,
  type Snapshot,
} from '../../shared/raft'

/** NoUpToDateCheck grants votes without the election restriction of §5.4.1. */
export class NoUpToDateCheck extends RaftNode {
  protected override candidateIsUpToDate(): boolean {
    return true
  }
}

/** CommitByCounting commits whatever a majority stores, even entries of older terms — the bug
 * the Raft paper's Figure 8 warns about (§5.4.2). */
export class CommitByCounting extends RaftNode {
  protected override maybeCommit(): boolean {
    const matches = this.peers.map((p: NodeId) => (this.progress.get(p) as Progress).match)
    matches.sort((a, b) => b - a)
    const index = matches[quorum(this.peers.length) - 1] as number
    if (index <= this.log.committed) return false
    this.log.commitTo(index)
    return true
  }
}

/** NoTruncate keeps a conflicting suffix instead of deleting it (§5.3): it only appends the
 * entries past its own last index and acknowledges as if it matched the leader. */
export class NoTruncate extends RaftNode {
  protected override handleAppendEntries(m: Message): void {
    if (m.index < this.log.committed || !this.log.matchTerm(m.index, m.logTerm)) {
      super.handleAppendEntries(m)
      return
    }
    const last = this.log.lastIndex()
    const fresh = m.entries.filter((e) => e.index > last)
    const prev = fresh.length > 0 ? (fresh[0]?.index as number) - 1 : m.index
    const t = this.log.term(prev)
    const prevTerm = typeof t === 'number' ? t : 0
    super.handleAppendEntries({ ...m, index: prev, logTerm: prevTerm, entries: fresh })
    // …and then claims to hold everything the leader sent.
  }
}

/** NeverVotes refuses every vote: a cluster of them can never elect a leader (liveness). */
export class NeverVotes extends RaftNode {
  protected override candidateIsUpToDate(): boolean {
    return false
  }
}

/** variant builds a NodeFactory for a broken class. */
export function variant(C: new (cfg: RaftConfig) => RaftNode): (cfg: RaftConfig) => RaftNode {
  return (cfg) => new C(cfg)
}

/** SelfAckBeforePersist counts the leader's own copy of an entry toward a majority as soon as it
 * is appended, before the host has written it. With a host that applies committed entries before
 * persisting (as the Ready contract allows), a single node then acknowledges writes a crash loses. */
export class SelfAckBeforePersist extends RaftNode {
  protected override appendEntries(type: EntryType, datas: readonly Uint8Array[]): void {
    super.appendEntries(type, datas)
    ;(this.progress.get(this.id) as Progress).maybeUpdate(this.log.lastIndex())
    this.maybeCommit()
  }
}

/** InstallsStaleSnapshot installs every snapshot a leader sends, even one older than its commit
 * index (a delayed or duplicated MsgSnap): its commit index and applied state go backwards — §7
 * says to keep the log when it already holds the snapshot's last entry. */
export class InstallsStaleSnapshot extends RaftNode {
  protected override restore(s: Snapshot): boolean {
    this.log.restore(s)
    return true
  }
}
