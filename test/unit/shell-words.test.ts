import {describe, expect, it} from 'vitest'
import {shellWords} from '../../src/core/os/shell-words.js'

describe('shellWords', () => {
  it.each([
    [
      ['sh', '-c', 'curl -fsSL https://tailscale.com/install.sh | sh'],
      "sh -c 'curl -fsSL https://tailscale.com/install.sh | sh'",
    ],
    [['sudo', '-n', 'apt-get', 'install', '-y', 'tailscale'], 'sudo -n apt-get install -y tailscale'],
    [
      ['/usr/sbin/tailscaled', '--state=mem:', '--socket=/run/ts.sock'],
      '/usr/sbin/tailscaled --state=mem: --socket=/run/ts.sock',
    ],
    [['echo', "it's"], "echo 'it'\\''s'"],
    [['printf', ''], "printf ''"],
  ])('%j → %s', (words, line) => {
    expect(shellWords(words)).toBe(line)
  })
})
