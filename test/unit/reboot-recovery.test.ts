import {describe, expect, it} from 'vitest'
import {rebootRecovery, type RebootFacts} from '../../src/services/bootstrap/reboot.js'

const invocation = {
  cron: "CLAW_MESH_HOME='/s' '/usr/bin/node' '/app/bin/run.js' watchdog run --failures 1",
  logFile: '/s/boot.log',
}
const facts = (over: Partial<RebootFacts>): RebootFacts => ({
  platform: 'linux',
  ownTailscaled: false,
  serviceManager: 'systemd --user',
  ...over,
})

describe('after a reboot', () => {
  it.each([
    [
      'a service-managed gateway and a system tailscaled',
      {gatewayRunner: 'service'},
      true,
      /systemd --user starts the gateway at boot/,
    ],
    ['no gateway started yet (a dry run on a fresh host)', {}, null, /no gateway started yet/],
    [
      'a gateway claw-mesh did not start',
      {gatewayRunner: 'external'},
      false,
      /whatever started it must start it again/,
    ],
  ] as const)('%s: survives is %s, no command', (_name, over, survives, detail) => {
    const r = rebootRecovery(facts(over), invocation)
    expect(r).toMatchObject({survives, detail: expect.stringMatching(detail)})
    expect(r.cron).toBeUndefined()
  })

  it.each([
    [
      'the background gateway',
      {gatewayRunner: 'background'},
      /^Nothing starts the gateway \(a background process\) after a reboot/,
    ],
    [
      "claw-mesh's own tailscaled",
      {gatewayRunner: 'service', ownTailscaled: true},
      /^Nothing starts the tailscaled claw-mesh started after/,
    ],
    [
      'both',
      {gatewayRunner: 'background', ownTailscaled: true},
      /the gateway \(a background process\) and the tailscaled claw-mesh started/,
    ],
  ] as const)(
    'a container or VPS without a service manager loses %s: the @reboot line and the command',
    (_name, over, detail) => {
      const r = rebootRecovery(facts(over), invocation)
      expect(r.survives).toBe(false)
      expect(r.detail).toMatch(detail)
      expect(r.command).toBe('claw-mesh watchdog run --failures 1')
      // cron runs with a minimal PATH: the line is absolute, with the environment, and logs somewhere.
      expect(r.cron).toBe(`@reboot ${invocation.cron} >> '/s/boot.log' 2>&1`)
      expect(r.detail).toContain(r.cron)
      expect(r.detail).toContain('crontab -e')
    },
  )

  it('Windows has no cron: the command only', () => {
    const r = rebootRecovery(
      facts({platform: 'win32', gatewayRunner: 'background', serviceManager: 'Task Scheduler'}),
      invocation,
    )
    expect(r).toMatchObject({survives: false, command: 'claw-mesh watchdog run --failures 1'})
    expect(r.cron).toBeUndefined()
    expect(r.detail).not.toMatch(/crontab/)
  })
})
