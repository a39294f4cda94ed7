#!/usr/bin/env node
// The `raftlab` command: runs the CLI built into out/ by `npm run build` (npm install builds it).
'use strict'
const { existsSync } = require('node:fs')
const { join } = require('node:path')

const cli = join(__dirname, '..', 'out', 'main', 'cli.js')
if (!existsSync(cli)) {
  console.error(`raftlab: the CLI is not built (${cli} is missing). Run: npm run build`)
  process.exit(1)
}
require(cli)
