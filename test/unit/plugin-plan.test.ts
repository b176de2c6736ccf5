import {describe, expect, it} from 'vitest'
import {
  parsePluginInspect,
  planPlugin,
  pluginHealth,
  pluginInstallArgs,
  pluginSupportProblem,
} from '../../src/core/mesh/plugin-plan.js'

const TOOLS = ['mesh_peers', 'mesh_ask', 'mesh_send', 'mesh_task']

describe('planning the plugin install', () => {
  it.each<[string, Parameters<typeof planPlugin>[0], string | undefined, string[]]>([
    ['absent', {installed: false}, '2026.9.6', ['install']],
    [
      'current and loaded: nothing to do',
      {installed: true, version: '0.2.0', enabled: true, status: 'loaded'},
      '2026.9.6',
      [],
    ],
    ['an older version', {installed: true, version: '0.1.0', enabled: true, status: 'loaded'}, '2026.9.6', ['install']],
    [
      'current but disabled',
      {installed: true, version: '0.2.0', enabled: false, status: 'disabled'},
      '2026.9.6',
      ['enable'],
    ],
    [
      'current but failing to load',
      {installed: true, version: '0.2.0', enabled: true, status: 'error'},
      '2026.9.6',
      ['install'],
    ],
    [
      'left disabled by an uninstall',
      {installed: true, version: '0.1.0', enabled: false},
      '2026.9.12',
      ['install', 'enable'],
    ],
  ])('%s', (_name, observed, openclaw, steps) => {
    expect(planPlugin(observed, '0.2.0', openclaw)).toEqual({steps})
  })

  it.each([
    ['2026.8.30', 'older than 2026.9.6'],
    ['2026.10.1', 'newer than the releases'],
    [undefined, 'unknown'],
  ])('OpenClaw %s cannot take it: %s', (version, text) => {
    expect(pluginSupportProblem(version)).toContain(text)
    expect(planPlugin({installed: false}, '0.2.0', version).steps).toEqual([])
  })

  it("installs unattended with OpenClaw's own command", () => {
    expect(pluginInstallArgs('/p/openclaw-plugin')).toEqual([
      'plugins',
      'install',
      '/p/openclaw-plugin',
      '--force',
      '--accept-capabilities',
    ])
  })
})

describe('reading plugins inspect', () => {
  it('reads the runtime facts', () => {
    const out = `warning line\n${JSON.stringify({plugin: {version: '0.2.0', enabled: true, status: 'loaded', toolNames: TOOLS}})}`
    expect(parsePluginInspect(out, 0)).toEqual({
      installed: true,
      version: '0.2.0',
      enabled: true,
      status: 'loaded',
      toolNames: TOOLS,
      error: undefined,
    })
  })
  it('a non-zero exit is "not installed" with the reason', () => {
    expect(parsePluginInspect('Plugin not found: claw-mesh', 1)).toEqual({
      installed: false,
      error: 'Plugin not found: claw-mesh',
    })
  })
})

describe('doctor on the plugin', () => {
  it.each<[string, Parameters<typeof pluginHealth>[0], boolean, string]>([
    [
      'healthy',
      {installed: true, version: '0.2.0', enabled: true, status: 'loaded', toolNames: TOOLS},
      true,
      'version 0.2.0 loaded',
    ],
    ['absent', {installed: false}, false, 'not installed'],
    ['disabled', {installed: true, version: '0.2.0', enabled: false}, false, 'disabled'],
    [
      'not loading',
      {installed: true, version: '0.2.0', enabled: true, status: 'error', error: 'compat'},
      false,
      'does not load (error: compat)',
    ],
    [
      'a tool missing',
      {installed: true, version: '0.2.0', enabled: true, status: 'loaded', toolNames: TOOLS.slice(1)},
      false,
      'without mesh_peers',
    ],
    [
      'stale',
      {installed: true, version: '0.1.0', enabled: true, status: 'loaded', toolNames: TOOLS},
      false,
      'this claw-mesh ships 0.2.0',
    ],
  ])('%s', (_name, observed, ok, detail) => {
    const h = pluginHealth(observed, '0.2.0')
    expect(h.ok).toBe(ok)
    expect(h.detail).toContain(detail)
  })
})
