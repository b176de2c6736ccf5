import type {PortHolder, PortListeners} from '../core/openclaw/port-holder.js'
import type {ProbeRun} from './types.js'

/**
 * macOS: `lsof -nP -iTCP:<port> -sTCP:LISTEN -F pucn` names each listener's pid, uid and command (lsof sees every
 * user's sockets as root, only the user's own otherwise: an unseen listener makes the verdict "unknown").
 * The command is the process name only (lsof has no full argv), so `ps -o command=` completes it.
 */
export function parseLsof(stdout: string, port: number): PortHolder[] {
  const holders: PortHolder[] = []
  let cur: PortHolder = {}
  let name = ''
  for (const line of stdout.split('\n')) {
    const [tag, value] = [line[0], line.slice(1)]
    if (tag === 'p') {
      cur = {pid: Number(value)}
    } else if (tag === 'u') cur.uid = Number(value)
    else if (tag === 'c') name = value
    else if (
      tag === 'n' &&
      /^(127\.[\d.]+|\*|\[::\]|\[::ffff:127\.[\d.]+\]):(\d+)$/.test(value) &&
      value.endsWith(`:${port}`)
    ) {
      if (!holders.includes(cur)) holders.push({...cur, cmdline: cur.cmdline ?? name})
    }
  }
  return holders
}

export async function darwinLoopbackListeners(port: number, run: ProbeRun): Promise<PortListeners> {
  const r = await run('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-F', 'pucn'])
  if (r.notFound) return {known: false, why: 'lsof is not installed'}
  // lsof exits 1 when nothing matched.
  if (r.exitCode !== 0 && r.stdout.trim() === '') return {known: true, holders: []}
  const holders = parseLsof(r.stdout, port)
  for (const h of holders) {
    const ps = await run('ps', ['-p', String(h.pid), '-o', 'command='])
    if (ps.exitCode === 0 && ps.stdout.trim()) h.cmdline = ps.stdout.trim()
  }
  return {known: true, holders}
}
