import {describe, expect, it} from 'vitest'
import {renderBootstrap} from '../../src/render/bootstrap.js'
import type {BootstrapResult} from '../../src/services/bootstrap/types.js'

const result = (peers: BootstrapResult['peers']): BootstrapResult => ({
  identity: 'gamma',
  dryRun: false,
  changed: true,
  steps: [],
  tailnet: {
    hostname: 'openclaw-gamma',
    dnsName: 'openclaw-gamma.tail4f3a2.ts.net',
    ipv4: '100.88.12.9',
    tailnet: 'tail4f3a2.ts.net',
  },
  gateway: {
    configPath: '/h/.openclaw/openclaw.json',
    expose: 'tailnet',
    port: 18789,
    url: 'http://100.88.12.9:18789',
    healthy: true,
  },
  peers,
  secrets: {backend: 'file', location: '/h/secrets.json'},
  stateDir: '/h/state',
  reboot: {survives: true, detail: 'systemd --user starts the gateway at boot'},
  next: [],
  warnings: [],
  replyInvites: [],
})

describe('the bootstrap summary', () => {
  it('says the host is in the mesh when every peer answered', () => {
    expect(
      renderBootstrap(
        result([
          {
            name: 'alpha',
            url: 'http://100.88.12.7:18789',
            messaging: true,
            a2a: false,
            status: 'ok',
            latencyMs: 4,
            detail: '',
          },
        ]),
        false,
      ),
    ).toMatch(/^gamma is in the mesh\.\n/)
  })

  it('with a peer down (exit 4) names it instead of claiming a complete mesh, in yellow, not green', () => {
    const text = renderBootstrap(
      result([
        {name: 'alpha', url: 'http://100.88.12.7:18789', messaging: true, a2a: false, status: 'ok', detail: ''},
        {
          name: 'beta',
          url: 'http://100.88.12.8:18789',
          messaging: true,
          a2a: false,
          status: 'down',
          detail: 'connection refused',
        },
      ]),
      true,
    )
    expect(text).not.toMatch(/is in the mesh/)
    expect(text).toContain('\u001b[33mgamma is set up, but 1 of 2 peers did not answer: beta (down).')
    expect(text).toMatch(/claw-mesh peer check beta/)
  })

  it('a host that a reboot drops out of the mesh gets the way back as a warning, not a green line', () => {
    const cron =
      "@reboot CLAW_MESH_HOME='/h/state' '/usr/bin/node' '/app/bin/run.js' watchdog run --failures 1 >> '/h/state/boot.log' 2>&1"
    const text = renderBootstrap(
      {
        ...result([]),
        reboot: {
          survives: false,
          detail: `Nothing starts the gateway after a reboot here. Add: ${cron}`,
          command: 'claw-mesh watchdog run --failures 1',
          cron,
        },
      },
      false,
    )
    expect(text).toMatch(/After reboot: not restarted by anything/)
    expect(text).toContain(`warning: Nothing starts the gateway after a reboot here. Add: ${cron}`)
    expect(renderBootstrap(result([]), false)).toMatch(/After reboot: systemd --user starts the gateway at boot\n/)
  })

  it('a dry run names the file store it would use and why the keychain cannot be used', () => {
    const why = 'the OS keychain cannot be used here: there is no D-Bus session bus here'
    const dry = {...result([]), dryRun: true, secrets: {backend: 'file', location: '/h/secrets.json', reason: why}}
    expect(renderBootstrap(dry, false)).toContain(`Secrets: file (/h/secrets.json) because ${why}`)
    expect(renderBootstrap({...dry, dryRun: false}, false)).toContain(`Secrets:      file — /h/secrets.json (${why})`)
  })
})
