import {UsageError} from '../common/errors.js'

/**
 * OpenClaw's exec SecretRef protocol, version 1 (docs/gateway/secrets/secretref-contract.md):
 * request on stdin `{"protocolVersion":1,"provider":"<alias>","ids":[…]}`,
 * reply on stdout `{"protocolVersion":1,"values":{id: value},"errors":{id:{code}}}`.
 */
export interface ExecSecretRequest {
  protocolVersion: 1
  provider: string
  ids: string[]
}

export interface ExecSecretResponse {
  protocolVersion: 1
  values: Record<string, string>
  errors?: Record<string, {code: string}>
}

/** OpenClaw's exec id grammar. */
export const EXEC_ID = /^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,255}$/

export function parseExecSecretRequest(text: string): ExecSecretRequest {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    throw new UsageError('The secret request on stdin is not JSON.', {
      hint: 'Send {"protocolVersion":1,"provider":"clawmesh","ids":["gateway-token"]} (this command is run by OpenClaw).',
    })
  }
  const r = raw as Partial<ExecSecretRequest> | null
  if (!r || typeof r !== 'object' || r.protocolVersion !== 1) {
    throw new UsageError(`Unsupported secret request: protocolVersion must be 1.`, {
      hint: 'This claw-mesh speaks version 1 of the OpenClaw exec secret protocol.',
    })
  }
  if (!Array.isArray(r.ids) || !r.ids.every((id) => typeof id === 'string')) {
    throw new UsageError('The secret request has no "ids" list of strings.', {
      hint: 'Send {"protocolVersion":1,"provider":"clawmesh","ids":["gateway-token"]}.',
    })
  }
  return {protocolVersion: 1, provider: typeof r.provider === 'string' ? r.provider : '', ids: r.ids}
}

/**
 * Answers a request. `lookup` returns the value or undefined; ids outside `allowed` are refused without a lookup,
 * so the resolver hands OpenClaw only the gateway's own secrets.
 */
export async function answerExecSecretRequest(
  request: ExecSecretRequest,
  allowed: ReadonlySet<string>,
  lookup: (id: string) => Promise<string | undefined>,
): Promise<ExecSecretResponse> {
  const values: Record<string, string> = {}
  const errors: Record<string, {code: string}> = {}
  for (const id of [...new Set(request.ids)]) {
    if (!EXEC_ID.test(id) || !allowed.has(id)) {
      errors[id] = {code: 'NOT_ALLOWED'}
      continue
    }
    const value = await lookup(id)
    if (value === undefined || value === '') errors[id] = {code: 'NOT_FOUND'}
    else values[id] = value
  }
  return Object.keys(errors).length > 0 ? {protocolVersion: 1, values, errors} : {protocolVersion: 1, values}
}
