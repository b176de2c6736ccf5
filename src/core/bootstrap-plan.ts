import type {TailscaleSummary} from './tailscale-status.js'
import {planJoin} from './tailscale-join-plan.js'

export type BootstrapStepId = 'tailscale-install' | 'tailscale-join' | 'openclaw-install' | 'gateway-configure' | 'gateway-start' | 'peers' | 'watchdog' | 'skill'

export interface BootstrapStep {
  id: BootstrapStepId
  title: string
  /** `run` changes something; `ok` means already in the wanted state; `blocked` cannot run (and why). */
  action: 'run' | 'ok' | 'blocked'
  detail: string
  /** For a blocked step: what unblocks it, when that is not "allow the installs". */
  hint?: string
}

export interface BootstrapDesired {
  identity: string
  hostname: string
  tags: string[]
  expose: string
  port: number
  peers: number
  meshSecret: boolean
  alert?: string
  install: boolean
  /** Whether --hostname was given, and the node name claw-mesh recorded: see planJoin (no silent rename). */
  hostnameGiven?: boolean
  recordedHostname?: string
}

export interface BootstrapObserved {
  tailscale: {cli: boolean; daemonUp: boolean; summary: TailscaleSummary | null}
  openclaw: {cli: boolean; version: string | null}
  /** Changes the config patch would make (paths), or null when the config could not be read yet. */
  configChanges: string[] | null
  gatewayHealthy: boolean
  /** Peers that would be added or updated (invites, URLs and tailnet discovery). */
  peerChanges: string[]
  watchdog: {installed: boolean; matches: boolean}
  skillInstalled: boolean
}

/**
 * What bootstrap will do, from what is on the machine and what is wanted. Pure: the same inputs give the same
 * plan on any OS, and a provisioned host gives a plan of `ok` steps only.
 */
export function planBootstrap(observed: BootstrapObserved, desired: BootstrapDesired): BootstrapStep[] {
  const steps: BootstrapStep[] = []
  const ts = observed.tailscale
  const tsReady = ts.cli && ts.daemonUp
  steps.push(
    tsReady
      ? {id: 'tailscale-install', title: 'Tailscale installed', action: 'ok', detail: 'the CLI is present and the daemon answers'}
      : desired.install
        ? {id: 'tailscale-install', title: 'Install Tailscale', action: 'run', detail: ts.cli ? 'the daemon is not running' : 'the tailscale CLI is missing'}
        : {id: 'tailscale-install', title: 'Install Tailscale', action: 'blocked', detail: `${ts.cli ? 'the daemon is not running' : 'the tailscale CLI is missing'} and --no-install was given`},
  )
  if (ts.summary) {
    try {
      const join = planJoin(ts.summary, {hostname: desired.hostname, tags: desired.tags, hasKey: true, forceReauth: false, hostnameGiven: desired.hostnameGiven, recordedHostname: desired.recordedHostname})
      steps.push(
        join.action === 'none'
          ? {id: 'tailscale-join', title: `Tailnet joined as ${ts.summary.hostname}`, action: 'ok', detail: join.reason}
          : {id: 'tailscale-join', title: `Join the tailnet as ${desired.hostname}`, action: 'run', detail: `${join.action}: ${join.reason}`},
      )
    } catch (error) {
      steps.push({id: 'tailscale-join', title: `Join the tailnet as ${desired.hostname}`, action: 'blocked', detail: (error as Error).message, hint: (error as {hint?: string}).hint})
    }
  } else {
    steps.push({id: 'tailscale-join', title: `Join the tailnet as ${desired.hostname}`, action: 'run', detail: 'after the daemon is up'})
  }
  steps.push(
    observed.openclaw.cli
      ? {id: 'openclaw-install', title: 'OpenClaw installed', action: 'ok', detail: observed.openclaw.version ?? 'version unknown'}
      : desired.install
        ? {id: 'openclaw-install', title: 'Install OpenClaw (npm install -g openclaw)', action: 'run', detail: 'the openclaw CLI is missing'}
        : {id: 'openclaw-install', title: 'Install OpenClaw', action: 'blocked', detail: 'the openclaw CLI is missing and --no-install was given'},
  )
  const changes = observed.configChanges
  steps.push(
    changes === null
      ? {id: 'gateway-configure', title: `Configure the gateway (expose ${desired.expose}, port ${desired.port})`, action: 'run', detail: 'after OpenClaw is installed'}
      : changes.length === 0
        ? {id: 'gateway-configure', title: 'Gateway configured', action: 'ok', detail: 'openclaw.json already has every claw-mesh setting'}
        : {id: 'gateway-configure', title: `Configure the gateway (expose ${desired.expose}, port ${desired.port})`, action: 'run', detail: `change ${changes.join(', ')}`},
  )
  const configWillChange = changes === null || changes.length > 0
  steps.push(
    observed.gatewayHealthy && !configWillChange
      ? {id: 'gateway-start', title: 'Gateway healthy', action: 'ok', detail: '/healthz and /readyz answer 200'}
      : {id: 'gateway-start', title: 'Start the gateway and wait until healthy', action: 'run', detail: observed.gatewayHealthy ? 'apply the new config' : 'not answering on /healthz'},
  )
  const peerWork = desired.peers > 0 || desired.meshSecret
  steps.push(
    !peerWork
      ? {id: 'peers', title: 'Peers', action: 'ok', detail: 'none given (add later with --peer, claw-mesh peer add or --mesh-secret)'}
      : observed.peerChanges.length === 0
        ? {id: 'peers', title: 'Peers recorded', action: 'ok', detail: 'every peer is already recorded; they are checked again'}
        : {id: 'peers', title: 'Add and verify peers', action: 'run', detail: observed.peerChanges.join(', ')},
  )
  if (desired.alert !== undefined) {
    steps.push(
      observed.watchdog.installed && observed.watchdog.matches
        ? {id: 'watchdog', title: 'Watchdog installed', action: 'ok', detail: 'same alert target and schedule'}
        : {id: 'watchdog', title: 'Install the gateway watchdog', action: 'run', detail: observed.watchdog.installed ? 'update its settings' : 'restarts a dead gateway and alerts'},
    )
  }
  steps.push(
    observed.skillInstalled
      ? {id: 'skill', title: 'claw-mesh skill installed', action: 'ok', detail: 'the agent knows how to reach its peers'}
      : {id: 'skill', title: 'Install the claw-mesh skill for the agent', action: 'run', detail: 'teaches the agent to list peers, send, broadcast and share files'},
  )
  return steps
}

export function planChangesSomething(steps: BootstrapStep[]): boolean {
  return steps.some((s) => s.action === 'run')
}
