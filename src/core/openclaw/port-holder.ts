/**
 * Who holds a loopback port, and whether it is this user's OpenClaw gateway. Pure: the platform probe
 * (src/platform/listeners-*.ts) observes, this decides. A credential (gateway token, hooks token) goes to a local port
 * only when the answer is `ours`: another user can bind 127.0.0.1:<port> while the gateway is down, answer /healthz
 * like a gateway and collect every token claw-mesh sends it.
 */

export interface PortHolder {
  /** Owner of the listening socket. */
  uid?: number
  user?: string
  /** The process holding the socket, when it can be seen (root sees all; a user sees its own). */
  pid?: number
  exe?: string
  cmdline?: string
}

export type PortListeners = {known: true; holders: PortHolder[]} | {known: false; why: string}

export type ListenerVerdict =
  {ours: true; holder: PortHolder} | {ours: false; reason: 'free' | 'foreign' | 'unknown'; message: string}

export function describeHolder(h: PortHolder): string {
  const who = h.uid === undefined ? '' : `uid ${h.uid}${h.user ? ` (${h.user})` : ''}`
  const what =
    h.pid === undefined
      ? 'a process claw-mesh cannot see'
      : `pid ${h.pid}${h.cmdline ? ` (${h.cmdline.slice(0, 120)})` : h.exe ? ` (${h.exe})` : ''}`
  return [who, what].filter(Boolean).join(', ')
}

/** An OpenClaw process: its command line names openclaw and its executable (when known) is node or openclaw. */
export function isOpenClawHolder(h: PortHolder): boolean {
  if (!h.cmdline?.toLowerCase().includes('openclaw')) return false
  return h.exe === undefined || /(^|[\\/])(node|nodejs|openclaw)[^\\/]*$/i.test(h.exe.replace(/ \(deleted\)$/, ''))
}

export function judgeListeners(listeners: PortListeners, port: number, me: {uid?: number}): ListenerVerdict {
  const where = `127.0.0.1:${port}`
  if (!listeners.known)
    return {ours: false, reason: 'unknown', message: `claw-mesh cannot tell who listens on ${where} (${listeners.why})`}
  if (listeners.holders.length === 0) return {ours: false, reason: 'free', message: `nothing listens on ${where}`}
  for (const h of listeners.holders) {
    if (me.uid !== undefined && h.uid !== undefined && h.uid !== me.uid) {
      return {
        ours: false,
        reason: 'foreign',
        message: `${where} is held by another user: ${describeHolder(h)}, not by you (uid ${me.uid})`,
      }
    }
    if (h.pid === undefined)
      return {ours: false, reason: 'foreign', message: `${where} is held by ${describeHolder(h)}`}
    if (!isOpenClawHolder(h))
      return {
        ours: false,
        reason: 'foreign',
        message: `${where} is held by ${describeHolder(h)}, which is not an OpenClaw gateway`,
      }
  }
  return {ours: true, holder: listeners.holders[0]}
}
