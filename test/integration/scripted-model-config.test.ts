import {readFileSync, writeFileSync} from 'node:fs'
import JSON5 from 'json5'
import {beforeAll, describe, expect, it} from 'vitest'
import {buildCli, freePort, openclawForTests, requireOrSkip, runCli, runTool, sandbox} from '../helpers/openclaw.js'
import {configureScriptedModel} from '../helpers/scripted-model.js'

/**
 * The scripted model declared in openclaw.json is what the real OpenClaw accepts (`openclaw config validate`), and
 * survives `claw-mesh gateway configure` in either order, the user's own keys kept.
 */
const oc = openclawForTests()
const ready = requireOrSkip('OpenClaw (config validate)', oc)
const OC = oc as Extract<typeof oc, {ok: true}>
const MINE =
  '// set up by hand\n{\n  agents: {defaults: {workspace: "/srv/agent", model: "anthropic/claude"}},\n  gateway: {mode: "local"},\n}\n'

describe.skipIf(!ready)('scripted model in openclaw.json', () => {
  beforeAll(() => buildCli(), 120_000)

  const validate = async (env: Record<string, string>) => {
    const r = await runTool(OC.bin, ['config', 'validate', '--json'], {env})
    return {exitCode: r.exitCode, out: JSON.parse(r.stdout || '{}') as {valid?: boolean; issues?: unknown}}
  }

  it('is valid to the real validator and keeps every other key', async () => {
    const s = await sandbox(OC, 'model-config')
    writeFileSync(s.configPath, MINE, {mode: 0o600})
    configureScriptedModel(s.configPath, 'http://127.0.0.1:41000/v1', {provider: 'scripted', model: 'echo'})
    const config = JSON5.parse(readFileSync(s.configPath, 'utf8'))
    expect(config.agents.defaults).toMatchObject({workspace: '/srv/agent', model: {primary: 'scripted/echo'}})
    expect(config.models.providers.scripted).toMatchObject({
      baseUrl: 'http://127.0.0.1:41000/v1',
      api: 'openai-completions',
      models: [{id: 'echo'}],
    })
    expect(config.gateway).toEqual({mode: 'local'})
    expect(await validate(s.env)).toEqual({exitCode: 0, out: expect.objectContaining({valid: true})})
  })

  it('survives claw-mesh gateway configure written before it, and can be written after it', async () => {
    const before = await sandbox(OC, 'model-before')
    const port = await freePort()
    writeFileSync(before.configPath, MINE, {mode: 0o600})
    configureScriptedModel(before.configPath, 'http://127.0.0.1:41001/v1')
    const run = await runCli(
      OC,
      ['gateway', 'configure', '--no-plugin', '--port', String(port), '--secret-store', 'file', '--json'],
      {env: before.env},
    )
    expect(run.exitCode, run.stderr).toBe(0)
    const kept = JSON5.parse(readFileSync(before.configPath, 'utf8'))
    expect(kept.models.providers.scripted.baseUrl).toBe('http://127.0.0.1:41001/v1')
    expect(kept.agents.defaults.model.primary).toBe('scripted/echo')
    expect(kept.gateway.port).toBe(port)

    const after = await sandbox(OC, 'model-after')
    writeFileSync(after.configPath, MINE, {mode: 0o600})
    const run2 = await runCli(
      OC,
      ['gateway', 'configure', '--no-plugin', '--port', String(port), '--secret-store', 'file', '--json'],
      {env: after.env},
    )
    expect(run2.exitCode, run2.stderr).toBe(0)
    const configured = readFileSync(after.configPath, 'utf8')
    configureScriptedModel(after.configPath, 'http://127.0.0.1:41002/v1')
    const both = JSON5.parse(readFileSync(after.configPath, 'utf8'))
    expect(both.gateway).toMatchObject(JSON5.parse(configured).gateway)
    expect(both.agents.defaults.model.primary).toBe('scripted/echo')
    expect(await validate(after.env)).toEqual({exitCode: 0, out: expect.objectContaining({valid: true})})
  })
})
