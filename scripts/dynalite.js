#!/usr/bin/env node
// Starts dynalite as its own cli.js does, with one difference: it survives
// clients that hang up before their answer. dynalite 4.0.0 rethrows a
// request's 'error' event (index.js: req.on('error', err => { throw err })),
// so a single aborted request ends the whole server. Shadow reads are
// exactly such clients: one that outlives its timeout closes its connection.
//
// Usage: node scripts/dynalite.js --host 127.0.0.1 --port PORT [dynalite's options]
'use strict'

const argv = require('minimist')(process.argv.slice(2))

const hangUps = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE'])
process.on('uncaughtException', (err) => {
  if (err && (hangUps.has(err.code) || err.message === 'aborted')) {
    return // the client left; dynalite's state is untouched
  }
  console.error(err)
  process.exit(1)
})

const server = require('dynalite')(argv).listen(argv.port || 4567, argv.host || undefined, () => {
  const { port } = server.address()
  console.log('Dynalite listening at: http://%s:%s', argv.host || 'localhost', port)
})
