import {UsageError} from '../common/errors.js'

/** What `join` wants, after flag parsing. */
export interface JoinDesired {
  hostname: string
  /** Empty means "leave tags as they are". */
  tags: string[]
  hasKey: boolean
  forceReauth: boolean
  /**
   * False when `hostname` is a default (bootstrap's `openclaw-<identity>`), not a name the user gave. A running
   * node then keeps a name claw-mesh did not give it unless the user names one: renaming someone's `my-mac`
   * silently changes how every other device reaches it. Default true (`tailscale join --hostname`).
   */
  hostnameGiven?: boolean
  /** The node name claw-mesh recorded (it gave or adopted it): renaming that one needs no consent. */
  recordedHostname?: string
  /**
   * The node must stay in the tailnet without a logged-in user (Windows: `--unattended`, Tailscale's ForceDaemon).
   * Without it Windows runs Tailscale in client mode, which "requires an active user logged in with the GUI app
   * running" (ipn/prefs.go): the node leaves at logout or at a reboot to the login screen.
   */
  unattended?: boolean
}

/** What `tailscale status --json` says now. */
export interface JoinObserved {
  backendState: string
  hostname: string | null
  /** First label of the MagicDNS name: differs from hostname after a collision (`name-1`). */
  machineName?: string | null
  tags: string[]
  ipv4: string | null
  /** Tailscale's ForceDaemon pref (`tailscale debug prefs`), where it was read: null when it could not be. */
  forceDaemon?: boolean | null
}

export type JoinPlan =
  | {action: 'none'; reason: string}
  | {action: 'up'; reason: string; forceReauth: boolean; needsKey: boolean}
  | {action: 'set'; reason: string; flags: string[]}
  | {action: 'resume'; reason: string; then: string[]}

function sameTags(a: string[], b: string[]): boolean {
  const x = [...a].sort()
  const y = [...b].sort()
  return x.length === y.length && x.every((t, i) => t === y[i])
}

/**
 * The idempotent recipe of reference/tailscale.md, as a pure function: `up` only when the node needs a login,
 * `set` for what differs on a running node, never re-send a key to a healthy node, and refuse to change tags
 * silently (that needs a re-auth with a key).
 */
export function planJoin(observed: JoinObserved, desired: JoinDesired): JoinPlan {
  const state = observed.backendState
  const tagsDiffer = desired.tags.length > 0 && !sameTags(observed.tags, desired.tags)
  if (state === 'NeedsMachineAuth') {
    return {action: 'up', reason: 'the node is waiting for admin approval', forceReauth: false, needsKey: false}
  }
  if (state === 'NoState' || state === 'NeedsLogin') {
    return {action: 'up', reason: `the node is logged out (${state})`, forceReauth: false, needsKey: true}
  }
  if (desired.forceReauth) {
    return {action: 'up', reason: '--force-reauth was given', forceReauth: true, needsKey: true}
  }
  if (tagsDiffer) {
    throw new UsageError(
      `The node is tagged ${observed.tags.join(',') || '(no tags)'} but --tags asks for ${desired.tags.join(',')}: changing tags re-registers the node.`,
      {
        code: 'tailscale-tags-need-reauth',
        hint: 'Re-run with --force-reauth and a key (--tailscale-key file:PATH) to re-register with the new tags, or drop --tags to keep the current ones.',
      },
    )
  }
  const rename =
    observed.hostname !== desired.hostname && !isRenamedVariant(observed.hostname, desired.hostname)
      ? [`--hostname=${desired.hostname}`]
      : []
  // A node the user signed in from the tray app runs without ForceDaemon: `set --unattended` keeps it up (only
  // when the pref is known to be off, so a re-run with nothing to change does nothing).
  const unattended = desired.unattended && observed.forceDaemon === false ? ['--unattended'] : []
  const setFlags = [...rename, ...unattended]
  const ours = observed.hostname !== null && observed.hostname === desired.recordedHostname
  if (rename.length > 0 && desired.hostnameGiven === false && !ours) {
    throw new UsageError(
      `This machine is already in the tailnet as "${observed.hostname}"; claw-mesh would rename it to "${desired.hostname}".`,
      {
        code: 'tailscale-rename-needs-consent',
        hint: `Pass --hostname ${desired.hostname} to rename it (other devices then reach it by that name), or --hostname ${observed.hostname} to keep its name.`,
      },
    )
  }
  if (state === 'Stopped') {
    return {
      action: 'resume',
      reason: 'Tailscale is stopped (tailscale down); bringing it back up without a key',
      then: setFlags,
    }
  }
  if (setFlags.length > 0) {
    const reasons = [
      ...(rename.length ? [`the hostname is ${observed.hostname ?? '(none)'}, wanted ${desired.hostname}`] : []),
      ...(unattended.length ? ['Tailscale runs in client mode (it leaves the tailnet when the user logs out)'] : []),
    ]
    return {action: 'set', reason: reasons.join('; '), flags: setFlags}
  }
  return {action: 'none', reason: `already Running as ${observed.hostname}`}
}

/** A node that is logged in (running or stopped): its prefs are what `set` would change. */
export function hasSession(backendState: string): boolean {
  return backendState === 'Running' || backendState === 'Stopped' || backendState === 'Starting'
}

/**
 * The prefs claw-mesh reads from `tailscale debug prefs` (JSON, readable by any local user; false and empty fields
 * are omitted): ForceDaemon (Windows' unattended mode) and OperatorUser (who besides root may change the node).
 * Undefined when the output is not a prefs object.
 */
export function parseDebugPrefs(prefsJson: string): {forceDaemon: boolean; operatorUser: string | null} | undefined {
  try {
    const prefs = JSON.parse(prefsJson) as unknown
    if (!prefs || typeof prefs !== 'object' || Array.isArray(prefs)) return undefined
    const {ForceDaemon, OperatorUser} = prefs as {ForceDaemon?: unknown; OperatorUser?: unknown}
    return {
      forceDaemon: ForceDaemon === true,
      operatorUser: typeof OperatorUser === 'string' && OperatorUser !== '' ? OperatorUser : null,
    }
  } catch {
    return undefined
  }
}

/** ForceDaemon from `tailscale debug prefs`, or null when unreadable. */
export function parseForceDaemon(prefsJson: string): boolean | null {
  return parseDebugPrefs(prefsJson)?.forceDaemon ?? null
}

/** `name-1`, `name-2`: the name Tailscale gave because `name` was taken. Re-asking would not help. */
export function isRenamedVariant(actual: string | null, wanted: string): boolean {
  if (!actual) return false
  return new RegExp(`^${wanted.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d+$`).test(actual)
}

/** `auth`: a tailscale.com auth key; `oauth`: an OAuth client secret; `headscale`: a self-hosted server's pre-auth key. */
export type KeyKind = 'auth' | 'oauth' | 'headscale'

const HEADSCALE_KEY = /^(hskey-auth-[A-Za-z0-9_-]+|[0-9a-f]{48})$/

/**
 * Checks an auth key's shape and prepares what `--auth-key=file:` will contain. OAuth client secrets
 * get `?ephemeral=…&preauthorized=true` and require tags. With a self-hosted control server (`selfHosted`),
 * Headscale's keys (`hskey-auth-…`, or 48 hex characters before v0.28) are accepted and OAuth secrets are not.
 */
export function prepareAuthKey(
  key: string,
  opts: {tags: string[]; ephemeral: boolean; selfHosted?: boolean},
): {kind: KeyKind; value: string} {
  const whitespace = () =>
    new UsageError('The Tailscale key contains whitespace.', {
      code: 'tailscale-key-shape',
      hint: 'The file should hold only the key (a trailing newline is fine).',
    })
  if (opts.selfHosted) {
    if (/\s/.test(key)) throw whitespace()
    if (key.startsWith('tskey-client-')) {
      throw new UsageError(
        'An OAuth client secret (tskey-client-…) works only with tailscale.com, not with a self-hosted --login-server.',
        {
          code: 'tailscale-key-shape',
          hint: 'Create a pre-auth key on the server: headscale preauthkeys create --user <id> (or --tags tag:claw-mesh), and pass --tailscale-key file:PATH.',
        },
      )
    }
    if (HEADSCALE_KEY.test(key) || /^tskey-[A-Za-z0-9]/.test(key)) return {kind: 'headscale', value: key}
    throw new UsageError(
      'The key does not look like a pre-auth key (hskey-auth-…, or 48 hex characters from Headscale before 0.28).',
      {
        code: 'tailscale-key-shape',
        hint: 'Create one with: headscale preauthkeys create --user <id> --expiration 1h (or --tags tag:claw-mesh), then pass --tailscale-key file:PATH.',
      },
    )
  }
  if (!/^tskey-[A-Za-z0-9]/.test(key)) {
    const headscale = HEADSCALE_KEY.test(key)
    throw new UsageError(
      `The Tailscale key does not look like an auth key (it should start with "tskey-")${headscale ? ': it looks like a Headscale key, but no --login-server was given' : ''}.`,
      {
        code: 'tailscale-key-shape',
        hint: headscale
          ? 'Pass --login-server URL (or set CLAW_MESH_LOGIN_SERVER) naming your Headscale server.'
          : 'Create one in the admin console (Settings → Keys) and pass --tailscale-key file:PATH; for Headscale, also pass --login-server URL.',
      },
    )
  }
  if (/\s/.test(key)) throw whitespace()
  if (!key.startsWith('tskey-client-')) return {kind: 'auth', value: key}
  if (opts.tags.length === 0) {
    throw new UsageError(
      'An OAuth client secret (tskey-client-…) needs tags: Tailscale refuses it without --advertise-tags.',
      {
        code: 'tailscale-oauth-needs-tags',
        hint: 'Pass --tags tag:claw-mesh (a tag the OAuth client is allowed to assign).',
      },
    )
  }
  if (key.includes('?')) return {kind: 'oauth', value: key}
  return {kind: 'oauth', value: `${key}?ephemeral=${opts.ephemeral}&preauthorized=true`}
}

/**
 * Tags to send as `--advertise-tags`. Headscale (v0.28+) refuses them with any pre-auth key — the tags come from
 * the key — so none are sent there; the tags seen after the join are checked against the ones asked for instead.
 */
export function advertisedTags(kind: KeyKind | undefined, tags: string[]): string[] {
  return kind === 'headscale' ? [] : tags
}

/** The tags asked for but missing after a join (empty: fine, or nothing was asked). */
export function missingTags(wanted: string[], seen: string[]): string[] {
  return wanted.filter((t) => !seen.includes(t))
}
