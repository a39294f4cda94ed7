// Colours with shapes: roles and process states each have one fixed colour from the Okabe–Ito
// palette (distinguishable with the common colour-vision deficiencies) AND a glyph, so nothing is
// told by colour alone. Terms cycle through a palette so adjacent terms always differ. Pure.
import type { NodeState } from '../../../shared/lab/events'
import type { Role } from '../../../shared/raft/types'

/** OKABE_ITO is the palette, by name. */
export const OKABE_ITO = {
  orange: '#E69F00',
  sky: '#56B4E9',
  green: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  purple: '#CC79A7',
  grey: '#8C8C8C',
} as const

/** Look is how a node's role or state is drawn: a colour, a glyph, a word. */
export interface Look {
  key: string
  color: string
  glyph: string
  label: string
}

/** ROLE_LOOK draws a running node by its Raft role. */
export const ROLE_LOOK: Record<Role, Look> = {
  leader: { key: 'leader', color: OKABE_ITO.green, glyph: '★', label: 'leader' },
  candidate: { key: 'candidate', color: OKABE_ITO.orange, glyph: '◆', label: 'candidate' },
  precandidate: {
    key: 'precandidate',
    color: OKABE_ITO.yellow,
    glyph: '◇',
    label: 'pre-candidate',
  },
  follower: { key: 'follower', color: OKABE_ITO.blue, glyph: '●', label: 'follower' },
}

/** STATE_LOOK draws a node whose process is not simply running: its state wins over its role. */
export const STATE_LOOK: Record<Exclude<NodeState, 'running'>, Look> = {
  paused: { key: 'paused', color: OKABE_ITO.grey, glyph: '‖', label: 'paused' },
  crashed: { key: 'crashed', color: OKABE_ITO.vermillion, glyph: '✕', label: 'crashed' },
  stopped: { key: 'stopped', color: '#5F5F5F', glyph: '■', label: 'stopped' },
  starting: { key: 'starting', color: OKABE_ITO.sky, glyph: '…', label: 'starting' },
}

/** nodeLook picks the look for a node: its process state unless running, else its role. */
export function nodeLook(state: NodeState, role: Role | null): Look {
  if (state !== 'running') return STATE_LOOK[state]
  return role ? ROLE_LOOK[role] : STATE_LOOK.starting
}

/** TERM_COLORS cycle by term; neighbours in the list contrast, so adjacent terms differ. */
export const TERM_COLORS = [
  '#56B4E9',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#0072B2',
  '#F0E442',
  '#D55E00',
  '#A6A6A6',
] as const

/** termColor is a term's colour; term 0 (unknown) has none (the view draws it hatched). */
export function termColor(term: number): string {
  if (term <= 0) return 'transparent'
  return TERM_COLORS[(term - 1) % TERM_COLORS.length] as string
}

/** inkOn picks black or white text for a background colour (#rrggbb), by relative luminance. */
export function inkOn(hex: string): string {
  const m = /^#([0-9a-f]{6})$/i.exec(hex)
  if (!m) return 'inherit'
  const v = parseInt(m[1] as string, 16)
  const lin = (c: number) => {
    const s = c / 255
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
  }
  const l = 0.2126 * lin((v >> 16) & 255) + 0.7152 * lin((v >> 8) & 255) + 0.0722 * lin(v & 255)
  return l > 0.3 ? '#111111' : '#FFFFFF'
}

/** NODE_COLORS tell nodes apart on charts (n1…n9); the last two also get dashes. */
export const NODE_COLORS = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#B8A900',
  '#6F6F6F',
  '#7A5195',
] as const

/** nodeColor is node `id`'s chart colour. */
export function nodeColor(id: number): string {
  return NODE_COLORS[(id - 1) % NODE_COLORS.length] as string
}

/** nodeDash is node `id`'s line dash on charts (solid for the first seven). */
export function nodeDash(id: number): number[] {
  return id <= 7 ? [] : id === 8 ? [6, 3] : [2, 2]
}
