// The reference A2A client (@a2a-js/sdk 1.3.0's ClientFactory + JSON-RPC transport) making one call the way any
// A2A 1.0 agent would: card from BASE/.well-known/agent-card.json, transport chosen by the SDK from the card,
// SendMessage, then GetTask on the returned task. Reads {base, token, text} as JSON on stdin (the token never in
// argv); prints one JSON line: {card, versions, send, task} or {error}. Run inside a host's network namespace.
import {GetTaskRequest, Message, SendMessageRequest, Task} from '@a2a-js/sdk'
import {ClientFactory, ClientFactoryOptions, JsonRpcTransportFactory} from '@a2a-js/sdk/client'

let input = ''
for await (const chunk of process.stdin) input += chunk
const {base, token, text} = JSON.parse(input)
const versions = []
const authFetch = (url, init = {}) => {
  const headers = new globalThis.Headers(init.headers)
  versions.push(headers.get('A2A-Version'))
  headers.set('authorization', `Bearer ${token}`)
  return globalThis.fetch(url, {...init, headers})
}
try {
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({fetchImpl: authFetch})],
    }),
  )
  const client = await factory.createFromUrl(base)
  const result = await client.sendMessage(
    SendMessageRequest.fromJSON({message: {messageId: `m-${Date.now()}`, role: 'ROLE_USER', parts: [{text}]}}),
  )
  const isTask = result && 'status' in result
  const send = isTask ? Task.toJSON(result) : Message.toJSON(result)
  const task = isTask ? Task.toJSON(await client.getTask(GetTaskRequest.fromJSON({id: result.id}))) : undefined
  console.log(JSON.stringify({versions, send, task}))
} catch (error) {
  console.log(JSON.stringify({versions, error: String(error?.message ?? error).slice(0, 500)}))
}
