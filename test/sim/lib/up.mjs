// `tailscale up`: flags → prefs, the accidental-revert guard, login with a key (or the interactive
// URL), machine approval, and the wait for Running bounded by --timeout. Follows cmd/tailscale/cli/up.go.
import {openControl} from './control.mjs'
import {err, out, SimExit, sleep} from './env.mjs'
import {formatGoDuration, goQuote, parseFlags} from './flags.mjs'
import {DEFAULT_CONTROL_URL, deriveBackendState, freshState} from './host.mjs'
import {checkKey, readAuthKey, registerNode, resolveOAuth, setNodeHostname} from './login.mjs'
import {resolveWif, WIF_FLAGS} from './wif.mjs'

export const TIMEOUT_TEXT =
  'timeout waiting for Tailscale service to enter a Running state; check health with "tailscale status"'

const ACCIDENTAL_UP_PREFIX =
  "Error: changing settings via 'tailscale up' requires mentioning all\n" +
  'non-default flags. To proceed, either re-run your command with --reset or\n' +
  'use the command below to explicitly mention the current value of\n' +
  'all non-default settings:\n\n' +
  '\ttailscale up'

/** The flags that map to prefs, with how to read each from a prefs object; OS-specific ones only where they exist. */
function prefFlags(os) {
  const flags = {
    'accept-dns': (p) => p.corpDNS,
    'accept-routes': (p) => p.routeAll,
    'advertise-tags': (p) => p.advertiseTags.join(','),
    hostname: (p) => p.hostname,
    'login-server': (p) => p.controlURL,
    ssh: (p) => p.runSSH,
  }
  if (os !== 'windows') flags.operator = (p) => p.operatorUser
  if (os === 'windows') flags.unattended = (p) => p.forceDaemon
  return flags
}

const PREF_OF_FLAG = {
  'accept-dns': 'corpDNS',
  'accept-routes': 'routeAll',
  'advertise-tags': 'advertiseTags',
  hostname: 'hostname',
  'login-server': 'controlURL',
  ssh: 'runSSH',
  operator: 'operatorUser',
  unattended: 'forceDaemon',
}

export function upFlagSpec(os) {
  const spec = {
    'auth-key': {type: 'string'},
    authkey: {type: 'string', alias: 'auth-key'},
    hostname: {type: 'string'},
    'advertise-tags': {type: 'string'},
    'accept-routes': {type: 'bool'},
    'accept-dns': {type: 'bool', default: true},
    ssh: {type: 'bool'},
    reset: {type: 'bool'},
    'force-reauth': {type: 'bool'},
    json: {type: 'bool'},
    qr: {type: 'bool'},
    'login-server': {type: 'string', default: DEFAULT_CONTROL_URL},
    timeout: {type: 'duration', default: 0},
    ...WIF_FLAGS,
  }
  if (os !== 'windows') spec.operator = {type: 'string'}
  if (os === 'windows') spec.unattended = {type: 'bool'}
  return spec
}

/** tailcfg.CheckTag, reported as prefsFromUpArgs does. */
function checkTag(tag) {
  const fail = (why) => new SimExit(`tag: ${goQuote(tag)}: ${why}`)
  if (!tag.startsWith('tag:')) throw fail("tags must start with 'tag:'")
  const name = tag.slice(4)
  if (name === '') throw fail('tag names must not be empty')
  if (!/^[A-Za-z]/.test(name)) throw fail("tag names must start with a letter, after 'tag:'")
  if (!/^[A-Za-z0-9-]+$/.test(name)) throw fail('tag names can only contain numbers, letters, or dashes')
}

/** prefsFromUpArgs: the complete prefs `up` asks for (unmentioned flags at their defaults). */
function prefsFromUpArgs(f, os) {
  if (f.hostname.length > 256) throw new SimExit(`hostname too long: ${f.hostname.length} bytes (max 256)`)
  const tags = f['advertise-tags'] === '' ? [] : f['advertise-tags'].split(',')
  tags.forEach(checkTag)
  return {
    controlURL: f['login-server'],
    hostname: f.hostname,
    advertiseTags: tags,
    routeAll: f['accept-routes'],
    corpDNS: f['accept-dns'],
    runSSH: f.ssh,
    operatorUser: os === 'windows' ? '' : f.operator,
    forceDaemon: os === 'windows' ? f.unattended : false,
  }
}

const isLoginServerSynonym = (v) => v === 'https://login.tailscale.com' || v === DEFAULT_CONTROL_URL

/** go-shellquote for one word: bare when safe, else single-quoted. */
function shellQuote(text) {
  if (text !== '' && !/[\\'"`${[|&;<>()*?!\s]/.test(text) && !text.startsWith('~')) return text
  return `'${text.replace(/'/g, "'\\''")}'`
}

function fmtFlagValueArg(name, value) {
  if (value === true) return `--${name}`
  if (value === '') return `--${name}=`
  return `--${name}=${shellQuote(String(value))}`
}

/** checkForAccidentalSettingReverts: unmentioned non-default settings that this `up` would reset. */
function checkAccidentalReverts(parsed, spec, newPrefs, curPrefs, os) {
  if (curPrefs.controlURL === '' || parsed.set.size === 0) return
  const flags = prefFlags(os)
  const missing = []
  for (const [name, read] of Object.entries(flags)) {
    if (parsed.set.has(name)) continue
    const cur = read(curPrefs)
    const next = read(newPrefs)
    if (cur === next) continue
    if (name === 'login-server' && isLoginServerSynonym(cur) && isLoginServerSynonym(next)) continue
    missing.push(fmtFlagValueArg(name, cur))
  }
  if (missing.length === 0) return
  missing.sort()
  // Go's flag.Visit walks the flags that were set in lexical order; values print as the user gave them.
  const explicit = [...parsed.set].sort().map((name) => {
    const value = parsed.values[name]
    if (spec[name].type === 'bool') return value ? `--${name}` : `--${name}=false`
    if (spec[name].type === 'duration') return fmtFlagValueArg(name, formatGoDuration(value))
    return fmtFlagValueArg(name, value)
  })
  throw new SimExit(`${ACCIDENTAL_UP_PREFIX}${[...explicit, ...missing].map((a) => ` ${a}`).join('')}\n\n`, 1, {
    raw: true,
  })
}

export function accessDenied(what, allArgs) {
  return new SimExit(
    `Access denied: ${what}\n\nUse 'sudo tailscale ${allArgs.join(' ')}'.\nTo not require root, use 'sudo tailscale set --operator=$USER' once.`,
  )
}

export async function runUp(ctx, args) {
  const {host, allArgs} = ctx
  const cfg = host.cfg
  const spec = upFlagSpec(cfg.os)
  const parsed = parseFlags(args, spec, 'tailscale up [flags]')
  const f = parsed.values
  if (parsed.positional.length > 0) throw new SimExit(`too many non-flag arguments: ${goSlice(parsed.positional)}`)
  host.requireDaemon()
  const control = openControl(cfg.controlDir)
  const state = host.load() ?? freshState()
  const node = state.nodeId ? control.getNode(state.nodeId) : null
  const backend = deriveBackendState(host.load(), node)
  const faults = host.faults()

  const prefs = prefsFromUpArgs(f, cfg.os)
  const cur = state.prefs
  if (!f.reset) {
    // applyImplicitPrefs: an operator equal to $USER is kept unless --operator is given.
    if (prefs.operatorUser === '' && cur.operatorUser === cfg.user && !parsed.set.has('operator'))
      prefs.operatorUser = cur.operatorUser
    checkAccidentalReverts(parsed, spec, prefs, cur, cfg.os)
  }
  const controlURLChanged =
    cur.controlURL !== prefs.controlURL &&
    !(isLoginServerSynonym(cur.controlURL) && isLoginServerSynonym(prefs.controlURL))
  if (controlURLChanged && backend === 'Running' && !f['force-reauth'])
    throw new SimExit("can't change --login-server without --force-reauth")
  const tagsChanged = cur.advertiseTags.join(',') !== prefs.advertiseTags.join(',')
  const simpleUp = parsed.set.size === 0 && state.haveNodeKey && backend !== 'NeedsLogin'
  const justEdit =
    backend === 'Running' && !f['force-reauth'] && f['auth-key'] === '' && !controlURLChanged && !tagsChanged

  if (faults.needsRoot) throw accessDenied('checkprefs access denied', allArgs)
  if (faults.daemonDiesDuringUp) {
    host.markDaemonDown()
    host.requireDaemon()
  }

  if (justEdit) {
    // EditPrefs on a running node: only the flags given change (all of them with --reset); no re-login.
    for (const name of f.reset ? Object.keys(PREF_OF_FLAG) : parsed.set) {
      if (PREF_OF_FLAG[name] && name in spec) state.prefs[PREF_OF_FLAG[name]] = prefs[PREF_OF_FLAG[name]]
    }
    state.wantRunning = true
    if (node) setNodeHostname(control, node, state.prefs.hostname || cfg.osHostname)
    state.upCount++
    host.save(state)
    return 0
  }

  if (simpleUp) {
    state.wantRunning = true
    host.save(state)
  } else {
    const authKey = readAuthKey(f['auth-key'], cfg.os)
    const resolved = resolveOAuth(authKey, f['advertise-tags'])
    // The CLI resolves a workload identity into a key before it starts the login (cmd/tailscale/cli/up.go).
    const wif = authKey === '' ? await resolveWif(f, control, cfg.os) : undefined
    // localClient.Start: the new prefs replace the old ones before the login even starts.
    Object.assign(state, {prefs, wantRunning: true, socket: host.socketFlag ?? null})
    host.save(state)
    if (faults.upHangs) return waitRunning(ctx, f, {hang: true})
    if (f['force-reauth'] || !state.haveNodeKey) {
      if (authKey === '' && !wif) return interactiveLogin(ctx, f, state)
      const grant = wif ?? checkKey(control, resolved, prefs.advertiseTags)
      registerNode(host, control, state, grant)
      host.save(state)
    } else {
      if (authKey !== '') {
        try {
          checkKey(control, resolved, cur.advertiseTags)
        } catch (error) {
          // Re-sending a dead key to a healthy node knocks it off the tailnet.
          Object.assign(state, {haveNodeKey: false})
          host.save(state)
          throw error
        }
      }
      // Without a re-auth, control keeps the node's tags; only Hostinfo (the hostname) is updated.
      if (node) setNodeHostname(control, node, prefs.hostname || cfg.osHostname)
    }
  }
  return waitRunning(ctx, f, {})
}

function goSlice(items) {
  return `[${items.map(goQuote).join(' ')}]`
}

async function interactiveLogin(ctx, f, state) {
  const code = Math.random().toString(16).slice(2, 14)
  const url = `https://login.tailscale.com/a/${code}`
  state.authURL = url
  ctx.host.save(state)
  if (f.json) out(`{\n\t"AuthURL": ${JSON.stringify(url)},\n\t"BackendState": "NeedsLogin"\n}\n`)
  else err(`\nTo authenticate, visit:\n\n\t${url}\n\n`)
  return waitRunning(ctx, f, {printed: true})
}

/** The IPN-bus watch: returns 0 once Running, prints the approval URL on NeedsMachineAuth, fails at --timeout. */
async function waitRunning(ctx, f, {hang = false, printed = false}) {
  const {host} = ctx
  const control = openControl(host.cfg.controlDir)
  const deadline = f.timeout > 0 ? Date.now() + f.timeout : Infinity
  const cancel = () => {
    err('context canceled\n')
    process.exit(1)
  }
  process.once('SIGINT', cancel)
  process.once('SIGTERM', cancel)
  let announcedApproval = false
  for (;;) {
    if (!hang) {
      const state = host.load()
      const backend = deriveBackendState(state, state?.nodeId ? control.getNode(state.nodeId) : null)
      if (backend === 'Running') {
        if (f.json) out('{\n  "BackendState": "Running"\n}\n')
        else if (printed) err('Success.\n')
        state.upCount++
        host.save(state)
        return 0
      }
      if (backend === 'NeedsMachineAuth' && !announcedApproval) {
        announcedApproval = printed = true
        if (f.json) out('{\n  "BackendState": "NeedsMachineAuth"\n}\n')
        else err('\nTo approve your machine, visit (as admin):\n\n\thttps://login.tailscale.com/admin\n\n')
      }
    }
    const left = deadline - Date.now()
    if (left <= 0) throw new SimExit(TIMEOUT_TEXT)
    await sleep(Math.min(100, left))
  }
}
