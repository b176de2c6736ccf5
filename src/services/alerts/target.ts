import {literalWebhookWarning} from '../../core/lifecycle/root-warning.js'
import {parseAlertTarget, type AlertTarget} from '../../core/lifecycle/alert-target.js'
import {UsageError} from '../../core/common/errors.js'
import {readTextInputFile, readTextInputStdin} from '../../infra/text-input-file.js'
import type {Deps} from '../../deps.js'
import {SECRET_NAMES} from '../../infra/secrets/types.js'

/**
 * `--alert` values and where a webhook URL is kept. A chat webhook URL is a credential (anyone holding it can post
 * as the watchdog), so it may come from a file, stdin or $CLAW_MESH_ALERT instead of argv, and is kept in the secret
 * store; state.json records only STORED_WEBHOOK, a reference.
 */
export const STORED_WEBHOOK = 'webhook:stored'
export const ALERT_ENV = 'CLAW_MESH_ALERT'

/** The raw target: `--alert TARGET`, `--alert file:PATH`, `--alert -` (stdin), else $CLAW_MESH_ALERT. */
export async function readAlertInput(
  deps: Pick<Deps, 'env' | 'io' | 'redactor'>,
  raw: string | undefined,
): Promise<string | undefined> {
  let value: string | undefined
  const onArgv = literalWebhookWarning(raw)
  if (onArgv) deps.io.err(`warning: ${onArgv}\n`)
  if (raw === undefined) value = deps.env[ALERT_ENV]?.trim() || undefined
  else if (raw.trim() === '-') value = (await readTextInputStdin(deps.io.stdin, '--alert - (stdin)')).trim()
  else if (raw.startsWith('file:')) {
    value = (
      await readTextInputFile(
        raw.slice(5),
        `--alert ${raw}`,
        'Check the path; the file holds one target, e.g. webhook:https://hooks.slack.com/services/….',
      )
    ).trim()
  } else value = raw
  if (value === STORED_WEBHOOK) return value
  // Registered before anything can quote it; command: and imessage: targets are not secrets.
  if (value && /^webhook:/i.test(value)) deps.redactor.add(value.slice(value.indexOf(':') + 1))
  return value
}

/** Parses a raw target, reading the webhook URL a STORED_WEBHOOK reference points at. */
export async function resolveAlertTarget(deps: Deps, raw: string | undefined): Promise<AlertTarget | undefined> {
  if (raw === undefined) return undefined
  if (raw === STORED_WEBHOOK) {
    const url = await (await deps.secrets()).get(SECRET_NAMES.alertWebhook)
    if (!url)
      throw new UsageError('The alert webhook recorded by watchdog install is missing from the secret store.', {
        code: 'bad-alert-target',
        hint: 'Run claw-mesh watchdog install --alert file:PATH again (the file holds webhook:https://…).',
      })
    raw = `webhook:${url}`
  }
  const target = parseAlertTarget(raw, deps.platform.id)
  if (target.kind === 'webhook') deps.redactor.add(target.url)
  return target
}

/** What state.json gets for a target: a webhook URL goes to the secret store and state keeps the reference. */
export async function storeAlertTarget(deps: Deps, target: AlertTarget, raw: string): Promise<string> {
  if (target.kind !== 'webhook') return raw
  const secrets = await deps.secrets()
  if ((await secrets.get(SECRET_NAMES.alertWebhook)) !== target.url)
    await secrets.set(SECRET_NAMES.alertWebhook, target.url)
  return STORED_WEBHOOK
}

/** Whether state.json already records this raw target (a webhook as the STORED_WEBHOOK reference to the same URL). */
export async function alertRecorded(deps: Deps, raw: string): Promise<boolean> {
  const recorded = deps.store.read().alert
  if (recorded === raw) return true
  if (recorded !== STORED_WEBHOOK || !/^webhook:/i.test(raw)) return false
  return (await (await deps.secrets()).get(SECRET_NAMES.alertWebhook)) === raw.slice(raw.indexOf(':') + 1)
}
