import type {DoctorContext} from './context.js'
import type {ListenerVerdict} from '../openclaw/port-holder.js'
import type {State} from '../common/state-schema.js'

/**
 * The parts of the machine a command observes, by name: what an applier names when it has changed one of them
 * (`view.invalidate('config')` after writing openclaw.json, `'tailscale'` after `tailscale up`, `'health'`,
 * `'service'` and `'listener'` after starting the gateway).
 */
export type MachineProbe = 'state' | 'tailscale' | 'openclaw' | 'config' | 'health' | 'service' | 'secrets' | 'listener'

/** How many times the expensive reads really ran: tests hold a command to one of each. */
export interface MachineReads {
  /** `tailscale status --json` runs. */
  tailscale: number
  /** openclaw.json reads. */
  config: number
}

/** The machine probes doctor's checks read (the rest of DoctorContext is about the run: its peers and pings). */
export type MachineChecksView = Omit<DoctorContext, 'peerRecords' | 'peerProbe' | 'ping' | 'clockSample'>

/**
 * One view of the machine, shared by every command: each probe runs the first time something asks for it and is
 * remembered until `invalidate` names it. Implemented in src/services/machine/view.ts; doctor's checks see it as
 * their DoctorContext.
 */
export interface MachineObservation extends MachineChecksView {
  /** claw-mesh's state; throws what the state store throws (an invalid state file). */
  readState(): State
  /** Who holds 127.0.0.1:<port> (the gateway's port, or a candidate one). */
  listener(port: number): Promise<ListenerVerdict>
  /** Forget what was observed of these parts (no names: everything); the next read observes them again. */
  invalidate(...probes: MachineProbe[]): void
  readonly reads: Readonly<MachineReads>
}
