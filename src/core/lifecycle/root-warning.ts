/**
 * bootstrap run as root on a machine people log in to: the gateway, its agent (with exec) and claw-mesh's secrets
 * then belong to root, so one command a peer talks the agent into is root on everyone's machine. Pure.
 */

/** Login accounts in /etc/passwd: UID at or above UID_MIN (login.defs, 1000 by default), not nobody, with a shell. */
export function humanAccounts(passwd: string, uidMin = 1000): string[] {
  const names: string[] = []
  for (const line of passwd.split('\n')) {
    const f = line.split(':')
    if (f.length < 7 || line.startsWith('#')) continue
    const uid = Number(f[2])
    const shell = f[6].trim()
    if (!Number.isInteger(uid) || uid < uidMin || uid === 65534) continue
    if (shell === '' || /\/(nologin|false|sync|shutdown|halt)$/.test(shell)) continue
    names.push(f[0])
  }
  return names
}

/** UID_MIN from /etc/login.defs, else 1000. */
export function loginDefsUidMin(text: string | undefined): number {
  const m = /^\s*UID_MIN\s+(\d+)\s*$/m.exec(text ?? '')
  return m ? Number(m[1]) : 1000
}

export function rootWarning(probe: {isRoot: boolean; humanUsers?: string[]}): string | undefined {
  const users = probe.humanUsers ?? []
  if (!probe.isRoot || users.length === 0) return undefined
  const shown = users.slice(0, 3).join(', ') + (users.length > 3 ? ` and ${users.length - 3} more` : '')
  return `bootstrap runs as root on a machine with other users (${shown}): the gateway, its agent and claw-mesh's secrets would belong to root. Run it as the user the agent should run as (a service user without sudo), and use root only to install packages and tailscaled.`
}

/** A webhook URL (a credential: anyone holding it can post) given literally on the command line. */
export function literalWebhookWarning(raw: string | undefined): string | undefined {
  if (!raw || !/^\s*webhook:/i.test(raw)) return undefined
  return 'a webhook URL given on the command line is visible to other users (ps) and logged by sudo; prefer --alert file:PATH or $CLAW_MESH_ALERT.'
}
