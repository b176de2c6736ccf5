import {readdirSync, readFileSync, readlinkSync} from 'node:fs'
import type {PortHolder, PortListeners} from '../core/openclaw/port-holder.js'
import {processFacts} from './process-info.js'

/**
 * Linux: the listening sockets a connection to 127.0.0.1:<port> can reach, from /proc/net/tcp{,6} (local address,
 * state, owner uid, inode), and the processes holding them (the /proc/<pid>/fd link `socket:[inode]`).
 */
export interface ProcNetEntry {
  address: string
  port: number
  listening: boolean
  uid: number
  inode: string
}

function ipv4(hex: string): string {
  // Four bytes in host (little-endian) order.
  return [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.')
}

function ipv6(hex: string): string {
  // Four 32-bit words, each in host order.
  const bytes: string[] = []
  for (let w = 0; w < 4; w++) for (let b = 3; b >= 0; b--) bytes.push(hex.slice(w * 8 + b * 2, w * 8 + b * 2 + 2))
  const groups = Array.from({length: 8}, (_, i) =>
    (bytes[i * 2] + bytes[i * 2 + 1]).toLowerCase().replace(/^0+(?=.)/, ''),
  )
  return groups.join(':')
}

export function parseProcNetTcp(text: string): ProcNetEntry[] {
  const entries: ProcNetEntry[] = []
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/)
    if (f.length < 10) continue
    const [addrHex, portHex] = f[1].split(':')
    entries.push({
      address: addrHex.length === 8 ? ipv4(addrHex) : ipv6(addrHex),
      port: parseInt(portHex, 16),
      listening: f[3] === '0A',
      uid: Number(f[7]),
      inode: f[9],
    })
  }
  return entries
}

/** Addresses a listener can have and still take a connection to 127.0.0.1. */
export function reachableFromLoopback(address: string): boolean {
  return (
    /^127\./.test(address) ||
    address === '0.0.0.0' ||
    address === '0:0:0:0:0:0:0:0' ||
    /^0:0:0:0:0:ffff:(7f|0:0$)/.test(address)
  )
}

function userName(uid: number): string | undefined {
  try {
    return readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .map((l) => l.split(':'))
      .find((f) => Number(f[2]) === uid)?.[0]
  } catch {
    return undefined
  }
}

function pidsHolding(inodes: Set<string>): Map<string, number> {
  const found = new Map<string, number>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    let fds: string[]
    try {
      fds = readdirSync(`/proc/${name}/fd`)
    } catch {
      continue // another user's process (unless we are root), or gone
    }
    for (const fd of fds) {
      let link: string
      try {
        link = readlinkSync(`/proc/${name}/fd/${fd}`)
      } catch {
        continue
      }
      const m = /^socket:\[(\d+)\]$/.exec(link)
      if (m && inodes.has(m[1]) && !found.has(m[1])) found.set(m[1], Number(name))
    }
    if (found.size === inodes.size) break
  }
  return found
}

export function linuxLoopbackListeners(port: number): PortListeners {
  let entries: ProcNetEntry[] = []
  let readable = false
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      entries = entries.concat(parseProcNetTcp(readFileSync(file, 'utf8')))
      readable = true
    } catch {
      // no IPv6 (or no /proc): the other file still answers
    }
  }
  if (!readable) return {known: false, why: '/proc/net/tcp is not readable'}
  const listening = entries.filter((e) => e.listening && e.port === port && reachableFromLoopback(e.address))
  const pids = pidsHolding(new Set(listening.map((e) => e.inode)))
  const holders: PortHolder[] = listening.map((e) => {
    const pid = pids.get(e.inode)
    const facts = pid === undefined ? undefined : processFacts(pid)
    return {uid: e.uid, user: userName(e.uid), pid, exe: facts?.exe, cmdline: facts?.cmdline}
  })
  return {known: true, holders}
}
