/** Options of {@link createRedactor}. */
export interface RedactorOptions {
  /**
   * Secret values known at construction (API secrets, webhook secrets, tokens): every occurrence in any
   * string is replaced. Values shorter than `minSecretLength` are rejected, since redacting them would
   * shred ordinary text. @default []
   */
  readonly secrets?: readonly string[]
  /** PII values to remove wherever they occur (e.g. a student's e-mail in a log line). @default [] */
  readonly piiValues?: readonly string[]
  /**
   * Extra key names whose values are always replaced (matched case-insensitively, `-` and `_`
   * equivalent), besides the built-in list (authorization, cookie, api_secret, password, token,
   * x-frappe-webhook-signature, …). @default []
   */
  readonly keys?: readonly string[]
  /** Field names whose values are PII (e.g. `student_email_id`), replaced with `replacement`. @default [] */
  readonly piiFields?: readonly string[]
  /** The replacement text. @default '[REDACTED]' */
  readonly replacement?: string
  /** Minimum length of a registered secret or PII value. @default 6 */
  readonly minSecretLength?: number
  /** Maximum depth walked; deeper values are replaced with `[Truncated]`. @default 20 */
  readonly maxDepth?: number
}

/** Removes secrets and PII from values before they are logged. */
export interface Redactor {
  /**
   * A redacted deep copy of `value`: objects, arrays, `Map`, `Headers`-like objects, errors (message,
   * stack, cause) and strings. Cycles become `[Circular]`. The input is not modified.
   */
  redact<T>(value: T): T
  /** Redact one string: auth headers, `token key:secret`, `Bearer …`, signatures, known secrets and PII values. */
  redactString(text: string): string
}

const BUILTIN_KEYS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'api-secret',
  'apisecret',
  'api-key',
  'apikey',
  'secret',
  'client-secret',
  'webhook-secret',
  'password',
  'passwd',
  'pwd',
  'new-password',
  'token',
  'access-token',
  'refresh-token',
  'id-token',
  'sid',
  'x-frappe-webhook-signature',
  'x-frappe-csrf-token',
  'csrf-token',
  'private-key',
  'kek',
  'key-material',
]

const normKey = (k: string) => k.toLowerCase().replace(/_/g, '-')
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Create a redactor. Options are validated once; the redactor is frozen.
 *
 * @example
 * ```ts
 * const redactor = createRedactor({ secrets: [process.env.ERP_API_SECRET!], piiFields: ['student_email_id'] })
 * logger.info(redactor.redact({ headers: { Authorization: 'token abc:def' }, body }))
 * ```
 */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const replacement = options.replacement ?? '[REDACTED]'
  if (typeof replacement !== 'string')
    throw new TypeError('[@edusync/privacy-toolkit] createRedactor: options.replacement must be a string.')
  const minLen = options.minSecretLength ?? 6
  if (!Number.isInteger(minLen) || minLen < 1) {
    throw new RangeError(
      '[@edusync/privacy-toolkit] createRedactor: options.minSecretLength must be an integer ≥ 1.',
    )
  }
  const maxDepth = options.maxDepth ?? 20
  if (!Number.isInteger(maxDepth) || maxDepth < 1) {
    throw new RangeError(
      '[@edusync/privacy-toolkit] createRedactor: options.maxDepth must be an integer ≥ 1.',
    )
  }
  const values: string[] = []
  for (const [name, list] of [
    ['secrets', options.secrets ?? []],
    ['piiValues', options.piiValues ?? []],
  ] as const) {
    if (!Array.isArray(list))
      throw new TypeError(
        `[@edusync/privacy-toolkit] createRedactor: options.${name} must be an array of strings.`,
      )
    list.forEach((v, i) => {
      if (typeof v !== 'string')
        throw new TypeError(
          `[@edusync/privacy-toolkit] createRedactor: options.${name}[${i}] must be a string.`,
        )
      if (v.length < minLen) {
        // The value itself is not echoed: it may be a secret.
        throw new RangeError(
          `[@edusync/privacy-toolkit] createRedactor: options.${name}[${i}] is shorter than ${minLen} characters; registering it would redact ordinary text. Lower minSecretLength if this is intended.`,
        )
      }
      values.push(v)
    })
  }
  for (const [name, list] of [
    ['keys', options.keys ?? []],
    ['piiFields', options.piiFields ?? []],
  ] as const) {
    if (!Array.isArray(list) || list.some((k) => typeof k !== 'string')) {
      throw new TypeError(
        `[@edusync/privacy-toolkit] createRedactor: options.${name} must be an array of strings.`,
      )
    }
  }
  const secretKeys = new Set([...BUILTIN_KEYS, ...(options.keys ?? []).map(normKey)])
  const piiKeys = new Set((options.piiFields ?? []).map(normKey))
  // Longest first, so a secret containing another is replaced whole.
  values.sort((a, b) => b.length - a.length)
  const valuesRe = values.length === 0 ? undefined : new RegExp(values.map(escapeRe).join('|'), 'g')

  const patterns: [RegExp, (m: string, ...groups: string[]) => string][] = [
    // Header lines: "Authorization: token k:s", "X-Frappe-Webhook-Signature: abc=", "Cookie: sid=…"
    [
      /\b(authorization|proxy-authorization|x-frappe-webhook-signature|x-frappe-csrf-token|cookie|set-cookie)(\s*[:=]\s*)("?)([^\r\n"]*)/gi,
      (_m, name, sep, q) => `${name}${sep}${q}${replacement}`,
    ],
    // Credentials in URLs: scheme://user:password@host
    [
      /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/@]+):([^\s@/]+)@/gi,
      (_m, scheme, user) => `${scheme}${user}:${replacement}@`,
    ],
    // Frappe token auth anywhere: "token api_key:api_secret"
    [/\btoken\s+[A-Za-z0-9_-]+:[^\s"',;]+/gi, () => `token ${replacement}`],
    // Bearer / Basic credentials anywhere
    [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi, (_m, scheme) => `${scheme} ${replacement}`],
    // key=value pairs in URLs, query strings and form bodies
    [
      /\b(api_secret|api_key|apikey|password|passwd|pwd|secret|token|access_token|refresh_token|sid|signature)=([^&\s"']+)/gi,
      (_m, name) => `${name}=${replacement}`,
    ],
    // JSON-ish "key": "value" inside strings
    [
      /"(authorization|api_secret|api_key|password|secret|token|access_token|refresh_token|webhook_secret|x-frappe-webhook-signature)"\s*:\s*"(?:[^"\\]|\\.)*"/gi,
      (_m, name) => `"${name}":"${replacement}"`,
    ],
  ]

  const redactString = (text: string): string => {
    let out = text
    if (valuesRe !== undefined) out = out.replace(valuesRe, replacement)
    for (const [re, fn] of patterns) out = out.replace(re, fn as (m: string, ...g: unknown[]) => string)
    return out
  }

  const walk = (value: unknown, depth: number, seen: WeakSet<object>): unknown => {
    if (typeof value === 'string') return redactString(value)
    if (typeof value !== 'object' || value === null) return value
    if (depth >= maxDepth) return '[Truncated]'
    if (seen.has(value)) return '[Circular]'
    seen.add(value)
    try {
      if (value instanceof Date) return new Date(value.getTime())
      if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1, seen))
      if (value instanceof Map) {
        const out = new Map<unknown, unknown>()
        for (const [k, v] of value)
          out.set(k, typeof k === 'string' ? field(k, v, depth, seen) : walk(v, depth + 1, seen))
        return out
      }
      if (value instanceof Set) return new Set([...value].map((v) => walk(v, depth + 1, seen)))
      if (value instanceof Error) {
        const out: Record<string, unknown> = {
          name: value.name,
          message: redactString(value.message),
        }
        if (value.stack !== undefined) out['stack'] = redactString(value.stack)
        if (value.cause !== undefined) out['cause'] = walk(value.cause, depth + 1, seen)
        for (const [k, v] of Object.entries(value)) out[k] = field(k, v, depth, seen)
        return out
      }
      const entries = (value as { entries?: unknown }).entries
      if (typeof Headers !== 'undefined' && value instanceof Headers && typeof entries === 'function') {
        const out: Record<string, unknown> = {}
        for (const [k, v] of value.entries()) out[k] = field(k, v, depth, seen)
        return out
      }
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer)
        return `[Binary ${value.byteLength} bytes]`
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(value)) out[k] = field(k, v, depth, seen)
      return out
    } finally {
      seen.delete(value)
    }
  }

  const field = (key: string, value: unknown, depth: number, seen: WeakSet<object>): unknown => {
    const n = normKey(key)
    if (value !== null && value !== undefined && (secretKeys.has(n) || piiKeys.has(n))) return replacement
    return walk(value, depth + 1, seen)
  }

  return Object.freeze({
    redact: <T>(value: T): T => walk(value, 0, new WeakSet()) as T,
    redactString: (text: string) => {
      if (typeof text !== 'string')
        throw new TypeError('[@edusync/privacy-toolkit] redactString: text must be a string.')
      return redactString(text)
    },
  })
}
