import {describe, expect, it} from 'vitest'
import {resolveOpenClawPaths} from '../../src/core/openclaw/openclaw-config-paths.js'

const H = '/home/u'

// Expected values were read from the real `openclaw [--profile P] config file` (2026.9.6) with the same environment.
describe('resolveOpenClawPaths', () => {
  it.each<[string, NodeJS.ProcessEnv, string | undefined, string, string]>([
    ['default', {}, undefined, '/home/u/.openclaw/openclaw.json', 'default'],
    [
      'OPENCLAW_CONFIG_PATH wins over everything',
      {OPENCLAW_CONFIG_PATH: '/tmp/cp.json', OPENCLAW_STATE_DIR: '/tmp/sd'},
      undefined,
      '/tmp/cp.json',
      'OPENCLAW_CONFIG_PATH',
    ],
    [
      'OPENCLAW_STATE_DIR holds openclaw.json',
      {OPENCLAW_STATE_DIR: '/tmp/sd'},
      undefined,
      '/tmp/sd/openclaw.json',
      'OPENCLAW_STATE_DIR',
    ],
    [
      'OPENCLAW_HOME replaces the home',
      {OPENCLAW_HOME: '/tmp/oh'},
      undefined,
      '/tmp/oh/.openclaw/openclaw.json',
      'default',
    ],
    ['--profile uses ~/.openclaw-<name>', {}, 'work', '/home/u/.openclaw-work/openclaw.json', 'profile'],
    [
      '--profile under OPENCLAW_HOME',
      {OPENCLAW_HOME: '/tmp/oh'},
      'work',
      '/tmp/oh/.openclaw-work/openclaw.json',
      'profile',
    ],
    ['--profile default is ~/.openclaw', {}, 'default', '/home/u/.openclaw/openclaw.json', 'profile'],
    [
      'an explicit state dir wins over --profile',
      {OPENCLAW_STATE_DIR: '/tmp/sd'},
      'work',
      '/tmp/sd/openclaw.json',
      'OPENCLAW_STATE_DIR',
    ],
    [
      'a state dir that is just the inherited default is replaced by the profile',
      {OPENCLAW_STATE_DIR: '/home/u/.openclaw'},
      'work',
      '/home/u/.openclaw-work/openclaw.json',
      'profile',
    ],
    [
      'OPENCLAW_PROFILE alone does not move the files',
      {OPENCLAW_PROFILE: 'bar'},
      undefined,
      '/home/u/.openclaw/openclaw.json',
      'default',
    ],
    [
      '~ expands against the OpenClaw home',
      {OPENCLAW_CONFIG_PATH: '~/x/oc.json'},
      undefined,
      '/home/u/x/oc.json',
      'OPENCLAW_CONFIG_PATH',
    ],
    [
      'blank values are unset',
      {OPENCLAW_CONFIG_PATH: ' ', OPENCLAW_STATE_DIR: ''},
      undefined,
      '/home/u/.openclaw/openclaw.json',
      'default',
    ],
    [
      'OPENCLAW_HOME "undefined" is unset',
      {OPENCLAW_HOME: 'undefined'},
      undefined,
      '/home/u/.openclaw/openclaw.json',
      'default',
    ],
    [
      '~ in OPENCLAW_STATE_DIR expands against OPENCLAW_HOME',
      {OPENCLAW_HOME: '/tmp/oh', OPENCLAW_STATE_DIR: '~/sd'},
      undefined,
      '/tmp/oh/sd/openclaw.json',
      'OPENCLAW_STATE_DIR',
    ],
  ])('%s', (_name, env, profile, configPath, source) => {
    const p = resolveOpenClawPaths({env, osHome: H, profile})
    expect(p.configPath).toBe(configPath)
    expect(p.source).toBe(source)
  })

  it('refuses a profile name OpenClaw would refuse', () => {
    expect(() => resolveOpenClawPaths({env: {}, osHome: H, profile: '../etc'})).toThrowError(
      /--profile "..\/etc" is not a valid OpenClaw profile name/,
    )
  })

  it('uses Windows paths on Windows', () => {
    expect(resolveOpenClawPaths({env: {}, osHome: 'C:\\Users\\u', windows: true}).configPath).toBe(
      'C:\\Users\\u\\.openclaw\\openclaw.json',
    )
  })
})
