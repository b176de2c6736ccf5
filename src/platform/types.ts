import type {PortListeners} from '../core/openclaw/port-holder.js'

export type PlatformId = 'linux' | 'darwin' | 'win32'

/** What we learned about the machine before planning an install. */
export interface HostProbe {
  platform: PlatformId
  isRoot: boolean
  /** Linux: ID and ID_LIKE from /etc/os-release. */
  osRelease?: {id: string; idLike: string[]; versionId?: string}
  /** A systemd that can run system services (PID 1 is systemd and it answers). */
  hasSystemd: boolean
  /** Inside a container (/.dockerenv, /run/.containerenv, container env). */
  inContainer: boolean
  /** Commands found on PATH (name → absolute path). */
  commands: Record<string, string | undefined>
  /** Linux: /dev/net/tun opens read-write for us (a kernel TUN device can be made; a container without it cannot). */
  tun?: boolean
  /** macOS: /Applications/Tailscale.app exists (the App Store or standalone variant, whose daemon only the app starts). */
  tailscaleApp?: boolean
  /** Linux: the accounts people log in with (/etc/passwd, UID_MIN and up, with a login shell). */
  humanUsers?: string[]
  /** macOS: Homebrew's tailscale formula is installed (its keg is in the Cellar, what `brew list --formula` reads). */
  tailscaleFormula?: boolean
}

/** The OS's own Tailscale app is installed but its daemon does not answer: only the user can start (and approve) it. */
export interface TailscaleAppStopped {
  message: string
  hint: string
}

/** How a tailscaled claw-mesh starts itself (no service manager) reaches the tailnet. */
export type TailscaleNetworking = 'kernel' | 'userspace'

export interface DaemonPlanOptions {
  stateDir: string
  /** `auto` (default): a kernel TUN when one can be made, else userspace networking. */
  networking?: 'auto' | TailscaleNetworking
  /** Userspace mode: the loopback port of tailscaled's HTTP + SOCKS5 proxy (default 1055). */
  proxyPort?: number
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
  /**
   * After this step, wait until the daemon answers on its default socket (a service the installer registers and
   * starts, whose socket — a Windows named pipe — cannot be looked for as a file).
   */
  waitForDaemon?: boolean
}

export interface InstallPlan {
  method: string
  steps: PlanStep[]
  notes: string[]
  /** The CLI and socket to use after the install. */
  socket?: string
  /** A daemon claw-mesh starts itself: kernel TUN or userspace networking. */
  networking?: TailscaleNetworking
  /** Userspace mode: tailscaled's outbound proxy (`http://127.0.0.1:PORT`), which claw-mesh's peer traffic uses. */
  proxy?: string
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
  /** Plans installing Tailscale. Throws ActionNeededError where it cannot (NixOS, unknown distro, a stopped macOS app). */
  planTailscaleInstall(probe: HostProbe, opts: DaemonPlanOptions): InstallPlan
  /**
   * When Tailscale's daemon does not answer: is this OS's Tailscale app installed, so the fix is starting it rather
   * than installing another daemon beside it? macOS only (Tailscale.app); undefined elsewhere.
   */
  tailscaleAppStopped?(probe: HostProbe): TailscaleAppStopped | undefined
  /**
   * How a child reads a secret from an inherited descriptor instead of a file: the path it opens for fd 3, and the
   * open(2) flags of a nameless file where the OS has one. Undefined where there is no /dev/fd (Windows).
   */
  readonly secretFd?: {path: string; tmpfileFlags?: number}
  /** Flags `tailscale up` needs on this OS in addition to the common ones. */
  upExtraFlags(): string[]
  /** Running the OpenClaw gateway: service manager, launcher for the exec secret provider. */
  readonly gateway: GatewayPlatform
  /** Running the claw-mesh watchdog periodically. */
  readonly watchdog: WatchdogPlatform
}

/** The secret resolver OpenClaw runs for the exec SecretRef provider (see GatewayPlatform.secretLauncher). */
export interface SecretLauncher {
  /** File claw-mesh writes (a launcher script), or undefined when `command` is used directly. */
  file?: string
  content?: string
  /** Absolute path OpenClaw executes (no shell). */
  command: string
  args: string[]
  /** Fixed environment for the resolver (used where no launcher file carries it). */
  env?: Record<string, string>
}

/** Runs a command for a platform probe (a thin view of the Runner, so adapters stay free of dependencies). */
export type ProbeRun = (
  cmd: string,
  args: string[],
) => Promise<{exitCode: number; stdout: string; stderr: string; notFound: boolean}>

/** How the OpenClaw gateway runs as a service on this OS, and the gateway-related files claw-mesh writes. */
export interface GatewayPlatform {
  /** Human name of the service manager, for messages. */
  readonly serviceManager: string
  /** Checks the service manager answers now (a container usually has none). Commands run through the Runner. */
  probeServiceManager(run: ProbeRun, env: NodeJS.ProcessEnv): Promise<{usable: boolean; detail: string}>
  /** Where OpenClaw's service definition lives (unit, plist), or the task name on Windows. */
  serviceLocation(home: string, profile?: string): string
  /** Is the gateway service installed? `env` locates what OpenClaw derives from it (Windows: the Startup folder). */
  serviceInstalled(home: string, profile: string | undefined, run: ProbeRun, env: NodeJS.ProcessEnv): Promise<boolean>
  /** Things to tell the user after installing the service (Linux: linger). */
  serviceNotes(run: ProbeRun, env: NodeJS.ProcessEnv): Promise<string[]>
  /**
   * Is this pid an OpenClaw gateway run by this user (guards against a recycled pid, or another user's process named
   * openclaw, before we signal or wait on it)? Linux: uid, executable and command line from /proc; macOS: uid and
   * command from ps; Windows: the command line only (the owner is not checked there).
   */
  isGatewayProcess(pid: number, run: ProbeRun): Promise<boolean>
  /**
   * The listening sockets a connection to 127.0.0.1:<port> reaches, with their owner and process, so a credential is
   * sent only to this user's gateway. Linux: /proc/net/tcp{,6} and /proc/<pid>/fd; macOS: lsof; Windows: netstat
   * (no owner there).
   */
  loopbackListeners(port: number, run: ProbeRun): Promise<PortListeners>
  /** The launcher OpenClaw runs to read the gateway token from claw-mesh's secret store. */
  secretLauncher(opts: {nodePath: string; cliEntry: string; stateDir: string; backend: string}): SecretLauncher
  /** Environment variables the resolver needs from the gateway's environment to reach the keychain. */
  readonly secretResolverPassEnv: readonly string[]
}

/** A file the watchdog install writes, rendered from `templates/<template>` with values escaped for `format`. */
export interface WatchdogFile {
  path: string
  template: string
  format: 'systemd' | 'xml' | 'vbs'
  /**
   * How its bytes are written (UTF-8 unless told). `utf-16le`: a BOM, then UTF-16LE — what schtasks
   * expects of task XML and what wscript reads a `.vbs` in without garbling a non-ASCII path (as OpenClaw writes both).
   */
  encoding?: 'utf-16le'
}

export interface PlatformCommand {
  command: string
  args: string[]
  /** A failure is expected and harmless (e.g. unloading a job that is not loaded). */
  mayFail?: boolean
  /** Run it again every `everyMs`, for up to `forMs`, while it fails with output matching `while` (launchd's teardown). */
  retry?: {while: RegExp; forMs: number; everyMs: number}
  /** A probe repeated every `everyMs` until it exits non-zero or `forMs` passed (wait until launchd forgot a job). */
  untilFails?: {forMs: number; everyMs: number}
  /** Turns a failure's output into what the user must do (launchctl: "needs a logged-in GUI session"). */
  explain?: (output: string) => {code: string; message: string; hint: string} | undefined
}

/** How the claw-mesh watchdog runs periodically as a user-level job on this OS (systemd timer, LaunchAgent, Task). */
export interface WatchdogPlatform {
  /** Human name of the mechanism, for messages. */
  readonly mechanism: string
  /** The job's name in the service manager. */
  readonly jobName: string
  /** The files install writes (uninstall removes them). */
  files(opts: {home: string; env: NodeJS.ProcessEnv; stateDir: string}): WatchdogFile[]
  /** Whether the job takes its environment from a `node --env-file` file (Task Scheduler has no environment). */
  readonly needsEnvFile: boolean
  /** Commands that load and start the job after the files are written. */
  activate(files: WatchdogFile[]): PlatformCommand[]
  /** Commands that stop and unload it (failures are tolerated: it may already be gone). */
  deactivate(files: WatchdogFile[]): PlatformCommand[]
  /** Commands after the files are removed (systemd: daemon-reload). */
  afterRemove(): PlatformCommand[]
  /** Is the job loaded in the service manager? */
  isActive(run: ProbeRun): Promise<boolean>
}
