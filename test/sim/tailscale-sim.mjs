#!/usr/bin/env node
// Tailscale CLI simulator for claw-mesh tests: `tailscale-sim.mjs tailscale <args>` or
// `tailscale-sim.mjs tailscaled <args>`. Texts, exit codes and JSON shapes follow the real CLI
// (see docs/reference/tailscale.md and test/sim/README.md).
import {logArgv, readConfig, SimExit} from './lib/env.mjs'
import {parseFlags} from './lib/flags.mjs'
import {openHost} from './lib/host.mjs'

const COMMANDS = {
  up: async () => (await import('./lib/up.mjs')).runUp,
  set: async () => (await import('./lib/lifecycle.mjs')).runSet,
  down: async () => (await import('./lib/lifecycle.mjs')).runDown,
  logout: async () => (await import('./lib/lifecycle.mjs')).runLogout,
  wait: async () => (await import('./lib/lifecycle.mjs')).runWait,
  status: async () => (await import('./lib/status.mjs')).runStatus,
  ip: async () => (await import('./lib/status.mjs')).runIp,
  version: async () => (await import('./lib/misc.mjs')).runVersion,
  ping: async () => (await import('./lib/misc.mjs')).runPing,
  file: async () => (await import('./lib/misc.mjs')).runFile,
}

const ROOT_USAGE = `USAGE
  tailscale [flags] <subcommand> [command flags]

SUBCOMMANDS
  ${Object.keys(COMMANDS).join(', ')}
`

async function main(prog, argv) {
  const cfg = readConfig()
  logArgv(cfg.stateDir, prog, argv)
  if (prog === 'tailscaled') {
    const {runTailscaled} = await import('./lib/daemon.mjs')
    return runTailscaled({host: openHost(cfg, undefined)}, argv)
  }
  if (prog !== 'tailscale')
    throw new SimExit(`tailscale-sim: first argument must be tailscale or tailscaled, not ${prog}`, 70)
  const root = parseFlags(argv, {socket: {type: 'string'}}, 'tailscale [flags] <subcommand> [command flags]')
  const [sub, ...rest] = root.positional
  if (!sub) throw new SimExit(ROOT_USAGE, 0, {raw: true})
  const load = COMMANDS[sub]
  if (!load) throw new SimExit(`tailscale: unknown subcommand: ${sub}`)
  const run = await load()
  return run({host: openHost(cfg, root.values.socket || undefined), allArgs: argv}, rest)
}

const [prog, ...argv] = process.argv.slice(2)
main(prog, argv).then(
  (code) => {
    process.exitCode = code
  },
  (error) => {
    if (error instanceof SimExit) {
      const text = error.raw ? error.message : `${error.message}\n`
      ;(error.stdout ? process.stdout : process.stderr).write(text)
      process.exitCode = error.code
      return
    }
    process.stderr.write(`tailscale-sim: internal error: ${error.stack ?? error}\n`)
    process.exitCode = 70
  },
)
