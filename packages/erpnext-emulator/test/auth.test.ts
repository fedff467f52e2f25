import { expect, it } from 'vitest'
import { conformance, serverMessages } from './harness.js'

conformance('§1 authentication', (h) => {
  it('accepts token key:secret', async () => {
    const r = await h().call('/api/method/frappe.auth.get_logged_user')
    expect(r).toMatchObject({ status: 200, body: { message: 'Administrator' } })
  })

  it('accepts Basic base64(key:secret) with a case-insensitive scheme', async () => {
    const c = h().emulator.credentials.admin
    const basic = Buffer.from(`${c.apiKey}:${c.apiSecret}`).toString('base64')
    const r = await h().call('/api/method/frappe.auth.get_logged_user', { auth: `bAsIc ${basic}` })
    expect(r.body.message).toBe('Administrator')
  })

  it('answers 401 AuthenticationError for a wrong secret', async () => {
    const c = h().emulator.credentials.admin
    const r = await h().call('/api/resource/Student', { auth: `token ${c.apiKey}:wrong` })
    expect(r.status).toBe(401)
    expect(r.body.exc_type).toBe('AuthenticationError')
    expect(r.body.exception).toBe('frappe.exceptions.AuthenticationError')
    expect(typeof r.body.exc).toBe('string')
  })

  it('answers 401 when the secret contains a colon (header ignored, user stays Guest)', async () => {
    const c = h().emulator.credentials.admin
    const r = await h().call('/api/resource/Student', { auth: `token ${c.apiKey}:${c.apiSecret}:x` })
    expect(r.status).toBe(401)
  })

  it('answers 400 InvalidAuthorizationToken for invalid base64', async () => {
    const r = await h().call('/api/resource/Student', { auth: 'Basic !!!notbase64' })
    expect(r.status).toBe(400)
    expect(r.body.exc_type).toBe('InvalidAuthorizationToken')
  })

  it('answers 401 for an unknown scheme', async () => {
    const r = await h().call('/api/resource/Student', { auth: 'Digest abc' })
    expect(r.status).toBe(401)
  })

  it('treats a request without Authorization as Guest: 403 on resources', async () => {
    const r = await h().call('/api/resource/Student', { auth: 'none' })
    expect(r.status).toBe(403)
    expect(r.body.exc_type).toBe('PermissionError')
    expect(r.body._error_message).toBe('No permission for Student')
  })

  it('lets Guest call allow_guest methods: frappe.ping', async () => {
    const r = await h().call('/api/method/frappe.ping', { auth: 'none' })
    expect(r).toMatchObject({ status: 200, body: { message: 'pong' } })
  })

  it('refuses Guest on non-guest methods with 403 "not whitelisted"', async () => {
    const r = await h().call('/api/method/frappe.auth.get_logged_user', { auth: 'none' })
    expect(r.status).toBe(403)
    expect(serverMessages(r.body)[0]?.message).toContain('is not whitelisted')
  })

  it('logs in with usr/pwd, sets a sid cookie and accepts the session', async () => {
    const login = await h().fetch('/api/method/login', {
      auth: 'none',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ usr: 'Administrator', pwd: 'admin' }),
    })
    expect(login.status).toBe(200)
    expect(await login.json()).toEqual({
      message: 'Logged In',
      home_page: '/app',
      full_name: 'Administrator',
    })
    const sid = login.headers
      .getSetCookie()
      .map((c) => /^sid=([^;]*)/.exec(c)?.[1])
      .find(Boolean)
    expect(sid).toBeTruthy()
    const me = await h().call('/api/method/frappe.auth.get_logged_user', {
      auth: 'none',
      headers: { cookie: `sid=${sid}` },
    })
    expect(me.body.message).toBe('Administrator')
    await h().call('/api/method/logout', { auth: 'none', method: 'POST', headers: { cookie: `sid=${sid}` } })
    const after = await h().call('/api/resource/Student', { auth: 'none', headers: { cookie: `sid=${sid}` } })
    expect(after.status).toBe(403)
    expect(after.body.session_expired).toBe(1)
  })

  it('rejects bad credentials with 401 "Invalid login credentials"', async () => {
    const r = await h().call('/api/method/login', {
      auth: 'none',
      method: 'POST',
      json: { usr: 'Administrator', pwd: 'nope' },
    })
    expect(r.status).toBe(401)
    expect(r.body).toMatchObject({ message: 'Invalid login credentials', exc_type: 'AuthenticationError' })
  })

  it('accepts sid as a query parameter', async () => {
    const login = await h().fetch('/api/method/login', {
      auth: 'none',
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'usr=Administrator&pwd=admin',
    })
    const sid = login.headers
      .getSetCookie()
      .map((c) => /^sid=([^;]*)/.exec(c)?.[1])
      .find(Boolean)
    const me = await h().call(`/api/method/frappe.auth.get_logged_user?sid=${sid}`, { auth: 'none' })
    expect(me.body.message).toBe('Administrator')
  })

  it('always sets a sid cookie, Guest for token calls', async () => {
    const res = await h().fetch('/api/method/frappe.ping')
    expect(res.headers.getSetCookie().some((c) => c.startsWith('sid=Guest'))).toBe(true)
  })

  it('runs the OAuth 2.0 authorization-code flow with PKCE and accepts the Bearer token', async () => {
    const { createHash } = await import('node:crypto')
    const client = h().emulator.oauthClient
    const verifier = 'a'.repeat(50)
    const challenge = createHash('sha256').update(verifier).digest('base64url')
    const q = new URLSearchParams({
      client_id: client.clientId,
      redirect_uri: client.redirectUri,
      response_type: 'code',
      scope: 'all openid',
      state: 'xyz',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    })
    const auth = await h().fetch(`/api/method/frappe.integrations.oauth2.authorize?${q}`)
    expect(auth.status).toBe(302)
    const location = new URL(auth.headers.get('location')!)
    expect(location.searchParams.get('state')).toBe('xyz')
    const code = location.searchParams.get('code')!
    const tokenRes = await h().fetch('/api/method/frappe.integrations.oauth2.get_token', {
      auth: 'none',
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: client.redirectUri,
        client_id: client.clientId,
        code_verifier: verifier,
      }).toString(),
    })
    const token = await tokenRes.json()
    expect(token).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'all openid' })
    const me = await h().call('/api/method/frappe.auth.get_logged_user', {
      auth: `Bearer ${token.access_token}`,
    })
    expect(me.body.message).toBe('Administrator')
    const refreshed = await h().fetch('/api/method/frappe.integrations.oauth2.get_token', {
      auth: 'none',
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: token.refresh_token,
        client_id: client.clientId,
      }).toString(),
    })
    const next = await refreshed.json()
    expect(next.access_token).not.toBe(token.access_token)
    const old = await h().call('/api/method/frappe.auth.get_logged_user', {
      auth: `Bearer ${token.access_token}`,
    })
    expect(old.status).toBe(401)
  })

  it('rejects a wrong PKCE verifier with invalid_grant', async () => {
    const client = h().emulator.oauthClient
    const q = new URLSearchParams({
      client_id: client.clientId,
      redirect_uri: client.redirectUri,
      response_type: 'code',
      code_challenge: 'abc',
      code_challenge_method: 'S256',
    })
    const auth = await h().fetch(`/api/method/frappe.integrations.oauth2.authorize?${q}`)
    const code = new URL(auth.headers.get('location')!).searchParams.get('code')!
    const res = await h().fetch('/api/method/frappe.integrations.oauth2.get_token', {
      auth: 'none',
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: client.redirectUri,
        client_id: client.clientId,
        code_verifier: 'wrong',
      }).toString(),
    })
    expect(res.status).toBe(400)
    expect((await res.json()).error).toBe('invalid_grant')
  })
})
