import {ActionNeededError, ExternalError} from '../../core/common/errors.js'
import {isTailscaleControl} from '../../core/tailscale/login-server.js'
import {
  advertisedTags,
  hasSession,
  isRenamedVariant,
  missingTags,
  planJoin,
  prepareAuthKey,
  type JoinPlan,
} from '../../core/tailscale/tailscale-join-plan.js'
import type {TailscaleSummary} from '../../core/tailscale/tailscale-status.js'
import {prepareWif, wifProviderEnv} from '../../core/tailscale/tailscale-wif.js'
import {loginServerSetting} from '../../core/common/settings.js'
import type {Deps} from '../../deps.js'
import type {SecretSource} from '../../infra/secret-input.js'
import {openTailscale, type TailscaleCli} from './cli.js'

export interface JoinOptions {
  hostname: string
  /** False when the hostname is a default rather than the user's: a running node's own name is then kept (see planJoin). */
  hostnameGiven?: boolean
  tags: string[]
  key?: SecretSource
  /** A workload identity instead of a key (tailscale.com): client ID, and an ID token or an audience. */
  wif?: {clientId?: string; idToken?: SecretSource; audience?: string}
  forceReauth: boolean
  ephemeral: boolean
  timeoutMs: number
  socket?: string
  /** Control server URL (Headscale); resolved by the caller from flag, env and state. */
  loginServer?: string
  dryRun: boolean
  /** Progress line updates (listr2 task output). */
  progress?: (message: string) => void
}

export interface JoinResult {
  action: JoinPlan['action']
  reason: string
  changed: boolean
  /** Whether a key was sent to Tailscale in this run. */
  keySent: boolean
  requestedHostname: string
  hostname: string | null
  renamed: boolean
  dnsName: string | null
  ipv4: string | null
  ipv6: string | null
  tailnet: string | null
  backendState: string
  tags: string[]
  warnings: string[]
  dryRun: boolean
}

const POLL_MS = 500

/** Polls `status --json` until the node is Running with an IPv4 (the first connection right after `up` can race). */
export async function waitForRunning(
  deps: Pick<Deps, 'clock'>,
  ts: TailscaleCli,
  timeoutMs: number,
  progress?: (m: string) => void,
): Promise<TailscaleSummary> {
  const deadline = deps.clock.now().getTime() + timeoutMs
  let last: TailscaleSummary | undefined
  for (;;) {
    last = await ts.status()
    if (last.backendState === 'Running' && last.ipv4) return last
    if (last.backendState === 'NeedsMachineAuth') throw approvalNeeded()
    progress?.(`waiting for Running (now ${last.backendState})`)
    if (deps.clock.now().getTime() >= deadline) break
    await deps.clock.sleep(POLL_MS)
  }
  throw new ExternalError(
    `Tailscale did not reach Running with an IPv4 address within ${Math.round(timeoutMs / 1000)} s (state: ${last?.backendState}).`,
    {
      command: ts.location.cli,
      args: ['status', '--json'],
      code: 'tailscale-timeout',
      hint: 'Check `tailscale status` and the daemon log; re-run with a longer --timeout.',
    },
  )
}

function approvalNeeded(): ActionNeededError {
  return new ActionNeededError('This machine is waiting for a tailnet admin to approve it.', {
    code: 'tailscale-needs-approval',
    hint: 'Approve it at https://login.tailscale.com/admin/machines (or use a pre-approved key), then re-run the same command.',
  })
}

/** Joins the tailnet idempotently: reads the state first, then does only what differs. */
export async function joinTailnet(
  deps: Deps,
  opts: JoinOptions,
  seen: {status?: TailscaleSummary; forceDaemon?: boolean | null} = {},
): Promise<JoinResult> {
  // opts.loginServer is the flag or $CLAW_MESH_LOGIN_SERVER, already parsed by the command.
  const loginServer = loginServerSetting({
    env: {},
    flags: {loginServer: opts.loginServer},
    state: deps.store.read(),
  }).value
  const selfHosted = !isTailscaleControl(loginServer)
  const prepared = opts.key
    ? prepareAuthKey(opts.key.value, {tags: opts.tags, ephemeral: opts.ephemeral, selfHosted})
    : undefined
  if (prepared) deps.redactor.add(prepared.value)
  const wif = opts.wif
    ? prepareWif(
        {clientId: opts.wif.clientId, idToken: opts.wif.idToken?.value, audience: opts.wif.audience},
        {tags: opts.tags, selfHosted, hasKey: Boolean(prepared), ephemeral: opts.ephemeral},
      )
    : undefined
  if (wif?.idToken) deps.redactor.add(wif.idToken)
  const providerEnv = wif?.audience !== undefined ? wifProviderEnv(deps.env) : undefined
  if (providerEnv?.ACTIONS_ID_TOKEN_REQUEST_TOKEN) deps.redactor.add(providerEnv.ACTIONS_ID_TOKEN_REQUEST_TOKEN)
  const ts = openTailscale(deps, opts.socket)
  // A caller that already read the status in this run (bootstrap) passes it: not read twice.
  const observed = seen.status ?? (await ts.status())
  const recordedHostname = deps.store.read().tailscale?.hostname
  // Where `up` gets --unattended (Windows), a node that is already up is checked for it too (W8).
  const unattended = deps.platform.upExtraFlags().includes('--unattended')
  const forceDaemon =
    unattended && hasSession(observed.backendState)
      ? seen.forceDaemon !== undefined
        ? seen.forceDaemon
        : await ts.forceDaemon()
      : undefined
  const plan = planJoin(
    {...observed, forceDaemon},
    {
      hostname: opts.hostname,
      tags: opts.tags,
      hasKey: Boolean(prepared || wif),
      forceReauth: opts.forceReauth,
      hostnameGiven: opts.hostnameGiven,
      recordedHostname,
      unattended,
    },
  )
  const base = {
    action: plan.action,
    reason: plan.reason,
    requestedHostname: opts.hostname,
    dryRun: opts.dryRun,
    warnings: [] as string[],
  }
  if (plan.action === 'up' && observed.backendState === 'NeedsMachineAuth') throw approvalNeeded()
  if (plan.action === 'up' && plan.needsKey && !prepared && !wif) {
    throw new ActionNeededError(`Tailscale needs a login (${observed.backendState}) and no auth key was given.`, {
      code: 'tailscale-needs-login',
      hint: 'Pass --tailscale-key file:PATH (or - for stdin, or set CLAW_MESH_TAILSCALE_KEY), or a workload identity (--tailscale-client-id with --tailscale-audience). claw-mesh never opens a browser login.',
    })
  }
  if (opts.dryRun)
    return {...base, ...fromSummary(observed, opts.hostname), changed: plan.action !== 'none', keySent: false}

  let keySent = false
  switch (plan.action) {
    case 'up':
      opts.progress?.(
        wif
          ? `tailscale up (workload identity${wif.audience !== undefined ? ', ID token from the identity provider' : ', ID token from a private file'})`
          : 'tailscale up (key from a private temp file)',
      )
      await ts.up({
        key: prepared?.value,
        wif,
        providerEnv,
        hostname: opts.hostname,
        tags: advertisedTags(prepared?.kind, opts.tags),
        loginServer,
        timeoutMs: opts.timeoutMs,
        forceReauth: plan.forceReauth,
        extraFlags: deps.platform.upExtraFlags(),
      })
      keySent = Boolean(prepared || wif)
      break
    case 'resume':
      // A bare `up` resumes with the stored settings; any flag would trip the "mention all flags" guard.
      opts.progress?.('tailscale up (resume, no key, no flags)')
      await ts.resume(opts.timeoutMs)
      if (plan.then.length > 0) await ts.set(plan.then)
      break
    case 'set':
      opts.progress?.(`tailscale set ${plan.flags.join(' ')}`)
      await ts.set(plan.flags)
      break
    case 'none':
      break
  }
  const after = plan.action === 'none' ? observed : await waitForRunning(deps, ts, opts.timeoutMs, opts.progress)
  const result: JoinResult = {...base, ...fromSummary(after, opts.hostname), changed: plan.action !== 'none', keySent}
  if (result.renamed) {
    result.warnings.push(
      `Tailscale named this node "${result.hostname}" because "${opts.hostname}" is taken in the tailnet. Remove the stale device in the admin console, then run: claw-mesh tailscale join --hostname ${opts.hostname}`,
    )
  }
  deps.store.update((s) => {
    s.tailscale = {
      ...s.tailscale,
      hostname: result.hostname ?? undefined,
      requestedHostname: opts.hostname,
      socket: ts.location.socket,
      tags: result.tags,
      loginServer,
      magicDNSSuffix: after.magicDNSSuffix ?? undefined,
    }
  })
  const missing = prepared?.kind === 'headscale' ? missingTags(opts.tags, result.tags) : []
  if (missing.length > 0) {
    // Headscale takes the tags from the key: a key made without them gives an untagged (user-owned) node.
    throw new ActionNeededError(
      `The node joined without the tags ${missing.join(',')} (it has ${result.tags.join(',') || 'no tags'}): on Headscale the tags come from the pre-auth key.`,
      {
        code: 'headscale-key-tags',
        hint: `Create a key that carries them: headscale preauthkeys create --tags ${opts.tags.join(',')}, then re-run with it and --force-reauth.`,
      },
    )
  }
  return result
}

function fromSummary(s: TailscaleSummary, wanted: string) {
  // Tailscale keeps HostName as asked and renames the node in its MagicDNS name: that is the name peers see.
  const actual = s.machineName ?? s.hostname
  return {
    hostname: actual,
    renamed: isRenamedVariant(actual, wanted),
    dnsName: s.dnsName,
    ipv4: s.ipv4,
    ipv6: s.ipv6,
    tailnet: s.tailnet,
    backendState: s.backendState,
    tags: s.tags,
  }
}
