import {execFileSync, spawnSync} from 'node:child_process'

/**
 * Several "hosts" on one machine: Linux network namespaces joined by a bridge that lives in a hub namespace of
 * its own (nothing is added to the machine's own network). Each host gets one 100.64.0.0/10 address — to an
 * OpenClaw gateway with `bind: "tailnet"`, that is a tailnet host.
 */
export interface NetnsHost {
  name: string
  ns: string
  ip: string
}

export interface NetnsMesh {
  hosts: NetnsHost[]
  /** Every pid inside the host's namespace (gateways, daemons). */
  pids(host: NetnsHost): number[]
  /** Kills everything in every namespace and deletes them. Safe to call twice. */
  destroy(): void
}

function ip(args: string[]): void {
  execFileSync('ip', args, {stdio: ['ignore', 'ignore', 'pipe']})
}

/** Why namespaces cannot be made here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    return 'network namespaces need root (run the e2e suite as root, as .ci/run does)'
  const probe = `cmprobe${process.pid % 100000}`
  const r = spawnSync('ip', ['netns', 'add', probe], {encoding: 'utf8'})
  if (r.error) return `the ip command is missing (${r.error.message}): install iproute2`
  if (r.status !== 0) return `ip netns add failed: ${r.stderr.trim()}`
  spawnSync('ip', ['netns', 'del', probe])
  return undefined
}

export function createNetnsMesh(names: string[], opts: {firstOctet?: number} = {}): NetnsMesh {
  const id = `${process.pid % 10000}${Math.floor(Math.random() * 90 + 10)}`
  const hub = `cmhub${id}`
  const hosts: NetnsHost[] = names.map((name, i) => ({
    name,
    ns: `cm${id}${name}`,
    ip: `100.64.${opts.firstOctet ?? 7}.${11 + i}`,
  }))
  let destroyed = false
  const mesh: NetnsMesh = {
    hosts,
    pids(host) {
      const r = spawnSync('ip', ['netns', 'pids', host.ns], {encoding: 'utf8'})
      return r.stdout.split('\n').filter(Boolean).map(Number)
    },
    destroy() {
      if (destroyed) return
      destroyed = true
      for (const host of hosts) {
        for (const pid of mesh.pids(host)) {
          try {
            process.kill(pid, 'SIGKILL')
          } catch {
            // already gone
          }
        }
        spawnSync('ip', ['netns', 'del', host.ns])
      }
      spawnSync('ip', ['netns', 'del', hub])
    },
  }
  try {
    ip(['netns', 'add', hub])
    ip(['-n', hub, 'link', 'add', 'br0', 'type', 'bridge'])
    ip(['-n', hub, 'link', 'set', 'br0', 'up'])
    hosts.forEach((host, i) => {
      ip(['netns', 'add', host.ns])
      ip(['link', 'add', 'eth0', 'netns', host.ns, 'type', 'veth', 'peer', 'name', `p${i}`, 'netns', hub])
      ip(['-n', hub, 'link', 'set', `p${i}`, 'master', 'br0'])
      ip(['-n', hub, 'link', 'set', `p${i}`, 'up'])
      ip(['-n', host.ns, 'link', 'set', 'lo', 'up'])
      ip(['-n', host.ns, 'addr', 'add', `${host.ip}/10`, 'dev', 'eth0'])
      ip(['-n', host.ns, 'link', 'set', 'eth0', 'up'])
    })
  } catch (error) {
    mesh.destroy()
    throw error
  }
  return mesh
}
