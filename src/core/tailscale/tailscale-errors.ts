import {ActionNeededError, ClawMeshError, ExternalError, UsageError} from '../common/errors.js'
import {redactKnownShapes} from '../secrets/redact.js'
import type {PlatformId} from '../../platform/types.js'

const DAEMON_DOWN = [
  /failed to connect to local tailscaled/i,
  /failed to connect to local Tailscale service/i,
  /Failed to connect to local Tailscale daemon/i,
  /failed to connect to local tailscaled process/i,
]

export interface TailscaleErrorContext {
  /** e.g. `up`, `set`, `status` */
  subcommand: string
  args: readonly string[]
  exitCode: number
  stderr: string
  /** Per-OS hint for starting the daemon. */
  startHint: string
  cli: string
  /** The OS claw-mesh runs on: some remedies differ (macOS has no "run it as root"). */
  os?: PlatformId
}

/**
 * macOS (issue 17, M9): never "run claw-mesh as root": under sudo launchd's domain is gui/0, the keychain is root's,
 * Homebrew refuses to install and the state ends up root-owned. tailscaled lets an admin-group user or the operator
 * change settings (ipnauth.go); the standalone app's CLI needs an admin account (its sameuserproof is root:admin 0640).
 */
const MACOS_ACCESS_DENIED_HINT =
  'Once, from an admin account: sudo tailscale set --operator=$USER (with the Homebrew tailscaled), then re-run claw-mesh as yourself, without sudo. ' +
  'With the Tailscale app, a standard (non-admin) account cannot change its settings: use an admin account, or the Homebrew tailscaled with --operator.'

/** Turns a failed `tailscale` call into an error that says what happened and what to do. */
export function tailscaleError(ctx: TailscaleErrorContext): ClawMeshError {
  const stderr = redactKnownShapes(ctx.stderr)
  const text = stderr.trim()
  const base = {command: ctx.cli, args: ctx.args.map(redactKnownShapes), exitStatus: ctx.exitCode, stderr}
  // macOS: the App Store app's daemon runs, but this process cannot reach it (cmd/tailscale/cli/diag.go). Starting it
  // again would send the user in circles (issue 17, M8).
  const running = /which appears to be running as (IPNExtension), pid (\d+)/.exec(text)
  if (running) {
    return new ActionNeededError(
      `Tailscale is running (${running[1]}, pid ${running[2]}), but this process cannot reach it.`,
      {
        code: 'tailscale-daemon-unreachable',
        hint: "Run claw-mesh as the user logged in at the Mac's desktop: not with sudo, not from another account (the Tailscale app answers only its own user); and keep /usr/sbin on PATH (its CLI looks for the app with lsof).",
      },
    )
  }
  if (DAEMON_DOWN.some((re) => re.test(text))) {
    return new ActionNeededError(
      'The Tailscale daemon (tailscaled) is not running, or not on the socket claw-mesh used.',
      {
        code: 'tailscale-daemon-down',
        hint: `Start it: ${ctx.startHint}. For a userspace daemon, pass --socket PATH.`,
      },
    )
  }
  const headscale = headscaleRefusal(text)
  if (headscale) return headscale
  if (/invalid key|API key .* not valid|API key does not exist|unable to validate API key/i.test(text)) {
    return new ActionNeededError('Tailscale refused the auth key (invalid, expired, or already used).', {
      code: 'tailscale-bad-key',
      hint: 'Create a new auth key in the admin console (Settings → Keys; reusable for fleets) and pass it with --tailscale-key file:PATH.',
    })
  }
  if (/To approve your machine/i.test(text)) {
    return new ActionNeededError('This machine is waiting for a tailnet admin to approve it.', {
      code: 'tailscale-needs-approval',
      hint: 'Approve it at https://login.tailscale.com/admin/machines, or use a pre-approved key (OAuth: ?preauthorized=true), then re-run.',
    })
  }
  if (/To authenticate, visit/i.test(text)) {
    return new ActionNeededError('Tailscale needs a login and no auth key was given.', {
      code: 'tailscale-needs-login',
      hint: 'Pass --tailscale-key file:PATH (or set CLAW_MESH_TAILSCALE_KEY), or log in once with `tailscale up` and re-run.',
    })
  }
  if (/timeout waiting for Tailscale service to enter a Running state/i.test(text)) {
    return new ExternalError('Tailscale did not reach the Running state before the timeout.', {
      ...base,
      code: 'tailscale-timeout',
      hint: 'Check `tailscale status`: the key may need approval, or the network may block the control server. Re-run with a longer --timeout.',
    })
  }
  if (/checkprefs access denied|Access denied/i.test(text)) {
    return new ActionNeededError('Tailscale refused the change: this user may not change its settings.', {
      code: 'tailscale-access-denied',
      hint:
        ctx.os === 'darwin'
          ? MACOS_ACCESS_DENIED_HINT
          : 'Run claw-mesh as root (sudo), or once: sudo tailscale set --operator=$USER.',
    })
  }
  if (/requires mentioning all\s+non-default flags/i.test(text)) {
    return new ExternalError(
      'tailscale up refused to change settings without mentioning them all (the "accidental revert" guard).',
      {
        ...base,
        code: 'tailscale-accidental-revert',
        hint: 'claw-mesh changes a running node with `tailscale set`; to re-register on purpose use claw-mesh tailscale join --force-reauth.',
      },
    )
  }
  if (/oauth authkeys require --advertise-tags/i.test(text)) {
    return new UsageError('An OAuth client secret was given as the key, but no tags.', {
      code: 'tailscale-oauth-needs-tags',
      hint: 'Pass --tags tag:claw-mesh (tags the OAuth client may assign).',
    })
  }
  const unknownAttr = /unknown attribute "([^"]*)"/.exec(text)
  if (unknownAttr) {
    return new UsageError(`The OAuth key has an unknown attribute "${unknownAttr[1]}".`, {
      code: 'tailscale-bad-key-attribute',
      hint: 'Only ephemeral= and preauthorized= may follow the client secret.',
    })
  }
  const undefinedFlag = /flag provided but not defined: (-\S+)/.exec(text)
  if (undefinedFlag) {
    return new ExternalError(`This tailscale does not know the flag ${undefinedFlag[1]}.`, {
      ...base,
      code: 'tailscale-unknown-flag',
      hint: 'Update Tailscale to a current release (claw-mesh tailscale install), then re-run.',
    })
  }
  const tail = text.split('\n').filter(Boolean).slice(-3).join(' / ')
  return new ExternalError(`tailscale ${ctx.subcommand} failed (exit ${ctx.exitCode})${tail ? `: ${tail}` : ''}.`, {
    ...base,
    code: 'tailscale-failed',
    hint: 'Run `tailscale status` to see the daemon state, then re-run.',
  })
}

/**
 * Headscale's refusals of a pre-auth key, which reach the user as `backend error: <msg>`. Each gets its own code;
 * the remedy names the `headscale` command to run on the server (there is no admin console).
 */
function headscaleRefusal(text: string): ClawMeshError | undefined {
  const create = 'headscale preauthkeys create --user <id> --expiration 1h (or --tags tag:claw-mesh for tagged nodes)'
  if (/authkey expired|auth-key expired/i.test(text)) {
    return new ActionNeededError('The control server refused the pre-auth key: it has expired.', {
      code: 'headscale-key-expired',
      hint: `Create a new one on the server: ${create}; pass it with --tailscale-key file:PATH.`,
    })
  }
  if (/authkey already used/i.test(text)) {
    return new ActionNeededError(
      'The control server refused the pre-auth key: it was single-use and is already used.',
      {
        code: 'headscale-key-used',
        hint: `Create a reusable one for a fleet: headscale preauthkeys create --reusable --user <id> (see headscale preauthkeys list), then re-run.`,
      },
    )
  }
  if (/invalid pre ?auth key|invalid authkey|auth-key not found/i.test(text)) {
    return new ActionNeededError(
      'The control server does not know this pre-auth key (mistyped, deleted, or from another server).',
      {
        code: 'headscale-key-invalid',
        hint: `Check it with headscale preauthkeys list, or create one: ${create}; and check --login-server names the server that made it.`,
      },
    )
  }
  const tags = /requested tags \[([^\]]*)\] are invalid or not permitted/i.exec(text)
  if (tags) {
    return new ActionNeededError(`The control server refused the tags ${tags[1]}.`, {
      code: 'tailscale-tags-refused',
      hint: "On Headscale the tags come from the key: headscale preauthkeys create --tags tag:claw-mesh (and list the tag in the policy's tagOwners). On tailscale.com, add the tag to tagOwners in the policy file.",
    })
  }
  return undefined
}
