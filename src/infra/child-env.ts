/**
 * What a child process may inherit from claw-mesh's environment. Children are other people's programs (npm and every
 * install script, openclaw, tailscale, the long-running gateway an agent can inspect through /proc/<pid>/environ):
 * they get the variables a program needs to run, never a secret, whatever the parent was given.
 */

/** Secrets claw-mesh itself reads from the environment. They leave process.env as soon as a command starts. */
export const SECRET_ENV_NAMES = [
  'CLAW_MESH_TAILSCALE_KEY',
  'CLAW_MESH_TAILSCALE_ID_TOKEN',
  'CLAW_MESH_SECRET',
  'CLAW_MESH_ALERT',
  'CLAW_MESH_INVITE',
  'TS_AUTHKEY',
  'TS_API_CLIENT_SECRET',
] as const

const ALLOWED_NAMES = new Set([
  // where programs are and who runs them
  'PATH',
  'Path',
  'PATHEXT',
  'HOME',
  'USER',
  'LOGNAME',
  'USERNAME',
  'SHELL',
  'PWD',
  'TMPDIR',
  'TEMP',
  'TMP',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TERM',
  'COLORTERM',
  'NO_COLOR',
  'FORCE_COLOR',
  'CI',
  'container',
  // Windows basics
  'SystemRoot',
  'SYSTEMROOT',
  'windir',
  'WINDIR',
  'ComSpec',
  'COMSPEC',
  'USERPROFILE',
  'APPDATA',
  'LOCALAPPDATA',
  'PROGRAMDATA',
  'ProgramData',
  'ProgramFiles',
  'ProgramFiles(x86)',
  'SystemDrive',
  'HOMEDRIVE',
  'HOMEPATH',
  // the session bus (the keychain resolver), a display for prompts
  'DBUS_SESSION_BUS_ADDRESS',
  'DISPLAY',
  'WAYLAND_DISPLAY',
  // networks behind a proxy or a private CA (npm install)
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'all_proxy',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'NODE_OPTIONS',
  'NODE_ENV',
])

/** Families of settings the programs claw-mesh runs read: locale, XDG dirs, OpenClaw's paths, npm's config, Tailscale's knobs, claw-mesh's own. */
const ALLOWED_PREFIXES = ['LC_', 'XDG_', 'OPENCLAW_', 'npm_config_', 'NPM_CONFIG_', 'TS_', 'CLAW_MESH_']

/** A name that says it holds a secret is never passed on, whatever family it belongs to (npm_config__authToken, OPENCLAW_GATEWAY_TOKEN). */
const SECRET_SHAPED = /(TOKEN|SECRET|PASSWORD|PASSWD|AUTHKEY|AUTH_KEY|API_KEY|PRIVATE_KEY|CREDENTIALS?)$/i

export function isSecretEnvName(name: string): boolean {
  return (SECRET_ENV_NAMES as readonly string[]).includes(name) || SECRET_SHAPED.test(name)
}

export function isAllowedInChild(name: string): boolean {
  if (isSecretEnvName(name)) return false
  return ALLOWED_NAMES.has(name) || ALLOWED_PREFIXES.some((p) => name.startsWith(p))
}

/** The environment a child starts with: the allow-listed part of `base`. Callers add what one child needs explicitly. */
export function childEnvironment(base: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(base)) if (value !== undefined && isAllowedInChild(name)) env[name] = value
  return env
}

/**
 * Takes claw-mesh's secrets out of `live` (process.env) and returns them with the rest, for the command to read once.
 * Nothing that runs in this process afterwards (a library spawning a helper, a crash reporter) can find them there.
 */
export function takeSecretEnv(live: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = {...live}
  for (const name of SECRET_ENV_NAMES) delete live[name]
  return copy
}
