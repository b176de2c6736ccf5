/**
 * A foreign A2A 1.0 agent: the reference implementation's own JSON-RPC server (@a2a-js/sdk DefaultRequestHandler
 * + jsonRpcHandler + agentCardHandler on express), in-process on 127.0.0.1, with the SDK's own version validation on.
 * Nothing here answers for the SDK: only the agent's behaviour (the executor) and the bearer check in front of it
 * are ours, as they would be in any agent built on the SDK.
 *
 * What the agent does depends on the text it is sent:
 *   artifact:X   completes with an artifact "X"             status:X    completes with status.message "X" (no artifact)
 *   message:X    answers with a direct Message "X"          input:Q     TASK_STATE_INPUT_REQUIRED, asking Q
 *   auth:Q       TASK_STATE_AUTH_REQUIRED, saying Q         fail:R      TASK_STATE_FAILED with status.message R
 *   slow:MS      works MS ms, then completes with "done after MS ms"
 *   anything     completes with an artifact "echo: <text>"
 * A follow-up on an input-required task (message.taskId set) completes it with "answered: <text>".
 */
import {randomUUID} from 'node:crypto'
import type {AddressInfo} from 'node:net'
import type http from 'node:http'
import {AgentCard, Role, TaskState, type Message, type Task} from '@a2a-js/sdk'
import {
  AgentEvent,
  DefaultRequestHandler,
  InMemoryTaskStore,
  type AgentExecutor,
  type ExecutionEventBus,
  type RequestContext,
} from '@a2a-js/sdk/server'
import {UserBuilder, agentCardHandler, jsonRpcHandler} from '@a2a-js/sdk/server/express'
import express from 'express'

export interface SdkPeerOptions {
  /** The bearer token the agent expects (401 otherwise). */
  token: string
  name?: string
  /** Where the JSON-RPC endpoint is mounted (default /rpc/v1: not OpenClaw's /a2a/v1, so the card must be read). */
  rpcPath?: string
  /**
   * The card's interfaces, in order; `{path}` is replaced by the JSON-RPC endpoint URL. Default: an HTTP+JSON
   * interface first (not served: a client that takes the first interface fails), then JSONRPC 1.0.
   */
  interfaces?: Array<{url: string; protocolBinding: string; protocolVersion: string}>
  /** Runs before the SDK on every request (a proxy or rate limiter in front of it): an answer here ends the request. */
  gate?: (req: express.Request, res: express.Response) => boolean
}

export interface SdkPeerRequest {
  path: string
  version?: string
  authorization: boolean
}

export interface SdkPeer {
  /** The base URL (the card is at /.well-known/agent-card.json under it). */
  url: string
  /** The JSON-RPC endpoint the card advertises. */
  endpoint: string
  requests: SdkPeerRequest[]
  /** Texts the agent received, in order. */
  received: string[]
  close(): Promise<void>
}

function textOf(message: Message | undefined): string {
  return (message?.parts ?? []).map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('')
}

function agentMessage(text: string, ids: {taskId?: string; contextId: string}): Message {
  return {
    messageId: randomUUID(),
    contextId: ids.contextId,
    taskId: ids.taskId ?? '',
    role: Role.ROLE_AGENT,
    parts: [{content: {$case: 'text', value: text}, metadata: undefined, filename: '', mediaType: 'text/plain'}],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  }
}

function scriptedExecutor(received: string[]): AgentExecutor {
  const status = (bus: ExecutionEventBus, ctx: RequestContext, state: TaskState, text?: string) =>
    bus.publish(
      AgentEvent.statusUpdate({
        taskId: ctx.taskId,
        contextId: ctx.contextId,
        status: {
          state,
          message: text === undefined ? undefined : agentMessage(text, ctx),
          timestamp: new Date().toISOString(),
        },
        metadata: undefined,
      }),
    )
  const artifact = (bus: ExecutionEventBus, ctx: RequestContext, text: string) =>
    bus.publish(
      AgentEvent.artifactUpdate({
        taskId: ctx.taskId,
        contextId: ctx.contextId,
        artifact: {
          artifactId: randomUUID(),
          name: 'reply',
          description: '',
          parts: [{content: {$case: 'text', value: text}, metadata: undefined, filename: '', mediaType: 'text/plain'}],
          metadata: undefined,
          extensions: [],
        },
        append: false,
        lastChunk: true,
        metadata: undefined,
      }),
    )
  return {
    async execute(ctx, bus) {
      const text = textOf(ctx.userMessage)
      received.push(text)
      const [verb, ...rest] = text.split(':')
      const arg = rest.join(':')
      if (verb === 'message' && !ctx.task) {
        bus.publish(AgentEvent.message(agentMessage(arg, {contextId: ctx.contextId})))
        bus.finished()
        return
      }
      const task: Task = ctx.task ?? {
        id: ctx.taskId,
        contextId: ctx.contextId,
        status: {state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: new Date().toISOString()},
        artifacts: [],
        history: [ctx.userMessage],
        metadata: undefined,
      }
      bus.publish(AgentEvent.task(task))
      if (ctx.task) {
        artifact(bus, ctx, `answered: ${text}`)
        status(bus, ctx, TaskState.TASK_STATE_COMPLETED)
      } else if (verb === 'artifact') {
        artifact(bus, ctx, arg)
        status(bus, ctx, TaskState.TASK_STATE_COMPLETED)
      } else if (verb === 'status') {
        status(bus, ctx, TaskState.TASK_STATE_COMPLETED, arg)
      } else if (verb === 'input') {
        status(bus, ctx, TaskState.TASK_STATE_INPUT_REQUIRED, arg)
      } else if (verb === 'auth') {
        status(bus, ctx, TaskState.TASK_STATE_AUTH_REQUIRED, arg)
      } else if (verb === 'fail') {
        status(bus, ctx, TaskState.TASK_STATE_FAILED, arg)
      } else if (verb === 'slow') {
        status(bus, ctx, TaskState.TASK_STATE_WORKING)
        await new Promise((r) => setTimeout(r, Number(arg)))
        artifact(bus, ctx, `done after ${arg} ms`)
        status(bus, ctx, TaskState.TASK_STATE_COMPLETED)
      } else {
        artifact(bus, ctx, `echo: ${text}`)
        status(bus, ctx, TaskState.TASK_STATE_COMPLETED)
      }
      bus.finished()
    },
    async cancelTask() {},
  }
}

export async function startSdkPeer(opts: SdkPeerOptions): Promise<SdkPeer> {
  const app = express()
  const requests: SdkPeerRequest[] = []
  const received: string[] = []
  const rpcPath = opts.rpcPath ?? '/rpc/v1'
  const server: http.Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const endpoint = `${base}${rpcPath}`
  const interfaces = (
    opts.interfaces ?? [
      {url: `${base}/rest`, protocolBinding: 'HTTP+JSON', protocolVersion: '1.0'},
      {url: '{path}', protocolBinding: 'JSONRPC', protocolVersion: '1.0'},
    ]
  ).map((i) => ({...i, url: i.url === '{path}' ? endpoint : i.url, tenant: ''}))
  const card = AgentCard.fromJSON({
    name: opts.name ?? 'sdk-agent',
    description: 'A foreign A2A agent (the @a2a-js/sdk reference server)',
    version: '1.3.0',
    supportedInterfaces: interfaces,
    capabilities: {streaming: false, pushNotifications: false},
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [{id: 'echo', name: 'echo', description: 'answers', tags: ['test']}],
  })
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), scriptedExecutor(received))
  app.use((req, res, next) => {
    requests.push({
      path: req.path,
      version: req.header('A2A-Version') ?? undefined,
      authorization: Boolean(req.header('authorization')),
    })
    if (opts.gate?.(req, res)) return
    next()
  })
  app.use('/.well-known/agent-card.json', agentCardHandler({agentCardProvider: handler}))
  app.use(rpcPath, (req, res, next) => {
    if (req.header('authorization') !== `Bearer ${opts.token}`) {
      res.status(401).set('www-authenticate', 'Bearer').json({error: 'invalid or missing bearer token'})
      return
    }
    next()
  })
  app.use(rpcPath, jsonRpcHandler({requestHandler: handler, userBuilder: UserBuilder.noAuthentication}))
  return {
    url: base,
    endpoint,
    requests,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
