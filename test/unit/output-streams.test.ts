import {Writable, Readable} from 'node:stream'
import {afterEach, describe, expect, it} from 'vitest'
import {colorEnabled, createIOStreams, createTestIOStreams} from '../../src/infra/io.js'
import {runProgress, throttleProgress} from '../../src/infra/progress.js'

const ESC = '\u001b['

function stream(isTTY: boolean): Writable & {isTTY?: boolean} {
  const s = new Writable({write: (_c, _e, cb) => cb()}) as Writable & {isTTY?: boolean}
  s.isTTY = isTTY
  return s
}

describe('colour is decided per stream', () => {
  it.each([
    // stdout TTY, stderr TTY, env → stdout colour, stderr colour
    [false, true, {}, false, true],
    [true, false, {}, true, false],
    [true, true, {NO_COLOR: '1'}, false, false],
    [false, false, {FORCE_COLOR: '1'}, true, true],
    [true, true, {FORCE_COLOR: '0'}, false, false],
    [true, true, {TERM: 'dumb'}, false, false],
    [true, true, {NO_COLOR: ''}, true, true],
  ])('stdout tty %s, stderr tty %s, env %j → stdout %s, stderr %s', (outTTY, errTTY, env, outColor, errColor) => {
    const io = createIOStreams({stdin: Readable.from([]), stdout: stream(outTTY), stderr: stream(errTTY), env})
    expect({stdout: io.stdoutColor, stderr: io.stderrColor}).toEqual({stdout: outColor, stderr: errColor})
  })

  it('NO_COLOR wins over FORCE_COLOR', () => {
    expect(colorEnabled({NO_COLOR: '1', FORCE_COLOR: '1'}, true)).toBe(false)
  })
})

describe('progress without a terminal', () => {
  const saved = process.env.FORCE_COLOR
  afterEach(() => {
    if (saved === undefined) delete process.env.FORCE_COLOR
    else process.env.FORCE_COLOR = saved
  })

  it('carries no colour codes to a stderr that takes none, even when listr2 would colour (it asks stdout)', async () => {
    process.env.FORCE_COLOR = '3'
    const t = createTestIOStreams({env: {NO_COLOR: '1'}})
    await runProgress(t.io, {}, [{title: 'Join the tailnet', run: async () => 'joined'}])
    expect(t.stderr()).toMatch(/Join the tailnet — joined/)
    expect(t.stderr()).not.toContain(ESC)
  })

  it('prints a half-second wait once, not once per poll', async () => {
    const t = createTestIOStreams()
    await runProgress(t.io, {}, [
      {
        title: 'Start the gateway',
        run: async (_c, update) => {
          for (let i = 0; i < 40; i++)
            update(`waiting for http://127.0.0.1:18789/healthz (${Math.floor(i / 2)} s, connection refused)`)
          update('live; waiting for /readyz (503)')
          return 'started'
        },
      },
    ])
    const lines = t
      .stderr()
      .split('\n')
      .filter((l) => l.includes('waiting'))
    expect(lines).toHaveLength(2)
  })
})

describe('throttleProgress', () => {
  it('passes a new phase at once and repeats of one phase at most every 5 s', () => {
    let clock = 0
    const seen: string[] = []
    const update = throttleProgress((m) => seen.push(m), {terminal: false, now: () => clock})
    for (const [at, message] of [
      [0, 'waiting for x/healthz (0 s, refused)'],
      [500, 'waiting for x/healthz (0 s, refused)'],
      [4900, 'waiting for x/healthz (4 s, refused)'],
      [5000, 'waiting for x/healthz (5 s, refused)'],
      [5500, 'live; waiting for /readyz (503)'],
      [6000, 'stopping the background gateway (pid 12)'],
      [6100, 'stopping the background gateway (pid 13)'],
    ] as const) {
      clock = at
      update(message)
    }
    expect(seen).toEqual([
      'waiting for x/healthz (0 s, refused)',
      'waiting for x/healthz (5 s, refused)',
      'live; waiting for /readyz (503)',
      'stopping the background gateway (pid 12)',
    ])
  })

  it('passes everything on a terminal, where an update redraws one line', () => {
    const seen: string[] = []
    const update = throttleProgress((m) => seen.push(m), {terminal: true, now: () => 0})
    update('a (1)')
    update('a (2)')
    expect(seen).toHaveLength(2)
  })
})
