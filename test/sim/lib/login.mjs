// Auth keys and node registration: what the control server decides when a host logs in.
import {constants, fstatSync, readFileSync, readSync} from 'node:fs'
import {URLSearchParams} from 'node:url'
import {ipv6For, KEY_LIFETIME_MS, newNodeId, newNodeKey, sanitizeLabel} from './control.mjs'
import {rfc3339, SimExit} from './env.mjs'
import {goQuote} from './flags.mjs'

export const INVALID_KEY = 'backend error: invalid key: unable to validate API key\n'

/**
 * upArgsT.getAuthKey: `file:PATH` reads the key from a file (trimmed); errors read like Go's *PathError.
 *
 * `os` decides what opening `/dev/fd/N` means. Linux: a /proc symlink, so the file is opened afresh at offset 0.
 * macOS: XNU's fdesc_open makes it dup(N) — the same open file and its current offset — and Go's os.ReadFile reads
 * from there. So on macOS the simulator reads the inherited descriptor from where its offset stands, never from 0.
 */
export function readAuthKey(value, os = 'linux') {
  if (!value.startsWith('file:')) return value
  const file = value.slice(5)
  const fdMatch = /^\/dev\/fd\/(\d+)$/.exec(file)
  try {
    if (os === 'macOS' && fdMatch) return readFromOffset(Number(fdMatch[1])).trim()
    return readFileSync(file, 'utf8').trim()
  } catch (error) {
    const why =
      {
        ENOENT: 'no such file or directory',
        EACCES: 'permission denied',
        EISDIR: 'is a directory',
        EBADF: 'bad file descriptor',
      }[error.code] ?? error.message
    throw new SimExit(`${error.code === 'EISDIR' ? 'read' : 'open'} ${file}: ${why}`)
  }
}

/** Reads an inherited descriptor to EOF from its current offset (position null), as a dup of it would. */
function readFromOffset(fd) {
  // No descriptor was handed over: the number may hold one Node opened for itself (epoll, io_uring: an anonymous
  // inode with no file type), which is not the caller's. macOS's open fails with EBADF there.
  if ((fstatSync(fd).mode & constants.S_IFMT) === 0)
    throw Object.assign(new Error('bad file descriptor'), {code: 'EBADF'})
  const chunks = []
  const buf = Buffer.alloc(4096)
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null)
    if (n === 0) break
    chunks.push(Buffer.from(buf.subarray(0, n)))
  }
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * resolveAuthKey: an OAuth client secret (`tskey-client-…?ephemeral=…&preauthorized=…`) needs tags and
 * only knows three attributes. Returns {key, oauth: {secret, ephemeral, preauthorized} | null}.
 */
export function resolveOAuth(key, tagsFlag) {
  if (!key.startsWith('tskey-client-')) return {key, oauth: null}
  if (tagsFlag === '') throw new SimExit('oauth authkeys require --advertise-tags')
  const q = key.indexOf('?')
  const secret = q >= 0 ? key.slice(0, q) : key
  const attrs = new URLSearchParams(q >= 0 ? key.slice(q + 1) : '')
  for (const name of attrs.keys()) {
    if (!['ephemeral', 'preauthorized', 'baseURL'].includes(name))
      throw new SimExit(`unknown attribute ${goQuote(name)}`)
  }
  const bool = (name, def) => {
    const v = attrs.get(name) ?? ''
    if (v === '') return def
    if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true
    if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false
    throw new SimExit(`invalid attribute boolean attribute ${name} value ${goQuote(v)}`)
  }
  return {key, oauth: {secret, ephemeral: bool('ephemeral', true), preauthorized: bool('preauthorized', false)}}
}

/**
 * What control says about a key: {preauthorized, ephemeral, tags} or throws the backend error.
 * Unregistered `tskey-…` keys are accepted (pre-approved, reusable); anything else is invalid.
 */
export function checkKey(control, {key, oauth}, advertisedTags) {
  if (oauth) {
    const info = control.keyInfo(oauth.secret)
    if (info?.invalid) throw new SimExit('oauth2: "invalid_client" "Client authentication failed"')
    return {preauthorized: oauth.preauthorized, ephemeral: oauth.ephemeral, tags: advertisedTags}
  }
  const info = control.keyInfo(key)
  if (!info && !/^tskey-[A-Za-z0-9-]+$/.test(key)) throw new SimExit(INVALID_KEY, 1, {raw: true})
  if (info?.invalid) throw new SimExit(INVALID_KEY, 1, {raw: true})
  let tags = advertisedTags
  if (info?.tags?.length) {
    const refused = advertisedTags.filter((t) => !info.tags.includes(t))
    if (refused.length > 0)
      throw new SimExit(`backend error: requested tags [${refused.join(' ')}] are invalid or not permitted\n`, 1, {
        raw: true,
      })
    if (tags.length === 0) tags = [...info.tags]
  }
  if (info && info.reusable === false && !control.consumeKey(key)) throw new SimExit(INVALID_KEY, 1, {raw: true})
  return {preauthorized: info?.preauthorized ?? true, ephemeral: info?.ephemeral ?? false, tags}
}

/** A completed login: creates the node (or re-authenticates it) with fresh tags and key expiry. */
export function registerNode(host, control, state, grant) {
  const cfg = host.cfg
  const now = Date.now()
  let node = state.nodeId ? control.getNode(state.nodeId) : null
  if (!node) {
    const id = newNodeId()
    // Saved before claiming a name or an IP, so other hosts see the claim's owner exists.
    control.saveNode({id, pending: true})
    const ipv4 = control.allocateIp(id, cfg.forceIp)
    node = {id, publicKey: newNodeKey(), created: rfc3339(now), ipv4, ipv6: ipv6For(ipv4), authorized: false}
  }
  const tailnet = control.tailnet()
  Object.assign(node, {
    os: cfg.os,
    tags: [...grant.tags],
    authorized: node.authorized || grant.preauthorized || tailnet.deviceApproval === false,
    ephemeral: grant.ephemeral || state.memState,
    keyExpiry: grant.tags.length > 0 ? null : rfc3339(now + KEY_LIFETIME_MS),
    lastLogin: rfc3339(now),
    stateDir: cfg.stateDir,
  })
  delete node.pending
  delete node.lastSeen
  setNodeHostname(control, node, state.prefs.hostname || cfg.osHostname)
  Object.assign(state, {nodeId: node.id, haveNodeKey: true, authURL: '', loginAt: rfc3339(now)})
  return node
}

/** Hostinfo.Hostname changed: control renames the node, adding -1, -2… when the name is taken. */
export function setNodeHostname(control, node, hostName) {
  node.hostName = hostName
  node.name = control.claimName(node.id, sanitizeLabel(hostName), node.name)
  control.saveNode(node)
}
