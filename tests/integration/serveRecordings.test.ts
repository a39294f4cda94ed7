// Browser mode hands the page the recordings the lab made: GET /recordings/NAME.raftrec with the
// run's token, nothing else from that folder or outside it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Lab } from '../../electron/lab/lab'
import { startServer, type RunningServer } from '../../electron/lab/server'

const tmp = mkdtempSync(join(tmpdir(), 'raftlab-serve-rec-test-'))
const recordingsDir = join(tmp, 'recordings')
let lab: Lab
let server: RunningServer

function get(path: string, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: server.port,
          path,
          method,
          headers: { host: `127.0.0.1:${server.port}` },
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
      '',
    ]) {
      const r = await get(`/recordings/${bad}?token=${server.token}`)
      expect(r.status, bad).toBe(404)
    }
    expect((await get(`/recordings/mine.raftrec?token=${server.token}`, 'POST')).status).toBe(405)
  })
})
