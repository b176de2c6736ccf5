import {UsageError} from '../common/errors.js'

/**
 * Workload identity federation: a CI job or a cloud machine joins with no stored secret. Tailscale exchanges a
 * short-lived ID token from the job's identity provider (GitHub Actions' OIDC, AWS, GCP) for an auth key, given the
 * federated identity's client ID (`tailscale up --client-id … --audience …` fetches the token itself;
 * `--id-token file:…` takes one the job already has). tailscale.com only: a self-hosted control server has no
 * token exchange. Tags are required, as with an OAuth client: the key it mints is tagged.
 */
export interface WifCredential {
  clientId: string
  /** An ID token the caller already holds (a JWT); never on argv. */
  idToken?: string
  /** The audience tailscale asks the identity provider for (it then fetches the token itself). */
  audience?: string
}

/**
 * What tailscale's identity-provider discovery reads (wif/wif.go: GitHub Actions' token request, AWS web identity
 * and its metadata). Passed to that one `tailscale up` only; the GitHub request token is a secret (redacted).
 */
export const WIF_PROVIDER_ENV = [
  'ACTIONS_ID_TOKEN_REQUEST_URL',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'ECS_CONTAINER_METADATA_URI_V4',
] as const

const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/
const AUDIENCE = /^[\x21-\x7e]{1,512}$/

const HINT =
  'Pass --tailscale-client-id ID with --tailscale-audience AUDIENCE (GitHub Actions: permissions id-token: write), or --tailscale-id-token file:PATH, and --tags.'

/** Checks a workload-identity login before anything runs. Undefined when none was asked for. */
export function prepareWif(
  input: {clientId?: string; idToken?: string; audience?: string},
  opts: {tags: string[]; selfHosted: boolean; hasKey: boolean; ephemeral: boolean},
): WifCredential | undefined {
  const {clientId, audience} = input
  const idToken = input.idToken?.trim()
  if (clientId === undefined && idToken === undefined && audience === undefined) return undefined
  const refuse = (message: string, hint = HINT) => new UsageError(message, {code: 'tailscale-wif', hint})
  if (clientId === undefined)
    throw refuse(
      `${idToken === undefined ? '--tailscale-audience' : '--tailscale-id-token'} needs --tailscale-client-id (the federated identity's client ID).`,
    )
  const [bareId] = clientId.split('?')
  if (!CLIENT_ID.test(bareId))
    throw refuse(
      `--tailscale-client-id "${clientId.slice(0, 40)}" is not a client ID (letters, digits, - and _).`,
      'Copy the client ID of the federated identity from the admin console (Settings → Trust credentials).',
    )
  if (opts.hasKey)
    throw refuse(
      'Give either a Tailscale key (--tailscale-key) or a workload identity (--tailscale-client-id), not both.',
      'Drop --tailscale-key (and CLAW_MESH_TAILSCALE_KEY) to join with the workload identity.',
    )
  if (opts.selfHosted)
    throw refuse(
      'Workload identity federation works only with tailscale.com, not with a self-hosted --login-server.',
      'On Headscale, create a pre-auth key (headscale preauthkeys create --tags tag:claw-mesh) and pass --tailscale-key file:PATH.',
    )
  if ((idToken === undefined) === (audience === undefined))
    throw refuse(
      '--tailscale-client-id needs exactly one of --tailscale-audience (tailscale fetches the ID token) and --tailscale-id-token (you have one).',
    )
  if (idToken !== undefined && !JWT.test(idToken))
    throw refuse(
      '--tailscale-id-token does not hold an ID token (a JWT: three base64url parts joined by dots).',
      'The file should hold only the token your identity provider issued.',
    )
  if (audience !== undefined && !AUDIENCE.test(audience))
    throw refuse('--tailscale-audience must be one printable word without spaces.')
  if (opts.tags.length === 0)
    throw refuse(
      'A workload identity needs tags: the key Tailscale mints for it is tagged.',
      'Pass --tags tag:claw-mesh (a tag the federated identity may assign).',
    )
  // Without attributes tailscale mints an ephemeral key that needs approval (feature/identityfederation): a host
  // that must stay in the tailnet and join unattended asks for what an OAuth secret gets (see prepareAuthKey).
  const withAttributes = clientId.includes('?')
    ? clientId
    : `${clientId}?ephemeral=${opts.ephemeral}&preauthorized=true`
  return {clientId: withAttributes, ...(idToken !== undefined ? {idToken} : {audience})}
}

/** `tailscale up` flags for the credential; the ID token, when there is one, goes in a file (fd) named by `tokenPath`. */
export function wifUpArgs(wif: WifCredential, tokenPath?: string): string[] {
  return [
    `--client-id=${wif.clientId}`,
    ...(wif.audience !== undefined ? [`--audience=${wif.audience}`] : [`--id-token=file:${tokenPath}`]),
  ]
}

/** The provider variables present in `env`, for that one child. */
export function wifProviderEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of WIF_PROVIDER_ENV) if (env[name]) out[name] = env[name]
  return out
}
