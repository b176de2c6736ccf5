// The shared "control plane": a directory several simulated hosts read and write, so they see each
// other as peers. One file per node (no read-modify-write of a shared list), and exclusive-create
// claim files for hostnames, IPs and single-use keys, so concurrent hosts cannot take the same one.
import {createHash, randomBytes} from 'node:crypto'
import {mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {readJson, writeFileAtomic, writeJson} from './env.mjs'

export const TAGGED_USER = {ID: 6120450023456789, LoginName: 'tagged-devices', DisplayName: 'Tagged Devices'}
export const OWNER_USER = {ID: 3105862410337391, LoginName: 'admin@example.com', DisplayName: 'Tailnet Admin'}

const DEFAULT_TAILNET = {
  name: 'example.com',
  suffix: 'tail4f3a2.ts.net',
  magicDNS: true,
  https: true,
  deviceApproval: true,
}
export const KEY_LIFETIME_MS = 180 * 24 * 3600 * 1000

export function openControl(dir) {
  const p = (...parts) => path.join(dir, ...parts)
  const nodeFile = (id) => p('nodes', `${id}.json`)

  const control = {
    dir,
    tailnet: () => ({...DEFAULT_TAILNET, ...readJson(p('tailnet.json'), {})}),

    /** Keys registered by tests: {"<key or OAuth client secret>": {preauthorized, invalid, reusable, ephemeral, tags}}. */
    keyInfo: (key) => readJson(p('keys.json'), {})[key] ?? null,

    /** Records the use of a single-use key; false when it was used before. */
    consumeKey(key) {
      const marker = p('keys-used', createHash('sha256').update(key).digest('hex'))
      mkdirSync(path.dirname(marker), {recursive: true})
      try {
        writeFileSync(marker, new Date().toISOString(), {flag: 'wx'})
        return true
      } catch (error) {
        if (error.code === 'EEXIST') return false
        throw error
      }
    },

    listNodes() {
      let names
      try {
        names = readdirSync(p('nodes'))
      } catch (error) {
        if (error.code === 'ENOENT') return []
        throw error
      }
      return names
        .filter((n) => n.endsWith('.json'))
        .map((n) => readJson(p('nodes', n)))
        .filter((n) => n && !n.pending)
    },
    getNode: (id) => (id ? readJson(nodeFile(id)) : null),
    saveNode: (node) => writeJson(nodeFile(node.id), node),

    removeNode(id) {
      const node = control.getNode(id)
      rmSync(nodeFile(id), {force: true})
      if (!node) return
      releaseClaim(p('names', node.name), id)
      releaseClaim(p('ips', node.ipv4), id)
    },

    /** The DNS label for `base`, made unique in the tailnet the way control does it: base, base-1, base-2… */
    claimName(id, base, current) {
      // Keep the name the node already has when it still fits (control does not rename on every login).
      const fits = current && (current === base || new RegExp(`^${base}-\\d+$`).test(current))
      if (fits && claim(p('names', current), id, control)) return current
      for (let n = 0; ; n++) {
        const label = n === 0 ? base : `${base}-${n}`
        if (claim(p('names', label), id, control)) {
          if (current && current !== label) releaseClaim(p('names', current), id)
          return label
        }
      }
    },

    allocateIp(id, forced) {
      if (forced) {
        writeFileAtomic(p('ips', forced), id)
        return forced
      }
      for (let n = 1; n < 4_194_304; n++) {
        const ip = `100.${64 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`
        if ((n & 255) === 0 || (n & 255) === 255) continue
        if (claim(p('ips', ip), id, control)) return ip
      }
      throw new Error('tailscale-sim: the control plane ran out of IPs')
    },

    inboxDir: (id) => p('inbox', id),
  }
  return control
}

/** Exclusive create; an existing claim is taken over only when the node that held it is gone. */
function claim(file, id, control) {
  mkdirSync(path.dirname(file), {recursive: true})
  try {
    writeFileSync(file, id, {flag: 'wx'})
    return true
  } catch (error) {
    if (error.code !== 'EEXIST') throw error
  }
  const owner = readText(file)
  if (owner === id) return true
  if (owner && control.getNode(owner)) return false
  writeFileAtomic(file, id)
  return readText(file) === id
}

function releaseClaim(file, id) {
  if (readText(file) === id) rmSync(file, {force: true})
}

function readText(file) {
  try {
    return readFileSync(file, 'utf8').trim()
  } catch {
    return null
  }
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
export function newNodeId() {
  return `n${[...randomBytes(8)].map((b) => BASE62[b % 62]).join('')}CNTRL`
}
export function newNodeKey() {
  return `nodekey:${randomBytes(32).toString('hex')}`
}

/** IPv6 from the IPv4: fd7a:115c:a1e0:: followed by the 32 bits of the IPv4 address in hex. */
export function ipv6For(ipv4) {
  const [a, b, c, d] = ipv4.split('.').map(Number)
  return `fd7a:115c:a1e0::${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
}

/** Roughly dnsname.SanitizeHostname: one lower-case DNS label. */
export function sanitizeLabel(name) {
  const first = name
    .trim()
    .toLowerCase()
    .replace(/\.(local|localdomain|lan)$/, '')
    .split('.')[0]
  const label = first
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '')
  return label || 'localhost'
}
