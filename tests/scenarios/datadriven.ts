// A small datadriven test runner in the style of etcd's (cockroachdb/datadriven): a file is a
// sequence of cases, each some prose lines ('#'), one command line, '----', and the expected
// output up to the next blank line. REWRITE=1 regenerates the expected output in place.
import { readFileSync, writeFileSync } from 'node:fs'

/** DataCase is one command and its expected output. */
export interface DataCase {
  /** line is the 1-based line number of the command. */
  line: number
  prose: string[]
  command: string
  expected: string
}

/** parseDataFile splits a scenario file into cases. */
export function parseDataFile(text: string, file: string): DataCase[] {
  const lines = text.split('\n')
  const cases: DataCase[] = []
  let prose: string[] = []
  let i = 0
  while (i < lines.length) {
    const line = lines[i] as string
    if (line.trim() === '') {
      if (prose.length > 0) prose.push('')
      i++
      continue
    }
    if (line.startsWith('#')) {
      prose.push(line)
      i++
      continue
    }
    const command = line
    const at = i + 1
    if (lines[i + 1] !== '----') throw new Error(`${file}:${at}: expected '----' after the command`)
    i += 2
    const out: string[] = []
    while (i < lines.length && (lines[i] as string).trim() !== '') out.push(lines[i++] as string)
    while (prose.length > 0 && prose[prose.length - 1] === '') prose.pop()
    cases.push({ line: at, prose, command, expected: out.join('\n') })
    prose = []
  }
  return cases
}

/** formatDataFile writes cases back, with their actual outputs. */
export function formatDataFile(
  cases: { prose: string[]; command: string; output: string }[],
): string {
  const blocks = cases.map((c) => {
    const head = c.prose.length > 0 ? c.prose.join('\n') + '\n' : ''
    const out = c.output === '' ? 'ok' : c.output
    return `${head}${c.command}\n----\n${out}\n`
  })
  return blocks.join('\n')
}

/** runDataFile runs every case through `run` and returns the mismatches; with REWRITE=1 it
 * rewrites the file with the actual outputs instead. */
export function runDataFile(
  path: string,
  run: (command: string) => string,
  { rewrite = process.env.REWRITE === '1' }: { rewrite?: boolean } = {},
): { line: number; command: string; expected: string; actual: string }[] {
  const cases = parseDataFile(readFileSync(path, 'utf8'), path)
  const results = cases.map((c) => {
    const output = run(c.command).replace(/\n+$/, '')
    if (output.includes('\n\n')) throw new Error(`${path}:${c.line}: output has a blank line`)
    return { ...c, output: output === '' ? 'ok' : output }
  })
  if (rewrite) {
    writeFileSync(path, formatDataFile(results))
    return []
  }
  return results
    .filter((r) => r.output !== r.expected)
    .map((r) => ({ line: r.line, command: r.command, expected: r.expected, actual: r.output }))
}
