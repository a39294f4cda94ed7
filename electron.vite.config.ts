import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'
import pkg from './package.json'

// One build for every runtime. The "main" build also emits the processes that run under plain
// Node: the `raftlab` CLI, the Raft node process and the lab's own processes and threads
// (electron/lab/entries/), so the packaged app ships them and the CLI and tests run them without
// Electron.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'electron/main/index.ts'),
          cli: resolve(__dirname, 'electron/cli/main.ts'),
          node: resolve(__dirname, 'electron/node/main.ts'),
          // The lab's own processes and threads: electron/lab/entries/<name>.ts → out/main/<name>.js
          // (electron/lab/supervisor/paths.ts finds them by name).
          simWorker: resolve(__dirname, 'electron/lab/entries/simWorker.ts'),
          reaper: resolve(__dirname, 'electron/lab/entries/reaper.ts'),
          workload: resolve(__dirname, 'electron/lab/entries/workload.ts'),
        },
        // Shared chunks sit beside the entries, so `__dirname` means out/main/ in every module
        // (the lab engine finds the entries it forks relative to it).
        output: { chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: { input: { index: resolve(__dirname, 'electron/preload/index.ts') } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: { index: resolve(__dirname, 'renderer/index.html') } },
    },
    define: { __APP_VERSION__: JSON.stringify(pkg.version) },
    plugins: [vue()],
  },
})
