import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import JSON5 from 'json5'

/**
 * Test-side handle on the scripted chat-completions server (test/model/scripted-model.mjs): start it (inside a
 * network namespace when given a prefix such as `ip netns exec NS`), change its rules, read what the agent
 * runtime sent it, and declare it as a host's model in openclaw.json.
 */
export const SCRIPTED_MODEL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../model/scripted-model.mjs')

export type Match = ({contains: string} | {regex: string; flags?: string} | {always: true}) & {on?: 'user' | 'raw'}
export type Step = {reply: string} | {tool: {name: string; arguments: Record<string, unknown>}}
export type Rule = {match: Match; reply?: string; steps?: Step[]; delayMs?: number}
export interface Script {
  /** Shown in the default reply: `reply from <name>: <last user text>`. */
  name: string
  rules?: Rule[]
  /** Template for a request no rule matches; default `reply from {{name}}: {{user}}`. */
  default?: string
  models?: string[]
}

export interface ChatMessage {
  role: string
  content?: unknown
  tool_calls?: Array<{id: string; type: string; function: {name: string; arguments: string}}>
  tool_call_id?: string
}
export interface ModelRequest {
  at: string
  path: string
  auth: boolean
  body?: {
    model: string
    stream?: boolean
    messages: ChatMessage[]
    tools?: Array<{type: string; function: {name: string; description?: string; parameters?: unknown}}>
    [k: string]: unknown
  }
  decision?: {
    rule: number | 'default'
    kind: 'text' | 'tool'
    text?: string
    name?: string
    arguments?: string
    id?: string
  }
}

export interface ScriptedModel {
  name: string
  port: number
  /** `http://127.0.0.1:PORT/v1` as seen from inside the model's namespace (where the gateway runs too). */
  baseUrl: string
  logFile: string
  setScript(script: Script): void
  /** Every request so far (models listings included), oldest first. */
  requests(): ModelRequest[]
  /** Chat-completions requests only. */
  chats(): ModelRequest[]
  /** Waits until `pred` holds for some chat request; returns it. */
  waitForChat(pred: (r: ModelRequest) => boolean, timeoutMs?: number): Promise<ModelRequest>
  stop(): void
}

/** Text of a chat message's content (a string or content parts). */
export function messageText(m: ChatMessage | undefined): string {
  if (!m) return ''
  if (typeof m.content === 'string') return m.content
  if (Array.isArray(m.content))
    return m.content.map((p: {text?: unknown}) => (typeof p?.text === 'string' ? p.text : '')).join('')
  return ''
}

/** The last user message's text of a recorded request. */
export function lastUserText(r: ModelRequest): string {
  const users = (r.body?.messages ?? []).filter((m) => m.role === 'user')
  return messageText(users.at(-1))
}

/** Names of the tools the request offered the model. */
export function toolNames(r: ModelRequest): string[] {
  return (r.body?.tools ?? []).map((t) => t.function?.name).filter((n): n is string => typeof n === 'string')
}

export async function startScriptedModel(opts: {
  dir: string
  script: Script
  node?: string
  prefix?: string[]
  host?: string
  port?: number
}): Promise<ScriptedModel> {
  mkdirSync(opts.dir, {recursive: true})
  const scriptFile = path.join(opts.dir, 'script.json')
  const logFile = path.join(opts.dir, 'requests.jsonl')
  writeFileSync(scriptFile, JSON.stringify(opts.script))
  writeFileSync(logFile, '')
  const node = opts.node ?? process.execPath
  const argv = [
    SCRIPTED_MODEL,
    '--script',
    scriptFile,
    '--log',
    logFile,
    '--host',
    opts.host ?? '127.0.0.1',
    '--port',
    String(opts.port ?? 0),
  ]
  const [cmd, ...pre] = opts.prefix?.length ? [...opts.prefix, node] : [node]
  const child: ChildProcess = spawn(cmd, [...pre, ...argv], {stdio: ['ignore', 'pipe', 'pipe']})
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    let err = ''
    const timer = setTimeout(() => reject(new Error(`scripted model did not start within 10 s: ${err}`)), 10_000)
    child.stderr!.on('data', (d) => (err += d))
    child.stdout!.on('data', (d) => {
      out += d
      const line = out.split('\n').find((l) => l.includes('"listening"'))
      if (line) {
        clearTimeout(timer)
        resolve((JSON.parse(line) as {listening: {port: number}}).listening.port)
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`scripted model exited (${code}) before listening: ${err}`))
    })
  })
  const requests = () =>
    existsSync(logFile)
      ? readFileSync(logFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as ModelRequest)
      : []
  const chats = () => requests().filter((r) => r.path === '/v1/chat/completions')
  return {
    name: opts.script.name,
    port,
    baseUrl: `http://${opts.host ?? '127.0.0.1'}:${port}/v1`,
    logFile,
    setScript: (script) => writeFileSync(scriptFile, JSON.stringify(script)),
    requests,
    chats,
    async waitForChat(pred, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const hit = chats().find(pred)
        if (hit) return hit
        if (Date.now() > deadline)
          throw new Error(`no model request matched within ${timeoutMs} ms (${chats().length} requests seen)`)
        await new Promise((r) => setTimeout(r, 200))
      }
    },
    stop() {
      child.kill('SIGTERM')
    },
  }
}

/** The openclaw.json fragment that makes a scripted model the agents' default model (shape seen to work). */
export function scriptedModelConfig(baseUrl: string, opts: {provider?: string; model?: string} = {}) {
  const provider = opts.provider ?? 'scripted'
  const model = opts.model ?? 'echo'
  return {
    models: {
      providers: {
        [provider]: {
          baseUrl,
          apiKey: 'scripted-model-test',
          api: 'openai-completions',
          models: [
            {
              id: model,
              name: model,
              reasoning: false,
              input: ['text'],
              cost: {input: 0, output: 0, cacheRead: 0, cacheWrite: 0},
              contextWindow: 128000,
              maxTokens: 4096,
            },
          ],
        },
      },
    },
    agents: {defaults: {model: {primary: `${provider}/${model}`}}},
  }
}

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

function merge(into: Json, from: Json): Json {
  const out: Json = {...into}
  for (const [k, v] of Object.entries(from)) out[k] = isObject(v) && isObject(out[k]) ? merge(out[k], v) : v
  return out
}

/**
 * Writes the scripted model into a host's openclaw.json (JSON5 read, plain JSON written, mode 0600), keeping every
 * other key: so it can run before or after `claw-mesh gateway configure`, which keeps keys it does not own.
 */
export function configureScriptedModel(
  configPath: string,
  baseUrl: string,
  opts: {provider?: string; model?: string} = {},
): void {
  const current = existsSync(configPath) ? JSON5.parse<Json>(readFileSync(configPath, 'utf8')) : {}
  mkdirSync(path.dirname(configPath), {recursive: true, mode: 0o700})
  writeFileSync(configPath, `${JSON.stringify(merge(current, scriptedModelConfig(baseUrl, opts)), null, 2)}\n`, {
    mode: 0o600,
  })
}
