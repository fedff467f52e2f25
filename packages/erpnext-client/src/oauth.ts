import { MESSAGE_PREFIX, OAuthError } from './errors.js'

/** Tokens issued by Frappe's OAuth provider. */
export interface OAuthTokens {
  /** The bearer access token. */
  readonly accessToken: string
  /** The refresh token, when the grant issued one. */
  readonly refreshToken?: string | undefined
  /** When the access token expires, in epoch milliseconds (from `expires_in`). */
  readonly expiresAt?: number | undefined
  /** Granted scopes, space-separated. */
  readonly scope?: string | undefined
}

/** A PKCE verifier and its S256 challenge. */
export interface PkcePair {
  /** Keep this secret until the code exchange. */
  readonly codeVerifier: string
  /** Send this in the authorize URL. */
  readonly codeChallenge: string
  /** Always `S256`. */
  readonly codeChallengeMethod: 'S256'
}

/** Options of {@link createOAuthFlow}. */
export interface OAuthFlowOptions {
  /** Site URL, e.g. `https://erp.school.edu`. */
  readonly url: string
  /** The OAuth Client's `client_id` in Frappe. */
  readonly clientId: string
  /** The redirect URI registered on the OAuth Client. */
  readonly redirectUri: string
  /** Space-separated scopes. @default 'all openid' */
  readonly scope?: string
  /** Injected fetch. @default globalThis.fetch */
  readonly fetch?: typeof fetch
  /** Clock used to compute `expiresAt`. @default Date.now */
  readonly now?: () => number
  /** Random bytes source. @default crypto.getRandomValues */
  readonly randomBytes?: (length: number) => Uint8Array
}

/** The OAuth 2.0 authorization-code-with-PKCE flow against Frappe's provider. */
export interface OAuthFlow {
  /** Create a fresh PKCE verifier/challenge pair. */
  createPkce(): Promise<PkcePair>
  /** Create a random `state` value to bind the redirect to this browser session. */
  createState(): string
  /** The URL to send the user to (`frappe.integrations.oauth2.authorize`). */
  authorizeUrl(params: { state: string; codeChallenge: string }): string
  /** Exchange the `code` from the redirect for tokens (`frappe.integrations.oauth2.get_token`). */
  exchangeCode(params: { code: string; codeVerifier: string }): Promise<OAuthTokens>
  /** Use a refresh token to obtain new tokens. */
  refresh(refreshToken: string): Promise<OAuthTokens>
}

function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function defaultRandomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length)
  globalThis.crypto.getRandomValues(bytes)
  return bytes
}

/** Compute the S256 PKCE challenge of a verifier (RFC 7636). */
export async function pkceChallenge(codeVerifier: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(codeVerifier))
  return base64url(new Uint8Array(digest))
}

const TOKEN_PATH = '/api/method/frappe.integrations.oauth2.get_token'
const AUTHORIZE_PATH = '/api/method/frappe.integrations.oauth2.authorize'

/** @internal Perform a token request against Frappe's `get_token`. */
export async function requestTokens(
  fetchImpl: typeof fetch,
  baseUrl: string,
  form: Record<string, string>,
  now: () => number,
): Promise<OAuthTokens> {
  const url = `${baseUrl}${TOKEN_PATH}`
  let response: Response
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
    })
  } catch (cause) {
    throw new OAuthError(`POST ${TOKEN_PATH} could not reach the server: check \`url\` and the network.`, {
      cause,
      request: { method: 'POST', url, headers: {} },
    })
  }
  let body: Record<string, unknown> = {}
  try {
    body = (await response.json()) as Record<string, unknown>
  } catch {
    body = {}
  }
  // Frappe answers the token endpoint with the token JSON itself; tolerate a `message` envelope too.
  const payload = (
    typeof body.access_token === 'string' ? body : (body.message ?? body.data ?? body)
  ) as Record<string, unknown>
  if (!response.ok || typeof payload.access_token !== 'string') {
    const oauthError = typeof payload.error === 'string' ? payload.error : undefined
    throw new OAuthError(
      `POST ${TOKEN_PATH} failed with ${response.status}${oauthError ? ` ${oauthError}` : ''}: the code or refresh token is invalid, expired or already used; start the authorization again.`,
      {
        status: response.status,
        oauthError,
        request: { method: 'POST', url, headers: {} },
      },
    )
  }
  const expiresIn = Number(payload.expires_in)
  return Object.freeze({
    accessToken: payload.access_token,
    refreshToken: typeof payload.refresh_token === 'string' ? payload.refresh_token : form.refresh_token,
    expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? now() + expiresIn * 1000 : undefined,
    scope: typeof payload.scope === 'string' ? payload.scope : undefined,
  })
}

/**
 * The OAuth 2.0 authorization code flow with PKCE against Frappe's OAuth provider. Uses only Web APIs
 * (fetch, Web Crypto), so it runs in browsers, Deno, Bun and Node.
 *
 * @example
 * ```ts
 * const flow = createOAuthFlow({ url, clientId, redirectUri: 'https://app.example/cb' })
 * const pkce = await flow.createPkce()
 * const state = flow.createState()
 * location.href = flow.authorizeUrl({ state, codeChallenge: pkce.codeChallenge })
 * // … on the redirect:
 * const tokens = await flow.exchangeCode({ code, codeVerifier: pkce.codeVerifier })
 * const client = createClient({ url, auth: { type: 'oauth', clientId, tokens } })
 * ```
 */
export function createOAuthFlow(options: OAuthFlowOptions): OAuthFlow {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${MESSAGE_PREFIX} createOAuthFlow(options): expected an options object.`)
  }
  for (const key of ['url', 'clientId', 'redirectUri'] as const) {
    if (typeof options[key] !== 'string' || options[key].length === 0) {
      throw new TypeError(`${MESSAGE_PREFIX} Option \`${key}\` must be a non-empty string.`)
    }
  }
  let base: string
  try {
    base = new URL(options.url).origin
  } catch {
    throw new TypeError(
      `${MESSAGE_PREFIX} Option \`url\` must be an absolute URL such as https://erp.example.com.`,
    )
  }
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const now = options.now ?? Date.now
  const randomBytes = options.randomBytes ?? defaultRandomBytes
  const scope = options.scope ?? 'all openid'
  const { clientId, redirectUri } = options
  return Object.freeze({
    async createPkce(): Promise<PkcePair> {
      const codeVerifier = base64url(randomBytes(32))
      return { codeVerifier, codeChallenge: await pkceChallenge(codeVerifier), codeChallengeMethod: 'S256' }
    },
    createState(): string {
      return base64url(randomBytes(16))
    },
    authorizeUrl({ state, codeChallenge }: { state: string; codeChallenge: string }): string {
      const query = new URLSearchParams({
        client_id: clientId,
        response_type: 'code',
        redirect_uri: redirectUri,
        scope,
        state,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
      })
      return `${base}${AUTHORIZE_PATH}?${query.toString()}`
    },
    exchangeCode({ code, codeVerifier }: { code: string; codeVerifier: string }): Promise<OAuthTokens> {
      return requestTokens(
        fetchImpl,
        base,
        {
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri,
          client_id: clientId,
          code_verifier: codeVerifier,
        },
        now,
      )
    },
    refresh(refreshToken: string): Promise<OAuthTokens> {
      return requestTokens(
        fetchImpl,
        base,
        { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId },
        now,
      )
    },
  })
}
