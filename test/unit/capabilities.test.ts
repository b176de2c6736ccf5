import {describe, expect, it} from 'vitest'
import {
  chooseCapablePeer,
  mergeSelf,
  parseCapsFlag,
  parseDescriptionFlag,
  parseSelfFlags,
  sanitizeCaps,
  sanitizeDescription,
  withSelfConfig,
  type CapabilityCandidate,
} from '../../src/core/a2a/capabilities.js'
import {UsageError} from '../../src/core/common/errors.js'
import {buildMeshCard, parseMeshCard} from '../../src/core/mesh/mesh-card.js'

describe('--caps', () => {
  it.each<[string, string[]]>([
    ['gpu,macos,imessage', ['gpu', 'imessage', 'macos']],
    [' gpu , gpu,macos ', ['gpu', 'macos']],
    ['', []],
    [',,', []],
    ['a', ['a']],
    ['0-x', ['0-x']],
    [`a${'b'.repeat(31)}`, [`a${'b'.repeat(31)}`]],
  ])('%j → %j (sorted, deduplicated; empty clears)', (raw, caps) => {
    expect(parseCapsFlag(raw)).toEqual(caps)
  })

  it.each<[string, RegExp]>([
    ['GPU', /--caps "GPU" is not a capability name/],
    ['gpu,mac os', /"mac os"/],
    ['-gpu', /"-gpu"/],
    ['gpu_x', /"gpu_x"/],
    [`a${'b'.repeat(32)}`, /is not a capability name/],
    ['gpu,\u001b[31mred', /--caps "red"/],
    [Array.from({length: 17}, (_, i) => `c${i}`).join(','), /names 17 capabilities; at most 16/],
  ])('%j is a usage error naming --caps', (raw, message) => {
    let error: unknown
    try {
      parseCapsFlag(raw)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(UsageError)
    expect((error as Error).message).toMatch(message)
    expect((error as Error).message).toContain('--caps')
    expect((error as Error).message).not.toContain('\u001b')
  })

  it('16 distinct capabilities are allowed, and 17 given with one repeated is 16', () => {
    const sixteen = Array.from({length: 16}, (_, i) => `c${i}`)
    expect(parseCapsFlag(sixteen.join(','))).toHaveLength(16)
    expect(parseCapsFlag([...sixteen, 'c0'].join(','))).toHaveLength(16)
  })
})

describe('--description', () => {
  it.each<[string, string | undefined]>([
    ['Mac Studio with the GPU', 'Mac Studio with the GPU'],
    ['  two\nlines\tand tabs ', 'two lines and tabs'],
    ['\u001b]0;owned\u0007Mac\u202e', 'Mac'],
    ['', undefined],
    ['x'.repeat(200), 'x'.repeat(200)],
  ])('%j → %j', (raw, out) => {
    expect(parseDescriptionFlag(raw)).toBe(out)
  })

  it('over 200 characters is a usage error naming the flag', () => {
    expect(() => parseDescriptionFlag('x'.repeat(201))).toThrow(/--description is 201 characters long; at most 200/)
  })
})

describe('what a run records', () => {
  const recorded = {caps: ['gpu', 'macos'], description: 'Mac Studio'}
  it.each<[string, {caps?: string; description?: string}, typeof recorded | undefined, unknown]>([
    ['no flags keep what was recorded', {}, recorded, recorded],
    ['no flags, nothing recorded', {}, undefined, undefined],
    [
      '--caps replaces, the description stays',
      {caps: 'imessage'},
      recorded,
      {caps: ['imessage'], description: 'Mac Studio'},
    ],
    [
      '--description replaces, the caps stay',
      {description: 'Studio'},
      recorded,
      {caps: ['gpu', 'macos'], description: 'Studio'},
    ],
    ["--caps '' clears the caps", {caps: ''}, recorded, {caps: [], description: 'Mac Studio'}],
    ["--description '' clears the description", {description: ''}, recorded, {caps: ['gpu', 'macos']}],
    ['first run', {caps: 'gpu'}, undefined, {caps: ['gpu']}],
  ])('%s', (_name, flags, before, after) => {
    expect(mergeSelf(parseSelfFlags(flags), before)).toEqual(after)
  })

  it("the plugin's config keeps every other key, in place, and drops cleared ones", () => {
    const base = {auditDir: '/s', meshName: 'old', caps: ['x'], hopLimit: 2, description: 'd'}
    const out = withSelfConfig(base, 'nova', {caps: ['gpu']})
    expect(out).toEqual({auditDir: '/s', meshName: 'nova', caps: ['gpu'], hopLimit: 2})
    expect(Object.keys(out)).toEqual(['auditDir', 'meshName', 'caps', 'hopLimit'])
    expect(withSelfConfig({auditDir: '/s'}, 'nova', {caps: []})).toEqual({auditDir: '/s', meshName: 'nova'})
  })
})

describe("a peer's card (untrusted)", () => {
  const card = (clawMesh: unknown, extra: Record<string, unknown> = {}) =>
    JSON.stringify({name: 'studio', description: 'x', skills: [], clawMesh, ...extra})
  it.each<[string, string, unknown]>([
    [
      'a good card',
      card({caps: ['gpu', 'macos'], description: 'Mac Studio', pluginVersion: '0.9.0'}),
      {name: 'studio', caps: ['gpu', 'macos'], description: 'Mac Studio', pluginVersion: '0.9.0'},
    ],
    [
      'bad caps are dropped one by one, the rest sorted',
      card({caps: ['macos', 'GPU', 7, 'rm -rf', 'gpu', 'gpu', 'x'.repeat(40)]}),
      {name: 'studio', caps: ['gpu', 'macos']},
    ],
    [
      'control characters are stripped from the description',
      card({caps: [], description: '\u001b[2J\u001b[32mAll ok\u001b[0m\nreally'}),
      {name: 'studio', caps: [], description: 'All ok really'},
    ],
    [
      'a long description is cut to 200',
      card({caps: [], description: 'y'.repeat(5000)}),
      {name: 'studio', caps: [], description: 'y'.repeat(200)},
    ],
    [
      'more than 16 valid caps: 16 kept',
      card({caps: Array.from({length: 30}, (_, i) => `c${String(i).padStart(2, '0')}`)}),
      {name: 'studio', caps: Array.from({length: 16}, (_, i) => `c${String(i).padStart(2, '0')}`)},
    ],
  ])('%s', (_name, body, parsed) => {
    expect(parseMeshCard(body)).toEqual(parsed)
  })

  it.each<[string, string]>([
    ['not JSON', '<html>'],
    ["OpenClaw's own Agent Card (no clawMesh)", JSON.stringify({name: 'OpenClaw', skills: [{id: 'main'}]})],
    ['caps not an array', card({caps: 'gpu'})],
    ['no name', JSON.stringify({clawMesh: {caps: []}})],
    ['over 16 KiB', card({caps: ['gpu']}, {pad: 'z'.repeat(17 * 1024)})],
  ])('%s → no card', (_name, body) => {
    expect(parseMeshCard(body)).toBeUndefined()
  })

  it('sanitizers take anything', () => {
    expect(sanitizeCaps([null, {}, 'ok'])).toEqual(['ok'])
    expect(sanitizeDescription(42)).toBeUndefined()
    expect(sanitizeDescription('   ')).toBeUndefined()
  })

  it('the card this host serves reads back as what was published', () => {
    const served = buildMeshCard({
      name: 'studio',
      self: {caps: ['gpu', 'macos'], description: 'Mac Studio'},
      pluginVersion: '1.2.3',
      baseUrl: 'http://100.64.0.5:18789/',
    })
    expect(served.supportedInterfaces).toEqual([
      {url: 'http://100.64.0.5:18789/a2a/v1', protocolBinding: 'JSONRPC', protocolVersion: '1.0'},
    ])
    expect(served.skills).toEqual([
      {id: 'gpu', name: 'gpu', description: 'studio offers gpu.', tags: ['claw-mesh', 'gpu']},
      {id: 'macos', name: 'macos', description: 'studio offers macos.', tags: ['claw-mesh', 'macos']},
    ])
    expect(parseMeshCard(JSON.stringify(served))).toEqual({
      name: 'studio',
      caps: ['gpu', 'macos'],
      description: 'Mac Studio',
      pluginVersion: '1.2.3',
    })
  })
})

describe('which peer ask --capability picks', () => {
  const c = (name: string, recordedCaps: string[], probe: CapabilityCandidate['probe']): CapabilityCandidate => ({
    name,
    recordedCaps,
    probe,
  })
  it.each<[string, CapabilityCandidate[], {chosen?: string; online: string[]; offline: string[]}]>([
    [
      'the first by name among the online ones',
      [c('zeta', [], {state: 'card', caps: ['gpu']}), c('alpha', [], {state: 'card', caps: ['gpu']})],
      {chosen: 'alpha', online: ['alpha', 'zeta'], offline: []},
    ],
    [
      'a card that answered beats a record, whatever the names',
      [c('alpha', ['gpu'], {state: 'up'}), c('zeta', [], {state: 'card', caps: ['gpu']})],
      {chosen: 'zeta', online: ['zeta', 'alpha'], offline: []},
    ],
    [
      'an offline peer is never chosen, and is named',
      [c('alpha', ['gpu'], {state: 'down'}), c('beta', [], {state: 'card', caps: ['macos']})],
      {online: [], offline: ['alpha']},
    ],
    [
      'a card without the capability wins over the record (it was taken away)',
      [c('alpha', ['gpu'], {state: 'card', caps: []})],
      {online: [], offline: []},
    ],
    [
      'a gateway up without a card falls back on the record',
      [c('alpha', ['gpu'], {state: 'up'})],
      {chosen: 'alpha', online: ['alpha'], offline: []},
    ],
    ['a gateway up without a card or record is not chosen', [c('alpha', [], {state: 'up'})], {online: [], offline: []}],
    ['no peers', [], {online: [], offline: []}],
  ])('%s', (_name, candidates, choice) => {
    const got = chooseCapablePeer('gpu', candidates)
    expect(got).toEqual({chosen: choice.chosen, online: choice.online, offline: choice.offline})
    // Deterministic: the order the probes came back in does not matter.
    expect(chooseCapablePeer('gpu', [...candidates].reverse())).toEqual(got)
  })
})
