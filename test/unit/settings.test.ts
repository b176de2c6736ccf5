import {describe, expect, it} from 'vitest'
import {UsageError} from '../../src/core/common/errors.js'
import {
  appliedGatewayPortSetting,
  configuredGatewayPortSetting,
  gatewayConfigPathSetting,
  gatewayExposureSetting,
  gatewayPortSetting,
  keychainTimeoutSetting,
  loginServerSetting,
  magicDnsSuffixSetting,
  resolveSettings,
  secretBackendSetting,
  tailscaleSocketSetting,
  type SettingsInput,
} from '../../src/core/common/settings.js'

const base: SettingsInput = {env: {}, platform: {id: 'linux'}, stateDir: '/home/u/.claw-mesh'}
const input = (over: Partial<SettingsInput>): SettingsInput => ({...base, ...over})

describe('tailscale socket: flag, then $CLAW_MESH_TAILSCALE_SOCKET, then recorded, then own daemon when a mode is asked, then the OS default', () => {
  const cases: [string, Partial<SettingsInput>, string | undefined, string][] = [
    ['nothing given: the OS default', {}, undefined, 'default'],
    [
      'flag wins over everything',
      {
        flags: {socket: '/f.sock'},
        env: {CLAW_MESH_TAILSCALE_SOCKET: '/e.sock'},
        state: {tailscale: {socket: '/s.sock'}},
      },
      '/f.sock',
      'flag',
    ],
    [
      'env wins over recorded',
      {env: {CLAW_MESH_TAILSCALE_SOCKET: '/e.sock'}, state: {tailscale: {socket: '/s.sock'}}},
      '/e.sock',
      '$CLAW_MESH_TAILSCALE_SOCKET',
    ],
    [
      'empty env counts as unset',
      {env: {CLAW_MESH_TAILSCALE_SOCKET: ''}, state: {tailscale: {socket: '/s.sock'}}},
      '/s.sock',
      'state',
    ],
    [
      'recorded wins over the networking mode',
      {env: {CLAW_MESH_TAILSCALE_NETWORKING: 'userspace'}, state: {tailscale: {socket: '/s.sock'}}},
      '/s.sock',
      'state',
    ],
    [
      'networking env asks for our own daemon',
      {env: {CLAW_MESH_TAILSCALE_NETWORKING: 'userspace'}},
      '/home/u/.claw-mesh/tailscaled.sock',
      '$CLAW_MESH_TAILSCALE_NETWORKING',
    ],
    [
      'networking flag asks for our own daemon',
      {flags: {networking: 'kernel'}},
      '/home/u/.claw-mesh/tailscaled.sock',
      'flag',
    ],
    ['auto is not our own daemon', {flags: {networking: 'auto'}}, undefined, 'default'],
    [
      'no own daemon on Windows',
      {platform: {id: 'win32'}, env: {CLAW_MESH_TAILSCALE_NETWORKING: 'userspace'}},
      undefined,
      'default',
    ],
  ]
  it.each(cases)('%s', (_name, over, value, source) => {
    expect(tailscaleSocketSetting(input(over))).toEqual({value, source})
  })
  it('refuses a bad $CLAW_MESH_TAILSCALE_NETWORKING, naming the variable', () => {
    expect(() => tailscaleSocketSetting(input({env: {CLAW_MESH_TAILSCALE_NETWORKING: 'tun'}}))).toThrow(
      /CLAW_MESH_TAILSCALE_NETWORKING="tun" is not one of auto, kernel, userspace/,
    )
  })
})

describe('gateway port', () => {
  const state = {gateway: {port: 18800, appliedPort: 18801}}
  const cases: [string, Partial<SettingsInput>, number, string][] = [
    ['default', {}, 18789, 'default'],
    ['openclaw.json when nothing is recorded', {openclawConfig: {port: 19000}}, 19000, 'openclaw.json'],
    ['recorded wins over openclaw.json', {state, openclawConfig: {port: 19000}}, 18800, 'state'],
    ['flag wins', {flags: {port: 20000}, state, openclawConfig: {port: 19000}}, 20000, 'flag'],
  ]
  it.each(cases)('configured by claw-mesh: %s', (_name, over, value, source) => {
    expect(gatewayPortSetting(input(over))).toEqual({value, source})
  })
  it('refuses a flag out of range, naming it', () => {
    expect(() => gatewayPortSetting(input({flags: {port: 70000}}))).toThrow(/--port 70000 is out of range/)
  })
  const listen: [string, Partial<SettingsInput>, number, number, string][] = [
    ['nothing read, nothing recorded', {}, 18789, 18789, 'default'],
    ['not read: the recorded port', {state: {gateway: {port: 18800}}}, 18800, 18800, 'state'],
    [
      'read: the file wins over state',
      {state: {gateway: {port: 18800}}, openclawConfig: {port: 19000}},
      19000,
      19000,
      'openclaw.json',
    ],
    [
      'read without a port: OpenClaw default, not state',
      {state: {gateway: {port: 18800}}, openclawConfig: {}},
      18789,
      18789,
      'default',
    ],
  ]
  it.each(listen)('as openclaw.json says, and applied: %s', (_name, over, configured, applied, source) => {
    expect(configuredGatewayPortSetting(input(over))).toEqual({value: configured, source})
    expect(appliedGatewayPortSetting(input(over))).toEqual({value: applied, source})
  })
  it('the port the gateway was started with wins for the running port', () => {
    expect(appliedGatewayPortSetting(input({state, openclawConfig: {port: 19000}}))).toEqual({
      value: 18801,
      source: 'state',
    })
  })
})

describe('exposure, config path, login server, MagicDNS suffix', () => {
  it('exposure: flag, recorded, tailnet; a bad flag is named', () => {
    expect(gatewayExposureSetting(input({}))).toEqual({value: 'tailnet', source: 'default'})
    expect(gatewayExposureSetting(input({state: {gateway: {expose: 'serve'}}}))).toEqual({
      value: 'serve',
      source: 'state',
    })
    expect(gatewayExposureSetting(input({flags: {expose: 'lan'}, state: {gateway: {expose: 'serve'}}}))).toEqual({
      value: 'lan',
      source: 'flag',
    })
    expect(() => gatewayExposureSetting(input({flags: {expose: 'wan'}}))).toThrow(/--expose "wan" is not one of/)
  })
  it('config path: recorded, else where OpenClaw keeps it', () => {
    expect(gatewayConfigPathSetting(input({openclawConfig: {path: '/o.json'}}))).toEqual({
      value: '/o.json',
      source: 'openclaw.json',
    })
    expect(
      gatewayConfigPathSetting(input({state: {gateway: {configPath: '/r.json'}}, openclawConfig: {path: '/o.json'}})),
    ).toEqual({value: '/r.json', source: 'state'})
  })
  it('login server: flag, env, recorded; a bad env value names the variable', () => {
    const state = {tailscale: {loginServer: 'https://rec.example'}}
    expect(loginServerSetting(input({state}))).toEqual({value: 'https://rec.example', source: 'state'})
    expect(loginServerSetting(input({state, env: {CLAW_MESH_LOGIN_SERVER: 'https://env.example/'}}))).toEqual({
      value: 'https://env.example',
      source: '$CLAW_MESH_LOGIN_SERVER',
    })
    expect(
      loginServerSetting(
        input({
          state,
          flags: {loginServer: 'https://flag.example'},
          env: {CLAW_MESH_LOGIN_SERVER: 'https://env.example'},
        }),
      ),
    ).toEqual({value: 'https://flag.example', source: 'flag'})
    expect(loginServerSetting(input({}))).toEqual({value: undefined, source: 'default'})
    expect(() => loginServerSetting(input({env: {CLAW_MESH_LOGIN_SERVER: 'ftp://x'}}))).toThrow(
      /CLAW_MESH_LOGIN_SERVER must be an http\(s\) URL/,
    )
  })
  it('MagicDNS suffix: the observed status, else recorded at join, else none', () => {
    expect(magicDnsSuffixSetting(input({}))).toEqual({value: undefined, source: 'default'})
    expect(magicDnsSuffixSetting(input({state: {tailscale: {magicDNSSuffix: 'mesh.test'}}}))).toEqual({
      value: 'mesh.test',
      source: 'state',
    })
    expect(
      magicDnsSuffixSetting(
        input({state: {tailscale: {magicDNSSuffix: 'old.test'}}, tailscaleStatus: {magicDNSSuffix: 'mesh.test'}}),
      ),
    ).toEqual({value: 'mesh.test', source: 'tailscale status'})
    expect(
      magicDnsSuffixSetting(
        input({state: {tailscale: {magicDNSSuffix: 'mesh.test'}}, tailscaleStatus: {magicDNSSuffix: null}}),
      ),
    ).toEqual({value: 'mesh.test', source: 'state'})
  })
})

describe('secret store and keychain timeout', () => {
  const cases: [string, Partial<SettingsInput>, string, string][] = [
    ['default auto', {}, 'auto', 'default'],
    ['recorded', {state: {secrets: {backend: 'file', names: []}}}, 'file', 'state'],
    [
      'env over recorded',
      {env: {CLAW_MESH_SECRET_STORE: 'keychain'}, state: {secrets: {backend: 'file', names: []}}},
      'keychain',
      '$CLAW_MESH_SECRET_STORE',
    ],
    ['flag over env', {flags: {secretStore: 'file'}, env: {CLAW_MESH_SECRET_STORE: 'keychain'}}, 'file', 'flag'],
  ]
  it.each(cases)('backend: %s', (_name, over, value, source) => {
    expect(secretBackendSetting(input(over))).toEqual({value, source})
  })
  it('refuses a bad $CLAW_MESH_SECRET_STORE with a UsageError naming it', () => {
    const error = (() => {
      try {
        secretBackendSetting(input({env: {CLAW_MESH_SECRET_STORE: 'vault'}}))
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(UsageError)
    expect((error as UsageError).message).toBe('CLAW_MESH_SECRET_STORE="vault" is not one of auto, keychain, file.')
    expect((error as UsageError).hint).toMatch(/auto, keychain or file/)
  })
  it.each([
    ['', undefined],
    ['30000', 30000],
  ] as const)('keychain timeout %j → %j', (value, ms) => {
    expect(keychainTimeoutSetting(input({env: {CLAW_MESH_KEYCHAIN_TIMEOUT_MS: value}}))).toBe(ms)
  })
  it.each(['abc', '0', '-5', '1.5', '30s'])('refuses $CLAW_MESH_KEYCHAIN_TIMEOUT_MS=%j, naming it', (value) => {
    expect(() => keychainTimeoutSetting(input({env: {CLAW_MESH_KEYCHAIN_TIMEOUT_MS: value}}))).toThrow(
      /^CLAW_MESH_KEYCHAIN_TIMEOUT_MS=.* is not a whole number of milliseconds\.$/,
    )
  })
})

describe('resolveSettings', () => {
  it('resolves every setting at once, with where each came from', () => {
    const s = resolveSettings(
      input({
        flags: {port: 18900},
        env: {CLAW_MESH_TAILSCALE: '/opt/ts', CLAW_MESH_OPENCLAW: '/opt/oc', CLAW_MESH_KEYCHAIN_TIMEOUT_MS: '5000'},
        state: {
          tailscale: {socket: '/s.sock', magicDNSSuffix: 'mesh.test'},
          gateway: {expose: 'serve', configPath: '/r.json'},
        },
        openclawConfig: {path: '/o.json', port: 19000},
      }),
    )
    expect(s).toEqual({
      tailscaleSocket: {value: '/s.sock', source: 'state'},
      tailscaleNetworking: {value: undefined, source: 'default'},
      tailscaleCli: '/opt/ts',
      openclawBin: '/opt/oc',
      loginServer: {value: undefined, source: 'default'},
      magicDnsSuffix: {value: 'mesh.test', source: 'state'},
      gateway: {
        configPath: {value: '/r.json', source: 'state'},
        port: {value: 18900, source: 'flag'},
        configuredPort: {value: 19000, source: 'openclaw.json'},
        appliedPort: {value: 19000, source: 'openclaw.json'},
        exposure: {value: 'serve', source: 'state'},
      },
      secretBackend: {value: 'auto', source: 'default'},
      keychainTimeoutMs: 5000,
    })
  })
})
