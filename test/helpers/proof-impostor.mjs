// A tagged node without the mesh secret that runs a listener where a member's gateway would be, and tries to pass
// discovery's mesh-secret proof. It writes down every request it gets (method, path, Authorization, body).
// Plain node, no dependencies: it runs inside the impostor's network namespace.
// Usage: node proof-impostor.mjs HOST PORT LOGFILE NAME forged
//        node proof-impostor.mjs HOST PORT LOGFILE NAME relay URL   (asks the real member at URL, returns its answer as NAME's)
import {randomBytes} from 'node:crypto'
import {appendFileSync} from 'node:fs'
import http from 'node:http'

const [host, port, log, name, mode, relayUrl] = process.argv.slice(2)
const note = (entry) => appendFileSync(log, `${JSON.stringify(entry)}\n`)

const server = http.createServer((req, res) => {
  let body = ''
  req.on('data', (c) => (body += c))
  req.on('end', async () => {
    note({method: req.method, path: req.url, authorization: req.headers.authorization ?? null, body})
    const reply = (status, json) =>
      res.writeHead(status, {'content-type': 'application/json'}).end(JSON.stringify(json))
    if (req.url !== '/claw-mesh/v1/proof') return reply(404, {error: 'not found'})
    if (mode === 'forged') return reply(200, {name, proof: randomBytes(32).toString('base64url')})
    try {
      const real = await fetch(relayUrl, {method: 'POST', headers: {'content-type': 'application/json'}, body})
      const answer = await real.json()
      note({relayed: real.status, answeredAs: answer.name})
      reply(200, {name, proof: answer.proof})
    } catch (error) {
      note({relayError: String(error)})
      reply(502, {error: 'relay failed'})
    }
  })
})
server.listen(Number(port), host, () => note({listening: `${host}:${port}`}))
