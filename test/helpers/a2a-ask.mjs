#!/usr/bin/env node
// Test stand-in for `claw-mesh ask PEER TEXT` (not built yet): sends one A2A SendMessage to a peer configured in
// this host's openclaw.json (its url and outboundToken) and prints the reply text on stdout. The a2a-agent e2e test
// has the agent run it through its exec tool; once `claw-mesh ask` exists the test should run that instead.
//
//   node a2a-ask.mjs --config OPENCLAW_JSON PEER TEXT
import {readFileSync} from 'node:fs'
import {parseArgs} from 'node:util'

const {values, positionals} = parseArgs({options: {config: {type: 'string'}}, allowPositionals: true})
const [peerName, text] = positionals
if (!values.config || !peerName || !text) {
  process.stderr.write('usage: a2a-ask.mjs --config OPENCLAW_JSON PEER TEXT\n')
  process.exit(2)
}
const peer = JSON.parse(readFileSync(values.config, 'utf8')).channels?.a2a?.peers?.[peerName]
if (!peer?.url || !peer?.outboundToken) {
  process.stderr.write(`peer ${peerName} has no url/outboundToken in ${values.config}\n`)
  process.exit(2)
}
const res = await fetch(peer.url, {
  method: 'POST',
  headers: {'content-type': 'application/json', authorization: `Bearer ${peer.outboundToken}`},
  body: JSON.stringify({jsonrpc: '2.0', id: 'ask-1', method: 'SendMessage', params: {message: {messageId: `ask-${Date.now()}`, role: 'ROLE_USER', parts: [{text}]}}}),
  signal: AbortSignal.timeout(150_000),
})
const body = await res.json()
const task = body.result?.task
const reply = task?.artifacts?.[0]?.parts?.map((p) => p.text ?? '').join('') ?? ''
if (task?.status?.state !== 'TASK_STATE_COMPLETED') {
  const why = task?.status?.message?.parts?.map((p) => p.text ?? '').join('') ?? ''
  process.stderr.write(`peer ${peerName}: ${task?.status?.state ?? `HTTP ${res.status} ${JSON.stringify(body.error ?? body).slice(0, 300)}`} ${why.slice(0, 300)}\n`)
  process.exit(1)
}
// Peer text is untrusted: capped, control characters (but newlines and tabs) removed.
// eslint-disable-next-line no-control-regex
process.stdout.write(`${reply.slice(0, 65536).replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')}\n`)
