export type PlatformId = 'linux' | 'darwin' | 'win32'

/** What we learned about the machine before planning an install. */
export interface HostProbe {
  platform: PlatformId
  isRoot: boolean
  hasTerminal: boolean
  /** Linux: ID and ID_LIKE from /etc/os-release. */
  osRelease?: {id: string; idLike: string[]; versionId?: string}
  /** A systemd that can run system services (PID 1 is systemd and it answers). */
  hasSystemd: boolean
  /** Inside a container (/.dockerenv, /run/.containerenv, container env). */
  inContainer: boolean
  /** Commands found on PATH (name → absolute path). */
  commands: Record<string, string | undefined>
}

export interface PlanStep {
  /** Human title shown in the plan and the progress list. */
  title: string
  command: string
  args: string[]
  /** Runs through sudo when we are not root. */
  sudo?: boolean
  /** A long-lived daemon started in the background, with its log here. */
  detachedLog?: string
  /** After this step, wait until the tailscale socket answers. */
  waitForSocket?: string
}

export interface InstallPlan {
  method: string
  steps: PlanStep[]
  notes: string[]
  /** The CLI and socket to use after the install. */
  socket?: string
}

/** The per-OS facts and behaviours claw-mesh needs. One implementation per OS. */
export interface PlatformAdapter {
  readonly id: PlatformId
  /** Where claw-mesh keeps its state (peers, backups, pid files, the file secret store). */
  stateDir(env: NodeJS.ProcessEnv, home: string): string
  /** Where to look for the tailscale CLI after PATH. */
  tailscaleCandidates(env: NodeJS.ProcessEnv): string[]
  /** Executable file names to look for on PATH. */
  executableNames(name: string): string[]
  readonly pathDelimiter: string
  /** The default daemon socket. */
  readonly tailscaleSocket: string
  /** The message `tailscale` prints when the daemon is not running, on this OS. */
  readonly tailscaleDaemonDownText: string
  /** How to start the daemon by hand, for error hints. */
  readonly tailscaleStartHint: string
  /** Plans installing Tailscale. Throws ActionNeededError where it cannot (NixOS, unknown distro). */
  planTailscaleInstall(probe: HostProbe, opts: {stateDir: string}): InstallPlan
  /** Flags `tailscale up` needs on this OS in addition to the common ones. */
  upExtraFlags(): string[]
}
