import type {Readable} from 'node:stream'
import {UsageError} from '../../core/common/errors.js'
import {expandHome} from '../../core/common/file-arg.js'
import {INVITE_PREFIX} from '../../core/pairing/hooks-invite.js'
import {checkPairingLine, decodePairingLine, type PairingLine} from '../../core/pairing/pairing-line.js'
import {readTextInputFile, readTextInputStdin} from '../../infra/text-input-file.js'
import {meshNameOf} from '../../core/pairing/mesh-discovery.js'
import {tailnetHostnameOf} from '../../core/pairing/peer-url.js'
import type {TailscaleSummary} from '../../core/tailscale/tailscale-status.js'
import type {Redactor} from '../../core/secrets/redact.js'
import type {AddPeerOptions} from '../peers/add.js'

/**
 * `--peer` values: an invite (literally, as `file:PATH`, or `-` for stdin), a gateway URL, or `NAME=URL`. Reads
 * what the values point at (the flags → options step, which then decodes each pairing line once: decodePeerLines);
 * a URL's name, and a line's URL, are judged once the tailnet is observed (namePeerInputs).
 */
export async function readPeerInputs(
  values: string[],
  opts: {stdin: Readable; redactor: Redactor; allowInsecureUrl: boolean; home: string},
): Promise<AddPeerOptions[]> {
  const out: AddPeerOptions[] = []
  if (values.filter((v) => v.trim() === '-').length > 1) {
    throw new UsageError('--peer - (stdin) can be given only once.', {
      hint: 'Put the other invites in files and pass --peer file:PATH.',
    })
  }
  for (const raw of values) {
    let value = raw.trim()
    // What the user typed may be shown; what a file or stdin held may be a secret that is not an invite: never.
    const given = value === '-' ? '--peer - (stdin)' : value.startsWith('file:') ? `--peer ${value}` : '--peer'
    if (value === '-') {
      value = (await readTextInputStdin(opts.stdin, given)).trim()
    } else if (value.startsWith('file:')) {
      value = (
        await readTextInputFile(
          expandHome(value.slice(5), opts.home),
          given,
          'Check the path, or pass the invite on stdin with --peer -.',
        )
      ).trim()
    }
    if (value.startsWith(INVITE_PREFIX) || /^claw-mesh-(invite|reply)/i.test(value)) {
      opts.redactor.add(value)
      out.push({invite: value, allowInsecureUrl: opts.allowInsecureUrl})
      continue
    }
    const named = /^([a-z0-9-]{1,63})=(.+)$/.exec(value)
    const badName = named ? undefined : /^([^=:/]+)=(https?:\/\/.*)$/i.exec(value)
    if (badName) {
      throw new UsageError(
        `--peer ${JSON.stringify(value.slice(0, 60))}: ${JSON.stringify(badName[1].slice(0, 63))} is not a peer name (lowercase letters, digits and -, at most 63).`,
        {
          hint: `Name it with lowercase letters, digits and -, e.g. --peer ${
            badName[1]
              .toLowerCase()
              .replace(/[^a-z0-9-]/g, '-')
              .slice(0, 63) || 'clawd'
          }=${badName[2]}.`,
        },
      )
    }
    const url = named ? named[2] : value
    if (!/^https?:\/\//i.test(url)) {
      throw new UsageError(
        `${given}: the value (${value.length} characters, not shown: it may be a secret) is neither an invite nor an http(s) URL.`,
        {
          hint: 'Pass the line `claw-mesh invite` printed on the peer (or file:PATH holding it), or its gateway URL, e.g. --peer http://100.88.12.7:18789 or --peer clawd=http://100.88.12.7:18789.',
        },
      )
    }
    const name = named ? named[1] : nameForUrl(url)
    out.push({url, ...(name ? {name} : {}), allowInsecureUrl: opts.allowInsecureUrl})
  }
  return out
}

/**
 * Decodes each pairing line once, in the options step: the plan, the readiness wait, the apply step and the summary
 * all read this `line`, never the text again, so they cannot disagree about it. Bad lines fail here, before anything.
 */
export function decodePeerLines(inputs: AddPeerOptions[]): AddPeerOptions[] {
  return inputs.map((input) =>
    input.invite === undefined || input.line ? input : {...input, line: decodePairingLine(input.invite)},
  )
}

/**
 * Names each URL peer still without one after the tailnet node that has its address, or refuses naming the flag.
 * Every input carries the tailnet's MagicDNS suffix as the plan resolved it, so the apply step judges its URL the same;
 * a pairing line's URL (and an invite's expiry at `now`) is judged here with it, once, for plan and apply alike.
 */
export function namePeerInputs(
  inputs: AddPeerOptions[],
  tailnet: TailscaleSummary | null,
  magicDNSSuffix: string | undefined,
  now: Date,
): AddPeerOptions[] {
  return inputs.map((given) => {
    const input = magicDNSSuffix === undefined ? given : {...given, magicDNSSuffix}
    // Options built without the options step (a caller of runBootstrap): decoded here, still once.
    const line: PairingLine | undefined =
      input.line ?? (input.invite === undefined ? undefined : decodePairingLine(input.invite))
    if (line)
      return {...input, line: checkPairingLine(line, {now, allowInsecureUrl: input.allowInsecureUrl, magicDNSSuffix})}
    if (input.invite !== undefined || input.name !== undefined) return input
    const url = input.url as string
    const name = nameForUrl(url, tailnet, magicDNSSuffix)
    if (!name) {
      throw new UsageError(`--peer ${url}: claw-mesh cannot tell this peer's name from its address.`, {
        hint: `Name it: --peer NAME=${url} (the name you will use with claw-mesh send).`,
      })
    }
    return {...input, name}
  })
}

function nameForUrl(url: string, tailnet?: TailscaleSummary | null, magicDNSSuffix?: string): string | undefined {
  let host: string
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '')
  } catch {
    return undefined // normalizePeerUrl reports it properly
  }
  const tsHost = tailnetHostnameOf(url, magicDNSSuffix)
  if (tsHost) return meshNameOf(tsHost)
  const node = tailnet?.peers.find((p) => p.ipv4 === host || p.ipv6 === host)
  if (node) return meshNameOf(node.machineName ?? node.hostname)
  return undefined
}
