/** OpenClaw 2026.9.6's `engines.node`: `>=24.16.0 <25 || >=26.1.0` (older Node lacks a working node:sqlite). */
export const OPENCLAW_NODE_RANGE = '>=24.16.0 <25 || >=26.1.0'

export function parseNodeVersion(text: string): [number, number, number] | undefined {
  const m = /v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim())
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined
}

/** True when a Node version can run OpenClaw. Node 25 is excluded, as OpenClaw itself excludes it. */
export function nodeRunsOpenClaw(version: string): boolean {
  const v = parseNodeVersion(version)
  if (!v) return false
  const [major, minor] = v
  if (major === 24) return minor >= 16
  if (major === 26) return minor >= 1
  return major > 26
}
