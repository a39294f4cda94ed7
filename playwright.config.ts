// Playwright: the renderer in Chromium through browser mode (`raftlab serve`, started per test
// by tests/e2e/serve.ts), and the desktop app through Electron where its binary exists.
// Chromium is Debian's (/usr/bin/chromium; RAFTLAB_CHROMIUM overrides): Playwright's own browser
// downloads are never used. `npm test` runs this after the build.
import { defineConfig } from '@playwright/test'
import { CHROMIUM, CHROMIUM_ARGS } from './tests/e2e/browserMode'

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
          args: [...CHROMIUM_ARGS],
        },
      },
    },
    { name: 'electron', testMatch: /electron\.spec\.ts$/ },
  ],
})
