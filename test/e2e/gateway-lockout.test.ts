import {spawn, type ChildProcess} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import {rm} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {evalHandshake} from '../../src/core/checks/gateway-runtime.js'
import {checkGatewayToken} from '../../src/services/gateway/token-check.js'
import {freePort, openclawForTests, requireOrSkip, sandbox, stopTree, type Sandbox} from '../helpers/openclaw.js'

/**
 * The failed-auth lockout as the real gateway gives it (OpenClaw 2026.9.6): a loopback bucket that is not exempt
 * (what claw-mesh wrote for userspace hosts before, and what any tailnet node can fill there) locks out the right
 * token too. claw-mesh's handshake must read that as a lockout, and doctor must not call it a refused token.
 */
const oc = openclawForTests()
const ready = requireOrSkip('openclaw', oc)

describe.skipIf(!ready)('a real gateway that locked the operator out (AUTH_RATE_LIMITED)', () => {
  let s: Sandbox
  let port: number
  let gateway: ChildProcess | undefined
  const token = randomBytes(32).toString('base64url')
  const url = () => `http://127.0.0.1:${port}`

  beforeAll(async () => {
    if (!oc.ok) return
    s = await sandbox(oc, 'lockout')
    port = await freePort()
    const rateLimit = {maxAttempts: 3, windowMs: 60_000, lockoutMs: 120_000, exemptLoopback: false}
    writeFileSync(
      s.configPath,
      JSON.stringify({gateway: {mode: 'local', port, bind: 'loopback', auth: {mode: 'token', token, rateLimit}}}),
      {mode: 0o600},
    )
    gateway = spawn(oc.bin, ['gateway'], {env: s.env, stdio: 'ignore', detached: true})
    const deadline = Date.now() + 120_000
    for (;;) {
      const ok = await fetch(`${url()}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
      if (ok && (await checkGatewayToken(url(), token, {timeoutMs: 20_000})).verdict === 'accepted') break
      if (Date.now() > deadline) throw new Error(`gateway not accepting its token within 120 s (${path.join(s.dir)})`)
      await new Promise((r) => setTimeout(r, 1000))
    }
  }, 180_000)

  afterAll(async () => {
    await stopTree(gateway)
    if (s && !process.env.CLAW_MESH_KEEP_TEST_DIRS)
      await rm(s.dir, {recursive: true, force: true, maxRetries: 5, retryDelay: 200})
  })

  it('after three wrong tokens the right one is locked out: claw-mesh reports throttled, and doctor a lockout, not a bad token', async () => {
    const wrong = []
    for (let i = 0; i < 4; i++)
      wrong.push(await checkGatewayToken(url(), `wrong-${i}-${randomBytes(16).toString('hex')}`, {timeoutMs: 10_000}))
    expect(wrong.slice(0, 3).map((r) => `${r.verdict} ${r.code}`)).toEqual(
      Array(3).fill('rejected AUTH_TOKEN_MISMATCH'),
    )
    expect(wrong[3]).toMatchObject({verdict: 'throttled', code: 'AUTH_RATE_LIMITED'})

    const right = await checkGatewayToken(url(), token, {timeoutMs: 10_000})
    console.log(`the right token after the lockout: ${JSON.stringify(right)}`)
    expect(right).toMatchObject({verdict: 'throttled', code: 'AUTH_RATE_LIMITED'})
    expect(right.detail).toMatch(/locked out .*retry in \d+ s/)
    expect(right.detail).not.toContain(token)

    // What doctor makes of it (its probe maps the verdict the same way): a warning, no reconfigure/restart fix.
    const outcome = evalHandshake({
      ran: true,
      ok: false,
      refused: right.verdict === 'rejected',
      lockedOut: right.verdict === 'throttled',
      message: right.detail,
    })
    expect(outcome.status).toBe('warn')
    expect(outcome.fix).toBeUndefined()
  })
})
