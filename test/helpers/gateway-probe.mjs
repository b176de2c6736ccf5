#!/usr/bin/env node
// Independent gateway probe for end-to-end tests (deliberately not claw-mesh's own code):
// `node gateway-probe.mjs <baseUrl> [hooksPath]` with {"gatewayToken","hooksToken"} on stdin.
// Prints one JSON report: /healthz and /readyz statuses, the WebSocket connect handshake with the right and a wrong
// token, and POST /hooks/wake {} with the right and a wrong hooks token.
import {text} from 'node:stream/consumers'

const [baseUrl, hooksPath = '/hooks'] = process.argv.slice(2)
const {gatewayToken, hooksToken} = JSON.parse(await text(process.stdin))

async function status(url, init) {
  try {
    return (await fetch(url, {...init, signal: AbortSignal.timeout(5000)})).status
  } catch (error) {
    return `error: ${error.cause?.code ?? error.message}`
  }
}

function handshake(token) {
  return new Promise((resolve) => {
    const ws = new WebSocket(baseUrl.replace(/^http/, 'ws'))
    const timer = setTimeout(() => finish({verdict: 'timeout'}), 10_000)
    let result
    const finish = (r) => {
      if (result) return
      result = r
      clearTimeout(timer)
      try {
        ws.close()
      } catch {
        // already closed
      }
      resolve(r)
    }
    ws.addEventListener('message', (ev) => {
      const msg = JSON.parse(String(ev.data))
      if (msg.type === 'event' && msg.event === 'connect.challenge') {
        ws.send(
          JSON.stringify({
            type: 'req',
            id: 'p1',
            method: 'connect',
            params: {
              minProtocol: 4,
              maxProtocol: 4,
              client: {id: 'cli', version: 'e2e-probe', platform: 'linux', mode: 'cli'},
              role: 'operator',
              scopes: [],
              auth: {token},
            },
          }),
        )
      } else if (msg.type === 'res' && msg.id === 'p1') {
        if (msg.ok)
          finish({verdict: msg.payload?.type === 'hello-ok' ? 'hello-ok' : 'ok-other', protocol: msg.payload?.protocol})
        else
          finish({
            verdict: 'error',
            code: msg.error?.details?.code ?? msg.error?.code,
            retryAfterMs: msg.error?.retryAfterMs,
            retryable: msg.error?.retryable,
          })
      }
    })
    ws.addEventListener('close', (ev) => finish({verdict: 'closed', closeCode: ev.code}))
    ws.addEventListener('error', () => finish({verdict: 'socket-error'}))
  })
}

async function handshakeWithRetry(token) {
  const deadline = Date.now() + 30_000
  for (;;) {
    const r = await handshake(token)
    if (!(r.verdict === 'error' && r.retryable) || Date.now() > deadline) return r
    await new Promise((res) => setTimeout(res, r.retryAfterMs ?? 500))
  }
}

const post = (token) =>
  status(`${baseUrl}${hooksPath}/wake`, {
    method: 'POST',
    headers: {authorization: `Bearer ${token}`, 'content-type': 'application/json'},
    body: '{}',
  })
const report = {
  healthz: await status(`${baseUrl}/healthz`),
  readyz: await status(`${baseUrl}/readyz`),
  ws: await handshakeWithRetry(gatewayToken),
  wsWrong: await handshakeWithRetry(`${gatewayToken}-wrong`),
  hooks: await post(hooksToken),
  hooksWrong: await post(`${hooksToken}-wrong`),
}
process.stdout.write(`${JSON.stringify(report)}\n`)
