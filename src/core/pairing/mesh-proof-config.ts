import {meshProofKey} from './mesh-proof.js'
import {getPath, isObject, type OpenClawConfig} from '../openclaw/openclaw-config.js'
import type {Assignment} from '../openclaw/openclaw-config-patch.js'
import {MESH_PLUGIN_ID} from '../mesh/plugin-plan.js'

/** Where the member's proof settings live: its own plugin's config, which only that plugin reads. */
export const MESH_PROOF_CONFIG_PATH = ['plugins', 'entries', MESH_PLUGIN_ID, 'config', 'meshProof'] as const

/**
 * What claw-mesh writes for this member's half of the mesh-secret proof: `{name, key}` with the key derived from the
 * mesh secret and this host's name, never the secret itself. Written only once the plugin has an entry (an entry
 * for a plugin not installed yet is a stale entry to OpenClaw; the plugin step writes it after the install), and
 * removed when this host holds no mesh secret (left the fleet, or was never in one): a key from an old secret
 * would prove nothing.
 */
export function meshProofAssignments(
  current: OpenClawConfig,
  input: {meshSecret?: string; identity?: string},
): Assignment[] {
  if (!isObject(getPath(current, MESH_PROOF_CONFIG_PATH.slice(0, 3)))) return []
  const path = [...MESH_PROOF_CONFIG_PATH]
  if (!input.meshSecret || !input.identity)
    return getPath(current, path) === undefined ? [] : [{path, value: undefined}]
  return [{path, value: {name: input.identity, key: meshProofKey(input.meshSecret, input.identity)}}]
}
