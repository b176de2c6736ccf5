import {UsageError} from './errors.js'

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/

/** Why `value` is not a valid DNS label (RFC 1123, lower case, as Tailscale wants it), or undefined when it is. */
export function dnsLabelProblem(value: string): string | undefined {
  if (value.length === 0) return 'is empty'
  if (value.length > 63) return `is ${value.length} characters long (at most 63)`
  if (value !== value.toLowerCase()) return 'has upper-case letters'
  if (value.startsWith('-') || value.endsWith('-')) return 'starts or ends with a hyphen'
  if (!DNS_LABEL.test(value)) return 'may only contain a-z, 0-9 and hyphens'
  return undefined
}

export function assertHostname(value: string, flag = '--hostname'): string {
  const problem = dnsLabelProblem(value)
  if (problem) {
    const suggestion = value
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63)
    throw new UsageError(`${flag} ${JSON.stringify(truncate(value))} is not a valid DNS label: it ${problem}.`, {
      hint: suggestion
        ? `Use lower-case letters, digits and hyphens, e.g. ${flag} ${suggestion}.`
        : `Use lower-case letters, digits and hyphens (1–63 characters).`,
    })
  }
  return value
}

/** An identity becomes the hostname `openclaw-<identity>`, so it must leave room for the prefix. */
export function assertIdentity(value: string): string {
  const problem = dnsLabelProblem(value)
  if (problem) {
    throw new UsageError(`--identity ${JSON.stringify(truncate(value))} is not valid: it ${problem}.`, {
      hint: 'Use a short lower-case name of letters, digits and hyphens, e.g. --identity nova.',
    })
  }
  if (value.length > 54) {
    throw new UsageError(
      `--identity ${JSON.stringify(truncate(value))} is too long: the hostname openclaw-<identity> must fit in 63 characters.`,
      {
        hint: 'Use an identity of at most 54 characters, or pass --hostname explicitly.',
      },
    )
  }
  return value
}

const TAG = /^tag:[a-zA-Z0-9][a-zA-Z0-9-]*$/

export function parseTags(value: string | undefined, flag = '--tags'): string[] {
  if (value === undefined || value.trim() === '') return []
  const tags = value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
  for (const tag of tags) {
    if (!TAG.test(tag)) {
      throw new UsageError(`${flag}: ${JSON.stringify(truncate(tag))} is not a Tailscale tag.`, {
        hint: `Tags look like tag:claw-mesh (prefix "tag:", then letters, digits, hyphens), comma-separated.`,
      })
    }
  }
  return [...new Set(tags)].sort()
}

export function assertPort(value: number, flag = '--port'): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new UsageError(`${flag} ${value} is out of range.`, {
      hint: `Pass a port between 1 and 65535 (OpenClaw's default is 18789).`,
    })
  }
  return value
}

export function truncate(value: string, max = 80): string {
  return value.length > max ? `${value.slice(0, max)}…` : value
}
