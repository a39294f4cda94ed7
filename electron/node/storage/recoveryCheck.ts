// The last step of recovery: the hard-state file and the WAL each read back intact, but do they
// agree? A node persists its term and vote before entries of that term, fsyncs entries before it
// acknowledges them, and never counts an entry committed before it is in its log (Figure 2), so
// some combinations prove that data was lost or mixed up. This check refuses those, naming the
// files and the numbers, so the Raft core never starts from them: it would assert on some, and
// on others run on and break safety (vote twice in one term, or win an election without
// committed entries and later overwrite them on its followers).
import { nodeName } from '../../../shared/lab/config'
import { MAX_TERM, type HardState, type NodeId } from '../../../shared/raft/types'
import type { FsyncPolicy } from './durableFs'
import { InconsistentStateError } from './errors'
import type { WalRecovery } from './wal'

/** RecoveredFiles is what recovery read: the hard state as found (zeros when the file is
 * missing) and the replayed WAL, with the node's configuration. */
export interface RecoveredFiles {
  dir: string
  fsync: FsyncPolicy
  /** members are the cluster's node ids, or null when the caller does not know them. */
  members: readonly NodeId[] | null
  hardState: HardState
  hardStateFile: string
  hasHardStateFile: boolean
  wal: WalRecovery
  /** snapshot is the index and term of the snapshot recovery loaded (null: none); the log goes
   * on from it, so with no WAL entries after it, it is the last index. */
  snapshot?: { index: number; term: number } | null
}

/** CheckedState is the state recovery may start from, and what had to be repaired to get it. */
export interface CheckedState {
  hardState: HardState
  /** clampedCommit is the stored commit index when it exceeded the last index and was lowered to
   * it (only under fsync 'never'); else null. */
  clampedCommit: number | null
  /** warnings say, for a person, what was repaired. */
  warnings: string[]
}

function describeMembers(members: readonly NodeId[]): string {
  const sorted = [...members].sort((a, b) => a - b)
  const isRange = sorted.every((id, i) => id === i + 1)
  if (isRange && sorted.length > 1) return `${nodeName(1)}…${nodeName(sorted.length)}`
  return sorted.map(nodeName).join(', ')
}

/**
 * checkRecoveredState returns the state to start from, or throws InconsistentStateError when the
 * files contradict each other:
 * - no hard-state file beside a WAL with records: the term and vote are lost, and a node back at
 *   term 0 could vote again in a term it already voted in (§5.2);
 * - a vote recorded in term 0 (no election happens in term 0), or for a node that is not a
 *   member (the directory holds another cluster's state);
 * - a term past MAX_TERM (written before the core refused such terms): no campaign can follow it;
 * - a term below the last entry's term: the term is written before any entry of that term, so
 *   the file is stale, and so may be its vote;
 * - under fsync 'always', a commit index past the last entry: entries that were fsynced and
 *   counted as committed are gone. A node holding that log could win an election (§5.4.1 only
 *   compares logs) and then overwrite committed entries on its followers.
 * Under fsync 'never' the last case is what losing unsynced writes in an OS crash looks like, and
 * the commit index is lowered to the last index with a warning: commitIndex is volatile state in
 * Figure 2, and the leader re-sends what is missing. The other cases are refused under either
 * policy, since no term or vote can be derived from the files without guessing.
 */
export function checkRecoveredState(r: RecoveredFiles): CheckedState {
  const { dir, wal } = r
  const hs = r.hardState
  const last = wal.entries[wal.entries.length - 1]
  const lastIndex = last?.index ?? r.snapshot?.index ?? 0
  const lastTerm = last?.term ?? r.snapshot?.term ?? 0
  const walFiles = wal.lastEntryFile !== null ? [wal.lastEntryFile] : wal.segmentFiles
  const refuse = (files: string[], reason: string): never => {
    throw new InconsistentStateError(dir, files, reason)
  }
  const lastEntry = last
    ? `the last entry, index ${lastIndex} of term ${lastTerm}, in ${wal.lastEntryFile}`
    : `no entries, in ${walFiles.join(', ')}`

  if (!r.hasHardStateFile && wal.recordCount > 0) {
    const holds = last
      ? `entries up to index ${lastIndex} of term ${lastTerm} (${wal.lastEntryFile})`
      : `${wal.recordCount} records (${walFiles.join(', ')})`
    refuse(
      [r.hardStateFile, ...walFiles],
      `the hard-state file ${r.hardStateFile} is missing, yet the WAL holds ${holds}: the node's ` +
        `term and vote are lost, and restarting at term 0 could let it vote twice in one term`,
    )
  }
  if (hs.term > MAX_TERM || lastTerm > MAX_TERM) {
    // Written before the core refused such terms (a forged message once made every node adopt a
    // term at the encoding's limit): a node there could never encode its next campaign.
    refuse(
      [r.hardStateFile, ...walFiles],
      `the term on disk (${Math.max(hs.term, lastTerm)}) is past the largest a node may take, ` +
        `${MAX_TERM}: no election could follow it; this data directory cannot be used`,
    )
  }
  if (hs.vote !== 0 && hs.term === 0) {
    refuse(
      [r.hardStateFile],
      `the hard-state file ${r.hardStateFile} records a vote for ${nodeName(hs.vote)} in term 0, ` +
        `where no election happens`,
    )
  }
  if (hs.vote !== 0 && r.members !== null && !r.members.includes(hs.vote)) {
    refuse(
      [r.hardStateFile],
      `the hard-state file ${r.hardStateFile} records a vote for ${nodeName(hs.vote)} in term ` +
        `${hs.term}, but this cluster is ${describeMembers(r.members)}: the directory holds ` +
        `another cluster's state`,
    )
  }
  if (hs.term < lastTerm) {
    refuse(
      [r.hardStateFile, ...walFiles],
      `the hard-state file ${r.hardStateFile} has term ${hs.term}, below term ${lastTerm} of ` +
        `${lastEntry}: a node stores its term before any entry of that term, so the term and ` +
        `vote on disk are stale`,
    )
  }

  const storedCommit = Math.max(hs.commit, wal.commit)
  if (storedCommit <= lastIndex) {
    return { hardState: { ...hs, commit: storedCommit }, clampedCommit: null, warnings: [] }
  }
  const commitFile = hs.commit >= wal.commit ? r.hardStateFile : (wal.commitFile ?? dir)
  const found = `the commit index ${storedCommit} recorded in ${commitFile} is past ${lastEntry}`
  if (r.fsync === 'always') {
    refuse(
      [commitFile, ...walFiles],
      `${found}: committed entries that were fsynced are lost (fsync always), and a node ` +
        `missing them could win an election and overwrite them on its followers`,
    )
  }
  return {
    hardState: { ...hs, commit: lastIndex },
    clampedCommit: storedCommit,
    warnings: [
      `${found}: writes never fsynced (fsync never) were lost; the commit index was lowered ` +
        `to ${lastIndex}, and the leader will send the missing entries again`,
    ],
  }
}
