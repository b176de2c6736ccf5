/**
 * The profile part of the names OpenClaw gives its gateway service (LaunchAgent label, systemd unit), as OpenClaw's
 * `normalizeGatewayProfile` reads it: trimmed, and none for a blank name or "default" in any case (`Default`,
 * `DEFAULT`). Held to OpenClaw's own functions by test/unit/openclaw-platform-contract-service-paths.test.ts.
 */
export function serviceProfile(profile: string | undefined): string | undefined {
  const trimmed = profile?.trim()
  if (!trimmed || trimmed.toLowerCase() === 'default') return undefined
  return trimmed
}
