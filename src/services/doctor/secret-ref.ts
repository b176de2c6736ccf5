import {promises as fs} from 'node:fs'
import {execCommandProblems} from '../../core/openclaw/exec-provider-rules.js'
import {getPath, isObject, type OpenClawConfig, type SecretRef} from '../../core/openclaw/openclaw-config.js'
import type {Deps} from '../../deps.js'
import {secretFileProblems} from '../../infra/secrets/file.js'

export type SecretRefResolution = {ok: true; value: string; where: string} | {ok: false; error: string; where: string}

/** RFC 6901 JSON pointer (`/gateway-token`, `/a~1b`). */
function jsonPointer(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc
  if (!pointer.startsWith('/')) return undefined
  let node = doc
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    if (!isObject(node)) return undefined
    node = node[key]
  }
  return node
}

/**
 * Resolves a SecretRef the way the gateway does, with the same safety rules (a private file; an exec command that
 * is a regular file, not writable by others and ours), so "it resolves here" means "the gateway can read it".
 * Never returns the value in an error.
 */
export async function resolveSecretRef(
  deps: Pick<Deps, 'runner' | 'env' | 'redactor' | 'platform'>,
  config: OpenClawConfig,
  ref: SecretRef,
  timeoutMs: number,
): Promise<SecretRefResolution> {
  const where = `SecretRef ${ref.source}:${ref.provider}:${ref.id}`
  const provider = getPath(config, ['secrets', 'providers', ref.provider])
  const fail = (error: string): SecretRefResolution => ({ok: false, error, where})
  const found = (value: unknown): SecretRefResolution => {
    if (typeof value !== 'string' || value === '') return fail(`no value for ${JSON.stringify(ref.id)}`)
    deps.redactor.add(value)
    return {ok: true, value, where}
  }
  if (ref.source === 'env') return found(deps.env[ref.id])
  if (!isObject(provider)) return fail(`secrets.providers.${ref.provider} is not declared`)
  if (provider.source !== ref.source)
    return fail(
      `secrets.providers.${ref.provider} is a ${String(provider.source)} provider, the ref says ${ref.source}`,
    )
  if (ref.source === 'file') {
    const file = typeof provider.path === 'string' ? provider.path : undefined
    if (!file) return fail(`secrets.providers.${ref.provider}.path is not set`)
    const problems = await secretFileProblems(file, {platform: deps.platform.id}).catch((error: Error) => [
      error.message,
    ])
    if (problems.length > 0) return fail(`${file} ${problems.join(', ')} (OpenClaw only reads private files)`)
    let text: string
    try {
      text = await fs.readFile(file, 'utf8')
    } catch (error) {
      return fail(
        `${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
      )
    }
    if (provider.mode === 'singleValue') return found(text.trim())
    try {
      return found(jsonPointer(JSON.parse(text), ref.id))
    } catch {
      return fail(`${file} is not JSON`)
    }
  }
  if (ref.source === 'exec') {
    const command = typeof provider.command === 'string' ? provider.command : undefined
    if (!command) return fail(`secrets.providers.${ref.provider}.command is not set`)
    const st = await fs.lstat(command).catch(() => undefined)
    if (!st) return fail(`${command} does not exist`)
    const refused = execCommandProblems(
      command,
      {symlink: st.isSymbolicLink(), mode: st.mode, uid: st.uid},
      deps.platform.id,
      process.getuid?.(),
    )
    if (refused.length > 0) return fail(refused[0])
    const stale = await launcherNodeProblem(command)
    if (stale) return fail(stale)
    const args = Array.isArray(provider.args) ? provider.args.filter((a): a is string => typeof a === 'string') : []
    const passEnv = Array.isArray(provider.passEnv)
      ? provider.passEnv.filter((a): a is string => typeof a === 'string')
      : []
    const env: Record<string, string | undefined> = {
      ...(isObject(provider.env) ? (provider.env as Record<string, string>) : {}),
    }
    for (const name of passEnv) env[name] = deps.env[name]
    const limit = Math.min(timeoutMs, typeof provider.timeoutMs === 'number' ? provider.timeoutMs : timeoutMs)
    const r = await deps.runner.run(command, args, {
      input: JSON.stringify({protocolVersion: 1, provider: ref.provider, ids: [ref.id]}),
      env,
      timeoutMs: limit,
    })
    if (r.timedOut) return fail(`${command} did not answer within ${limit} ms`)
    if (r.exitCode !== 0) return fail(`${command} exited ${r.exitCode}: ${r.stderr.trim().split('\n').at(-1) ?? ''}`)
    let reply: {values?: Record<string, unknown>; errors?: Record<string, {code?: string}>}
    try {
      reply = JSON.parse(r.stdout) as typeof reply
    } catch {
      return fail(`${command} did not print JSON`)
    }
    const code = reply.errors?.[ref.id]?.code
    if (code) return fail(`${command} answered ${code} for ${ref.id}`)
    return found(reply.values?.[ref.id])
  }
  return fail(`SecretRef source "${ref.source}" is not checked by claw-mesh`)
}

/**
 * claw-mesh's own launcher names the node it execs (`exec '<node>' '<cli>' secrets resolve`). When that node is gone
 * (a `brew upgrade node` removed its Cellar directory, a version manager removed the version), the launcher exits
 * 127 with a bare "not found": say which node and what to do (issue 17, M3).
 */
async function launcherNodeProblem(command: string): Promise<string | undefined> {
  const text = await fs.readFile(command, 'utf8').catch(() => '')
  const m = /^exec '((?:[^']|'\\'')+)' .* secrets resolve$/m.exec(text)
  if (!m) return undefined
  const node = m[1].replaceAll("'\\''", "'")
  const st = await fs.stat(node).catch(() => undefined)
  if (st?.isFile()) return undefined
  return `${command} runs node from ${node}, which no longer exists (a Homebrew upgrade or a version manager removed it): re-run claw-mesh gateway configure to write the launcher for the node you run now`
}
