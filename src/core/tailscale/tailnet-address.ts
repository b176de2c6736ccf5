/** Interfaces as `os.networkInterfaces()` returns them (only the fields used here). */
export type InterfaceMap = Record<
  string,
  readonly {address: string; family: string | number; internal?: boolean}[] | undefined
>

/** True for 100.64.0.0/10, Tailscale's CGNAT range. */
export function isTailnetIPv4(address: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address)
  if (!m) return false
  const [a, b] = [Number(m[1]), Number(m[2])]
  return a === 100 && b >= 64 && b <= 127
}

/**
 * The first IPv4 in 100.64.0.0/10 on this machine's interfaces: what OpenClaw's `bind: "tailnet"` itself picks
 * (it scans interfaces; it does not ask the tailscale CLI).
 */
export function tailnetIPv4FromInterfaces(interfaces: InterfaceMap): string | undefined {
  for (const addrs of Object.values(interfaces)) {
    for (const a of addrs ?? []) {
      if ((a.family === 'IPv4' || a.family === 4) && isTailnetIPv4(a.address)) return a.address
    }
  }
  return undefined
}

/** Whether `ipv4` is an address of this machine. With userspace networking the tailnet IP is on no interface. */
export function isOnInterfaces(ipv4: string, interfaces: InterfaceMap): boolean {
  return Object.values(interfaces).some((list) => list?.some((a) => a.address === ipv4))
}
