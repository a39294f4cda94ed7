// Human-readable one-line descriptions of entries, messages and events, shared by the simulator's
// trace, the scenario tests and (later) the narrative. Pure string building.
import type { Entry, Message, RaftEvent, Snapshot } from './types'
import { utf8Decode } from '../util/binary'

/** describeData shows entry data as text when it is printable UTF-8, else as its length. */
export function describeData(data: Uint8Array): string {
  if (data.length === 0) return ''
  try {
    const s = utf8Decode(data)
    // eslint-disable-next-line no-control-regex
    if (!/[\u0000-\u001f\u007f]/.test(s)) return JSON.stringify(s)
  } catch {
    // not text: fall through
  }
  return `<${data.length} bytes>`
}

/** describeEntry formats an entry as `term/index` plus its payload, e.g. `2/5 "put x=1"`. */
export function describeEntry(e: Entry, data: (d: Uint8Array) => string = describeData): string {
  if (e.type === 'noop') return `${e.term}/${e.index} noop`
  const d = data(e.data)
  return d === '' ? `${e.term}/${e.index}` : `${e.term}/${e.index} ${d}`
}

/** describeSnapshot formats a snapshot's metadata and data, e.g.
 * `1/5 peers=1,2,3 data="a,b"`. */
export function describeSnapshot(
  s: Snapshot,
  data: (d: Uint8Array) => string = describeData,
): string {
  const md = s.metadata
  const d = data(s.data)
  return `${md.term}/${md.index} peers=${md.peers.join(',')}${d === '' ? '' : ` data=${d}`}`
}

/** describeMessage formats a message with the fields its type uses, e.g.
 * `1->2 MsgApp term=2 prev=1/3 commit=3 entries=[2/4 "x"]`. */
export function describeMessage(m: Message, data?: (d: Uint8Array) => string): string {
  const parts = [`${m.from}->${m.to} ${m.type} term=${m.term}`]
  switch (m.type) {
    case 'MsgApp':
      parts.push(`prev=${m.logTerm}/${m.index} commit=${m.commit}`)
      if (m.entries.length > 0) {
        parts.push(`entries=[${m.entries.map((e) => describeEntry(e, data)).join(', ')}]`)
      }
      break
    case 'MsgAppResp':
      if (m.reject) parts.push(`rejected=${m.index} hint=${m.logTerm}/${m.rejectHint}`)
      else parts.push(`match=${m.index}`)
      break
    case 'MsgVote':
    case 'MsgPreVote':
      parts.push(`last=${m.logTerm}/${m.index}`)
      break
    case 'MsgVoteResp':
    case 'MsgPreVoteResp':
      parts.push(m.reject ? 'rejected' : 'granted')
      break
    case 'MsgHeartbeat':
      parts.push(`commit=${m.commit}`)
      break
    case 'MsgReadIndexResp':
      parts.push(`index=${m.index}`)
      break
    case 'MsgSnap':
      if (m.snapshot) parts.push(`snapshot=${describeSnapshot(m.snapshot, data)}`)
      break
    default:
      break
  }
  if (m.context !== '') parts.push(`ctx=${m.context}`)
  return parts.join(' ')
}

/** describeEvent formats a RaftEvent, e.g. `election won term=3 votes=1,2`. */
export function describeEvent(ev: RaftEvent): string {
  switch (ev.kind) {
    case 'electionStarted':
      return `${ev.preVote ? 'pre-vote' : 'election'} started term=${ev.term}${ev.transfer ? ' (transfer)' : ''}`
    case 'voteCast':
      return `${ev.preVote ? 'pre-vote' : 'vote'} ${ev.granted ? 'granted to' : 'refused to'} ${ev.candidate} term=${ev.term}`
    case 'electionWon':
      return `${ev.preVote ? 'pre-vote' : 'election'} won term=${ev.term} votes=${ev.votes.join(',')}`
    case 'electionLost':
      return `${ev.preVote ? 'pre-vote' : 'election'} lost term=${ev.term} refused by ${ev.rejections.join(',')}`
    case 'steppedDown':
      return `stepped down term=${ev.term} (${ev.reason})`
    case 'logTruncated':
      return `log truncated from ${ev.fromIndex}`
    case 'transferStarted':
      return `transfer to ${ev.to} started term=${ev.term}`
    case 'transferAborted':
      return `transfer to ${ev.to} aborted (${ev.reason})`
  }
}
