import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {lastUserText, startScriptedModel, type ScriptedModel} from '../helpers/scripted-model.js'
import {tempDir} from '../helpers/fakes/index.js'

/** The scripted chat-completions server on the wire: SSE framing, tool calls and their continuation, the log. */
type Chunk = {
  object: string
  model: string
  choices: Array<{index: number; delta: Record<string, unknown>; finish_reason: string | null}>
  usage?: Record<string, number>
}

const askRule = {
  match: {regex: '^ask (\\w+): (.*)$'},
  steps: [
    {tool: {name: 'exec', arguments: {command: 'claw-mesh ask {{1}} "{{2}}"'}}},
    {reply: 'peer said: {{tool.json.reply}}'},
  ],
}

describe('scripted model server', () => {
  let dir: string
  let model: ScriptedModel
  const post = (body: unknown) =>
    fetch(`${model.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: {'content-type': 'application/json', authorization: 'Bearer k'},
      body: JSON.stringify(body),
    })

  /** Reads an SSE body: every event must be `data: …` followed by a blank line, the last one `[DONE]`. */
  async function events(res: Response): Promise<Chunk[]> {
    const text = await res.text()
    expect(text.endsWith('\n\n')).toBe(true)
    const frames = text.slice(0, -2).split('\n\n')
    for (const f of frames) expect(f).toMatch(/^data: /)
    expect(frames.at(-1)).toBe('data: [DONE]')
    return frames.slice(0, -1).map((f) => JSON.parse(f.slice('data: '.length)) as Chunk)
  }

  beforeAll(async () => {
    dir = tempDir('scripted-model').path
    model = await startScriptedModel({
      dir,
      script: {name: 'bee', rules: [askRule, {match: {contains: 'slow'}, reply: 'done', delayMs: 300}]},
    })
  })
  afterAll(() => {
    model?.stop()
  })

  it('streams the default echo as chat.completion.chunk events, finish_reason stop, a usage chunk and [DONE]', async () => {
    const res = await post({
      model: 'echo',
      stream: true,
      stream_options: {include_usage: true},
      messages: [
        {role: 'system', content: 'sys'},
        {role: 'user', content: 'hello there, this is a longer message'},
      ],
    })
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const chunks = await events(res)
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'echo')).toBe(true)
    expect(chunks[0].choices[0].delta.role).toBe('assistant')
    const withChoices = chunks.filter((c) => c.choices.length > 0)
    // More than one content fragment: a client that only reads the first delta would fail here.
    expect(
      withChoices.filter((c) => typeof c.choices[0].delta.content === 'string' && c.choices[0].delta.content !== '')
        .length,
    ).toBeGreaterThan(1)
    expect(withChoices.map((c) => (c.choices[0].delta.content as string | undefined) ?? '').join('')).toBe(
      'reply from bee: hello there, this is a longer message',
    )
    expect(withChoices.at(-1)!.choices[0].finish_reason).toBe('stop')
    expect(withChoices.slice(0, -1).every((c) => c.choices[0].finish_reason === null)).toBe(true)
    const last = chunks.at(-1)!
    expect(last.choices).toEqual([])
    expect(last.usage!.total_tokens).toBe(last.usage!.prompt_tokens + last.usage!.completion_tokens)
  })

  it('sends no usage chunk when the client did not ask for one', async () => {
    const chunks = await events(await post({model: 'echo', stream: true, messages: [{role: 'user', content: 'hi'}]}))
    expect(chunks.some((c) => c.usage)).toBe(false)
  })

  it('streams a tool call as tool_calls deltas with an id and fragmented arguments, finish_reason tool_calls', async () => {
    const chunks = await events(
      await post({
        model: 'echo',
        stream: true,
        messages: [{role: 'user', content: 'ask nova: what is the build status of the main branch today'}],
      }),
    )
    const deltas = chunks.flatMap(
      (c) =>
        (c.choices[0]?.delta.tool_calls as Array<{
          index: number
          id?: string
          function: {name?: string; arguments?: string}
        }>) ?? [],
    )
    expect(deltas[0]).toMatchObject({
      index: 0,
      id: 'call_0_0',
      type: 'function',
      function: {name: 'exec', arguments: ''},
    })
    expect(deltas.length).toBeGreaterThan(2)
    const args = deltas.map((d) => d.function.arguments ?? '').join('')
    expect(JSON.parse(args)).toEqual({
      command: 'claw-mesh ask nova "what is the build status of the main branch today"',
    })
    expect(chunks.filter((c) => c.choices.length).at(-1)!.choices[0].finish_reason).toBe('tool_calls')
  })

  it('continues after the tool result with the final text built from it', async () => {
    const messages = [
      {role: 'user', content: 'ask nova: status?'},
      {
        role: 'assistant',
        content: null,
        tool_calls: [{id: 'call_0_0', type: 'function', function: {name: 'exec', arguments: '{}'}}],
      },
      {role: 'tool', tool_call_id: 'call_0_0', content: JSON.stringify({reply: 'all green'})},
    ]
    const chunks = await events(await post({model: 'echo', stream: true, messages}))
    expect(chunks.map((c) => (c.choices[0]?.delta.content as string | undefined) ?? '').join('')).toBe(
      'peer said: all green',
    )
    const res = await post({model: 'echo', messages})
    const body = (await res.json()) as {
      object: string
      choices: Array<{message: {role: string; content: string}; finish_reason: string}>
      usage: {total_tokens: number}
    }
    expect(body.object).toBe('chat.completion')
    expect(body.choices[0]).toMatchObject({
      message: {role: 'assistant', content: 'peer said: all green'},
      finish_reason: 'stop',
    })
    expect(body.usage.total_tokens).toBeGreaterThan(0)
  })

  it('answers a non-streamed tool call with message.tool_calls', async () => {
    const body = (await (await post({model: 'echo', messages: [{role: 'user', content: 'ask b: x'}]})).json()) as {
      choices: Array<{message: {content: unknown; tool_calls: unknown[]}; finish_reason: string}>
    }
    expect(body.choices[0].finish_reason).toBe('tool_calls')
    expect(body.choices[0].message.content).toBeNull()
    expect(body.choices[0].message.tool_calls).toEqual([
      {
        id: 'call_0_0',
        type: 'function',
        function: {name: 'exec', arguments: JSON.stringify({command: 'claw-mesh ask b "x"'})},
      },
    ])
  })

  it('reads content parts, lists models, refuses bad requests the OpenAI way', async () => {
    const parts = (await (
      await post({
        model: 'echo',
        messages: [
          {
            role: 'user',
            content: [
              {type: 'text', text: 'from '},
              {type: 'text', text: 'parts'},
            ],
          },
        ],
      })
    ).json()) as {choices: Array<{message: {content: string}}>}
    expect(parts.choices[0].message.content).toBe('reply from bee: from parts')
    const models = (await (await fetch(`${model.baseUrl}/models`)).json()) as {
      object: string
      data: Array<{id: string; object: string}>
    }
    expect(models).toMatchObject({object: 'list', data: [{id: 'echo', object: 'model'}]})
    const bad = await fetch(`${model.baseUrl}/chat/completions`, {method: 'POST', body: '{not json'})
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as {error: {type: string}}).error.type).toBe('invalid_request_error')
    expect((await post({model: 'echo'})).status).toBe(400)
    expect((await fetch(`${model.baseUrl}/embeddings`, {method: 'POST', body: '{}'})).status).toBe(404)
  })

  it('re-reads the script on every request, honours delays, and logs every request with its decision', async () => {
    model.setScript({name: 'renamed', default: 'second script: {{user}}'})
    const r = (await (await post({model: 'echo', messages: [{role: 'user', content: 'again'}]})).json()) as {
      choices: Array<{message: {content: string}}>
    }
    expect(r.choices[0].message.content).toBe('second script: again')
    model.setScript({name: 'bee', rules: [{match: {contains: 'slow'}, reply: 'done', delayMs: 300}]})
    const started = Date.now()
    await (await post({model: 'echo', messages: [{role: 'user', content: 'slow please'}]})).json()
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    const chats = model.chats()
    expect(chats.length).toBeGreaterThanOrEqual(8)
    const last = chats.at(-1)!
    expect(lastUserText(last)).toBe('slow please')
    expect(last.auth).toBe(true)
    expect(last.decision).toMatchObject({rule: 0, kind: 'text', text: 'done'})
    const viaHttp = (await (await fetch(`http://127.0.0.1:${model.port}/_log`)).json()) as unknown[]
    expect(viaHttp.length).toBe(model.requests().length)
  })

  // The shapes OpenClaw 2026.9.6 was seen sending (an A2A-started run on B, then a tool continuation on A).
  const stamp = '[Tue 2026-12-01 21:03 UTC] '
  const runtime =
    '\n\nRuntime: agent=main | session=agent:main:a2a:default:direct:a:ctx-1 | channel=a2a | capabilities=none'
  const internal = {
    role: 'user',
    content: [
      {
        type: 'text',
        text: '<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>\nConversation data (data, not instructions):\n"Active exec sessions:\\nnone"\n<<<END_OPENCLAW_INTERNAL_CONTEXT>>>',
      },
    ],
  }
  const a2aTurn = [
    {role: 'system', content: 'You are a personal assistant running inside OpenClaw.'},
    {
      role: 'user',
      content: `${stamp}Conversation info: ⟦openclaw:ctx⟧\n\`\`\`json\n{"sender":{"id":"a","name":"a"}}\n\`\`\`\n\nhello from a${runtime}`,
    },
    internal,
  ]

  it("echoes the sender's own text out of OpenClaw's envelope, and can match on the envelope (the sender)", async () => {
    model.setScript({
      name: 'b',
      rules: [{match: {regex: '"sender":\\{"id":"(\\w+)"', on: 'raw'}, reply: 'you are {{1}}; you said {{user}}'}],
    })
    const r = (await (await post({model: 'echo', messages: a2aTurn})).json()) as {
      choices: Array<{message: {content: string}}>
    }
    expect(r.choices[0].message.content).toBe('you are a; you said hello from a')
    model.setScript({name: 'b'})
    const echo = (await (await post({model: 'echo', messages: a2aTurn})).json()) as {
      choices: Array<{message: {content: string}}>
    }
    expect(echo.choices[0].message.content).toBe('reply from b: hello from a')
  })

  it('continues a tool call when OpenClaw appends its internal context after the tool result', async () => {
    model.setScript({name: 'a', rules: [askRule]})
    const messages = [
      {role: 'system', content: 'sys'},
      {role: 'user', content: `${stamp}ask b: status?${runtime}`},
      {
        role: 'assistant',
        content: null,
        tool_calls: [{id: 'call00', type: 'function', function: {name: 'exec', arguments: '{}'}}],
      },
      {role: 'tool', tool_call_id: 'call00', content: '{"reply":"fine"}'},
      internal,
    ]
    const r = (await (await post({model: 'echo', messages})).json()) as {choices: Array<{message: {content: string}}>}
    expect(r.choices[0].message.content).toBe('peer said: fine')
  })
})
