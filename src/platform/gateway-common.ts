import path from 'node:path'
import type {ProcessFacts} from './process-info.js'
import type {SecretLauncher} from './types.js'

/** Single-quotes a value for /bin/sh. */
export function shQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}

/**
 * POSIX launcher: OpenClaw runs the command directly (no shell) and insists it is a regular file, not a symlink,
 * owned by the gateway's user and not group/world-writable. A node binary installed by root fails that test, so
 * claw-mesh writes this small script (0700) into its own state dir and the script execs node on claw-mesh.
 */
export function posixSecretLauncher(opts: {
  nodePath: string
  cliEntry: string
  stateDir: string
  backend: string
}): SecretLauncher {
  const file = path.posix.join(opts.stateDir, 'bin', 'secret-resolver')
  const content = [
    '#!/bin/sh',
    '# Written by `claw-mesh gateway configure`; rewritten on every configure, do not edit.',
    '# OpenClaw runs it (exec SecretRef provider "clawmesh") to read the gateway token from claw-mesh\'s secret store.',
    `CLAW_MESH_HOME=${shQuote(opts.stateDir)}`,
    `CLAW_MESH_SECRET_STORE=${shQuote(opts.backend)}`,
    'CLAW_MESH_SKIP_NEW_VERSION_CHECK=true',
    'export CLAW_MESH_HOME CLAW_MESH_SECRET_STORE CLAW_MESH_SKIP_NEW_VERSION_CHECK',
    `exec ${shQuote(opts.nodePath)} ${shQuote(opts.cliEntry)} secrets resolve`,
    '',
  ].join('\n')
  return {file, content, command: file, args: []}
}

/**
 * Linux: the process is this user's (real uid) and an OpenClaw gateway: its command line names openclaw (the gateway
 * retitles itself `openclaw-gateway`) and its executable is node or openclaw, not any program that put "openclaw"
 * in its arguments.
 */
export function isOwnOpenClawProcess(facts: ProcessFacts | undefined, uid: number | undefined): boolean {
  if (!facts) return false
  if (uid !== undefined && facts.uid !== uid) return false
  if (!facts.cmdline?.includes('openclaw')) return false
  // The exe link is readable for our own processes; without it the uid and command line must do.
  return facts.exe === undefined || /(^|\/)(node|nodejs|openclaw)[^/]*$/.test(facts.exe.replace(/ \(deleted\)$/, ''))
}
