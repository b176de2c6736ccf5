// Workload identity federation, as tailscale's feature/identityfederation and wif packages do it (v1.102.5):
// `up --client-id ID[?ephemeral=…&preauthorized=…]` with `--id-token TOKEN|file:PATH`, or `--audience AUD` and the
// token fetched from the job's identity provider (GitHub Actions: GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=AUD
// with "Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN", answer {"value": TOKEN}). The exchange itself
// (tailscale.com's /api/v2/oauth/token-exchange) is the control's: a client ID the control knows as invalid is
// refused, a token that is not a JWT is refused.
import {URLSearchParams} from 'node:url'
import {readAuthKey} from './login.mjs'
import {SimExit} from './env.mjs'
import {goQuote as goQuoteText} from './flags.mjs'

export const WIF_FLAGS = {'client-id': {type: 'string'}, audience: {type: 'string'}, 'id-token': {type: 'string'}}

function parseOptionalAttributes(clientId) {
  const q = clientId.indexOf('?')
  if (q < 0) return {id: clientId, ephemeral: true, preauthorized: false}
  const attrs = new URLSearchParams(clientId.slice(q + 1))
  const out = {id: clientId.slice(0, q), ephemeral: false, preauthorized: false}
  for (const [k, v] of attrs) {
    if (k !== 'ephemeral' && k !== 'preauthorized')
      throw new SimExit(
        `failed to parse optional config attributes: unknown optional config attribute ${goQuoteText(k)}`,
      )
    if (!['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v))
      throw new SimExit(
        `failed to parse optional config attributes: strconv.ParseBool: parsing ${goQuoteText(v)}: invalid syntax`,
      )
    out[k] = ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)
  }
  return out
}

async function githubIdToken(audience) {
  const url = process.env.ACTIONS_ID_TOKEN_REQUEST_URL
  const token = process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
  if (!url || !token) return undefined
  const u = new URL(url)
  if (audience.trim() !== '') u.searchParams.set('audience', audience)
  const res = await fetch(u, {headers: {authorization: `Bearer ${token}`, accept: 'application/json'}})
  if (!res.ok) throw new SimExit('federated identity authkeys require --id-token')
  return (await res.json()).value
}

/** resolveAuthKey via WIF: the auth key it mints, as {preauthorized, ephemeral, tags}; undefined without --client-id. */
export async function resolveWif(f, control, os) {
  if (!f['client-id']) return undefined
  let idToken = f['id-token'] ? readAuthKey(f['id-token'], os) : ''
  if (idToken === '') {
    if (!f.audience) throw new SimExit('federated identity requires either an ID token or an audience')
    idToken = await githubIdToken(f.audience)
    if (!idToken) throw new SimExit('federated identity authkeys require --id-token')
  }
  const tags = f['advertise-tags'] === '' ? [] : f['advertise-tags'].split(',')
  if (tags.length === 0) throw new SimExit('federated identity authkeys require --advertise-tags')
  const {id, ephemeral, preauthorized} = parseOptionalAttributes(f['client-id'])
  const info = control.keyInfo(id)
  if (info?.invalid || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(idToken)) {
    throw new SimExit(
      'failed to exchange JWT for access token: oauth2: "invalid_grant" "the ID token was not accepted"',
    )
  }
  return {preauthorized, ephemeral, tags}
}
