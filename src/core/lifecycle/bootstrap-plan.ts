import {ClawMeshError} from '../common/errors.js'
import type {TailscaleSummary} from '../tailscale/tailscale-status.js'
import {planJoin} from '../tailscale/tailscale-join-plan.js'

export type BootstrapStepId =
  | 'tailscale-install'
  | 'tailscale-join'
  | 'openclaw-install'
  | 'gateway-configure'
  | 'gateway-start'
  | 'peers'
  | 'watchdog'
  | 'skill'
  | 'mesh-plugin'

/** Why a step cannot run, and what the user does about it: each blocked step carries its own. */
export interface StepBlock {
  /** `usage`: the flags ask for something that needs another flag (exit 2); `action-needed`: the user must act (exit 3). */
  kind: 'usage' | 'action-needed'
  code: string
  hint: string
}

export interface BootstrapStep {
  id: BootstrapStepId
  title: string
  /** `run` changes something; `ok` means already in the wanted state; `blocked` cannot run (and why). */
  action: 'run' | 'ok' | 'blocked'
  detail: string
  /** Present exactly when `action` is `blocked`. */
  block?: StepBlock
  /** What a `run` step asks the user before anything is applied: the auth key, or leave to install. */
  asks?: 'key' | 'install'
}

export interface BootstrapDesired {
  identity: string
  hostname: string
  tags: string[]
  forceReauth: boolean
  /** `given`: a key was passed; `ask`: it will be asked for on the terminal; `none`: neither. */
  key: 'given' | 'ask' | 'none'
  expose: string
  port: number
  peers: number
  meshSecret: boolean
  alert?: string
  /** `allowed` (--install/--yes); `ask` first on the terminal; `no-terminal`: would ask, but cannot; `forbidden` (--no-install). */
  install: 'allowed' | 'ask' | 'no-terminal' | 'forbidden'
  /** Whether --hostname was given, and the node name claw-mesh recorded: see planJoin (no silent rename). */
  hostnameGiven?: boolean
  recordedHostname?: string
  /** The node must stay up without a logged-in user (Windows): see planJoin. */
  unattended?: boolean
}

/** The watchdog as the scheduler reports it: never assumed. */
export interface WatchdogObserved {
  /** A service manager (systemd user session, launchd, Task Scheduler) answers here. */
  schedulerUsable: boolean
  /** The job's files exist and the scheduler has it loaded. */
  installed: boolean
  /** Installed, and installing again would change nothing. */
  matches: boolean
  /** claw-mesh's state holds the same alert target (what `claw-mesh watchdog run` uses). */
  sameAlertRecorded: boolean
}

/** OpenClaw as bootstrap found it, before anything changes (so a Node too old stops the run before the join). */
export interface OpenClawObserved {
  cli: boolean
  /** From `openclaw --version`; null when it was not asked (a healthy gateway already proves OpenClaw runs). */
  version: string | null
  /** A gateway answers /healthz and nothing is pending: OpenClaw runs here. */
  runsGateway?: boolean
  /** Found, but it cannot run here: its Node is too old, or `openclaw --version` fails. */
  unusable?: {code: string; message: string; hint: string}
}

export interface BootstrapObserved {
  /**
   * `notOurs`: the machine's tailscaled answers, but this (non-root) user is not its operator, so claw-mesh may not
   * change it (`set`, `up`): another user's node on a shared machine, or one an admin brought up with sudo.
   * `forceDaemon`: read where the platform wants an unattended node and one is logged in (see planJoin).
   * `appStopped`: the daemon does not answer and the OS's own Tailscale app is installed (macOS): start it, install nothing.
   */
  tailscale: {
    cli: boolean
    daemonUp: boolean
    summary: TailscaleSummary | null
    notOurs?: {user: string; operator: string | null}
    forceDaemon?: boolean | null
    appStopped?: {message: string; hint: string}
  }
  openclaw: OpenClawObserved
  /** Identity and tailnet name as claw-mesh recorded them. */
  recorded: {identity?: string; tailscaleHostname?: string}
  /** Changes the config patch would make (paths), or null when the config could not be read yet. */
  configChanges: string[] | null
  /** claw-mesh's state already records this config path, port and exposure. */
  gatewayRecorded: boolean
  gatewayHealthy: boolean
  /** Peers that would be added or updated (invites, URLs and tailnet discovery). */
  peerChanges: string[]
  watchdog: WatchdogObserved
  skillInstalled: boolean
  /** claw-mesh's OpenClaw plugin: current (nothing to do), or why this OpenClaw cannot take it. Absent: not asked. */
  meshPlugin?: {current: boolean; unsupported?: string}
  /**
   * Who holds the gateway's loopback port before anything runs: on a shared machine another user's gateway (or any
   * other program) there means this user's gateway cannot start, which the plan says before the join spends a key.
   * `freePort`: the next port nobody listens on, for the hint. Absent: not observed (treated as free).
   */
  gatewayPort?: {holder: 'free' | 'ours' | 'foreign' | 'unknown'; message: string; freePort?: number}
}

const KEY_HINT =
  'Pass --tailscale-key file:PATH (or - for stdin), or set CLAW_MESH_TAILSCALE_KEY. OAuth client secrets also need --tags.'

function blocked(id: BootstrapStepId, title: string, detail: string, block: StepBlock): BootstrapStep {
  return {id, title, action: 'blocked', detail, block}
}

/** The install step for something missing, by what the user allowed. */
function installStep(
  id: 'tailscale-install' | 'openclaw-install',
  title: string,
  what: string,
  why: string,
  install: BootstrapDesired['install'],
): BootstrapStep {
  if (install === 'allowed') return {id, title, action: 'run', detail: why}
  if (install === 'ask') return {id, title, action: 'run', detail: `${why}; asks before installing`, asks: 'install'}
  if (install === 'no-terminal') {
    return blocked(id, title, `${why}, and there is no terminal to ask whether to install it`, {
      kind: 'usage',
      code: 'install-confirmation-needed',
      hint: `Pass --install (or --yes) to allow installing ${what}, or install it yourself, then re-run.`,
    })
  }
  return blocked(id, title, `${why} and --no-install was given`, {
    kind: 'action-needed',
    code: 'install-not-allowed',
    hint: `Install ${what} yourself, or drop --no-install, then re-run.`,
  })
}

function joinStep(observed: BootstrapObserved, desired: BootstrapDesired): BootstrapStep {
  const ts = observed.tailscale
  const title = `Join the tailnet as ${desired.hostname}`
  const noKey = (detail: string) =>
    desired.key === 'ask'
      ? {
          id: 'tailscale-join' as const,
          title,
          action: 'run' as const,
          detail: `${detail}; the auth key is asked for on the terminal`,
          asks: 'key' as const,
        }
      : blocked('tailscale-join', title, `${detail} and no auth key was given (and there is no terminal to ask on)`, {
          kind: 'usage',
          code: 'tailscale-key-missing',
          hint: KEY_HINT,
        })
  if (!ts.summary)
    return desired.key === 'given'
      ? {id: 'tailscale-join', title, action: 'run', detail: 'after the daemon is up'}
      : noKey('Tailscale will need a login after it starts')
  let join
  try {
    join = planJoin(
      {...ts.summary, forceDaemon: ts.forceDaemon},
      {
        hostname: desired.hostname,
        tags: desired.tags,
        hasKey: desired.key === 'given',
        forceReauth: desired.forceReauth,
        hostnameGiven: desired.hostnameGiven,
        recordedHostname: desired.recordedHostname,
        unattended: desired.unattended,
      },
    )
  } catch (error) {
    const e = error as ClawMeshError
    return blocked('tailscale-join', title, e.message, {
      kind: 'usage',
      code: e.code ?? 'usage',
      hint: e.hint ?? KEY_HINT,
    })
  }
  if (ts.notOurs && join.action !== 'none') {
    const {user, operator} = ts.notOurs
    return blocked(
      'tailscale-join',
      title,
      `this machine's tailscaled is run for ${operator ? `its operator ${operator}` : 'root'}, not for you (${user}): claw-mesh may not change it (${join.action})`,
      {
        kind: 'action-needed',
        code: 'tailscale-not-yours',
        hint: `On a machine you share, run a tailscaled of your own (userspace networking, no root needed): CLAW_MESH_TAILSCALE_NETWORKING=userspace and re-run the same command. On your own machine, let your user manage it once: sudo tailscale set --operator=${user}`,
      },
    )
  }
  if (join.action === 'up' && !join.needsKey) {
    return blocked('tailscale-join', title, join.reason, {
      kind: 'action-needed',
      code: 'tailscale-needs-approval',
      hint: 'Approve it at https://login.tailscale.com/admin/machines (or use a pre-approved key), then re-run the same command.',
    })
  }
  if (join.action === 'up' && desired.key !== 'given') return noKey(join.reason)
  if (join.action !== 'none')
    return {id: 'tailscale-join', title, action: 'run', detail: `${join.action}: ${join.reason}`}
  const rec = observed.recorded
  if (rec.identity !== desired.identity || !rec.tailscaleHostname)
    return {
      id: 'tailscale-join',
      title: `Record this node as ${desired.identity}`,
      action: 'run',
      detail: `${join.reason}; claw-mesh has not recorded it yet`,
    }
  return {
    id: 'tailscale-join',
    title: `Tailnet joined as ${ts.summary.machineName ?? ts.summary.hostname}`,
    action: 'ok',
    detail: join.reason,
  }
}

function openclawStep(o: OpenClawObserved, install: BootstrapDesired['install']): BootstrapStep {
  // Missing and the Node on PATH too old for it: an install would only fail later, after the join.
  if (!o.cli && o.unusable)
    return blocked('openclaw-install', 'OpenClaw cannot be installed to run here', o.unusable.message, {
      kind: 'action-needed',
      code: o.unusable.code,
      hint: o.unusable.hint,
    })
  if (!o.cli)
    return installStep(
      'openclaw-install',
      'Install OpenClaw (npm install -g openclaw)',
      'OpenClaw',
      'the openclaw CLI is missing',
      install,
    )
  // Refused here, with the plan, before the join spends a key on a machine whose gateway cannot start.
  if (o.unusable)
    return blocked('openclaw-install', 'OpenClaw cannot run here', o.unusable.message, {
      kind: 'action-needed',
      code: o.unusable.code,
      hint: o.unusable.hint,
    })
  const detail = o.version
    ? `version ${o.version}`
    : o.runsGateway
      ? 'its gateway is running and healthy'
      : '`openclaw --version` printed no version'
  return {id: 'openclaw-install', title: 'OpenClaw installed', action: 'ok', detail}
}

function watchdogStep(w: WatchdogObserved): BootstrapStep {
  if (!w.schedulerUsable) {
    return w.sameAlertRecorded
      ? {
          id: 'watchdog',
          title: 'Watchdog not scheduled (no service manager here)',
          action: 'ok',
          detail: 'the alert target is recorded for `claw-mesh watchdog run`; schedule that yourself (cron)',
        }
      : {
          id: 'watchdog',
          title: 'Record the watchdog alert target',
          action: 'run',
          detail: 'no service manager here to schedule `claw-mesh watchdog run`',
        }
  }
  if (w.installed && w.matches)
    return {id: 'watchdog', title: 'Watchdog installed', action: 'ok', detail: 'same alert target and schedule'}
  return {
    id: 'watchdog',
    title: 'Install the gateway watchdog',
    action: 'run',
    detail: w.installed ? 'update its settings' : 'restarts a dead gateway and alerts',
  }
}

/**
 * What bootstrap will do, from what is on the machine and what is wanted. Pure: the same inputs give the same
 * plan on any OS, and a provisioned host gives a plan of `ok` steps only. Bootstrap applies exactly the `run`
 * steps; any `blocked` step stops it (dry run included) with that step's hint.
 */
export function planBootstrap(observed: BootstrapObserved, desired: BootstrapDesired): BootstrapStep[] {
  const steps: BootstrapStep[] = []
  const ts = observed.tailscale
  const tsWhy = ts.cli ? 'the daemon is not running' : 'the tailscale CLI is missing'
  steps.push(
    ts.cli && ts.daemonUp
      ? {
          id: 'tailscale-install',
          title: 'Tailscale installed',
          action: 'ok',
          detail: 'the CLI is present and the daemon answers',
        }
      : ts.appStopped
        ? blocked('tailscale-install', 'Start the Tailscale app', ts.appStopped.message, {
            kind: 'action-needed',
            code: 'tailscale-app-not-running',
            hint: ts.appStopped.hint,
          })
        : installStep('tailscale-install', 'Install Tailscale', 'Tailscale', tsWhy, desired.install),
  )
  steps.push(joinStep(observed, desired))
  steps.push(openclawStep(observed.openclaw, desired.install))
  const changes = observed.configChanges
  const configureTitle = `Configure the gateway (expose ${desired.expose}, port ${desired.port})`
  steps.push(
    changes === null
      ? {id: 'gateway-configure', title: configureTitle, action: 'run', detail: 'after OpenClaw is installed'}
      : changes.length > 0
        ? {id: 'gateway-configure', title: configureTitle, action: 'run', detail: `change ${changes.join(', ')}`}
        : !observed.gatewayRecorded
          ? {
              id: 'gateway-configure',
              title: configureTitle,
              action: 'run',
              detail: 'openclaw.json is right; record its settings in claw-mesh state',
            }
          : {
              id: 'gateway-configure',
              title: 'Gateway configured',
              action: 'ok',
              detail: 'openclaw.json already has every claw-mesh setting',
            },
  )
  const configWillChange = changes === null || changes.length > 0
  const port = observed.gatewayPort
  steps.push(
    port?.holder === 'foreign'
      ? blocked('gateway-start', `Start the gateway on port ${desired.port}`, port.message, {
          kind: 'action-needed',
          code: 'gateway-port-taken',
          hint: `Each user on a machine needs a gateway port of their own: re-run with --port ${port.freePort ?? desired.port + 1}${port.freePort ? ' (free now)' : ''}, or stop what holds ${desired.port}.`,
        })
      : observed.gatewayHealthy && !configWillChange
        ? {id: 'gateway-start', title: 'Gateway healthy', action: 'ok', detail: '/healthz answers 200'}
        : {
            id: 'gateway-start',
            title: 'Start the gateway and wait until healthy',
            action: 'run',
            detail: observed.gatewayHealthy ? 'apply the new config' : 'not answering on /healthz',
          },
  )
  const peerWork = desired.peers > 0 || desired.meshSecret
  steps.push(
    !peerWork
      ? {
          id: 'peers',
          title: 'Peers',
          action: 'ok',
          detail: 'none given (add later with --peer, claw-mesh peer add or --mesh-secret)',
        }
      : observed.peerChanges.length === 0
        ? {
            id: 'peers',
            title: 'Peers recorded',
            action: 'ok',
            detail: 'every peer is already recorded; they are checked again',
          }
        : {id: 'peers', title: 'Add and verify peers', action: 'run', detail: observed.peerChanges.join(', ')},
  )
  if (desired.alert !== undefined) steps.push(watchdogStep(observed.watchdog))
  steps.push(
    observed.skillInstalled
      ? {
          id: 'skill',
          title: 'claw-mesh skill installed',
          action: 'ok',
          detail: 'the agent knows how to reach its peers',
        }
      : {
          id: 'skill',
          title: 'Install the claw-mesh skill for the agent',
          action: 'run',
          detail: 'teaches the agent to list peers, send, broadcast and share files',
        },
  )
  const plugin = observed.meshPlugin
  if (plugin) {
    steps.push(
      plugin.unsupported
        ? {
            id: 'mesh-plugin',
            title: 'Mesh tools for the agent',
            action: 'ok',
            detail: `skipped: ${plugin.unsupported}; the agent uses the claw-mesh command instead`,
          }
        : plugin.current
          ? {
              id: 'mesh-plugin',
              title: 'Mesh tools for the agent installed',
              action: 'ok',
              detail: 'claw-mesh plugin loaded (mesh_peers, mesh_ask, mesh_send, mesh_task)',
            }
          : {
              id: 'mesh-plugin',
              title: 'Install the mesh tools for the agent',
              action: 'run',
              detail: "claw-mesh's OpenClaw plugin, with openclaw plugins install",
            },
    )
  }
  return steps
}

export function planChangesSomething(steps: BootstrapStep[]): boolean {
  return steps.some((s) => s.action === 'run')
}

/** The refusal for a plan with blocked steps (undefined when none): exit 2 when a flag is the fix, else exit 3. */
export function planRefusal(
  steps: BootstrapStep[],
): {kind: StepBlock['kind']; code: string; message: string; hint: string} | undefined {
  const blockedSteps = steps.filter((s) => s.action === 'blocked' && s.block)
  if (blockedSteps.length === 0) return undefined
  const usage = blockedSteps.filter((s) => s.block!.kind === 'usage')
  const first = (usage[0] ?? blockedSteps[0]).block!
  const hints = [...new Set(blockedSteps.map((s) => s.block!.hint))]
  return {
    kind: usage.length > 0 ? 'usage' : 'action-needed',
    code: first.code,
    message: `Bootstrap cannot continue: ${blockedSteps.map((s) => `${s.title} (${s.detail})`).join('; ')}.`,
    hint: hints.join(' '),
  }
}
