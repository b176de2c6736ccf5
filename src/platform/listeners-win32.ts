import type {PortHolder, PortListeners} from '../core/openclaw/port-holder.js'
import type {ProbeRun} from './types.js'

/** Local addresses a connection to 127.0.0.1 reaches: IPv4 loopback, or a wildcard bind (IPv4 or IPv6). */
const LOOPBACK_OR_ANY = /^(127(?:\.\d{1,3}){3}|0\.0\.0\.0|\[::\]|\[::ffff:127(?:\.\d{1,3}){3}\]):(\d{1,5})$/i
/** The foreign address of a listening socket: nobody at the other end. */
const WILDCARD_PEER = /^(0\.0\.0\.0:0|\[::\]:0|\*:\*)$/

/**
 * Windows: the pids listening on `port` in `netstat -ano` output, told apart by the row's shape, never by its state
 * word: netstat translates the state column (`ABHÖREN`, `À L'ÉCOUTE` — two words —, `ESCUCHANDO`, `IN ASCOLTO`) and
 * prints it in the console's OEM code page, so the English `LISTENING` matches only on an English Windows. A listener
 * is a `TCP` row whose foreign address is the wildcard (`0.0.0.0:0`, `[::]:0`) and whose last field, the pid, is a
 * positive number — the rule OpenClaw adopted for the same bug (openclaw/openclaw#100012). Only local addresses a
 * connection to 127.0.0.1 reaches count (a listener on the tailnet address alone does not answer there).
 */
export function parseNetstat(stdout: string, port: number): number[] {
  const pids: number[] = []
  for (const line of stdout.split(/\r?\n/)) {
    const f = line.trim().split(/\s+/)
    // Proto, local, foreign, the state (one word or more), pid.
    if (f.length < 5 || f[0].toUpperCase() !== 'TCP') continue
    const local = LOOPBACK_OR_ANY.exec(f[1])
    if (!local || Number(local[2]) !== port || !WILDCARD_PEER.test(f[2])) continue
    const pidText = f.at(-1) ?? ''
    const pid = /^\d+$/.test(pidText) ? Number(pidText) : 0
    if (pid > 0 && Number.isSafeInteger(pid) && !pids.includes(pid)) pids.push(pid)
  }
  return pids
}

/**
 * Windows: `netstat -ano` names the listening pids — without `-p TCP`, which would leave out the IPv6 (`[::]`) rows —
 * and `Get-CimInstance Win32_Process` each one's executable and command line. The socket's owner is not checked
 * (netstat does not say): a listener counts as ours when it is an OpenClaw process.
 */
export async function win32LoopbackListeners(port: number, run: ProbeRun): Promise<PortListeners> {
  const r = await run('netstat', ['-ano'])
  if (r.notFound) return {known: false, why: 'netstat is not available'}
  if (r.exitCode !== 0) return {known: false, why: `netstat failed (exit ${r.exitCode})`}
  const holders: PortHolder[] = []
  for (const pid of parseNetstat(r.stdout, port)) {
    const ps = await run('powershell', [
      '-NoProfile',
      '-Command',
      `(Get-CimInstance Win32_Process -Filter "ProcessId=${pid}") | ForEach-Object { $_.ExecutablePath; $_.CommandLine }`,
    ])
    const [exe, cmdline] = ps.stdout.split(/\r?\n/)
    holders.push({pid, exe: exe?.trim() || undefined, cmdline: cmdline?.trim() || undefined})
  }
  return {known: true, holders}
}
