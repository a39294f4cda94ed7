// docs/formats/protocol.md shows encoded bytes; these tests keep its examples exact.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  encodeHelloFrame,
  encodeMessageFrames,
  encodeSnapshotChunkFrame,
  makeHello,
  snapshotChunkAt,
} from '../../../shared/protocol'
import { crc32c } from '../../../shared/util/crc32c'
import { entriesFrom, message } from './arbitraries'

const doc = readFileSync(
  fileURLToPath(new URL('../../../docs/formats/protocol.md', import.meta.url)),
  'utf8',
)
const te = new TextEncoder()
const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ')

/** annotatedHex joins the hex columns of an annotated code block that starts with `firstLine`. */
function annotatedHex(firstLine: string): string {
  const start = doc.indexOf('```\n' + firstLine)
  expect(start).toBeGreaterThanOrEqual(0)
  const block = doc.slice(start + 4, doc.indexOf('```', start + 4))
  return block
    .split('\n')
    .map((line) => /^((?:[0-9a-f]{2} )*[0-9a-f]{2})(?: {2,}|$)/.exec(line)?.[1] ?? '')
    .filter((h) => h !== '')
    .join(' ')
}

describe('docs/formats/protocol.md', () => {
  it('shows the exact bytes of the two-entry MsgApp example, plain and annotated', () => {
    const m = message({
      type: 'MsgApp',
      from: 1,
      to: 2,
      term: 3,
      index: 5,
      logTerm: 2,
      commit: 5,
      entries: [
        { term: 3, index: 6, type: 'normal', data: te.encode('set x 1') },
        { term: 3, index: 7, type: 'normal', data: te.encode('set y 2') },
      ],
    })
    const bytes = hex(encodeMessageFrames([m])[0]!)
    expect(doc).toContain('```\n' + bytes + '\n```')
    expect(annotatedHex('00 00 00 1d        payload length 29')).toBe(bytes)
  })

  it('shows the exact bytes of the MsgSnap example', () => {
    const m = message({
      type: 'MsgSnap',
      from: 1,
      to: 3,
      term: 4,
      snapshot: { metadata: { index: 1000, term: 3, peers: [1, 2, 3] }, data: te.encode('x=1') },
    })
    const bytes = hex(encodeMessageFrames([m])[0]!)
    expect(annotatedHex('00 00 00 12        payload length 18')).toBe(bytes)
  })

  it('shows the exact bytes of the snapshot chunk example', () => {
    const m = message({
      type: 'MsgSnap',
      from: 1,
      to: 3,
      term: 4,
      snapshot: {
        metadata: { index: 1000, term: 3, peers: [1, 2, 3] },
        data: te.encode('x=1,y=2'),
      },
    })
    const first = snapshotChunkAt(m, 0, 0, 4)
    const last = snapshotChunkAt(m, 4, crc32c(first.data), 4)
    expect(last.isLast).toBe(true)
    const bytes = hex(encodeSnapshotChunkFrame(last))
    expect(annotatedHex('00 00 00 1a        payload length 26')).toBe(bytes)
  })

  it('shows the exact bytes of the hello example', () => {
    const bytes = hex(encodeHelloFrame(makeHello('peer', 3, 'lab-7')))
    expect(annotatedHex('00 00 00 12                 payload length 18')).toBe(bytes)
  })

  it('states the wire size of a 100 × 64-byte MsgApp', () => {
    const m = message({
      type: 'MsgApp',
      term: 5,
      index: 1_000_000,
      logTerm: 5,
      commit: 999_990,
      entries: entriesFrom(1_000_001, 100, 5, 64),
    })
    const size = encodeMessageFrames([m])[0]!.length
    expect(doc.replace(/\n/g, ' ')).toContain(
      `is ${size.toLocaleString('en').replace(',', ' ')} bytes on the wire`,
    )
  })
})
