import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {beforeEach, describe, expect, it} from 'vitest'
import {createDeps} from '../../src/deps.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {renderConfigure} from '../../src/render/gateway.js'
import {configureGatewayAndPlugin} from '../../src/services/gateway/configure-plugin.js'
import {scriptedRunner, type ExpectedCall} from '../helpers/fakes/runner.js'
import {tempDir} from '../helpers/fakes/index.js'
import {httpStubs} from '../helpers/fakes/http.js'
import type {HttpClient} from '../../src/infra/http.js'
import {meshPluginStatus} from '../../src/services/openclaw/plugin.js'

/**
 * `claw-mesh gateway configure` installs claw-mesh's OpenClaw plugin with the same code as bootstrap's mesh-plugin
 * step: OpenClaw's own commands, scripted here call by call (the e2e suite runs the real ones).
 */
let dir: string
let oc: string
let pluginDir: string
let configPath: string

beforeEach(() => {
  dir = tempDir('gwconf-plugin').path
  oc = path.join(dir, 'bin', 'openclaw')
  mkdirSync(path.dirname(oc), {recursive: true})
  writeFileSync(oc, '#!/bin/sh\n', {mode: 0o755})
  pluginDir = path.join(dir, 'plugin')
  mkdirSync(pluginDir)
  for (const f of ['index.js', 'openclaw.plugin.json']) writeFileSync(path.join(pluginDir, f), '{}')
  writeFileSync(path.join(pluginDir, 'package.json'), JSON.stringify({version: '0.1.0'}))
  configPath = path.join(dir, 'oc', 'openclaw.json')
})

const INSPECT = ['plugins', 'inspect', 'claw-mesh', '--runtime', '--json']
const loaded = (version = '0.1.0') => ({
  exitCode: 0,
  stdout: JSON.stringify({
    plugin: {version, enabled: true, status: 'loaded', toolNames: ['mesh_peers', 'mesh_ask', 'mesh_send', 'mesh_task']},
  }),
})
const probe = (version = '2026.9.6'): ExpectedCall[] => [
  {command: '/usr/bin/node', args: ['--version'], result: {exitCode: 0, stdout: 'v24.16.0\n'}},
  {command: oc, args: ['--version'], result: {exitCode: 0, stdout: `OpenClaw ${version} (abc1234)\n`}},
]

function deps(
  script: ExpectedCall[],
  store = createMemoryStateStore(),
  secrets = createMemorySecretStore(),
  http?: HttpClient,
) {
  const env = {
    HOME: path.join(dir, 'home'),
    CLAW_MESH_HOME: path.join(dir, 'cm'),
    OPENCLAW_CONFIG_PATH: configPath,
    CLAW_MESH_OPENCLAW: oc,
  }
  const runner = scriptedRunner(script)
  return {
    runner,
    store,
    secrets,
    deps: createDeps({
      env,
      platform: 'linux',
      runner,
      store,
      secrets,
      lookPath: (n) => (n === 'node' ? '/usr/bin/node' : undefined),
      io: createTestIOStreams().io,
      ...(http ? {http} : {}),
      loopbackListeners: async () => ({pids: [], ours: false}) as never,
    }),
  }
}

/** What `openclaw config set plugins.entries.claw-mesh.config …` does to the file. */
function setPluginConfig(args: string[]) {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as {
    plugins?: {entries?: Record<string, {config?: unknown}>}
  }
  ;((config.plugins ??= {}).entries ??= {})['claw-mesh'] = {config: JSON.parse(args[3])}
  writeFileSync(configPath, JSON.stringify(config), {mode: 0o600})
}

describe('gateway configure installs the mesh plugin as bootstrap does', () => {
  it('installs it, then a re-run leaves it alone; --dry-run only says what it would do', async () => {
    const validate: ExpectedCall = {
      command: oc,
      args: ['config', 'validate', '--json'],
      result: {exitCode: 0, stdout: '{"valid": true}'},
    }
    const first = deps([
      validate,
      ...probe(),
      {command: oc, args: INSPECT, result: {exitCode: 1, stdout: 'Plugin not found: claw-mesh'}},
      {command: oc, args: ['plugins', 'install', pluginDir, '--force', '--accept-capabilities'], result: {exitCode: 0}},
      {command: oc, args: (a) => a[0] === 'config' && a[1] === 'set', onCall: setPluginConfig, result: {exitCode: 0}},
      {command: oc, args: INSPECT, result: loaded()},
    ])
    const r = await configureGatewayAndPlugin(first.deps, {}, {dir: pluginDir})
    expect(r.meshPlugin).toEqual({
      action: 'installed',
      detail: 'version 0.1.0 loaded with mesh_peers, mesh_ask, mesh_send, mesh_task',
    })
    expect(JSON.parse(readFileSync(configPath, 'utf8')).plugins.entries['claw-mesh'].config).toEqual({
      auditDir: path.join(dir, 'cm'),
    })

    const again = deps([...probe(), {command: oc, args: INSPECT, result: loaded()}], first.store, first.secrets)
    const r2 = await configureGatewayAndPlugin(again.deps, {}, {dir: pluginDir})
    expect(r2.changed).toBe(false)
    expect(r2.meshPlugin?.action).toBe('unchanged')
    expect(renderConfigure(r2, false)).toContain('Mesh plugin: unchanged — version 0.1.0 loaded')

    // An older plugin installed: the dry run names the update and runs nothing that changes anything.
    const dry = deps([...probe(), {command: oc, args: INSPECT, result: loaded('0.0.9')}], first.store, first.secrets)
    const r3 = await configureGatewayAndPlugin(dry.deps, {dryRun: true}, {dir: pluginDir})
    expect(r3.meshPlugin).toEqual({
      action: 'updated',
      detail: 'would run openclaw plugins install (version 0.1.0, replacing 0.0.9)',
    })
    expect(renderConfigure(r3, false)).toContain('Mesh plugin: would be updated — would run openclaw plugins install')
  })

  it('an OpenClaw that cannot load the plugin is noted and skipped, not an error', async () => {
    const old = deps([
      {command: oc, args: ['config', 'validate', '--json'], result: {exitCode: 0, stdout: '{"valid": true}'}},
      ...probe('2026.8.1'),
      {command: oc, args: INSPECT, result: {exitCode: 1}},
    ])
    const r = await configureGatewayAndPlugin(old.deps, {}, {dir: pluginDir})
    expect(r.meshPlugin?.action).toBe('unsupported')
    expect(r.notes.join('\n')).toContain('mesh tools not installed: OpenClaw 2026.8.1 is older than 2026.9.6')
  })
})

describe("bootstrap's re-run asks the running gateway, not OpenClaw, whether the plugin is current", () => {
  const AGENT_CARD = 'http://127.0.0.1:18789/.well-known/agent-card.json'
  const MESH_CARD = 'http://127.0.0.1:18789/claw-mesh/v1/card'
  const agentCard = (version: string) => ({
    name: 'OpenClaw',
    version,
    supportedInterfaces: [{url: 'http://127.0.0.1:18789/a2a/v1', protocolBinding: 'JSONRPC', protocolVersion: '1.0'}],
    skills: [{id: 'main'}],
  })
  const meshCard = (pluginVersion: string, openclawVersion?: string) => ({
    name: 'nova',
    clawMesh: {caps: [], pluginVersion, ...(openclawVersion ? {openclawVersion} : {})},
  })
  /** openclaw.json as a provisioned host has it: the plugin's config as claw-mesh wrote it. */
  const provisioned = () => {
    mkdirSync(path.dirname(configPath), {recursive: true})
    writeFileSync(
      configPath,
      JSON.stringify({
        gateway: {port: 18789},
        plugins: {entries: {'claw-mesh': {config: {auditDir: path.join(dir, 'cm')}}}},
      }),
      {mode: 0o600},
    )
  }

  it('the card shows this version loaded in a supported OpenClaw: current, one request, no openclaw process', async () => {
    provisioned()
    const http = httpStubs().on('GET', MESH_CARD, {body: meshCard('0.1.0', '2026.9.6')})
    const d = deps([], undefined, undefined, http.client)
    const s = await meshPluginStatus(d.deps, undefined, pluginDir, {}, {viaGateway: true})
    expect(s.plan).toEqual({steps: []})
    expect(s.configStale).toBe(false)
    expect(s.openclawVersion).toBe('2026.9.6')
    expect(s.observed).toMatchObject({installed: true, version: '0.1.0', enabled: true, status: 'loaded'})
    expect(d.runner.calls).toEqual([])
    expect(http.urls()).toEqual([MESH_CARD])
  })

  it("an older plugin's card without the OpenClaw release: OpenClaw's Agent Card names it", async () => {
    provisioned()
    const http = httpStubs()
      .on('GET', MESH_CARD, {body: meshCard('0.1.0')})
      .on('GET', AGENT_CARD, {body: agentCard('2026.9.6')})
    const d = deps([], undefined, undefined, http.client)
    const s = await meshPluginStatus(d.deps, undefined, pluginDir, {}, {viaGateway: true})
    expect(s.plan).toEqual({steps: []})
    expect(d.runner.calls).toEqual([])
  })

  it('the gateway listens where it was started (state.json), not where openclaw.json now says', async () => {
    provisioned()
    const store = createMemoryStateStore()
    store.update((st) => void (st.gateway = {configPath, port: 18789, appliedPort: 18800} as never))
    const http = httpStubs().on('GET', 'http://127.0.0.1:18800/claw-mesh/v1/card', {
      body: meshCard('0.1.0', '2026.9.6'),
    })
    const d = deps([], store, undefined, http.client)
    expect((await meshPluginStatus(d.deps, undefined, pluginDir, {}, {viaGateway: true})).plan).toEqual({steps: []})
  })

  for (const [what, stubs] of [
    ['another plugin version loaded', [[MESH_CARD, {body: meshCard('0.0.9', '2026.9.6')}]]],
    ['no claw-mesh card (the plugin is off)', [[MESH_CARD, {status: 404, body: 'Not Found'}]]],
    ['an OpenClaw the plugin does not support', [[MESH_CARD, {body: meshCard('0.1.0', '2026.11.1')}]]],
    ['a gateway still starting', [[MESH_CARD, {status: 503, body: 'starting'}]]],
    [
      'an older card and no Agent Card (no A2A peer yet)',
      [
        [MESH_CARD, {body: meshCard('0.1.0')}],
        [AGENT_CARD, {status: 404, body: 'Not Found'}],
      ],
    ],
    ['the gateway down', [[MESH_CARD, 'refused']]],
  ] as const) {
    it(`${what}: OpenClaw itself is asked, as without a gateway`, async () => {
      provisioned()
      const http = httpStubs()
      for (const [url, reply] of stubs) http.on('GET', url, reply)
      const d = deps(
        [...probe(), {command: oc, args: INSPECT, result: loaded('0.0.9')}],
        undefined,
        undefined,
        http.client,
      )
      const s = await meshPluginStatus(d.deps, undefined, pluginDir, {}, {viaGateway: true})
      expect(s.observed.version).toBe('0.0.9')
      expect(s.plan.steps).toEqual(['install'])
    })
  }
})
