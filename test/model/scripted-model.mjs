#!/usr/bin/env node
// A scripted OpenAI-compatible chat-completions server: the stand-in for an agent's model in claw-mesh's tests,
// as test/sim/ stands in for Tailscale. It speaks the wire OpenClaw's `openai-completions` provider speaks
// (streamed chat.completion.chunk events or one chat.completion, tool calls, usage), answers from a rule table
// (test/model/script.mjs), and records every request so a test can read what the agent's runtime sent.
//
//   node scripted-model.mjs --script FILE --log FILE [--host 127.0.0.1] [--port 0] [--api-key KEY]
//
// Prints one line `{"listening":{"host","port"}}` on stdout once it accepts connections. The script file is
// re-read on every request, so a test can change the rules between turns. The log is JSON Lines, one request a
// line ({at, path, auth, body, decision}); `GET /_log` returns the same as a JSON array.
import {appendFileSync, readFileSync, realpathSync} from 'node:fs'
import http from 'node:http'
import {pathToFileURL} from 'node:url'
import {parseArgs} from 'node:util'
import {decide, estimateTokens} from './script.mjs'

const MAX_BODY = 8 * 1024 * 1024

function readScript(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    return {name: 'scripted-model', rules: [], default: `scripted-model: cannot read script ${file}: ${error.message}`}
  }
}

function sendJson(res, status, value) {
  const body = JSON.stringify(value)
  res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(body)})
  res.end(body)
}

function openaiError(res, status, message, type = 'invalid_request_error') {
  sendJson(res, status, {error: {message, type, param: null, code: null}})
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = []
    let size = 0
    req.on('data', (c) => {
      size += c.length
      if (size > MAX_BODY) {
        reject(new Error(`request body over ${MAX_BODY} bytes`))
        req.destroy()
      } else chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function usageOf(body, decision) {
  const prompt = estimateTokens(JSON.stringify(body.messages ?? []))
  const completion = estimateTokens(decision.kind === 'text' ? decision.text : decision.name + decision.arguments)
  return {prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion}
}

/** Splits a string into pieces of at most n characters (a real model streams text and arguments in fragments). */
function pieces(text, n) {
  const out = []
  for (let i = 0; i < text.length; i += n) out.push(text.slice(i, i + n))
  return out.length ? out : ['']
}

function writeStream(res, body, decision, ids) {
  const base = {
    id: ids.id,
    object: 'chat.completion.chunk',
    created: ids.created,
    model: body.model,
    system_fingerprint: 'fp_scripted',
  }
  const chunk = (delta, finish = null) =>
    `data: ${JSON.stringify({...base, choices: [{index: 0, delta, logprobs: null, finish_reason: finish}]})}\n\n`
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  })
  if (decision.kind === 'text') {
    res.write(chunk({role: 'assistant', content: '', refusal: null}))
    for (const p of pieces(decision.text, 16)) res.write(chunk({content: p}))
    res.write(chunk({}, 'stop'))
  } else {
    res.write(
      chunk({
        role: 'assistant',
        content: null,
        tool_calls: [{index: 0, id: decision.id, type: 'function', function: {name: decision.name, arguments: ''}}],
      }),
    )
    for (const p of pieces(decision.arguments, 24))
      res.write(chunk({tool_calls: [{index: 0, function: {arguments: p}}]}))
    res.write(chunk({}, 'tool_calls'))
  }
  // OpenAI sends usage as a last chunk with no choices only when the client asks for it.
  if (body.stream_options?.include_usage)
    res.write(`data: ${JSON.stringify({...base, choices: [], usage: usageOf(body, decision)})}\n\n`)
  res.end('data: [DONE]\n\n')
}

function writeCompletion(res, body, decision, ids) {
  const message =
    decision.kind === 'text'
      ? {role: 'assistant', content: decision.text, refusal: null}
      : {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: [
            {id: decision.id, type: 'function', function: {name: decision.name, arguments: decision.arguments}},
          ],
        }
  sendJson(res, 200, {
    id: ids.id,
    object: 'chat.completion',
    created: ids.created,
    model: body.model,
    system_fingerprint: 'fp_scripted',
    choices: [{index: 0, message, logprobs: null, finish_reason: decision.kind === 'text' ? 'stop' : 'tool_calls'}],
    usage: usageOf(body, decision),
  })
}

export function createScriptedModel({scriptFile, logFile, apiKey}) {
  const log = []
  let seq = 0
  const record = (entry) => {
    log.push(entry)
    if (logFile) appendFileSync(logFile, `${JSON.stringify(entry)}\n`)
  }
  return http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://scripted-model')
    const auth = req.headers.authorization ?? null
    if (apiKey && auth !== `Bearer ${apiKey}` && url.pathname.startsWith('/v1/')) {
      return openaiError(res, 401, 'Incorrect API key provided', 'authentication_error')
    }
    if (req.method === 'GET' && url.pathname === '/_log') return sendJson(res, 200, log)
    if (req.method === 'GET' && url.pathname === '/v1/models') {
      const script = readScript(scriptFile)
      const models = Array.isArray(script.models) && script.models.length ? script.models : ['echo']
      record({at: new Date().toISOString(), path: url.pathname, auth: auth !== null})
      return sendJson(res, 200, {
        object: 'list',
        data: models.map((id) => ({id, object: 'model', created: 0, owned_by: script.name ?? 'scripted-model'})),
      })
    }
    if (url.pathname !== '/v1/chat/completions')
      return openaiError(res, 404, `Unknown request URL: ${req.method} ${url.pathname}`)
    if (req.method !== 'POST') return openaiError(res, 405, `Method ${req.method} not allowed on ${url.pathname}`)
    let body
    try {
      body = JSON.parse(await readBody(req))
    } catch (error) {
      return openaiError(res, 400, `We could not parse the JSON body of your request: ${error.message}`)
    }
    if (!body || typeof body !== 'object' || !Array.isArray(body.messages))
      return openaiError(res, 400, "'messages' is a required property")
    if (typeof body.model !== 'string' || !body.model) return openaiError(res, 400, "'model' is a required property")
    const decision = decide(readScript(scriptFile), body)
    const ids = {id: `chatcmpl-scripted-${++seq}`, created: Math.floor(Date.now() / 1000)}
    record({at: new Date().toISOString(), path: url.pathname, auth: auth !== null, body, decision})
    if (decision.delayMs > 0) await new Promise((r) => setTimeout(r, decision.delayMs))
    if (body.stream) writeStream(res, body, decision, ids)
    else writeCompletion(res, body, decision, ids)
  })
}

function main() {
  const {values} = parseArgs({
    options: {
      script: {type: 'string'},
      log: {type: 'string'},
      host: {type: 'string', default: '127.0.0.1'},
      port: {type: 'string', default: '0'},
      'api-key': {type: 'string'},
    },
  })
  if (!values.script) {
    process.stderr.write('usage: scripted-model.mjs --script FILE [--log FILE] [--host H] [--port N] [--api-key KEY]\n')
    process.exit(2)
  }
  // The key arrives as an argument only because this is a throwaway test model on loopback; real keys never would.
  const server = createScriptedModel({scriptFile: values.script, logFile: values.log, apiKey: values['api-key']})
  server.listen(Number(values.port), values.host, () => {
    const {address, port} = server.address()
    process.stdout.write(`${JSON.stringify({listening: {host: address, port}})}\n`)
  })
  // The agent runtime keeps connections alive; waiting for them to close would hang the test's teardown.
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0))
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) main()
