import {describe, expect, it} from 'vitest'
import {judgeListeners, type PortListeners} from '../../src/core/openclaw/port-holder.js'
import {parseProcNetTcp, reachableFromLoopback} from '../../src/platform/listeners-linux.js'
import {parseLsof} from '../../src/platform/listeners-other.js'

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:4965 00000000:0000 0A 00000000:00000000 00:00000000 00000000 65534        0 91234 1 0000000000000000 100 0 0 10 0
   1: 0100007F:B329 0100007F:4965 01 00000000:00000000 00:00000000 00000000     0        0 0 3 0000000000000000
   2: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 651 1 0000000000000000 100 0 0 10 0
`
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:4966 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 5555 1 0000000000000000 100 0 0 10 0
   1: 0000000000000000FFFF00000100007F:4967 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 5556 1 0000000000000000 100 0 0 10 0
   2: 00000000000000000000000001000000:4968 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 5557 1 0000000000000000 100 0 0 10 0
`

describe('/proc/net/tcp{,6}', () => {
  it('reads address, port, state, owner and inode', () => {
    expect(parseProcNetTcp(TCP)).toEqual([
      {address: '127.0.0.1', port: 18789, listening: true, uid: 65534, inode: '91234'},
      {address: '127.0.0.1', port: 45865, listening: false, uid: 0, inode: '0'},
      {address: '0.0.0.0', port: 2024, listening: true, uid: 0, inode: '651'},
    ])
  })
  it('reads IPv6 words in host order', () => {
    expect(parseProcNetTcp(TCP6).map((e) => e.address)).toEqual([
      '0:0:0:0:0:0:0:0',
      '0:0:0:0:0:ffff:7f00:1',
      '0:0:0:0:0:0:0:1',
    ])
  })
  it.each([
    ['127.0.0.1', true],
    ['127.0.0.53', true],
    ['0.0.0.0', true],
    ['0:0:0:0:0:0:0:0', true],
    ['0:0:0:0:0:ffff:7f00:1', true],
    ['0:0:0:0:0:0:0:1', false], // ::1 does not take connections to 127.0.0.1
    ['100.64.0.1', false],
  ])('a listener on %s is reachable from 127.0.0.1: %s', (address, reachable) =>
    expect(reachableFromLoopback(address)).toBe(reachable),
  )
})

describe('lsof', () => {
  it('lsof -F pucn: pid, uid and command of each loopback listener', () => {
    expect(parseLsof('p77\nu501\ncpython3\nn127.0.0.1:18789\np88\nu502\ncnode\nn100.64.0.2:18789\n', 18789)).toEqual([
      {pid: 77, uid: 501, cmdline: 'python3'},
    ])
    expect(parseLsof('p90\nu501\ncnode\nn*:18789\n', 18789)).toEqual([{pid: 90, uid: 501, cmdline: 'node'}])
  })
})

describe('whose listener it is', () => {
  const me = {uid: 1000}
  const gw = {uid: 1000, pid: 4242, exe: '/home/u/.nvm/versions/node/v24.16.0/bin/node', cmdline: 'openclaw-gateway'}
  const cases: [string, PortListeners, string | true][] = [
    ["this user's OpenClaw gateway", {known: true, holders: [gw]}, true],
    ['nothing', {known: true, holders: []}, 'free'],
    [
      'another user, answering like a gateway',
      {known: true, holders: [{...gw, uid: 65534, user: 'nobody', pid: 77, cmdline: 'python3 squat.py'}]},
      'foreign',
    ],
    ["another user's real openclaw", {known: true, holders: [{...gw, uid: 1001}]}, 'foreign'],
    ['a socket of ours whose process is not visible', {known: true, holders: [{uid: 1000}]}, 'foreign'],
    [
      'our own process that is not OpenClaw',
      {known: true, holders: [{...gw, exe: '/usr/bin/python3', cmdline: 'python3 -m http.server'}]},
      'foreign',
    ],
    [
      'our process that only names itself openclaw',
      {known: true, holders: [{...gw, exe: '/usr/bin/sleep', cmdline: 'openclaw-gateway 300'}]},
      'foreign',
    ],
    [
      'two listeners (SO_REUSEPORT), one of them foreign',
      {known: true, holders: [gw, {...gw, uid: 0, pid: 1}]},
      'foreign',
    ],
    ['an unreadable /proc', {known: false, why: '/proc/net/tcp is not readable'}, 'unknown'],
  ]
  it.each(cases)('%s', (_name, listeners, expected) => {
    const v = judgeListeners(listeners, 18789, me)
    if (expected === true) expect(v.ours).toBe(true)
    else expect(v).toMatchObject({ours: false, reason: expected})
  })
  it('names the holder: uid, user, pid and command line', () => {
    const v = judgeListeners(
      {known: true, holders: [{uid: 65534, user: 'nobody', pid: 77, cmdline: 'python3 squat.py'}]},
      18789,
      me,
    )
    expect(v).toMatchObject({
      message:
        '127.0.0.1:18789 is held by another user: uid 65534 (nobody), pid 77 (python3 squat.py), not by you (uid 1000)',
    })
  })
})
