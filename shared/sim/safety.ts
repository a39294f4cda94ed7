// The simulator's judge: Raft's safety properties (§5.2, §5.4, Figure 3) checked after every
// step, using chained hashes of each node's persisted log so a whole prefix compares in O(1), and
// digests of each node's applied state, so that state restored from a snapshot (§7) is compared
// with state built entry by entry.
import type { Entry, NodeId, SnapshotMetadata } from '../raft/types'

/** ViolationKind names the property a run broke. */
export type ViolationKind =
  | 'election-safety'
  | 'log-matching'
  | 'leader-completeness'
  | 'state-machine-safety'
  | 'commit-decreased'
  | 'term-decreased'
  | 'read-index'
  | 'liveness'
  | 'assertion'

/** Violation is a broken property, where it was seen and which nodes were involved. */
export interface Violation {
  kind: ViolationKind
  message: string
  step: number
  time: number
  nodes: NodeId[]
}

/** hashBytes is a 32-bit FNV-1a hash of a byte string. */
export function hashBytes(b: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193)
  return h >>> 0
}

/** chainHash extends a log prefix's hash with one entry: equal chain hashes at index i mean
 * equal logs up to i (up to hash collisions, ~2^-52 with two lanes). */
export function chainHash(prev: number, e: Entry): number {
  const d = hashBytes(e.data) ^ (e.type === 'noop' ? 0x5bd1e995 : 0)
  let a = Math.imul((prev & 0x3ffffff) ^ e.term, 0x9e3779b1) ^ d
  a = Math.imul(a ^ (a >>> 15), 0x85ebca6b) >>> 0
  let b = Math.imul(Math.floor(prev / 0x4000000) ^ e.index, 0xc2b2ae35) ^ d
  b = Math.imul(b ^ (b >>> 13), 0x27d4eb2f) >>> 0
  return (a & 0x3ffffff) + (b & 0x3ffffff) * 0x4000000
}

/** SafetyChecker receives what each node persists, commits, applies and becomes, and records the
 * first violation of Raft's safety properties. */
export class SafetyChecker {
  /** violation is the first property broken, or null. */
  violation: Violation | null = null
  step = 0
  time = 0

  private readonly leaderOfTerm = new Map<number, NodeId>()
  /** Per node: chain[i] is the hash of its persisted log up to index i; terms[i] the term. */
  private readonly chain = new Map<NodeId, number[]>()
  private readonly terms = new Map<NodeId, number[]>()
  /** (index, term) → chain hash, over every entry any node ever persisted (Log Matching). */
  private readonly seen = new Map<number, number>()
  /** The longest committed prefix known anywhere: chain hashes and entry terms by index, and the
   * earliest term in which each index was known committed (non-decreasing along the log). */
  private readonly committedChain: number[] = [0]
  private readonly entryTerms: number[] = [0]
  private readonly commitTerms: number[] = [0]
  private readonly lastCommit = new Map<NodeId, number>()
  private readonly lastTerm = new Map<NodeId, number>()
  private readonly pendingReads = new Map<string, number>()
  /** Per node: the index its state machine holds (applied or restored), this incarnation. */
  private readonly applied = new Map<NodeId, number>()
  /** stateDigests[i] is the digest of the applied state after index i, as first reported. */
  private readonly stateDigests: number[] = []

  constructor(nodes: readonly NodeId[]) {
    for (const n of nodes) {
      this.chain.set(n, [0])
      this.terms.set(n, [0])
    }
  }

  /** committedIndex is the highest index known committed on any node. */
  get committedIndex(): number {
    return this.committedChain.length - 1
  }

  private fail(kind: ViolationKind, nodes: NodeId[], message: string): void {
    if (this.violation) return
    this.violation = { kind, message, step: this.step, time: this.time, nodes }
  }

  /** onAppend records entries a node appended to its log as the core sees it (dropping any
   * suffix they replace); commit and leader checks compare against this view. */
  onAppend(node: NodeId, entries: readonly Entry[]): void {
    if (entries.length === 0) return
    const chain = this.chain.get(node) as number[]
    const terms = this.terms.get(node) as number[]
    const first = (entries[0] as Entry).index
    chain.length = first
    terms.length = first
    for (const e of entries) {
      chain.push(chainHash(chain[e.index - 1] as number, e))
      terms.push(e.term)
    }
  }

  /** onDurable checks the Log Matching Property (§5.3) — same index and term ⇒ identical
   * prefixes — for entries a node has now persisted. Only durable entries count: a single node
   * that crashes before writing the term it just took may take it again, harmlessly, since
   * nothing of the lost attempt ever left it. */
  onDurable(node: NodeId, entries: readonly Entry[]): void {
    const chain = this.chain.get(node) as number[]
    for (const e of entries) {
      const h = chain[e.index]
      if (h === undefined) continue
      const key = e.index * 0x100000 + e.term
      const other = this.seen.get(key)
      if (other === undefined) this.seen.set(key, h)
      else if (other !== h) {
        this.fail(
          'log-matching',
          [node],
          `n${node}'s entry ${e.term}/${e.index} has the same index and term as another node's ` +
            'entry but a different log up to it',
        )
      }
    }
  }

  /** onPersist is onAppend and onDurable at once, for hosts that persist as they append. */
  onPersist(node: NodeId, entries: readonly Entry[]): void {
    this.onAppend(node, entries)
    this.onDurable(node, entries)
  }

  /** resetLog replaces a node's log with what it persisted — entries after the compacted prefix
   * that ends at `base` (0: nothing compacted) — after a restart lost whatever it had not
   * written. */
  resetLog(node: NodeId, base: { index: number; term: number }, entries: readonly Entry[]): void {
    this.replacePrefix(node, base)
    this.onAppend(node, entries)
  }

  /** onSnapshotLog records that a node's log was replaced by a snapshot (§7): it now stands for
   * the committed prefix up to the snapshot's index, which must be committed, with that term. */
  onSnapshotLog(node: NodeId, md: SnapshotMetadata): void {
    this.replacePrefix(node, md)
  }

  /** replacePrefix makes a node's log the committed prefix up to `base` and nothing after it: the
   * entries a snapshot covers (or a compacted prefix) are committed ones. */
  private replacePrefix(node: NodeId, base: { index: number; term: number }): void {
    const chain = this.chain.get(node) as number[]
    const terms = this.terms.get(node) as number[]
    if (base.index > this.committedIndex || this.entryTerms[base.index] !== base.term) {
      this.fail(
        'state-machine-safety',
        [node],
        `n${node}'s snapshot or compacted log ends at ${base.term}/${base.index}, which is not a committed entry`,
      )
    }
    const n = Math.min(base.index, this.committedIndex) + 1
    chain.length = 0
    terms.length = 0
    for (let i = 0; i < n; i++) {
      chain.push(this.committedChain[i] as number)
      terms.push(this.entryTerms[i] as number)
    }
  }

  /** onCommit checks a node's commit index: never decreasing, and the committed prefix equal to
   * every other node's committed prefix (State Machine Safety, §5.4.3). `term` is the node's term
   * when it reports the commit: entries it covers were committed in that term or earlier. */
  onCommit(node: NodeId, commit: number, term: number): void {
    const last = this.lastCommit.get(node) ?? 0
    if (commit < last) {
      this.fail(
        'commit-decreased',
        [node],
        `n${node}'s commit index fell from ${last} to ${commit}`,
      )
    }
    this.lastCommit.set(node, commit)
    if (commit === 0) return
    const chain = this.chain.get(node) as number[]
    if (commit >= chain.length) {
      this.fail(
        'state-machine-safety',
        [node],
        `n${node} committed ${commit} beyond its stored log`,
      )
      return
    }
    const known = this.committedIndex
    const at = Math.min(commit, known)
    if (chain[at] !== this.committedChain[at]) {
      this.fail(
        'state-machine-safety',
        [node],
        `n${node}'s committed log up to ${at} differs from the log committed elsewhere`,
      )
      return
    }
    const terms = this.terms.get(node) as number[]
    for (let i = known + 1; i <= commit; i++) {
      this.committedChain.push(chain[i] as number)
      this.entryTerms.push(terms[i] as number)
      this.commitTerms.push(term)
    }
    // Committing index c commits the whole prefix, so every index up to c was committed by this
    // term at the latest: keep commitTerms non-decreasing.
    for (let i = commit; i > 0 && (this.commitTerms[i] as number) > term; i--)
      this.commitTerms[i] = term
  }

  /** resetCommit starts a restarted node's commit check from its persisted commit index: only
   * the commit index of one incarnation must never decrease. */
  resetCommit(node: NodeId, commit: number): void {
    this.lastCommit.set(node, commit)
  }

  /** onApply checks that an applied entry is the one committed at its index, and the next one
   * for the node's state machine; it returns false (and records a violation) otherwise. */
  onApply(node: NodeId, e: Entry): boolean {
    if (e.index > this.committedIndex || this.entryTerms[e.index] !== e.term) {
      this.fail(
        'state-machine-safety',
        [node],
        `n${node} applied ${e.term}/${e.index}, not the committed entry`,
      )
      return false
    }
    const held = this.applied.get(node) ?? 0
    if (e.index !== held + 1) {
      this.fail(
        'state-machine-safety',
        [node],
        `n${node} applies entry ${e.index}, but its state machine holds entries up to ${held}: ` +
          (e.index > held
            ? `entries ${held + 1}…${e.index - 1} never reached it`
            : 'it would apply an entry twice'),
      )
      return false
    }
    this.applied.set(node, e.index)
    return true
  }

  /** onAppliedState checks State Machine Safety on the state itself: every node's state machine
   * after index i — built entry by entry, restored from a snapshot, or both — is the same. */
  onAppliedState(node: NodeId, index: number, digest: number): void {
    const known = this.stateDigests[index]
    if (known === undefined) this.stateDigests[index] = digest
    else if (known !== digest) {
      this.fail(
        'state-machine-safety',
        [node],
        `n${node}'s state machine after index ${index} differs from another node's at that index`,
      )
    }
  }

  /** onRestore checks a state machine restored from a snapshot at `index` (a leader's, in a
   * Ready): it never goes back past what the node applied, and equals every other node's state at
   * that index. */
  onRestore(node: NodeId, index: number, digest: number): void {
    const held = this.applied.get(node) ?? 0
    if (index < held) {
      this.fail(
        'state-machine-safety',
        [node],
        `n${node} restored a snapshot at ${index}, behind the ${held} entries its state machine had applied`,
      )
    }
    this.applied.set(node, index)
    if (index > 0) this.onAppliedState(node, index, digest)
  }

  /** onRestart checks what a restarted node rebuilds its state machine from: the snapshot on its
   * disk (at `snapshotIndex`, with that digest) must cover every entry its log has compacted
   * (before `firstIndex`), or committed entries are lost for good. */
  onRestart(node: NodeId, snapshotIndex: number, firstIndex: number, digest: number): void {
    this.applied.set(node, snapshotIndex)
    this.onCompact(node, snapshotIndex, firstIndex)
    if (snapshotIndex > 0) this.onAppliedState(node, snapshotIndex, digest)
  }

  /** onCompact checks a node's disk after it compacted its log: the durable snapshot (at
   * `snapshotIndex`) covers every entry deleted (before `firstIndex`). Otherwise the entries in
   * between exist only in the state machine's memory, and a crash loses them for good. */
  onCompact(node: NodeId, snapshotIndex: number, firstIndex: number): void {
    if (snapshotIndex >= firstIndex - 1) return
    this.fail(
      'state-machine-safety',
      [node],
      `n${node}'s disk holds entries from ${firstIndex} on and a snapshot up to ${snapshotIndex}: ` +
        `committed entries ${snapshotIndex + 1}…${firstIndex - 1} are on no disk of it`,
    )
  }

  /** onTerm checks a node's term never decreases, even across restarts (it is persisted). */
  onTerm(node: NodeId, term: number): void {
    const last = this.lastTerm.get(node) ?? 0
    if (term < last)
      this.fail('term-decreased', [node], `n${node}'s term fell from ${last} to ${term}`)
    this.lastTerm.set(node, term)
  }

  /** onLeader checks Election Safety (one leader per term, §5.2) and Leader Completeness (§5.4:
   * a leader holds every entry that was committed in an earlier term — the term in which it was
   * committed, not the term it was created in). */
  onLeader(node: NodeId, term: number): void {
    const other = this.leaderOfTerm.get(term)
    if (other !== undefined && other !== node) {
      this.fail(
        'election-safety',
        [other, node],
        `n${other} and n${node} are both leaders of term ${term}`,
      )
      return
    }
    this.leaderOfTerm.set(term, node)
    // The last index committed in an earlier term (commitTerms never decrease along the log).
    let lo = 0
    let hi = this.committedIndex
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((this.commitTerms[mid] as number) < term) lo = mid
      else hi = mid - 1
    }
    const chain = this.chain.get(node) as number[]
    if (lo > 0 && chain[lo] !== this.committedChain[lo]) {
      this.fail(
        'leader-completeness',
        [node],
        `n${node} leads term ${term} without the committed entries up to ${lo}`,
      )
    }
  }

  /** onReadRequest notes the commit frontier when a ReadIndex request is made. */
  onReadRequest(context: string): void {
    this.pendingReads.set(context, this.committedIndex)
  }

  /** onReadState checks a ReadIndex answer covers every write committed before the request
   * (diss. §6.4), so a read at that index is linearizable. */
  onReadState(node: NodeId, context: string, index: number): void {
    const needed = this.pendingReads.get(context)
    if (needed === undefined) return
    this.pendingReads.delete(context)
    if (index < needed) {
      this.fail(
        'read-index',
        [node],
        `read ${context} on n${node} got index ${index}, but ${needed} was committed before it was asked`,
      )
    }
  }

  /** report records a violation found outside the checker (liveness, a failed assertion). */
  report(kind: ViolationKind, nodes: NodeId[], message: string): void {
    this.fail(kind, nodes, message)
  }
}
