// The desktop app's security settings (Electron's checklist): the CSP, whose page IPC trusts,
// and the session and WebContents handlers that deny navigation, new windows and permissions.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Session, WebContents, WebFrameMain } from 'electron'
import { describe, expect, it } from 'vitest'
import {
  hardenSession,
  hardenWebContents,
  isTrustedFrame,
  isTrustedUrl,
  rendererLocation,
} from '../../../electron/main/security'
import { RENDERER_CSP } from '../../../shared/lab/ipc'
import { FakeEvent, FakeSession, FakeWebContents } from './fakeElectron'

const root = join(__dirname, '..', '..', '..')

function directives(csp: string): Map<string, string[]> {
  const m = new Map<string, string[]>()
  for (const part of csp.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/)
    if (name) m.set(name, values)
  }
  return m
}

describe('the renderer CSP', () => {
  const d = directives(RENDERER_CSP)

  it('allows scripts only from the app itself: no eval, no inline script', () => {
    expect(RENDERER_CSP).not.toMatch(/unsafe-eval|wasm-unsafe-eval|unsafe-hashes/)
    expect(d.get('default-src')).toEqual(["'self'"])
    expect(d.get('script-src')).toEqual(["'self'"])
  })

  it('connects only to the app itself and to browser mode on 127.0.0.1', () => {
    expect(d.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:*'])
  })

  it('loads nothing from the network', () => {
    for (const values of d.values()) {
      for (const v of values) expect(v).not.toMatch(/^(https?:|\*$|wss?:\/\/(?!127\.0\.0\.1:))/)
    }
  })

  it('is the <meta> in renderer/index.html, word for word', () => {
    const html = readFileSync(join(root, 'renderer', 'index.html'), 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html)
    expect(meta?.[1]).toBe(RENDERER_CSP)
  })
})

describe('which page is trusted', () => {
  const mainDir = join(root, 'out', 'main')
  const file = rendererLocation(true, 'http://localhost:5173', mainDir)
  const page = pathToFileURL(join(root, 'out', 'renderer', 'index.html')).href

  it('a packaged app ignores a dev server URL and loads its own file', () => {
    expect(file).toEqual({ kind: 'file', indexPath: join(root, 'out', 'renderer', 'index.html') })
    expect(rendererLocation(false, undefined, mainDir).kind).toBe('file')
  })

  it('trusts the built index.html, with any query or hash', () => {
    expect(isTrustedUrl(page, file)).toBe(true)
    expect(isTrustedUrl(`${page}?x=1#/bench`, file)).toBe(true)
  })

  it('refuses other files, other schemes and junk', () => {
    const other = pathToFileURL(join(root, 'out', 'renderer', 'evil.html')).href
    expect(isTrustedUrl(other, file)).toBe(false)
    expect(isTrustedUrl('https://example.com/', file)).toBe(false)
    expect(isTrustedUrl('http://localhost:5173/', file)).toBe(false)
    expect(isTrustedUrl('about:blank', file)).toBe(false)
    expect(isTrustedUrl('', file)).toBe(false)
  })

  it('in development trusts the dev server origin only', () => {
    const dev = rendererLocation(false, 'http://localhost:5173/', mainDir)
    expect(isTrustedUrl('http://localhost:5173/index.html', dev)).toBe(true)
    expect(isTrustedUrl('http://localhost:5174/', dev)).toBe(false)
    expect(isTrustedUrl(page, dev)).toBe(false)
  })

  it('refuses a missing frame and a subframe even at a trusted URL', () => {
    const top = { url: page, parent: null } as unknown as WebFrameMain
    const sub = { url: page, parent: top } as unknown as WebFrameMain
    expect(isTrustedFrame(top, file)).toBe(true)
    expect(isTrustedFrame(sub, file)).toBe(false)
    expect(isTrustedFrame(null, file)).toBe(false)
  })
})

describe('hardenSession', () => {
  const s = new FakeSession()
  hardenSession(s as unknown as Session)

  it('denies permission requests and checks: camera, notifications, geolocation, openExternal…', () => {
    for (const p of ['media', 'notifications', 'geolocation', 'openExternal', 'clipboard-read']) {
      let granted: boolean | null = null
      s.permissionRequest?.({}, p, (ok) => (granted = ok))
      expect(granted, p).toBe(false)
      expect(s.permissionCheck?.({}, p), p).toBe(false)
    }
    expect(s.devicePermission?.()).toBe(false)
  })

  it('allows only writing to the clipboard', () => {
    let granted: boolean | null = null
    s.permissionRequest?.({}, 'clipboard-sanitized-write', (ok) => (granted = ok))
    expect(granted).toBe(true)
  })

  it('adds the CSP header to the file:// page and leaves other responses alone', () => {
    const call = (url: string, resourceType: string) => {
      let r: { responseHeaders?: Record<string, string[]> } = { responseHeaders: {} }
      s.headersReceived?.({ url, resourceType, responseHeaders: { a: ['b'] } }, (x) => (r = x))
      return r
    }
    expect(call('file:///opt/raftlab/index.html', 'mainFrame').responseHeaders).toEqual({
      a: ['b'],
      'Content-Security-Policy': [RENDERER_CSP],
    })
    expect(call('file:///opt/raftlab/assets/x.js', 'script')).toEqual({})
    expect(call('http://localhost:5173/', 'mainFrame')).toEqual({})
  })
})

describe('hardenWebContents', () => {
  const wc = new FakeWebContents()
  hardenWebContents(wc as unknown as WebContents)

  for (const name of ['will-navigate', 'will-attach-webview']) {
    it(`cancels ${name}`, () => {
      const e = new FakeEvent()
      wc.emit(name, e, 'https://example.com/')
      expect(e.isDefaultPrevented).toBe(true)
    })
  }

  it('cancels navigation in a subframe, leaving the main frame to will-navigate', () => {
    const sub = Object.assign(new FakeEvent(), { isMainFrame: false, url: 'https://example.com/' })
    wc.emit('will-frame-navigate', sub)
    expect(sub.isDefaultPrevented).toBe(true)
    const main = Object.assign(new FakeEvent(), { isMainFrame: true, url: 'file:///x.html' })
    wc.emit('will-frame-navigate', main)
    expect(main.isDefaultPrevented).toBe(false)
  })

  it('denies every new window (window.open, target=_blank)', () => {
    expect(wc.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' })
    expect(wc.windowOpenHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' })
  })
})
