import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {parseDuration} from '../core/duration.js'
import {ExitCode, UsageError} from '../core/errors.js'
import {assertHostname, assertIdentity, assertPort, parseTags} from '../core/validate.js'
import {resolveLoginServer} from '../core/login-server.js'
import {dryRunFlag, loginServerFlag, socketFlag, timeoutFlag} from '../flags.js'
import {ask, confirm} from '../infra/prompt.js'
import {readSecretInput, type SecretSource} from '../infra/secret-input.js'
import type {SecretStoreChoice} from '../infra/secrets/select.js'
import {renderBootstrap} from '../render/bootstrap.js'
import {parseAlertTarget} from '../core/alert-target.js'
import {readAlertInput} from '../services/alerts/target.js'
import {bootstrapHooks} from '../services/bootstrap/hooks.js'
import {readPeerInputs} from '../services/bootstrap/peer-inputs.js'
import {observeTailscale} from '../services/bootstrap/observe.js'
import {bootstrap} from '../services/bootstrap/run.js'
import type {BootstrapResult} from '../services/bootstrap/types.js'
import {tailscaleKeyFlag} from './tailscale/join.js'

export default class Bootstrap extends BaseCommand<typeof Bootstrap> {
  static override summary = 'Make this machine a verified member of the mesh, in one idempotent command.'
  static override description = `Observes the machine, prints a plan, and applies it: Tailscale installed → joined (hostname openclaw-<identity>) → OpenClaw installed → openclaw.json patched (only the keys claw-mesh owns; backed up; validated) → gateway healthy with its tokens verified → peers added and checked → watchdog and agent skill. A second run on a provisioned host changes nothing, restarts nothing and sends no Tailscale key. Interrupted anywhere, the next run converges. Without a terminal it never prompts: it fails naming the flags to pass.`
  static override examples = [
    '<%= config.bin %> bootstrap --identity nova --tailscale-key file:/run/secrets/ts --peer file:clawd.invite',
    '<%= config.bin %> bootstrap --identity demo --dry-run',
    'CLAW_MESH_TAILSCALE_KEY=… <%= config.bin %> bootstrap --identity ci-7 --tags tag:claw-mesh --mesh-secret file:/run/secrets/mesh --install --yes --json',
  ]
  static override flags = {
    identity: Flags.string({description: 'This agent\'s name in the mesh (a DNS label, e.g. nova). Asked for on a terminal when missing.'}),
    hostname: Flags.string({description: 'Tailscale hostname. Default: openclaw-<identity>; a machine already in the tailnet under a name claw-mesh did not give it is renamed only when this is given.'}),
    ...tailscaleKeyFlag,
    tags: Flags.string({description: 'Tailscale tags to advertise (required with an OAuth client secret), e.g. tag:claw-mesh.', helpValue: 'tag:a,tag:b'}),
    ephemeral: Flags.boolean({description: 'For OAuth client secrets: register the node as ephemeral (CI hosts).', default: true, allowNo: true}),
    expose: Flags.string({description: 'How peers reach the gateway: tailnet (default: bind to the Tailscale IP), serve (Tailscale Serve, HTTPS) or lan (needs --accept-risk lan-exposure).', helpValue: 'tailnet|serve|lan'}),
    port: Flags.integer({description: 'Gateway port (default: what openclaw.json has, else 18789).'}),
    'accept-risk': Flags.string({description: 'Accept a named risk: lan-exposure, or weak-tokens (keep a token under 256 bits found in openclaw.json or the store instead of replacing it).', multiple: true, default: []}),
    peer: Flags.string({description: 'A peer to add: its invite (file:PATH, - for stdin, or the line itself), or its gateway URL (NAME=URL). Repeatable.', multiple: true, default: []}),
    'allow-insecure-url': Flags.boolean({description: 'Accept a peer URL outside the tailnet: plain http to a non-tailnet address (the token travels unencrypted), a loopback or link-local address (tunnels, tests), a *.ts.net name that does not resolve to a tailnet address, or an invite pointing outside the tailnet.', default: false}),
    'mesh-secret': Flags.string({description: 'Fleet mode: one hooks token shared by every host (file:PATH or -; default $CLAW_MESH_SECRET); peers are discovered from the tailnet.', helpValue: 'file:PATH|-'}),
    'mesh-tag': Flags.string({description: 'Tailnet tag that marks mesh members for discovery.', default: 'tag:claw-mesh'}),
    alert: Flags.string({description: 'Install the gateway watchdog with this alert target (webhook:https://…, imessage:+1…, command:/path), or file:PATH / - holding it (default $CLAW_MESH_ALERT). A webhook URL is kept in the secret store.'}),
    'secret-store': Flags.string({description: 'Where tokens live: auto (keychain, else file with a warning), keychain or file.', options: ['auto', 'keychain', 'file']}),
    install: Flags.boolean({description: 'Allow installing Tailscale and OpenClaw when missing (--no-install forbids it). Default: ask on a terminal.', allowNo: true}),
    yes: Flags.boolean({char: 'y', description: 'Answer yes to every confirmation (installs).', default: false}),
    'peer-timeout': Flags.string({description: 'Per-peer timeout for the checks.', default: '5s'}),
    ...timeoutFlag('120s', 'How long to wait for Tailscale and for the gateway to become healthy.'),
    ...loginServerFlag,
    ...socketFlag,
    ...dryRunFlag,
  }

  protected async execute(): Promise<BootstrapResult> {
    const {flags, deps} = this
    const identity = assertIdentity(flags.identity ?? (await ask(deps.io, {question: 'Identity for this agent (e.g. nova):', flag: '--identity NAME'})))
    const hostname = assertHostname(flags.hostname ?? `openclaw-${identity}`)
    const tags = parseTags(flags.tags)
    const timeoutMs = parseDuration(flags.timeout)
    const loginServer = resolveLoginServer(flags['login-server'], deps.env, undefined)
    const peerTimeoutMs = parseDuration(flags['peer-timeout'], '--peer-timeout')
    const port = flags.port === undefined ? undefined : assertPort(flags.port)
    const secretInput = {env: deps.env, stdin: deps.io.stdin, redactor: deps.redactor}
    let key = await readSecretInput({flag: '--tailscale-key', raw: flags['tailscale-key'], envName: 'CLAW_MESH_TAILSCALE_KEY', ...secretInput})
    if (key?.origin === 'argument') deps.io.err('warning: a key given on the command line is visible to other users (ps); prefer --tailscale-key file:PATH.\n')
    const meshSecret = await readSecretInput({flag: '--mesh-secret', raw: flags['mesh-secret'], envName: 'CLAW_MESH_SECRET', allowLiteral: false, ...secretInput})
    if (flags.peer.some((p) => /^claw-mesh-invite/i.test(p.trim()))) deps.io.err('warning: an invite given on the command line is visible to other users (ps) and holds a hooks token; prefer --peer file:PATH or --peer -.\n')
    const stdinReaders = [flags['tailscale-key'] === '-', flags['mesh-secret'] === '-', flags.peer.includes('-'), flags.alert === '-'].filter(Boolean).length
    if (stdinReaders > 1) throw new UsageError('Only one of --tailscale-key, --mesh-secret, --peer and --alert can read stdin (-).', {hint: 'Put the others in files and pass file:PATH.'})
    // --peer values are read and checked first (a bad file is a usage error, whatever Tailscale's state); the
    // tailnet is observed once, when a URL peer needs naming or after.
    let observed: Promise<Awaited<ReturnType<typeof observeTailscale>>> | undefined
    const observe = () => (observed ??= observeTailscale(deps, flags.socket))
    const peers = await readPeerInputs(flags.peer, {stdin: deps.io.stdin, redactor: deps.redactor, tailnet: async () => (await observe()).summary, allowInsecureUrl: flags['allow-insecure-url'], home: deps.home})
    const observedTailscale = await observe()
    const tailnet = observedTailscale.summary
    if (!key && !flags['dry-run'] && (!tailnet || tailnet.backendState === 'NeedsLogin' || tailnet.backendState === 'NoState')) {
      key = await this.askForKey()
    }
    const alert = await readAlertInput(deps, flags.alert)
    if (alert !== undefined) parseAlertTarget(alert, deps.platform.id)
    const allowInstall = flags.install ?? (flags.yes ? true : undefined)
    return bootstrap(
      deps,
      {
        identity,
        hostname,
        hostnameGiven: flags.hostname !== undefined,
        tags,
        key,
        ephemeral: flags.ephemeral,
        expose: flags.expose,
        port,
        acceptRisk: flags['accept-risk'],
        peers,
        meshSecret,
        meshTag: flags['mesh-tag'],
        alert,
        secretStore: flags['secret-store'] as SecretStoreChoice | undefined,
        install: allowInstall !== false,
        dryRun: flags['dry-run'],
        timeoutMs,
        peerTimeoutMs,
        socket: flags.socket,
        loginServer,
        observedTailscale,
      },
      {
        ...bootstrapHooks(deps, {alert}),
        confirmInstall: allowInstall === true ? undefined : async (what) => confirm(deps.io, {question: `${what.join(', then ')}?`, flag: '--install (or --yes)'}),
      },
    )
  }

  private async askForKey(): Promise<SecretSource | undefined> {
    if (!this.deps.io.canPrompt()) {
      throw new UsageError('Tailscale needs a login on this machine and no auth key was given (and there is no terminal to ask on).', {
        code: 'tailscale-key-missing',
        hint: 'Pass --tailscale-key file:PATH (or - for stdin), or set CLAW_MESH_TAILSCALE_KEY. OAuth client secrets also need --tags.',
      })
    }
    const value = await ask(this.deps.io, {question: 'Tailscale auth key (input hidden):', flag: '--tailscale-key file:PATH', masked: true})
    this.deps.redactor.add(value)
    return value ? {origin: 'prompt', value} : undefined
  }

  protected override render(result: BootstrapResult): void {
    this.deps.io.out(renderBootstrap(result, this.deps.io.stdoutColor))
  }

  protected override exitCodeFor(result: BootstrapResult): number {
    return result.peers.some((p) => p.status !== 'ok') ? ExitCode.PARTIAL : ExitCode.OK
  }
}
