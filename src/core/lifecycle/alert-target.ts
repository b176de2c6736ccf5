import path from 'node:path'
import {UsageError} from '../common/errors.js'
import {peerHostKind} from '../pairing/peer-url.js'

/**
 * Where the watchdog sends alerts, parsed from `--alert`: `webhook:https://…` (Slack- and Discord-compatible
 * JSON), `imessage:+15551234567` (macOS, through `imsg`), or `command:/abs/path` (run directly, no shell, with
 * the alert in its environment). Pure.
 */
export type AlertTarget =
  {kind: 'webhook'; url: string} | {kind: 'imessage'; to: string} | {kind: 'command'; path: string}

export type AlertEvent = 'down' | 'still-down' | 'recovered' | 'test'

export interface Alert {
  event: AlertEvent
  /** This host (its claw-mesh identity, else its hostname). */
  host: string
  /** The health URL the watchdog probes. */
  healthUrl: string
  /** Consecutive failed checks when the alert was raised (0 on recovery). */
  failures: number
  /** What the watchdog did about it (a restart and its result). */
  action?: string
  /** Last probe failure, one line. */
  detail?: string
  at: string
}

const FORMS = 'webhook:https://…, imessage:+15551234567 (macOS) or command:/absolute/path'

/**
 * How a rejected target is named in an error: a webhook URL is a credential (its path, query or user:password
 * is the secret), so only its scheme and host are shown; other targets are shown as given.
 */
export function safeAlertLabel(raw: string): string {
  if (!/^webhook:/i.test(raw)) return JSON.stringify(raw)
  try {
    const url = new URL(raw.slice(raw.indexOf(':') + 1))
    return `webhook:${url.protocol}//${url.hostname}/…`
  } catch {
    return 'webhook:… (not shown: it may hold a secret)'
  }
}

function usage(raw: string, why: string, hint: string): UsageError {
  return new UsageError(`--alert ${safeAlertLabel(raw)}: ${why}.`, {code: 'bad-alert-target', hint})
}

export function parseAlertTarget(raw: string, platform: 'linux' | 'darwin' | 'win32'): AlertTarget {
  const colon = raw.indexOf(':')
  const scheme = colon > 0 ? raw.slice(0, colon).toLowerCase() : ''
  const rest = colon > 0 ? raw.slice(colon + 1) : ''
  if (scheme === 'webhook') {
    let url: URL
    try {
      url = new URL(rest)
    } catch {
      throw usage(
        raw,
        'the webhook URL does not parse',
        'Pass webhook:https://hooks.slack.com/services/… (or a Discord webhook URL).',
      )
    }
    const loopback = peerHostKind(url.hostname) === 'loopback' || url.hostname === 'localhost'
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      throw usage(
        raw,
        'webhook URLs must use https (plain http only to this machine, 127.0.0.1)',
        'Use the https URL your chat service gave you.',
      )
    }
    if (url.username || url.password)
      throw usage(raw, 'the URL carries a user name or password', 'Use a webhook URL without credentials in it.')
    return {kind: 'webhook', url: url.toString()}
  }
  if (scheme === 'imessage') {
    if (platform !== 'darwin') {
      throw usage(
        raw,
        `iMessage alerts need macOS (Messages.app and imsg), and this is ${platform}`,
        'Use webhook:https://… or command:/absolute/path on this machine.',
      )
    }
    const to = rest.trim()
    const phone = /^\+[1-9]\d{6,14}$/.test(to.replace(/[\s().-]/g, ''))
    const email = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(to)
    if (!phone && !email)
      throw usage(
        raw,
        'not a phone number in international form or an email address',
        'Pass imessage:+15551234567 or imessage:you@icloud.com.',
      )
    return {kind: 'imessage', to: phone ? to.replace(/[\s().-]/g, '') : to}
  }
  if (scheme === 'command') {
    const abs = platform === 'win32' ? path.win32.isAbsolute(rest) : path.posix.isAbsolute(rest)
    if (!abs)
      throw usage(
        raw,
        'the command must be an absolute path (it runs without a shell, from a service with a minimal PATH)',
        'Pass command:/usr/local/bin/notify-me.',
      )
    return {kind: 'command', path: rest}
  }
  throw usage(raw, 'unknown alert target', `Use one of: ${FORMS}.`)
}

/** The target for messages and --json: webhook URLs carry their secret in the path, so only the origin shows. */
export function describeAlertTarget(t: AlertTarget): string {
  if (t.kind === 'webhook') {
    const url = new URL(t.url)
    return `webhook:${url.origin}${url.pathname === '/' ? '/' : '/…'}`
  }
  return t.kind === 'imessage' ? `imessage:${t.to}` : `command:${t.path}`
}

/** One readable line, the same on every channel. */
export function alertText(a: Alert): string {
  const action = a.action ? ` ${a.action}` : ''
  switch (a.event) {
    case 'down':
      return `[down] claw-mesh on ${a.host}: the OpenClaw gateway is down (${a.failures} failed health checks in a row${a.detail ? `: ${a.detail}` : ''}).${action}`
    case 'still-down':
      return `[still down] claw-mesh on ${a.host}: the OpenClaw gateway is still down (${a.failures} failed health checks in a row${a.detail ? `: ${a.detail}` : ''}).${action}`
    case 'recovered':
      return `[recovered] claw-mesh on ${a.host}: the OpenClaw gateway is healthy again.${action}`
    case 'test':
      return `[test] claw-mesh on ${a.host}: test alert from the watchdog (the gateway health URL is ${a.healthUrl}).`
  }
}

/** Slack reads `text`, Discord reads `content`; both ignore the other keys. */
export function webhookPayload(a: Alert): Record<string, unknown> {
  const text = alertText(a)
  return {
    text,
    content: text,
    event: a.event,
    host: a.host,
    failures: a.failures,
    healthUrl: a.healthUrl,
    at: a.at,
    ...(a.action ? {action: a.action} : {}),
  }
}

/** The alert for a `command:` target, in its environment (never in argv, never through a shell). */
export function commandEnv(a: Alert): Record<string, string> {
  return {
    CLAW_MESH_ALERT_TEXT: alertText(a),
    CLAW_MESH_ALERT_EVENT: a.event,
    CLAW_MESH_ALERT_HOST: a.host,
    CLAW_MESH_ALERT_FAILURES: String(a.failures),
    CLAW_MESH_ALERT_HEALTH_URL: a.healthUrl,
    CLAW_MESH_ALERT_AT: a.at,
    CLAW_MESH_ALERT_ACTION: a.action ?? '',
    CLAW_MESH_ALERT_DETAIL: a.detail ?? '',
  }
}
