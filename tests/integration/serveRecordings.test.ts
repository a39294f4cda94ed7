// Browser mode hands the page the recordings the lab made: GET /recordings/NAME.raftrec with the
// run's token from the page's own origin, nothing else from that folder or outside it; and the
// lab lists them (record.list) over the same WebSocket as every command.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { Lab } from '../../electron/lab/engine/lab'
import { startServer, type RunningServer } from '../../electron/lab/browserMode/server'

const tmp = mkdtempSync(join(tmpdir(), 'raftlab-serve-rec-test-'))
const recordingsDir = join(tmp, 'recordings')
let lab: Lab
let server: RunningServer

function get(path: string, method = 'GET', headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: server.port,
          path,
          method,
          headers: { host: `127.0.0.1:${server.port}`, ...headers },
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
            }),
          )
        },
      )
      req.on('error', reject)
      req.end()
    },
  )
}

beforeAll(async () => {
  lab = new Lab({ recordingsDir })
  server = await startServer({
    rendererDir: join(__dirname, '..', '..', 'out', 'renderer'),
    lab,
    recordingsDir,
  })
  expect((await lab.command({ type: 'record.start', name: 'mine' })).ok).toBe(true)
  expect((await lab.command({ type: 'record.stop' })).ok).toBe(true)
  writeFileSync(join(tmp, 'secret.raftrec'), 'outside the folder')
  // A link in the folder that leads out of it, and a folder with a recording's name.
  symlinkSync(join(tmp, 'secret.raftrec'), join(recordingsDir, 'escape.raftrec'))
  mkdirSync(join(recordingsDir, 'dir.raftrec'))
})

afterAll(async () => {
  await server.close()
  await lab.close()
  rmSync(tmp, { recursive: true, force: true })
})

describe('GET /recordings/', () => {
  it('serves a recording of the folder as a download, with the token', async () => {
    const r = await get(`/recordings/mine.raftrec?token=${server.token}`)
    expect(r.status).toBe(200)
    expect(r.headers['content-disposition']).toBe('attachment; filename="mine.raftrec"')
    expect(r.body.subarray(0, 8).toString()).toBe('RAFTREC\n')
    const head = await get(`/recordings/mine.raftrec?token=${server.token}`, 'HEAD')
    expect(head.status).toBe(200)
    expect(Number(head.headers['content-length'])).toBe(r.body.length)
  })

  it('refuses without the token, and anything that is not a recording in the folder', async () => {
    expect((await get('/recordings/mine.raftrec')).status).toBe(403)
    expect((await get('/recordings/mine.raftrec?token=nope')).status).toBe(403)
    for (const bad of [
      '..%2Fsecret.raftrec',
      '%2E%2E/secret.raftrec',
      '.hidden.raftrec',
      'mine',
      'missing.raftrec',
      'escape.raftrec',
      'dir.raftrec',
      '',
    ]) {
      const r = await get(`/recordings/${bad}?token=${server.token}`)
      expect(r.status, bad).toBe(404)
    }
    expect((await get(`/recordings/mine.raftrec?token=${server.token}`, 'POST')).status).toBe(405)
  })
})

describe('GET /recordings/ and the origin', () => {
  const own = () => `http://127.0.0.1:${server.port}`
  it('serves this server’s own pages (fetch, a download link, a typed address)', async () => {
    const url = `/recordings/mine.raftrec?token=${server.token}`
    expect((await get(url, 'GET', { origin: own(), 'sec-fetch-site': 'same-origin' })).status).toBe(
      200,
    )
    expect((await get(url, 'GET', { 'sec-fetch-site': 'none' })).status).toBe(200)
  })

  it('refuses another site’s page, even with the token', async () => {
    const url = `/recordings/mine.raftrec?token=${server.token}`
    const evil = await get(url, 'GET', { origin: 'http://evil.example' })
    expect(evil.status).toBe(403)
    expect(evil.body.toString()).toMatch(/only pages served by this raftlab serve/)
    expect((await get(url, 'GET', { 'sec-fetch-site': 'cross-site' })).status).toBe(403)
    expect((await get(url, 'GET', { 'sec-fetch-site': 'same-site' })).status).toBe(403)
  })
})

describe('record.list', () => {
  it('lists the folder’s recordings with size, time and duration, and nothing else', async () => {
    const r = await lab.command({ type: 'record.list' })
    if (!r.ok) throw new Error(r.error)
    expect(r.recordingsDir).toBe(recordingsDir)
    expect(r.recordings?.map((x) => x.name)).toEqual(['mine.raftrec'])
    const mine = r.recordings![0]!
    expect(mine.path).toBe(join(recordingsDir, 'mine.raftrec'))
    expect(mine.bytes).toBeGreaterThan(8)
    expect(mine.active).toBe(false)
    expect(Number.isNaN(Date.parse(mine.modifiedAt))).toBe(false)
    expect(mine.durationMs).not.toBeNull()
    expect(mine.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('is not an event of the session (nothing to narrate or record)', async () => {
    const seen: string[] = []
    const unsubscribe = lab.subscribe((events) => seen.push(...events.map((e) => e.type)))
    lab.bus.flush()
    await lab.command({ type: 'record.list' })
    lab.bus.flush()
    unsubscribe()
    expect(seen).toEqual([])
  })

  it('is answered over the WebSocket (the command schema knows it)', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/lab?token=${server.token}`, {
      origin: `http://127.0.0.1:${server.port}`,
    })
    try {
      const result = await new Promise<unknown>((resolve, reject) => {
        ws.on('message', (d) => {
          const m = JSON.parse(d.toString()) as { kind: string; id?: number; result?: unknown }
          if (m.kind === 'hello')
            ws.send(JSON.stringify({ id: 7, command: { type: 'record.list' } }))
          if (m.kind === 'result' && m.id === 7) resolve(m.result)
        })
        ws.on('error', reject)
      })
      expect(result).toMatchObject({ ok: true, recordings: [{ name: 'mine.raftrec' }] })
    } finally {
      ws.close()
    }
  })
})
