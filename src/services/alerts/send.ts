import {constants, existsSync, promises as fs} from 'node:fs'
import {
  alertText,
  commandEnv,
  describeAlertTarget,
  webhookPayload,
  type Alert,
  type AlertTarget,
} from '../../core/lifecycle/alert-target.js'
import type {Deps} from '../../deps.js'
import {describeFailure, HttpFailure} from '../../infra/http.js'
import {findOnPath} from '../../platform/probe.js'

export interface AlertDelivery {
  ok: boolean
  /** Safe to print: never the webhook's secret path. */
  target: string
  detail: string
}

const WEBHOOK_TIMEOUT_MS = 10_000
const COMMAND_TIMEOUT_MS = 30_000
/** Where Homebrew puts imsg when the service's PATH does not have it. */
const IMSG_CANDIDATES = ['/opt/homebrew/bin/imsg', '/usr/local/bin/imsg']

async function sendWebhook(
  deps: Pick<Deps, 'http'>,
  url: string,
  alert: Alert,
): Promise<{ok: boolean; detail: string}> {
  try {
    const res = await deps.http.request({
      method: 'POST',
      url,
      headers: {'content-type': 'application/json'},
      body: JSON.stringify(webhookPayload(alert)),
      timeoutMs: WEBHOOK_TIMEOUT_MS,
    })
    // Slack answers 200 "ok", Discord 204.
    if (res.status >= 200 && res.status < 300) return {ok: true, detail: `HTTP ${res.status}`}
    return {
      ok: false,
      detail: `the webhook answered HTTP ${res.status}${res.body ? `: ${res.body.slice(0, 120)}` : ''}`,
    }
  } catch (error) {
    return {
      ok: false,
      detail: error instanceof HttpFailure ? describeFailure(error.kind) : String((error as Error).message),
    }
  }
}

async function sendIMessage(
  deps: Pick<Deps, 'runner' | 'env' | 'platform'>,
  to: string,
  alert: Alert,
): Promise<{ok: boolean; detail: string}> {
  const imsg = findOnPath('imsg', deps.env, deps.platform) ?? IMSG_CANDIDATES.find((p) => existsSync(p))
  if (!imsg)
    return {
      ok: false,
      detail: 'imsg is not installed (brew install steipete/tap/imsg), so iMessage alerts cannot be sent',
    }
  const r = await deps.runner.run(imsg, ['send', '--to', to, '--text', alertText(alert)], {
    timeoutMs: COMMAND_TIMEOUT_MS,
  })
  if (r.exitCode === 0) return {ok: true, detail: 'sent with imsg'}
  return {
    ok: false,
    detail: `imsg send failed (exit ${r.exitCode})${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').pop()}` : ''}`,
  }
}

async function runCommand(
  deps: Pick<Deps, 'runner'>,
  file: string,
  alert: Alert,
): Promise<{ok: boolean; detail: string}> {
  try {
    await fs.access(file, constants.X_OK)
  } catch (error) {
    return {
      ok: false,
      detail: `${file} is not an executable file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    }
  }
  // No shell and no arguments: the alert travels in the environment, so its text cannot inject anything.
  const r = await deps.runner.run(file, [], {env: commandEnv(alert), timeoutMs: COMMAND_TIMEOUT_MS})
  if (r.exitCode === 0) return {ok: true, detail: 'command exited 0'}
  if (r.timedOut) return {ok: false, detail: `${file} did not finish within ${COMMAND_TIMEOUT_MS / 1000} s`}
  return {
    ok: false,
    detail: `${file} exited ${r.exitCode}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').pop()}` : ''}`,
  }
}

/** Delivers one alert. Never throws: a failed alert is reported, and the watchdog tries again on its next run. */
export async function sendAlert(
  deps: Pick<Deps, 'http' | 'runner' | 'env' | 'platform'>,
  target: AlertTarget,
  alert: Alert,
): Promise<AlertDelivery> {
  const describe = describeAlertTarget(target)
  try {
    const r =
      target.kind === 'webhook'
        ? await sendWebhook(deps, target.url, alert)
        : target.kind === 'imessage'
          ? await sendIMessage(deps, target.to, alert)
          : await runCommand(deps, target.path, alert)
    return {...r, target: describe}
  } catch (error) {
    return {ok: false, target: describe, detail: String((error as Error)?.message ?? error)}
  }
}
