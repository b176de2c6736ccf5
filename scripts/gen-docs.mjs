#!/usr/bin/env node
// Writes the parts of the docs that come from the code, between `<!-- generated:NAME -->` and
// `<!-- end generated:NAME -->` markers: the doctor check table (docs/doctor.md, from the check catalog), the
// secret entries (docs/secrets.md, from SECRET_NAMES), the --json shapes (docs/json.md, from the zod schemas)
// and the README's exit-code table (from ExitCode and each command's `static exitCodes`). Reads the built code in
// dist/, so run `npm run build` first.
// `--check` writes nothing and exits 1 when a file is stale (test/integration/generated-docs.test.ts runs it).
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const dist = (p) => import(path.join(ROOT, 'dist', p))

const {CHECKS} = await dist('core/checks/catalog.js')
const {CHECK_GROUPS} = await dist('core/checks/types.js')
const {SECRET_NAMES} = await dist('infra/secrets/types.js')
const {PROBE_NAME} = await dist('infra/secrets/keychain.js')
const {jsonSchemas, errorDocumentSchema} = await dist('core/common/json-schemas.js')
const z = await import('zod')
const {ExitCode, EXIT_CODE_MEANING} = await dist('core/common/errors.js')

const PLATFORM_NAMES = {linux: 'Linux', darwin: 'macOS', win32: 'Windows'}
const cell = (text) => String(text).replaceAll('|', '\\|')

function doctorTable() {
  const rows = ['| check id | group | what it checks | platforms | runs |', '|---|---|---|---|---|']
  for (const group of CHECK_GROUPS) {
    for (const c of CHECKS.filter((x) => x.group === group)) {
      const platforms =
        c.platforms.length === Object.keys(PLATFORM_NAMES).length
          ? 'all'
          : c.platforms.map((p) => PLATFORM_NAMES[p]).join(', ')
      rows.push(`| \`${c.id}\` | ${group} | ${cell(c.title)} | ${platforms} | ${c.perPeer ? 'per peer' : 'once'} |`)
    }
  }
  return rows.join('\n')
}

/**
 * What each entry of the secret store holds. Keyed like SECRET_NAMES: a name added there without a line here (or
 * a line left here after its name went) stops this script, so the table cannot fall behind the code.
 */
const SECRET_DOCS = {
  gatewayToken: [
    'the gateway token (operator access over WebSocket); the only entry OpenClaw reads, through its SecretRef',
    'bootstrap, `gateway configure`; `token rotate --gateway`',
  ],
  hooksToken: [
    "the hooks token peers use to wake this host's agent (`/hooks/agent`, `/hooks/wake`); in a fleet, derived from the mesh secret and this host's name",
    'bootstrap, `gateway configure`; `token rotate --hooks`',
  ],
  meshSecret: [
    "the fleet's mesh secret, from which each pair's A2A tokens and each host's hooks token are derived; never sent",
    '`bootstrap --mesh-secret`, `peer discover`',
  ],
  alertWebhook: [
    "the watchdog's webhook URL (a credential: anyone holding it can post); `state.json` says `webhook:stored`",
    '`bootstrap --alert`, `watchdog install --alert`',
  ],
  peer: [
    "a hooks-only peer's hooks token (v1 invites, `peer add URL --hooks-token`)",
    '`peer add`; removed by `peer remove`',
  ],
  a2aIn: [
    'the A2A token this peer presents here (also `channels.a2a.peers.<name>.token` in `openclaw.json`)',
    'pairing (`peer add --invite`), `peer discover`; removed by `peer remove`, `token rotate --peer`',
  ],
  a2aOut: [
    'the A2A token this host presents to the peer (also `…outboundToken`); for a foreign A2A agent, its bearer token',
    'pairing, `peer discover`, `peer add URL --a2a-token`; removed by `peer remove`',
  ],
  inviteKey: [
    'the X25519 private key of an open invite, until its reply is taken or it is revoked',
    '`invite`; removed when its reply pairs (`peer add --invite`) and by `invite --revoke`',
  ],
}

function secretsTable() {
  const keys = Object.keys(SECRET_NAMES)
  const missing = keys.filter((k) => !(k in SECRET_DOCS))
  const stale = Object.keys(SECRET_DOCS).filter((k) => !keys.includes(k))
  if (missing.length || stale.length)
    throw new Error(
      `scripts/gen-docs.mjs SECRET_DOCS is out of step with SECRET_NAMES: add ${missing.join(', ') || '-'}; remove ${stale.join(', ') || '-'}`,
    )
  const rows = ['| entry | holds | written by |', '|---|---|---|']
  for (const key of keys) {
    const value = SECRET_NAMES[key]
    const name = typeof value === 'function' ? value(key === 'inviteKey' ? '<id>' : '<name>') : value
    rows.push(`| \`${name}\` | ${SECRET_DOCS[key][0]} | ${SECRET_DOCS[key][1]} |`)
  }
  rows.push(
    `| \`${PROBE_NAME}\` | nothing for long: the keychain probe writes, reads back and deletes it (see below) | every command that opens the keychain |`,
  )
  return rows.join('\n')
}

/** A JSON Schema (from zod) as a TypeScript-like type, the way a script author reads it. `?` marks an optional key. */
function typeOf(schema, depth = 0) {
  const pad = '  '.repeat(depth + 1)
  const close = '  '.repeat(depth)
  if (schema.const !== undefined) return JSON.stringify(schema.const)
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ')
  const alts = schema.anyOf ?? schema.oneOf
  if (alts) return alts.map((a) => typeOf(a, depth)).join(' | ')
  const types = Array.isArray(schema.type) ? schema.type : [schema.type]
  if (types.length > 1) return types.map((t) => typeOf({...schema, type: t}, depth)).join(' | ')
  switch (schema.type) {
    case 'string':
    case 'boolean':
    case 'null':
      return schema.type
    case 'number':
    case 'integer':
      return 'number'
    case 'array': {
      const item = typeOf(schema.items ?? {}, depth)
      return /[ |]/.test(item) && !item.startsWith('{') ? `Array<${item}>` : `${item}[]`
    }
    case 'object': {
      const props = Object.entries(schema.properties ?? {})
      if (props.length === 0) {
        const extra = schema.additionalProperties
        return extra && typeof extra === 'object' ? `{[key: string]: ${typeOf(extra, depth)}}` : '{}'
      }
      const required = new Set(schema.required ?? [])
      const lines = props.map(
        ([k, v]) =>
          `${pad}${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}${required.has(k) ? '' : '?'}: ${typeOf(v, depth + 1)}`,
      )
      return `{\n${lines.join('\n')}\n${close}}`
    }
    default:
      return 'unknown'
  }
}

function jsonShapes() {
  const toType = (schema) => typeOf(z.toJSONSchema(schema, {unrepresentable: 'any', io: 'output'}))
  const out = ['### Every command, when it could not do its work', '', '```ts', toType(errorDocumentSchema), '```']
  for (const name of Object.keys(jsonSchemas).sort()) {
    out.push('', `### \`claw-mesh ${name.replaceAll(':', ' ')} --json\``, '', '```ts', toType(jsonSchemas[name]), '```')
  }
  return out.join('\n')
}

/** Every command class in dist/commands, with its name as the user types it (`peer check`). */
async function commandClasses() {
  const dir = path.join(ROOT, 'dist', 'commands')
  const files = readdirSync(dir, {recursive: true})
    .filter((f) => f.endsWith('.js'))
    .sort()
  const out = []
  for (const f of files) {
    const mod = await import(path.join(dir, f))
    out.push({name: f.replace(/\.js$/, '').split(path.sep).join(' '), cls: mod.default})
  }
  return out
}

/** The README's exit-code table: each code's meaning, then, for a verdict code, what it means per command. */
async function exitCodeTable() {
  const commands = await commandClasses()
  const rows = ['| code | meaning |', '|---|---|']
  for (const [key, code] of Object.entries(ExitCode).sort((a, b) => a[1] - b[1])) {
    const reasons = commands.filter((c) => c.cls?.exitCodes?.[key]).map((c) => `\`${c.name}\`: ${c.cls.exitCodes[key]}`)
    rows.push(`| ${code} | ${cell(EXIT_CODE_MEANING[key] + (reasons.length ? ` — ${reasons.join('; ')}` : ''))} |`)
  }
  return rows.join('\n')
}

const TARGETS = [
  {file: 'docs/doctor.md', name: 'doctor-checks', render: doctorTable},
  {file: 'docs/secrets.md', name: 'secret-entries', render: secretsTable},
  {file: 'docs/json.md', name: 'json-shapes', render: jsonShapes},
  {file: 'README.md', name: 'exit-codes', render: exitCodeTable},
]

function fill(text, name, body, file) {
  const start = `<!-- generated:${name} -->`
  const end = `<!-- end generated:${name} -->`
  const a = text.indexOf(start)
  const b = text.indexOf(end)
  if (a < 0 || b < a) throw new Error(`${file} has no ${start} … ${end} markers`)
  return `${text.slice(0, a + start.length)}\n${body}\n${text.slice(b)}`
}

const check = process.argv.includes('--check')
const stale = []
for (const t of TARGETS) {
  const file = path.join(ROOT, t.file)
  const before = readFileSync(file, 'utf8')
  const after = fill(before, t.name, await t.render(), t.file)
  if (after === before) continue
  if (check) stale.push(t.file)
  else writeFileSync(file, after)
}
if (stale.length) {
  process.stderr.write(`stale: ${stale.join(', ')} (run npm run build && npm run readme)\n`)
  process.exit(1)
}
