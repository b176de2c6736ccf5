import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {ExitCode} from '../core/common/errors.js'
import {loginServerSetting} from '../core/common/settings.js'
import {
  dryRunFlag,
  loginServerFlag,
  socketFlag,
  tailscaleKeyFlag,
  tailscaleWifFlags,
  timeoutFlag,
  trustFlag,
} from '../flags.js'
import type {IOStreams} from '../infra/io.js'
import {ask, confirm} from '../infra/prompt.js'
import {readSecretInput, type SecretSource} from '../infra/secret-input.js'
import {renderBootstrap} from '../render/bootstrap.js'
import {readAlertInput} from '../services/alerts/target.js'
import {bootstrapHooks} from '../services/bootstrap/hooks.js'
import {assertOneStdinReader, bootstrapOptions, DEFAULT_PEER_WAIT} from '../services/bootstrap/options.js'
import {readPeerInputs} from '../services/bootstrap/peer-inputs.js'
import {bootstrap, type BootstrapHooks} from '../services/bootstrap/run.js'
import type {BootstrapResult} from '../services/bootstrap/types.js'
import {readWifInput} from '../services/tailscale/wif-input.js'

/** The questions bootstrap may ask, only where someone can answer (a terminal, not CI, not --json). */
export function bootstrapPrompts(io: IOStreams): Pick<BootstrapHooks, 'confirmInstall' | 'askForKey'> {
  if (!io.canPrompt()) return {}
  return {
    confirmInstall: (what) =>
      confirm(io, {question: `Install ${what.join(' and ')} now?`, flag: '--install (or --yes)'}),
    async askForKey(): Promise<SecretSource | undefined> {
      const value = await ask(io, {
        question: 'Tailscale auth key (input hidden):',
        flag: '--tailscale-key file:PATH',
        masked: true,
      })
      io.redactor.add(value)
      return value ? {origin: 'prompt', value} : undefined
    },
  }
}

export default class Bootstrap extends BaseCommand<typeof Bootstrap> {
  static override summary = 'Make this machine a verified member of the mesh, in one idempotent command.'
  static override description = `Observes the machine once, prints a plan, and applies exactly its steps: Tailscale installed → joined (hostname openclaw-<identity>) → OpenClaw installed → openclaw.json patched (only the keys claw-mesh owns; backed up; validated) → gateway started and its tokens verified (a healthy one with nothing to apply is left alone) → peers added and checked → watchdog and agent skill. A second run on a provisioned host changes nothing, restarts nothing, writes no file and sends no Tailscale key. Interrupted anywhere, the next run converges. Without a terminal (or under CI=true) it never prompts: it fails naming the flags to pass. --dry-run refuses what the real run would refuse, with the same exit code.`
  static override exitCodes = {
    PARTIAL: 'this host is done but a peer did not answer',
    NOT_READY:
      '`--wait-for-peers`: a `--peer` (or every fleet member) was still unreachable, or its MagicDNS name did not resolve here, after `--peer-wait`; the warnings name each and what to do',
  }
  static override examples = [
    '<%= config.bin %> bootstrap --identity nova --tailscale-key file:/run/secrets/ts --peer file:clawd.invite',
    '<%= config.bin %> bootstrap --identity demo --dry-run',
    'CLAW_MESH_TAILSCALE_KEY=… <%= config.bin %> bootstrap --identity ci-7 --tags tag:claw-mesh --mesh-secret file:/run/secrets/mesh --install --yes --json',
    '<%= config.bin %> bootstrap --identity nova --tags tag:claw-mesh,tag:prod --force-reauth --tailscale-key file:/run/secrets/ts',
    '<%= config.bin %> bootstrap --identity studio --caps gpu,macos,imessage --description "Mac Studio with the GPU"',
  ]
  static override flags = {
    identity: Flags.string({
      description: "This agent's name in the mesh (a DNS label, e.g. nova). Asked for on a terminal when missing.",
    }),
    hostname: Flags.string({
      description:
        'Tailscale hostname. Default: openclaw-<identity>; a machine already in the tailnet under a name claw-mesh did not give it is renamed only when this is given.',
    }),
    ...tailscaleKeyFlag,
    ...tailscaleWifFlags,
    tags: Flags.string({
      description: 'Tailscale tags to advertise (required with an OAuth client secret), e.g. tag:claw-mesh.',
      helpValue: 'tag:a,tag:b',
    }),
    'force-reauth': Flags.boolean({
      description: 'Re-register the node with Tailscale (needed to change --tags on a joined node). Needs a key.',
      default: false,
    }),
    ephemeral: Flags.boolean({
      description: 'For OAuth client secrets: register the node as ephemeral (CI hosts).',
      default: true,
      allowNo: true,
    }),
    expose: Flags.string({
      description:
        'How peers reach the gateway: tailnet (default: bind to the Tailscale IP), serve (Tailscale Serve, HTTPS) or lan (needs --accept-risk lan-exposure).',
      helpValue: 'tailnet|serve|lan',
    }),
    port: Flags.integer({description: 'Gateway port (default: what openclaw.json has, else 18789).'}),
    'accept-risk': Flags.string({
      description:
        'Accept a named risk: lan-exposure, or weak-tokens (keep a token under 256 bits found in openclaw.json or the store instead of replacing it).',
      multiple: true,
      default: [],
    }),
    peer: Flags.string({
      description:
        'A peer to add: its invite (file:PATH, - for stdin, or the line itself), or its gateway URL (NAME=URL). Repeatable.',
      multiple: true,
      default: [],
    }),
    replace: Flags.string({
      description:
        'A peer already recorded here that a --peer line may replace (its tokens, and its URL if the line gives another). Without it an existing name is refused. Repeatable.',
      helpValue: 'NAME',
      multiple: true,
      default: [],
    }),
    'allow-insecure-url': Flags.boolean({
      description:
        'Accept a peer URL outside the tailnet: plain http to a non-tailnet address (the token travels unencrypted), a loopback or link-local address (tunnels, tests), a *.ts.net name that does not resolve to a tailnet address, or an invite pointing outside the tailnet.',
      default: false,
    }),
    'mesh-secret': Flags.string({
      description:
        "Fleet mode: one secret given to every host (file:PATH or -; default $CLAW_MESH_SECRET); peers are discovered from the tailnet and each pair's tokens, and this host's hooks token, are derived from it. It is never sent.",
      helpValue: 'file:PATH|-',
    }),
    'mesh-tag': Flags.string({
      description:
        'Tailnet tag that marks mesh members for discovery. Default: the one recorded by an earlier discovery, else tag:claw-mesh.',
    }),
    caps: Flags.string({
      description:
        "What this host offers the mesh, published on its claw-mesh card (peers pick it with ask --capability): lowercase names, comma-separated, at most 16. Kept when not given; --caps '' clears.",
      helpValue: 'gpu,macos,…',
    }),
    description: Flags.string({
      description:
        "One line about this host for its claw-mesh card (at most 200 characters). Kept when not given; --description '' clears.",
      helpValue: 'TEXT',
    }),
    alert: Flags.string({
      description:
        'Install the gateway watchdog with this alert target (webhook:https://…, imessage:+1…, command:/path), or file:PATH / - holding it (default $CLAW_MESH_ALERT). A webhook URL is kept in the secret store.',
    }),
    'secret-store': Flags.string({
      description: 'Where tokens live: auto (keychain, else file with a warning), keychain or file.',
      options: ['auto', 'keychain', 'file'],
    }),
    install: Flags.boolean({
      description:
        'Allow installing Tailscale and OpenClaw when missing (--no-install forbids it). Default: ask on a terminal.',
      allowNo: true,
    }),
    yes: Flags.boolean({char: 'y', description: 'Answer yes to every confirmation (installs).', default: false}),
    'peer-timeout': Flags.string({description: 'Per-peer timeout for the checks.', default: '5s'}),
    'peer-wait': Flags.string({
      description:
        'After joining the tailnet, wait up to this long for the peers this run uses (--peer, fleet members) to be reachable and, with MagicDNS, their names to resolve here; 0 skips the wait. Peers still missing become warnings.',
      default: DEFAULT_PEER_WAIT,
      helpValue: 'DURATION',
    }),
    'wait-for-peers': Flags.boolean({
      description:
        'Wait for the peers even when no join happened, and exit 9 if a --peer (or every fleet member) is still not ready after --peer-wait: for pipelines whose next step uses them.',
      default: false,
    }),
    ...timeoutFlag('120s', 'How long to wait for Tailscale and for the gateway to become healthy.'),
    ...loginServerFlag,
    ...trustFlag,
    ...socketFlag,
    ...dryRunFlag,
  }

  protected async execute(): Promise<BootstrapResult> {
    const {flags, deps} = this
    assertOneStdinReader(flags)
    const identity =
      flags.identity ??
      (await ask(deps.io, {question: 'Identity for this agent (e.g. nova):', flag: '--identity NAME'}))
    const secretInput = {env: deps.env, stdin: deps.io.stdin, redactor: deps.redactor}
    const key = await readSecretInput({
      flag: '--tailscale-key',
      raw: flags['tailscale-key'],
      envName: 'CLAW_MESH_TAILSCALE_KEY',
      ...secretInput,
    })
    if (key?.origin === 'argument')
      deps.io.err(
        'warning: a key given on the command line is visible to other users (ps); prefer --tailscale-key file:PATH.\n',
      )
    const wif = await readWifInput(flags, deps)
    const meshSecret = await readSecretInput({
      flag: '--mesh-secret',
      raw: flags['mesh-secret'],
      envName: 'CLAW_MESH_SECRET',
      allowLiteral: false,
      ...secretInput,
    })
    if (flags.peer.some((p) => /^claw-mesh-invite/i.test(p.trim())))
      deps.io.err(
        'warning: an invite given on the command line is visible to other users (ps) and holds a hooks token; prefer --peer file:PATH or --peer -.\n',
      )
    // --peer values are read and checked before anything is observed (a bad file is a usage error, whatever Tailscale's state).
    const peers = await readPeerInputs(flags.peer, {
      stdin: deps.io.stdin,
      redactor: deps.redactor,
      allowInsecureUrl: flags['allow-insecure-url'],
      home: deps.home,
    })
    const alert = await readAlertInput(deps, flags.alert)
    const loginServer = loginServerSetting({env: deps.env, flags: {loginServer: flags['login-server']}}).value
    const opts = bootstrapOptions(flags, {identity, key, wif, meshSecret, peers, alert, loginServer}, deps.platform.id)
    return bootstrap(deps, opts, {
      ...bootstrapHooks(deps, {alert: opts.alert, identity: opts.identity, self: opts.self}),
      ...bootstrapPrompts(deps.io),
    })
  }

  protected override render(result: BootstrapResult): void {
    this.deps.io.out(renderBootstrap(result, this.deps.io.stdoutColor))
  }

  protected override exitCodeFor(result: BootstrapResult): number {
    if (result.readiness?.failed) return ExitCode.NOT_READY
    return result.peers.some((p) => p.status !== 'ok') ? ExitCode.PARTIAL : ExitCode.OK
  }
}
