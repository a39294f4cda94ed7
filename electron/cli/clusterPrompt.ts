// The interactive side of `raftlab cluster`: a full-screen live status table above a readline
// prompt, on a terminal; a plain prompt otherwise.
import { createInterface, type Interface } from 'node:readline'
import { CLUSTER_COMMANDS, parseClusterLine } from './clusterScript'
import { runLine, type ClusterIo, type ClusterLab, type LineOutcome } from './clusterRun'
import { downReason, renderStatusTable } from './statusTable'

const COMMAND_WORDS = [...CLUSTER_COMMANDS.map(([s]) => s.split(' ')[0]!), 'exit']

/** visibleLength is a line's length on screen: without its colour escapes. */
function visibleLength(line: string): number {
  // eslint-disable-next-line no-control-regex
  return line.replace(/\x1b\[\d+m/g, '').length
}

/** Screen tracks the terminal's alternate screen so every exit path can give the shell its screen
 * back. */
export interface Screen {
  isAlternate: boolean
  leave(): void
}

/**
 * prompt is the interactive mode: on a terminal, a full-screen view (the alternate screen, as top
 * and less use) with the status table redrawn at most ten times a second, the last results and a
 * readline prompt. A node that could not start or crashed unexpectedly is announced with its
 * reason as it happens (and the table says it too). quit, Ctrl-C and Ctrl-D end it with exit
 * status 0.
 */
export async function prompt(
  lab: ClusterLab,
  nodes: number,
  io: ClusterIo,
  human: NodeJS.WriteStream,
  screen: Screen,
): Promise<number> {
  const isLive = human.isTTY === true
  const rl: Interface = createInterface({
    input: process.stdin,
    output: human,
    prompt: 'raftlab> ',
    historySize: 500,
    completer: (line: string) => {
      if (line.includes(' ')) return [[], line]
      const hits = COMMAND_WORDS.filter((w) => w.startsWith(line))
      return [hits.length > 0 ? hits : COMMAND_WORDS, line]
    },
  })
  let isClosed = false
  const log: string[] = []
  let lastDrawMs = 0
  let timer: NodeJS.Timeout | undefined
  const draw = (): void => {
    lastDrawMs = performance.now()
    const rows = human.rows || 24
    const cols = human.columns || 80
    const table = renderStatusTable(lab.status(), io.color).split('\n')
    // A long reason under the table wraps: count the terminal rows it takes, not its lines.
    const tableRows = table.reduce((sum, l) => sum + Math.ceil(visibleLength(l) / cols || 1), 0)
    const tail = log.slice(-Math.max(3, rows - tableRows - 2))
    const fit = tail.map((l) => (l.length > cols ? `${l.slice(0, cols - 1)}…` : l))
    human.write(`\x1b[H\x1b[J${[...table, '', ...fit].join('\n')}\n`)
    if (!isClosed) rl.prompt(true)
  }
  // Event batches can arrive hundreds of times a second; redrawing on each would flood the terminal.
  const schedule = (): void => {
    if (timer !== undefined) return
    timer = setTimeout(
      () => {
        timer = undefined
        draw()
      },
      Math.max(0, lastDrawMs + 100 - performance.now()),
    )
  }
  const show = (text: string): void => {
    if (!isLive) return void human.write(`${text}\n`)
    log.push(...text.split('\n'))
    log.splice(0, Math.max(0, log.length - 500))
    draw()
  }
  if (isLive) {
    human.write('\x1b[?1049h')
    screen.isAlternate = true
  }
  const unsubscribe = lab.subscribe((events) => {
    for (const e of events) {
      if (e.type !== 'node.process' || e.state !== 'crashed' || e.detail === undefined) continue
      const { node: id, state, pid, detail, isStartFailure } = e
      const reason = downReason({ id, state, pid, status: null, detail, isStartFailure })
      if (reason === null) continue
      show(reason)
      if (!isLive && !isClosed) rl.prompt(true)
    }
    if (isLive) schedule()
  })
  try {
    show(`type 'help' for the commands; 'quit', Ctrl-C or Ctrl-D stops the cluster`)
    rl.prompt()
    let queue = Promise.resolve()
    await new Promise<void>((done) => {
      rl.on('close', () => {
        isClosed = true
        done()
      })
      rl.on('SIGINT', () => rl.close())
      rl.on('line', (line) => {
        // Commands run one at a time in the order typed, even when one takes a while.
        queue = queue.then(async () => {
          const parsed = parseClusterLine(line, nodes)
          if (isClosed) return
          if (isLive && parsed.kind !== 'blank') log.push(`raftlab> ${line.trim()}`)
          if (isLive && parsed.kind === 'status') return draw()
          let outcome: LineOutcome
          try {
            outcome = await runLine(lab, parsed, io)
          } catch (err) {
            outcome = { kind: 'failed', message: err instanceof Error ? err.message : String(err) }
          }
          if (outcome.kind === 'quit') return rl.close()
          if (outcome.kind === 'failed') show(`error: ${outcome.message}`)
          else if (outcome.output !== '') show(outcome.output)
          else if (isLive) draw()
          if (!isClosed && !isLive) rl.prompt()
        })
      })
    })
  } finally {
    clearTimeout(timer)
    unsubscribe()
    rl.close()
    screen.leave()
  }
  if (isLive) human.write(`${renderStatusTable(lab.status(), io.color)}\n`)
  return 0
}
