import { AuthenticationError, MESSAGE_PREFIX } from './errors.js'
import { type OAuthTokens, requestTokens } from './oauth.js'

/** API key and secret of a User (`Authorization: token key:secret`). The usual choice for services. */
export interface TokenAuth {
  /** Discriminant. */
  readonly type: 'token'
  /** The User's API key. */
  readonly apiKey: string
  /** The User's API secret. Never logged, never put on errors. */
  readonly apiSecret: string
}

/** A bearer token, static or produced by a function (called before each request, so it can refresh). */
export interface BearerAuth {
  /** Discriminant. */
  readonly type: 'bearer'
  /** The token, or a function returning the current one. */
  readonly token: string | (() => string | Promise<string>)
}

/** Username/password session login (`/api/method/login`); the `sid` cookie is kept and re-used. */
export interface SessionAuth {
  /** Discriminant. */
  readonly type: 'session'
  /** Login name (email or username). */
  readonly username: string
  /** Password. Never logged, never put on errors. */
  readonly password: string
  /**
   * CSRF token sent as `X-Frappe-CSRF-Token` on writes, for sessions that hold one (those that rendered
   * a Desk page). API-only sessions do not need it.
   */
  readonly csrfToken?: string | (() => string | Promise<string>)
}

/** OAuth 2.0 tokens from Frappe's provider ({@link createOAuthFlow}); refreshed before they expire. */
export interface OAuthAuth {
  /** Discriminant. */
  readonly type: 'oauth'
  /** The OAuth Client's `client_id`. */
  readonly clientId: string
  /** The current tokens. */
  readonly tokens: OAuthTokens
  /** Called with new tokens after each refresh, so they can be stored. */
  readonly onTokens?: (tokens: OAuthTokens) => void | Promise<void>
  /** Refresh this many milliseconds before `expiresAt`. @default 60000 */
  readonly refreshSkew?: number
}

/** Any other scheme: a function returning headers for each request (e.g. a gateway's own token). */
export interface CustomAuth {
  /** Discriminant. */
  readonly type: 'custom'
  /** Returns the headers to add; treated as secret and redacted on errors. */
  readonly headers: (request: {
    method: string
    url: string
  }) => Record<string, string> | Promise<Record<string, string>>
}

/** No credential: requests run as Guest (only `allow_guest` methods work). */
export interface NoAuth {
  /** Discriminant. */
  readonly type: 'none'
}

/** How the client authenticates. */
export type AuthOptions = TokenAuth | BearerAuth | SessionAuth | OAuthAuth | CustomAuth | NoAuth

/** @internal What the transport needs from the auth strategy. */
export interface AuthProvider {
  readonly type: AuthOptions['type']
  /** Whether a credential is sent at all. */
  readonly credentialed: boolean
  /** Whether the credential can expire (so a 403 may mean "expired"). */
  readonly expiring: boolean
  /** Header names this provider sets (redacted on errors). */
  readonly headerNames: readonly string[]
  /** Headers for one request. */
  headers(request: { method: string; url: string }): Promise<Record<string, string>>
  /** After a 401/credential 403: renew the credential; true when the request should be tried once more. */
  renew(): Promise<boolean>
}

/** @internal The minimal request function auth strategies use to log in. */
export type LoginSender = (body: Record<string, string>) => Promise<{ setCookies: string[] }>

function requireString(value: unknown, option: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`${MESSAGE_PREFIX} Option \`${option}\` must be a non-empty string.`)
  }
  return value
}

/** @internal Validate `auth` and build its provider. */
export function createAuthProvider(
  auth: AuthOptions | undefined,
  deps: {
    baseUrl: string
    fetch: typeof fetch
    now: () => number
    login: LoginSender
  },
): AuthProvider {
  if (auth === undefined || auth === null) return noAuth()
  if (typeof auth !== 'object') {
    throw new TypeError(
      `${MESSAGE_PREFIX} Option \`auth\` must be an object such as { type: 'token', apiKey, apiSecret }.`,
    )
  }
  switch (auth.type) {
    case 'none':
      return noAuth()
    case 'token': {
      const key = requireString(auth.apiKey, 'auth.apiKey')
      const secret = requireString(auth.apiSecret, 'auth.apiSecret')
      if (key.includes(':') || secret.includes(':')) {
        throw new RangeError(
          `${MESSAGE_PREFIX} Option \`auth.apiKey\`/\`auth.apiSecret\` must not contain ':' (Frappe then ignores the header and answers 401).`,
        )
      }
      const value = `token ${key}:${secret}`
      return {
        type: 'token',
        credentialed: true,
        expiring: false,
        headerNames: ['authorization'],
        headers: async () => ({ Authorization: value }),
        renew: async () => false,
      }
    }
    case 'bearer': {
      const { token } = auth
      if (typeof token !== 'function') requireString(token, 'auth.token')
      return {
        type: 'bearer',
        credentialed: true,
        expiring: true,
        headerNames: ['authorization'],
        headers: async () => ({
          Authorization: `Bearer ${typeof token === 'function' ? await token() : token}`,
        }),
        renew: async () => typeof token === 'function',
      }
    }
    case 'session':
      return sessionAuth(auth, deps.login)
    case 'oauth':
      return oauthAuth(auth, deps)
    case 'custom': {
      if (typeof auth.headers !== 'function') {
        throw new TypeError(`${MESSAGE_PREFIX} Option \`auth.headers\` must be a function returning headers.`)
      }
      const names = new Set<string>()
      const fn = auth.headers
      return {
        type: 'custom',
        credentialed: true,
        expiring: true,
        get headerNames() {
          return [...names]
        },
        headers: async (request) => {
          const headers = await fn(request)
          for (const name of Object.keys(headers)) names.add(name.toLowerCase())
          return headers
        },
        renew: async () => false,
      }
    }
    default:
      throw new TypeError(
        `${MESSAGE_PREFIX} Option \`auth.type\` must be one of 'token', 'bearer', 'session', 'oauth', 'custom', 'none'.`,
      )
  }
}

function noAuth(): AuthProvider {
  return {
    type: 'none',
    credentialed: false,
    expiring: false,
    headerNames: [],
    headers: async () => ({}),
    renew: async () => false,
  }
}

function sessionAuth(auth: SessionAuth, login: LoginSender): AuthProvider {
  const username = requireString(auth.username, 'auth.username')
  const password = requireString(auth.password, 'auth.password')
  const { csrfToken } = auth
  if (csrfToken !== undefined && typeof csrfToken !== 'function') requireString(csrfToken, 'auth.csrfToken')
  let sid: string | undefined
  let loggingIn: Promise<void> | undefined
  let loggedIn = false
  const doLogin = (): Promise<void> => {
    loggingIn ??= (async () => {
      try {
        const { setCookies } = await login({ usr: username, pwd: password })
        for (const cookie of setCookies) {
          const match = /^\s*sid=([^;]*)/.exec(cookie)
          if (match?.[1] && match[1] !== 'Guest') sid = match[1]
        }
        loggedIn = true
      } finally {
        loggingIn = undefined
      }
    })()
    return loggingIn
  }
  return {
    type: 'session',
    credentialed: true,
    expiring: true,
    headerNames: ['cookie', 'x-frappe-csrf-token'],
    async headers({ method }) {
      if (!loggedIn) await doLogin()
      const headers: Record<string, string> = {}
      // In browsers Set-Cookie is invisible and the cookie jar carries `sid`; elsewhere we send it.
      if (sid !== undefined) headers.Cookie = `sid=${sid}`
      if (csrfToken !== undefined && method !== 'GET' && method !== 'HEAD') {
        headers['X-Frappe-CSRF-Token'] = typeof csrfToken === 'function' ? await csrfToken() : csrfToken
      }
      return headers
    },
    async renew() {
      loggedIn = false
      sid = undefined
      await doLogin()
      return true
    },
  }
}

function oauthAuth(
  auth: OAuthAuth,
  deps: { baseUrl: string; fetch: typeof fetch; now: () => number },
): AuthProvider {
  const clientId = requireString(auth.clientId, 'auth.clientId')
  if (typeof auth.tokens !== 'object' || auth.tokens === null) {
    throw new TypeError(`${MESSAGE_PREFIX} Option \`auth.tokens\` must be an object with an accessToken.`)
  }
  requireString(auth.tokens.accessToken, 'auth.tokens.accessToken')
  const skew = auth.refreshSkew ?? 60_000
  if (typeof skew !== 'number' || !Number.isFinite(skew) || skew < 0) {
    throw new RangeError(`${MESSAGE_PREFIX} Option \`auth.refreshSkew\` must be a non-negative number of ms.`)
  }
  let tokens = auth.tokens
  let refreshing: Promise<void> | undefined
  const refresh = (): Promise<void> => {
    const refreshToken = tokens.refreshToken
    if (refreshToken === undefined) {
      return Promise.reject(
        new AuthenticationError(
          'The OAuth access token expired and no refresh token is available: run the authorization flow again.',
        ),
      )
    }
    refreshing ??= (async () => {
      try {
        tokens = await requestTokens(
          deps.fetch,
          deps.baseUrl,
          { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId },
          deps.now,
        )
        await auth.onTokens?.(tokens)
      } finally {
        refreshing = undefined
      }
    })()
    return refreshing
  }
  return {
    type: 'oauth',
    credentialed: true,
    expiring: true,
    headerNames: ['authorization'],
    async headers() {
      if (tokens.expiresAt !== undefined && tokens.expiresAt - skew <= deps.now()) await refresh()
      return { Authorization: `Bearer ${tokens.accessToken}` }
    },
    async renew() {
      if (tokens.refreshToken === undefined) return false
      await refresh()
      return true
    },
  }
}
