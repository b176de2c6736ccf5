import {parseAlertTarget} from '../../core/lifecycle/alert-target.js'
import {parseSelfFlags} from '../../core/a2a/capabilities.js'
import {parseTrustLevel} from '../../core/pairing/pair-trust.js'
import {parseDuration} from '../../core/common/duration.js'
import {UsageError} from '../../core/common/errors.js'
import {assertHostname, assertIdentity, assertPort, parseTags} from '../../core/common/validate.js'
import type {SecretSource} from '../../infra/secret-input.js'
import type {SecretStoreChoice} from '../../infra/secrets/select.js'
import type {AddPeerOptions} from '../peers/add.js'
import type {JoinOptions} from '../tailscale/join.js'
import type {BootstrapOptions} from './types.js'
import {decodePeerLines} from './peer-inputs.js'

/** How long bootstrap waits, after a join, for the peers it will use (`--peer-wait`). */
export const DEFAULT_PEER_WAIT = '60s'

/** `claw-mesh bootstrap`'s flags as oclif parses them. */
export interface BootstrapFlags {
  identity?: string
  hostname?: string
  'tailscale-key'?: string
  'tailscale-client-id'?: string
  'tailscale-audience'?: string
  'tailscale-id-token'?: string
  tags?: string
  'force-reauth': boolean
  ephemeral: boolean
  expose?: string
  port?: number
  'accept-risk': string[]
  peer: string[]
  replace?: string[]
  'allow-insecure-url': boolean
  'mesh-secret'?: string
  'mesh-tag'?: string
  alert?: string
  'secret-store'?: string
  install?: boolean
  yes: boolean
  'peer-timeout': string
  /** Absent (older callers): the default bound. */
  'peer-wait'?: string
  'wait-for-peers'?: boolean
  timeout: string
  socket?: string
  'dry-run': boolean
  'login-server'?: string
  trust?: string
  caps?: string
  description?: string
}

/** What the flags pointed at, read by the command (files, stdin, the environment) before the pure step. */
export interface BootstrapInputs {
  /** The identity: the flag's, or the answer to the prompt. */
  identity: string
  key?: SecretSource
  /** A workload identity (tailscale.com) instead of a key. */
  wif?: JoinOptions['wif']
  meshSecret?: SecretSource
  peers: AddPeerOptions[]
  /** The alert target: --alert's value, or what its file:PATH, - or $CLAW_MESH_ALERT held. */
  alert?: string
  /** From --login-server or $CLAW_MESH_LOGIN_SERVER (undefined: the recorded one, else Tailscale's). */
  loginServer?: string
}

/** Refuses, before anything is read, two flags that would both read stdin. Pure. */
export function assertOneStdinReader(
  flags: Pick<BootstrapFlags, 'tailscale-key' | 'tailscale-id-token' | 'mesh-secret' | 'peer' | 'alert'>,
): void {
  const readers = [
    flags['tailscale-key'] === '-' && '--tailscale-key',
    flags['tailscale-id-token'] === '-' && '--tailscale-id-token',
    flags['mesh-secret'] === '-' && '--mesh-secret',
    flags.peer.some((p) => p.trim() === '-') && '--peer',
    flags.alert?.trim() === '-' && '--alert',
  ].filter(Boolean)
  if (readers.length > 1)
    throw new UsageError(
      `Only one of --tailscale-key, --mesh-secret, --peer and --alert can read stdin (-); ${readers.join(' and ')} ask for it.`,
      {hint: 'Put the others in files and pass file:PATH.'},
    )
}

/** `--peer-wait`: a duration, or 0 (any unit) to skip the wait. */
export function parsePeerWait(value: string): number {
  return /^0+(\.0+)?(ms|s|m|h)?$/.test(value.trim()) ? 0 : parseDuration(value, '--peer-wait')
}

/** `--replace NAME` applies to every --peer line (each is checked against its own name). */
function withReplace(peers: AddPeerOptions[], replace: string[]): AddPeerOptions[] {
  const names = replace.map((n) => assertHostname(n, '--replace'))
  return names.length ? peers.map((p) => ({...p, replace: names})) : peers
}

/**
 * Flags (and what they pointed at) → the options bootstrap runs with. Pure: no prompt, no file, no machine state;
 * the platform is a parameter. The key's shape is checked by the run itself (dry or not), once the control server
 * recorded on the machine is known (a Headscale key is not a tskey).
 */
export function bootstrapOptions(
  flags: BootstrapFlags,
  inputs: BootstrapInputs,
  platform: 'linux' | 'darwin' | 'win32',
): BootstrapOptions {
  const identity = assertIdentity(inputs.identity)
  const tags = parseTags(flags.tags)
  if (flags['force-reauth'] && !inputs.key && !inputs.wif) {
    throw new UsageError('--force-reauth re-registers the node, which needs an auth key.', {
      code: 'tailscale-key-missing',
      hint: 'Pass --tailscale-key file:PATH (or - for stdin), or set CLAW_MESH_TAILSCALE_KEY.',
    })
  }
  if (inputs.alert !== undefined) parseAlertTarget(inputs.alert, platform)
  const trust = flags.trust === undefined ? undefined : parseTrustLevel(flags.trust)
  const peerWaitMs = parsePeerWait(flags['peer-wait'] ?? DEFAULT_PEER_WAIT)
  if (flags['wait-for-peers'] && peerWaitMs === 0) {
    throw new UsageError('--wait-for-peers waits for the peers, and --peer-wait 0 turns the wait off.', {
      hint: 'Give --peer-wait a bound above 0 (e.g. 2m), or drop --wait-for-peers.',
    })
  }
  const install = flags.install === false ? 'forbidden' : flags.install === true || flags.yes ? 'allowed' : 'ask'
  return {
    identity,
    hostname: assertHostname(flags.hostname ?? `openclaw-${identity}`),
    hostnameGiven: flags.hostname !== undefined,
    tags,
    forceReauth: flags['force-reauth'],
    key: inputs.key,
    wif: inputs.wif,
    ephemeral: flags.ephemeral,
    expose: flags.expose,
    port: flags.port === undefined ? undefined : assertPort(flags.port),
    acceptRisk: flags['accept-risk'],
    // Each pairing line is decoded here, once: plan, apply and summary read the decoded value.
    peers: withReplace(
      decodePeerLines(trust ? inputs.peers.map((p) => ({...p, trust})) : inputs.peers),
      flags.replace ?? [],
    ),
    ...(trust ? {trust} : {}),
    meshSecret: inputs.meshSecret,
    // No default here: an absent flag keeps the tag recorded by an earlier discovery.
    meshTag: flags['mesh-tag'],
    alert: inputs.alert,
    secretStore: flags['secret-store'] as SecretStoreChoice | undefined,
    install,
    dryRun: flags['dry-run'],
    timeoutMs: parseDuration(flags.timeout),
    peerTimeoutMs: parseDuration(flags['peer-timeout'], '--peer-timeout'),
    peerWaitMs,
    waitForPeers: Boolean(flags['wait-for-peers']),
    socket: flags.socket,
    loginServer: inputs.loginServer,
    self: parseSelfFlags({caps: flags.caps, description: flags.description}),
  }
}
