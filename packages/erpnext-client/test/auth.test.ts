import { describe, expect, it } from 'vitest'
import {
  createClient,
  createOAuthFlow,
  isAuthenticationError,
  isOAuthError,
  type OAuthTokens,
  pkceChallenge,
} from '../src/index.js'
import { fakeFetch, frappeError, json, SECRET, testClient, URL_BASE } from './helpers.js'

const ok = () => json({ data: { name: 'A' } })

describe('token auth', () => {
  it('sends `token key:secret`', async () => {
    const { client, seen } = testClient(ok)
    await client.doc('Student').get('A')
    expect(seen[0]?.headers.get('authorization')).toBe(`token key1:${SECRET}`)
  })
  it('a 401 is an AuthenticationError, not retried', async () => {
    const { client, seen } = testClient(() => frappeError(401, 'AuthenticationError'))
    const error = await client
      .doc('Student')
      .get('A')
      .catch((e: unknown) => e)
    expect(isAuthenticationError(error)).toBe(true)
    expect(seen).toHaveLength(1)
  })
})

describe('bearer auth', () => {
  it('calls the token function and asks again once after a 401', async () => {
    let issued = 0
    const { client, seen } = testClient(
      (req) =>
        req.headers.get('authorization') === 'Bearer t2' ? ok() : frappeError(401, 'AuthenticationError'),
      { auth: { type: 'bearer', token: () => `t${++issued}` } },
    )
    await expect(client.doc('Student').get('A')).resolves.toBeTruthy()
    expect(seen.map((s) => s.headers.get('authorization'))).toEqual(['Bearer t1', 'Bearer t2'])
  })
  it('a static token is sent as is', async () => {
    const { client, seen } = testClient(ok, { auth: { type: 'bearer', token: 'abc' } })
    await client.doc('Student').get('A')
    expect(seen[0]?.headers.get('authorization')).toBe('Bearer abc')
  })
})

describe('session auth', () => {
  const server = (opts: { csrf?: boolean } = {}) => {
    let sid = 0
    let valid = ''
    return (req: { method: string; url: URL; headers: Headers; body: string }) => {
      if (req.url.pathname === '/api/method/login') {
        const body = JSON.parse(req.body) as { usr: string; pwd: string }
        if (body.pwd !== SECRET) return frappeError(401, 'AuthenticationError', 'Invalid login credentials')
        valid = `s${++sid}`
        return new Response(JSON.stringify({ message: 'Logged In', full_name: 'Admin' }), {
          headers: { 'content-type': 'application/json', 'set-cookie': `sid=${valid}; HttpOnly; Path=/` },
        })
      }
      if (req.headers.get('cookie') !== `sid=${valid}`)
        return json({ exc_type: 'PermissionError', session_expired: 1 }, 403)
      if (opts.csrf && req.method !== 'GET' && req.headers.get('x-frappe-csrf-token') !== 'csrf1') {
        return frappeError(400, 'CSRFTokenError', 'Invalid Request')
      }
      return ok()
    }
  }
  it('logs in once, keeps the sid cookie', async () => {
    const { client, seen } = testClient(server(), {
      auth: { type: 'session', username: 'admin', password: SECRET },
    })
    await client.doc('Student').get('A')
    await client.doc('Student').get('B')
    expect(seen.map((s) => s.url.pathname)).toEqual([
      '/api/method/login',
      '/api/resource/Student/A',
      '/api/resource/Student/B',
    ])
    expect(seen[1]?.headers.get('cookie')).toBe('sid=s1')
    expect(seen[0]?.headers.get('authorization')).toBeNull()
  })
  it('logs in again when the session expired', async () => {
    const handler = server()
    let expire = false
    const { client, seen } = testClient(
      (req) => {
        if (expire && req.url.pathname !== '/api/method/login') {
          expire = false
          return json({ exc_type: 'PermissionError', session_expired: 1 }, 403)
        }
        return handler(req)
      },
      { auth: { type: 'session', username: 'admin', password: SECRET } },
    )
    await client.doc('Student').get('A')
    expire = true
    await client.doc('Student').get('B')
    expect(seen.filter((s) => s.url.pathname === '/api/method/login')).toHaveLength(2)
    expect(seen.at(-1)?.headers.get('cookie')).toBe('sid=s2')
  })
  it('sends the CSRF token on writes only', async () => {
    const { client, seen } = testClient(server({ csrf: true }), {
      auth: { type: 'session', username: 'admin', password: SECRET, csrfToken: 'csrf1' },
    })
    await client.doc('Student').update('A', { first_name: 'B' })
    await client.doc('Student').get('A')
    expect(seen[1]?.headers.get('x-frappe-csrf-token')).toBe('csrf1')
    expect(seen[2]?.headers.get('x-frappe-csrf-token')).toBeNull()
  })
  it('a missing CSRF token gives a BadRequestError that says what to do', async () => {
    const { client } = testClient(server({ csrf: true }), {
      auth: { type: 'session', username: 'admin', password: SECRET },
    })
    const error = await client
      .doc('Student')
      .update('A', { first_name: 'B' })
      .catch((e: unknown) => e)
    expect((error as Error).name).toBe('BadRequestError')
    expect((error as Error).message).toMatch(/csrfToken/)
  })
  it('wrong password is an AuthenticationError', async () => {
    const { client } = testClient(server(), {
      auth: { type: 'session', username: 'admin', password: 'nope' },
    })
    const error = await client
      .doc('Student')
      .get('A')
      .catch((e: unknown) => e)
    expect(isAuthenticationError(error)).toBe(true)
    expect((error as { serverMessage: string }).serverMessage).toBe('Invalid login credentials')
  })
})

describe('OAuth 2.0 with PKCE', () => {
  const bytes = (n: number) => new Uint8Array(n).map((_, i) => i)

  it('computes the RFC 7636 S256 challenge', async () => {
    // RFC 7636 appendix B test vector
    expect(await pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    )
  })

  it('builds the authorize URL and exchanges the code', async () => {
    const { fetch, seen } = fakeFetch(() =>
      json({
        access_token: 'at1',
        refresh_token: 'rt1',
        expires_in: 3600,
        token_type: 'Bearer',
        scope: 'all openid',
      }),
    )
    const flow = createOAuthFlow({
      url: URL_BASE,
      clientId: 'cid',
      redirectUri: 'https://app/cb',
      fetch,
      now: () => 1000,
      randomBytes: bytes,
    })
    const pkce = await flow.createPkce()
    expect(pkce.codeChallenge).toBe(await pkceChallenge(pkce.codeVerifier))
    const url = new URL(flow.authorizeUrl({ state: 'st', codeChallenge: pkce.codeChallenge }))
    expect(url.pathname).toBe('/api/method/frappe.integrations.oauth2.authorize')
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: 'cid',
      response_type: 'code',
      redirect_uri: 'https://app/cb',
      state: 'st',
      code_challenge_method: 'S256',
    })
    const tokens = await flow.exchangeCode({ code: 'c1', codeVerifier: pkce.codeVerifier })
    expect(tokens).toEqual({
      accessToken: 'at1',
      refreshToken: 'rt1',
      expiresAt: 1000 + 3600_000,
      scope: 'all openid',
    })
    const form = new URLSearchParams(seen[0]?.body)
    expect(seen[0]?.url.pathname).toBe('/api/method/frappe.integrations.oauth2.get_token')
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'authorization_code',
      code: 'c1',
      redirect_uri: 'https://app/cb',
      client_id: 'cid',
      code_verifier: pkce.codeVerifier,
    })
  })

  it('a refused exchange is an OAuthError with the OAuth error code', async () => {
    const { fetch } = fakeFetch(() => json({ error: 'invalid_grant' }, 400))
    const flow = createOAuthFlow({ url: URL_BASE, clientId: 'cid', redirectUri: 'https://app/cb', fetch })
    const error = await flow.exchangeCode({ code: 'bad', codeVerifier: 'v' }).catch((e: unknown) => e)
    expect(isOAuthError(error)).toBe(true)
    expect((error as { oauthError: string }).oauthError).toBe('invalid_grant')
  })

  it('refreshes before expiry and reports new tokens', async () => {
    let now = 0
    const stored: OAuthTokens[] = []
    const { fetch, seen } = fakeFetch((req) => {
      if (req.url.pathname.endsWith('get_token'))
        return json({ access_token: 'at2', refresh_token: 'rt2', expires_in: 3600 })
      return ok()
    })
    const client = createClient({
      url: URL_BASE,
      fetch,
      clock: { now: () => now },
      rateLimit: false,
      auth: {
        type: 'oauth',
        clientId: 'cid',
        tokens: { accessToken: 'at1', refreshToken: 'rt1', expiresAt: 100_000 },
        onTokens: (t) => void stored.push(t),
      },
    })
    await client.doc('Student').get('A')
    expect(seen[0]?.headers.get('authorization')).toBe('Bearer at1')
    now = 50_000 // within the 60 s skew
    await client.doc('Student').get('A')
    expect(new URLSearchParams(seen[1]?.body).get('grant_type')).toBe('refresh_token')
    expect(seen[2]?.headers.get('authorization')).toBe('Bearer at2')
    expect(stored[0]?.accessToken).toBe('at2')
  })
})

describe('custom auth', () => {
  it('adds the headers the hook returns', async () => {
    const { client, seen } = testClient(ok, {
      auth: { type: 'custom', headers: ({ method }) => ({ 'X-Gateway-Key': `${method}-k` }) },
    })
    await client.doc('Student').get('A')
    expect(seen[0]?.headers.get('x-gateway-key')).toBe('GET-k')
  })
})

describe('secrets never leak', () => {
  it('no error message, error field or log line contains the secret', async () => {
    const collected: unknown[] = []
    const failures = [
      () => frappeError(401, 'AuthenticationError', 'bad key'),
      () => frappeError(403, 'PermissionError'),
      () => frappeError(417, 'MandatoryError', 'missing'),
      () => frappeError(503, 'x'),
      () => new Response('<html>proxy</html>', { status: 502, headers: { 'content-type': 'text/html' } }),
      () => {
        throw new TypeError(`fetch failed for token key1:${SECRET}`)
      },
    ]
    const all: string[] = []
    for (const auth of [
      { type: 'token', apiKey: 'key1', apiSecret: SECRET },
      { type: 'bearer', token: SECRET },
      { type: 'session', username: 'admin', password: SECRET },
      { type: 'custom', headers: () => ({ 'X-Api-Key': SECRET }) },
    ] as const) {
      for (const fail of failures) {
        const { client, lines } = testClient(
          (req) =>
            req.url.pathname === '/api/method/login'
              ? new Response('{"message":"Logged In"}', { headers: { 'set-cookie': `sid=${SECRET}` } })
              : fail(),
          {
            auth,
            retry: { attempts: 2 },
            hooks: {
              beforeRequest: [(i) => void collected.push(i)],
              afterResponse: [(i) => void collected.push({ ...i, error: i.error?.message })],
              beforeRetry: [(i) => void collected.push({ ...i, error: i.error.message })],
            },
          },
        )
        const error = (await client
          .doc('Student')
          .get('A')
          .catch((e: unknown) => e)) as Error
        all.push(
          error.message,
          JSON.stringify(error),
          JSON.stringify((error as { request?: unknown }).request),
          ...lines,
        )
      }
    }
    all.push(JSON.stringify(collected))
    // Even a fetch failure whose own message echoes the secret stays confined to `cause`.
    expect(all.length).toBeGreaterThan(50)
    expect(all.filter((s) => s.includes(SECRET))).toEqual([])
  })
})
