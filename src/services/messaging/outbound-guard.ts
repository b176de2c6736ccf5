import {createReadStream} from 'node:fs'
import {UsageError} from '../../core/common/errors.js'
import {
  describeSecret,
  findSecret,
  needleOverlap,
  secretNeedles,
  type NamedSecret,
  type SecretNeedle,
} from '../../core/secrets/secret-leak.js'
import type {State} from '../../core/common/state-schema.js'
import type {Deps} from '../../deps.js'
import {SECRET_NAMES, type SecretStore} from '../../infra/secrets/types.js'

/** Every name under which this host may hold a secret: the recorded ones, the fixed ones, each peer's. */
export function hostSecretNames(state: State): string[] {
  const names = new Set([
    ...(state.secrets?.names ?? []),
    SECRET_NAMES.gatewayToken,
    SECRET_NAMES.hooksToken,
    SECRET_NAMES.meshSecret,
    SECRET_NAMES.alertWebhook,
  ])
  for (const peer of Object.keys(state.peers))
    for (const name of [SECRET_NAMES.peer(peer), SECRET_NAMES.a2aIn(peer), SECRET_NAMES.a2aOut(peer)]) names.add(name)
  for (const id of Object.keys(state.invites)) names.add(SECRET_NAMES.inviteKey(id))
  return [...names].sort()
}

/** This host's secrets, read once through the secret store (values stay in memory, registered with the redactor). */
export async function hostSecrets(
  deps: Pick<Deps, 'store' | 'redactor'>,
  secrets: SecretStore,
): Promise<NamedSecret[]> {
  const out: NamedSecret[] = []
  for (const name of hostSecretNames(deps.store.read())) {
    const value = await secrets.get(name)
    if (!value) continue
    deps.redactor.add(value)
    out.push({name, value})
  }
  return out
}

function leakError(what: string, name: string): UsageError {
  return new UsageError(`${what} contains ${describeSecret(name)}: nothing was sent.`, {
    code: 'secret-in-message',
    hint: 'Remove it and send again. Secrets never travel in messages: a peer gets its own tokens by pairing (claw-mesh invite), and a key or secret file is copied by hand over a channel you trust.',
  })
}

/** Refuses (exit 2, nothing sent) a message body holding one of this host's secrets; names the secret, never prints it. */
export async function assertNoSecretInText(
  deps: Pick<Deps, 'store' | 'redactor' | 'secrets'>,
  text: string,
  what = 'The message',
): Promise<void> {
  const found = findSecret(text, secretNeedles(await hostSecrets(deps, await deps.secrets())))
  if (found) throw leakError(what, found)
}

const CHUNK = 1 << 20

/** The same for a file about to be sent, read in chunks that overlap by the longest needle (any size of file). */
export async function assertNoSecretInFile(
  deps: Pick<Deps, 'store' | 'redactor' | 'secrets'>,
  file: string,
  label: string,
): Promise<void> {
  const needles: SecretNeedle[] = secretNeedles(await hostSecrets(deps, await deps.secrets()))
  const overlap = needleOverlap(needles)
  let tail = ''
  // latin1 maps each byte to one character: a token (ASCII) is found at any byte offset, whatever the encoding.
  for await (const chunk of createReadStream(file, {highWaterMark: CHUNK, encoding: 'latin1'})) {
    const text = tail + (chunk as string)
    const found = findSecret(text, needles)
    if (found) throw leakError(`The file ${label}`, found)
    tail = text.slice(-overlap)
  }
}
