#!/usr/bin/env node
/**
 * A stand-in for macOS's /usr/bin/security and the legacy login keychain behind it, for tests on Linux. It keeps the
 * items in a JSON file ($CLAW_MESH_FAKE_KEYCHAIN) and follows Apple's source of the tool
 * (apple-oss-distributions/Security, SecurityTool/macOS, Security-61901): security.c (global -i: stdin lines of at
 * most 4095 characters split by split_line; "<cmd>: returned <status>" after a failed one; exit status = the last
 * OSStatus modulo 256), keychain_find.c (find/delete-generic-password; "-g" prints the password with print_buffer on
 * stderr, "-w" prints it raw or, when a byte is not printable, as lower-case hex), keychain_add.c (-X hex, -T lists the
 * trusted programs and replaces the default "the creating program", -U updates), keychain_show_info.c.
 *
 * The keychain's side: each item has the list of programs it trusts. A caller not on it gets a prompt; with no GUI
 * ($CLAW_MESH_FAKE_SESSION=ssh, the default) that is errSecInteractionNotAllowed: for a read, exit 36 and nothing on
 * stderr (as the real tool: it returns the status without printing it). With a GUI the prompt waits for someone
 * ($CLAW_MESH_FAKE_DIALOG=always-allow answers it, adding the caller to the item's list; otherwise it waits forever).
 * A locked keychain ("locked": true) asks to be unlocked the same way. The caller is $CLAW_MESH_FAKE_SECURITY_CALLER:
 * the program claw-mesh asked the Runner to start. Every call is recorded (argv, stdin, caller) in "calls".
 */
import {readFileSync, writeFileSync} from 'node:fs'

const file = process.env.CLAW_MESH_FAKE_KEYCHAIN
const caller = process.env.CLAW_MESH_FAKE_SECURITY_CALLER ?? '/usr/bin/security'
const gui = process.env.CLAW_MESH_FAKE_SESSION === 'gui'
const state = JSON.parse(readFileSync(file, 'utf8'))
state.items ??= []
state.calls ??= []

const S = {ok: 0, notFound: -25300, duplicate: -25299, interaction: -25308, param: -50}
const TEXT = {
  [S.notFound]: 'The specified item could not be found in the keychain.',
  [S.duplicate]: 'The specified item already exists in the keychain.',
  [S.interaction]: 'User interaction is not allowed.',
}
const err = (line) => process.stderr.write(`security: ${line}\n`)
const save = () => writeFileSync(file, JSON.stringify(state, null, 2))

/** A prompt: answered only at a GUI. Resolves to OSStatus. */
async function prompt(grant) {
  if (!gui) return S.interaction
  if (process.env.CLAW_MESH_FAKE_DIALOG === 'always-allow') {
    grant()
    return S.ok
  }
  save()
  await new Promise(() => setInterval(() => {}, 1 << 30)) // SecurityAgent's dialog: nobody clicks
}

const unlocked = () => (state.locked ? prompt(() => (state.locked = false)) : S.ok)
const trusted = (item) => (item.trusted.includes(caller) ? S.ok : prompt(() => item.trusted.push(caller)))

/** getopt for the few flags claw-mesh uses; repeated -T collect. */
function opts(args, withValue) {
  const o = {T: []}
  for (let i = 0; i < args.length; i++) {
    const f = args[i].replace(/^-/, '')
    if (withValue.includes(f)) {
      if (f === 'T') o.T.push(args[++i])
      else o[f] = args[++i]
    } else o[f] = true
  }
  return o
}

const find = (o) => state.items.find((it) => it.service === o.s && it.account === o.a)
const isPrint = (b) => b >= 0x20 && b <= 0x7e

function printBuffer(bytes) {
  const ascii = bytes.some((b) => isPrint(b) && b !== 0x5c)
  const hex = bytes.some((b) => !isPrint(b) || b === 0x5c)
  let s = ''
  if (hex) s += `0x${Buffer.from(bytes).toString('hex').toUpperCase()}${ascii ? ' ' : ''} `
  if (ascii)
    s += `"${bytes.map((b) => (isPrint(b) && b !== 0x5c ? String.fromCharCode(b) : `\\${b.toString(8).padStart(3, '0')}`)).join('')}"`
  return s
}

const commands = {
  async 'find-generic-password'(args) {
    const o = opts(args, ['s', 'a'])
    let status = await unlocked()
    if (status) return status
    const item = find(o)
    if (!item) {
      err(`SecKeychainSearchCopyNext: ${TEXT[S.notFound]}`)
      return S.notFound
    }
    if (o.g || o.w) {
      status = await trusted(item)
      if (status) return status // returned, not printed (keychain_find.c do_password_item_printing)
    }
    const bytes = [...Buffer.from(item.data, 'hex')]
    if (!o.w)
      process.stdout.write(
        `keychain: "/Users/me/Library/Keychains/login.keychain-db"\nclass: "genp"\nattributes:\n    "acct"<blob>="${item.account}"\n    "svce"<blob>="${item.service}"\n`,
      )
    if (o.w)
      process.stdout.write(
        `${bytes.every(isPrint) ? Buffer.from(bytes).toString('latin1') : Buffer.from(bytes).toString('hex')}\n`,
      )
    else if (o.g) process.stderr.write(`password: ${printBuffer(bytes)}\n`)
    return S.ok
  },
  async 'delete-generic-password'(args) {
    const o = opts(args, ['s', 'a'])
    let status = await unlocked()
    if (status) return status
    const item = find(o)
    if (!item) {
      err(`SecKeychainSearchCopyNext: ${TEXT[S.notFound]}`)
      return S.notFound
    }
    status = await trusted(item)
    if (!status) state.items.splice(state.items.indexOf(item), 1)
    process.stderr.write('password has been deleted.\n')
    return status
  },
  async 'add-generic-password'(args) {
    const o = opts(args, ['s', 'a', 'T', 'X', 'w'])
    if (!o.s || !o.a) return 2
    if (o.X !== undefined && !/^([0-9a-fA-F]{2})*$/.test(o.X)) {
      err('Unable to convert password data (-X must specify valid hex digits)')
      return 2
    }
    const data = o.X ?? Buffer.from(o.w ?? '', 'utf8').toString('hex')
    let status = await unlocked()
    if (status) {
      err(`SecKeychainItemCreateFromContent (<default>): ${TEXT[status]}`)
      return status
    }
    const item = find(o)
    if (item && !o.U) {
      err(`SecKeychainItemCreateFromContent (<default>): ${TEXT[S.duplicate]}`)
      return S.duplicate
    }
    if (item) {
      status = await trusted(item) // new content and a merged access list: the item's owner must agree
      if (status) {
        err(`SecKeychainItemModifyContent: ${TEXT[status]}`)
        return status
      }
      item.data = data
      for (const t of o.T) if (t && !item.trusted.includes(t)) item.trusted.push(t)
      return S.ok
    }
    state.items.push({service: o.s, account: o.a, data, trusted: o.T.length > 0 ? o.T.filter(Boolean) : [caller]})
    return S.ok
  },
  async 'show-keychain-info'() {
    if (state.locked && !gui) {
      err(`SecKeychainCopySettings <NULL>: ${TEXT[S.interaction]}`)
      return S.interaction
    }
    process.stderr.write('Keychain "<NULL>" lock-on-sleep timeout=300s\n')
    return S.ok
  },
}

/** security.c split_line: white space separates, '…' or "…" quote, a backslash escapes the next character. */
function splitLine(line) {
  const out = []
  let cur = null
  let quote = null
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (cur === null) {
      if (/\s/.test(c)) continue
      cur = ''
      if (c === '"' || c === "'") {
        quote = c
        continue
      }
    }
    if (c === '\\') cur += line[++i] ?? ''
    else if (quote ? c === quote : /\s/.test(c)) {
      out.push(cur)
      cur = null
      quote = null
    } else cur += c
  }
  if (cur !== null) out.push(cur)
  return out
}

async function execute(argv) {
  const run = commands[argv[0]]
  if (!run) {
    process.stderr.write(`security: unknown command "${argv[0]}"\n`)
    return 1
  }
  return run(argv.slice(1))
}

const argv = process.argv.slice(2)
let stdin = ''
let result = 0
if (argv[0] === '-i') {
  stdin = readFileSync(0, 'utf8')
  // readline(): at most 4095 characters a line; the rest of a longer one is read as the next line.
  const lines = []
  for (const l of stdin.split('\n').slice(0, stdin.endsWith('\n') ? -1 : undefined))
    for (let i = 0; i === 0 || i < l.length; i += 4095) lines.push(l.slice(i, i + 4095))
  state.calls.push({argv, stdin, caller})
  for (const line of lines) {
    const av = splitLine(line)
    if (av.length === 0) continue
    result = await execute(av)
    if (result) process.stderr.write(`${av[0]}: returned ${result}\n`)
  }
} else {
  state.calls.push({argv, stdin, caller})
  result = await execute(argv)
}
save()
process.exit(result & 0xff)
