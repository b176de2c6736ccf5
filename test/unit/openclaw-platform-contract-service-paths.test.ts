import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {serviceProfile} from '../../src/core/openclaw/openclaw-service-name.js'
import {createDeps} from '../../src/deps.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {darwinGateway} from '../../src/platform/gateway-darwin.js'
import {linuxGateway} from '../../src/platform/gateway-linux.js'
import {win32Gateway} from '../../src/platform/gateway-win32.js'
import {gatewayStatus} from '../../src/services/gateway/status.js'
import {openclawInternal, openclawInternalsUnavailable} from '../helpers/openclaw-internals.js'
import {scriptedRunner} from '../helpers/fakes/runner.js'
import {liveGateways, tempDir} from '../helpers/fakes/index.js'

/**
 * Contract (issue 17, M10): claw-mesh looks for OpenClaw's gateway service where OpenClaw itself puts it. OpenClaw
 * puts the LaunchAgent in $HOME/Library/LaunchAgents (resolveDaemonHomeDir: HOME, never OPENCLAW_HOME) under a label
 * from OPENCLAW_PROFILE, where "default" in any case means no profile. Called in-process from the installed package.
 */
const unavailable = openclawInternalsUnavailable()
const PROFILES = [undefined, 'default', 'Default', 'DEFAULT', ' default ', 'work', 'Work', ' work ']

describe.skipIf(unavailable !== undefined)(
  "OpenClaw's service names and paths, as claw-mesh computes them",
  {timeout: 60_000},
  () => {
    it.each(PROFILES)('profile %j: the LaunchAgent label and systemd unit', async (profile) => {
      const label = await openclawInternal<(p?: string) => string>('constants', 'resolveGatewayLaunchAgentLabel')
      const unit = await openclawInternal<(p?: string) => string>('constants', 'resolveGatewaySystemdServiceName')
      expect(path.posix.basename(darwinGateway.serviceLocation('/Users/nova', profile), '.plist')).toBe(label(profile))
      expect(path.posix.basename(linuxGateway.serviceLocation('/home/nova', profile))).toBe(`${unit(profile)}.service`)
      expect(serviceProfile(profile) === undefined).toBe(label(profile) === 'ai.openclaw.gateway')
    })

    it.each(PROFILES)('profile %j: the Windows task name', async (profile) => {
      const task = await openclawInternal<(p?: string) => string>('constants', 'resolveGatewayWindowsTaskName')
      expect(win32Gateway.serviceLocation('C:\\Users\\nova', profile)).toBe(task(profile))
    })

    it.each([
      ['OPENCLAW_HOME elsewhere', {OPENCLAW_HOME: 'VOLUME/oc'}],
      ['OPENCLAW_PROFILE=Default', {OPENCLAW_PROFILE: 'Default'}],
      ['OPENCLAW_PROFILE=work and OPENCLAW_HOME', {OPENCLAW_PROFILE: 'work', OPENCLAW_HOME: 'VOLUME/oc'}],
    ])('%s: gateway status finds the LaunchAgent OpenClaw installed', async (_why, extra) => {
      const dir = tempDir('service-path').path
      const env: Record<string, string> = {
        HOME: path.join(dir, 'home'),
        CLAW_MESH_HOME: path.join(dir, 'cm'),
        PATH: '/nonexistent',
      }
      for (const [k, v] of Object.entries(extra)) env[k] = v.replace('VOLUME', dir)
      // Where OpenClaw's own code puts the plist for this environment.
      const plistPath = await openclawInternal<(env: NodeJS.ProcessEnv) => string>(
        'launchd-service-files',
        'resolveLaunchAgentPlistPath',
      )
      const theirs = plistPath(env)
      mkdirSync(path.dirname(theirs), {recursive: true})
      writeFileSync(theirs, '<plist/>')
      const uid = process.getuid?.() ?? 0
      const runner = scriptedRunner([{command: 'launchctl', args: ['print', `gui/${uid}`], result: {exitCode: 0}}])
      const deps = createDeps({
        env,
        platform: 'darwin',
        io: createTestIOStreams().io,
        runner,
        http: liveGateways().client,
        store: createMemoryStateStore({}),
        secrets: createMemorySecretStore(),
      })
      const status = await gatewayStatus(deps, {})
      expect(status.runner).toMatchObject({
        kind: 'service',
        serviceInstalled: true,
        detail: expect.stringContaining(theirs),
      })
    })
  },
)
