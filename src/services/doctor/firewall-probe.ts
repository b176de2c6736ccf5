import {realpathSync} from 'node:fs'
import {
  parseIptablesRules,
  parseMacFirewall,
  parseNetshRules,
  parseNftRuleset,
  type FirewallProbe,
} from '../../core/checks/system.js'
import type {Deps} from '../../deps.js'
import type {RunResult} from '../../infra/runner.js'

function realpathOr(p: string): string {
  try {
    return realpathSync(p)
  } catch {
    return p
  }
}

const SOCKETFILTERFW = '/usr/libexec/ApplicationFirewall/socketfilterfw'
const NEEDS_ROOT =
  /operation not permitted|permission denied|you must be root|must be run as root|can't initialize iptables table/i

function needsRoot(r: RunResult): boolean {
  return r.exitCode !== 0 && NEEDS_ROOT.test(`${r.stderr}\n${r.stdout}`)
}

/**
 * Reads this machine's firewall rules with the OS's own tool. Reports only: claw-mesh never changes a firewall.
 * Absent tools and tools that need root are a skip with the reason, not a failure.
 */
export async function probeFirewall(
  deps: Pick<Deps, 'runner' | 'platform' | 'lookPath'>,
  opts: {port: number; timeoutMs: number},
): Promise<FirewallProbe> {
  const run = (cmd: string, args: string[]) => deps.runner.run(cmd, args, {timeoutMs: opts.timeoutMs})
  const find = (name: string) => deps.lookPath(name, {systemDirs: ['/usr/sbin', '/sbin']})
  switch (deps.platform.id) {
    case 'linux': {
      let rootNeeded = false
      const nft = find('nft')
      if (nft) {
        const r = await run(nft, ['list', 'ruleset'])
        if (r.exitCode === 0 && r.stdout.trim()) return {tool: 'nft', finding: parseNftRuleset(r.stdout, opts.port)}
        rootNeeded ||= needsRoot(r)
      }
      const iptables = find('iptables')
      if (iptables) {
        const r = await run(iptables, ['-S'])
        if (r.exitCode === 0) return {tool: 'iptables', finding: parseIptablesRules(r.stdout, opts.port)}
        rootNeeded ||= needsRoot(r)
      }
      if (nft && !rootNeeded) return {tool: 'nft', finding: {blocking: []}}
      if (rootNeeded)
        return {
          tool: 'none',
          reason: 'reading the firewall rules needs root: run sudo claw-mesh doctor --only firewall',
        }
      return {tool: 'none', reason: 'neither nft nor iptables is installed'}
    }
    case 'darwin': {
      const state = await run(SOCKETFILTERFW, ['--getglobalstate'])
      if (state.notFound) return {tool: 'none', reason: `${SOCKETFILTERFW} is not available`}
      if (state.exitCode !== 0)
        return {tool: 'none', reason: `socketfilterfw failed: ${(state.stderr || state.stdout).trim().split('\n')[0]}`}
      // The Application Firewall keys rules to the real binary, not Homebrew's /opt/homebrew/bin/node symlink (M11).
      const found = deps.lookPath('node')
      const node = found ? realpathOr(found) : undefined
      const [blockAll, appBlocked] = await Promise.all([
        run(SOCKETFILTERFW, ['--getblockall']),
        node ? run(SOCKETFILTERFW, ['--getappblocked', node]) : undefined,
      ])
      return {
        tool: 'socketfilterfw',
        finding: parseMacFirewall({
          globalState: state.stdout,
          blockAll: blockAll.stdout,
          appBlocked: appBlocked?.stdout,
          node,
        }),
      }
    }
    case 'win32': {
      const r = await run('netsh', ['advfirewall', 'firewall', 'show', 'rule', 'name=all', 'dir=in'])
      if (r.notFound) return {tool: 'none', reason: 'netsh is not available'}
      if (r.exitCode !== 0)
        return {tool: 'none', reason: `netsh failed: ${(r.stderr || r.stdout).trim().split('\n')[0]}`}
      return {tool: 'netsh', finding: parseNetshRules(r.stdout, opts.port)}
    }
  }
}
