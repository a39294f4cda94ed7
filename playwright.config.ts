// Playwright: the renderer in Chromium through browser mode (`raftlab serve`, started per test
// file by tests/e2e/serve.ts), and the desktop app through Electron where its binary exists.
// Chromium is Debian's (/usr/bin/chromium; RAFTLAB_CHROMIUM overrides): Playwright's own browser
// downloads are never used. `npm test` runs this after the build.
import { defineConfig } from '@playwright/test'

export const CHROMIUM = process.env.RAFTLAB_CHROMIUM ?? '/usr/bin/chromium'

export default defineConfig({
  testDir: 'tests/e2e',
  // Real clusters under test: one file at a time keeps a 2-core machine from starving them.
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  outputDir: '.tmp/playwright',
  reporter: [['list']],
  use: {
    viewport: { width: 1440, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'browser',
      testMatch: /\.browser\.spec\.ts$/,
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: CHROMIUM,
          // As root (CI containers) Chromium needs --no-sandbox; the rest stop it from trying
          // connections it cannot make here.
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      },
    },
    { name: 'electron', testMatch: /electron\.spec\.ts$/ },
  ],
})
