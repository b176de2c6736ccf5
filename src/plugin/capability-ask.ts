import {currentConfig, meshPeers, type ToolResult} from './host.js'
import {choosePeerFor} from './peer-cards.js'
import {meshAsk, result, type MeshCall} from './tools.js'

/**
 * mesh_ask with `capability` instead of `peer`: the peer is chosen by what its claw-mesh card offers now (online,
 * then by name), and the result says which peer answered. Exactly one of the two may be given.
 */
export async function meshAskByPeerOrCapability(call: MeshCall, params: Record<string, unknown>): Promise<ToolResult> {
  const peer = typeof params.peer === 'string' && params.peer.trim() !== '' ? params.peer : undefined
  const capability =
    typeof params.capability === 'string' && params.capability.trim() !== ''
      ? params.capability.trim().toLowerCase()
      : undefined
  if (peer && capability)
    return result('Not sent: give either peer or capability, not both.', {ok: false, code: 'peer-and-capability'})
  if (!capability) return meshAsk(call, params)
  const choice = await choosePeerFor(capability, meshPeers(currentConfig(call.api)))
  if (choice.problem) return result(`Not sent: ${choice.problem}.`, {ok: false, code: 'bad-capability'})
  if (!choice.chosen) {
    return result(`Not sent: no online peer offers ${capability} now (mesh_peers shows what each peer offers).`, {
      ok: false,
      code: 'no-capable-peer',
      capability,
    })
  }
  const answer = await meshAsk(call, {...params, peer: choice.chosen, capability: undefined})
  const details = {
    ...(answer.details as Record<string, unknown>),
    peer: choice.chosen,
    capability,
    candidates: choice.online,
  }
  const text = `Asked ${choice.chosen} (it offers ${capability}). ${answer.content.map((c) => c.text).join('\n')}`
  return {content: [{type: 'text', text}], details}
}
