import {mkdirSync, readFileSync, symlinkSync} from 'node:fs'
import path from 'node:path'
import {createDeps} from '../../src/deps.js'
import {createFileSecretStore} from '../../src/infra/secrets/file.js'
import {createStateStore} from '../../src/infra/state-store.js'
import {installSkill} from '../../src/services/skill/install.js'
import type {AgentHost} from './agent-host.js'
import {CLI} from './built-cli.js'

/**
 * claw-mesh on an agent host (test/helpers/agent-host.ts): its own state and file secret store holding the A2A pair
 * the host's openclaw.json already has (pairA2a), and the skill installed by claw-mesh's own installSkill into the
 * host's OpenClaw state dir, so the agent's exec can run the real built claw-mesh exactly as the skill says.
 */
export async function provisionClawMesh(
  host: AgentHost,
  peers: {name: string; url: string; outboundToken: string}[],
): Promise<{home: string; skill: string}> {
  const home = path.join(host.dir, 'claw-mesh')
  const store = createStateStore(home)
  const secrets = createFileSecretStore(path.join(home, 'secrets.json'), {platform: 'linux'})
  const now = new Date().toISOString()
  for (const p of peers) await secrets.set(`a2a/${p.name}/out`, p.outboundToken)
  store.update((s) => {
    s.identity = host.name
    s.secrets = {backend: 'file', names: peers.map((p) => `a2a/${p.name}/out`)}
    for (const p of peers)
      s.peers[p.name] = {
        name: p.name,
        url: p.url,
        addedAt: now,
        source: 'invite',
        messaging: false,
        a2a: {url: `${p.url}/a2a/v1`, pairedBy: 'invite', pairedAt: now},
      }
  })
  const deps = createDeps({env: {...host.env, CLAW_MESH_HOME: home}, platform: 'linux', store})
  const {path: skill} = await installSkill(deps)
  return {home, skill}
}

/**
 * `claw-mesh` as `npm i -g` would leave it in a user's ~/.local/bin: a link to bin/run.js, whose `#!/usr/bin/env node`
 * runs the first node on PATH. OpenClaw adds ~/.local/bin to the gateway's PATH at start when the folder exists.
 */
export function linkBareClawMesh(host: AgentHost): string {
  const bin = path.join(host.dir, 'home', '.local', 'bin')
  mkdirSync(bin, {recursive: true})
  symlinkSync(CLI, path.join(bin, 'claw-mesh'))
  return bin
}

/** The skill's fallback ask block, for `peer` and `message`: exactly as the installed SKILL.md writes it. */
export function skillAskCommand(skillFile: string, peer: string, message: string): string {
  const text = readFileSync(skillFile, 'utf8')
  const m = /```bash\n(.* ask --timeout 110s -- )PEER( - <<'(CLAW_MESH_END_[0-9A-F]+)')\n[^\n]*\n\3\n```/.exec(text)
  if (!m) throw new Error(`no fallback ask block in ${skillFile}`)
  return `${m[1]}${peer}${m[2]}\n${message}\n${m[3]}`
}
