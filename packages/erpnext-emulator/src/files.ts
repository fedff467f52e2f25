/**
 * Frappe's `File` doctype as the emulator stores it: the bytes live in memory keyed by `file_url`
 * (`/files/<name>` or `/private/files/<name>`), with Frappe's naming, de-duplication and MIME rules
 * (`frappe/core/doctype/file/file.py`, `frappe/utils/response.py::send_private_file`).
 */
import { createHash } from 'node:crypto'
import { FrappeException } from './errors.js'

/** One uploaded multipart part (`request.files['file']`). */
export interface UploadedFile {
  readonly filename: string
  readonly bytes: Uint8Array
}

/** extension → [MIME type Python's `mimetypes.guess_type` gives, extension `guess_extension` gives back]. */
const TYPES: Readonly<Record<string, readonly [string, string]>> = {
  txt: ['text/plain', 'txt'],
  csv: ['text/csv', 'csv'],
  html: ['text/html', 'html'],
  htm: ['text/html', 'html'],
  xml: ['text/xml', 'xml'],
  json: ['application/json', 'json'],
  pdf: ['application/pdf', 'pdf'],
  png: ['image/png', 'png'],
  jpg: ['image/jpeg', 'jpg'],
  jpeg: ['image/jpeg', 'jpg'],
  gif: ['image/gif', 'gif'],
  svg: ['image/svg+xml', 'svg'],
  webp: ['image/webp', 'webp'],
  zip: ['application/zip', 'zip'],
  doc: ['application/msword', 'doc'],
  docx: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx'],
  xls: ['application/vnd.ms-excel', 'xls'],
  xlsx: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx'],
  ppt: ['application/vnd.ms-powerpoint', 'ppt'],
  pptx: ['application/vnd.openxmlformats-officedocument.presentationml.presentation', 'pptx'],
  mp3: ['audio/mpeg', 'mp3'],
  mp4: ['video/mp4', 'mp4'],
}

function extension(fileName: string): string {
  const dot = fileName.lastIndexOf('.')
  return dot > 0 ? fileName.slice(dot + 1).toLowerCase() : ''
}

/** `mimetypes.guess_type(file_name)[0]`, or undefined. */
export function guessMimeType(fileName: string): string | undefined {
  return TYPES[extension(fileName)]?.[0]
}

/** File's `file_type`: the upper-case canonical extension of the guessed MIME type (`TXT`, `JPG`), or null. */
export function fileType(fileName: string): string | null {
  const t = TYPES[extension(fileName)]
  return t ? t[1].toUpperCase() : null
}

/** Frappe's `get_content_hash`: MD5 hex of the bytes. */
export function contentHash(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex')
}

/** `get_file_name(fname, suffix)`: the suffix goes before the extension (`report.pdf` → `reportab12cd.pdf`). */
export function suffixedName(fileName: string, suffix: string): string {
  const dot = fileName.lastIndexOf('.')
  return dot > 0 ? `${fileName.slice(0, dot)}${suffix}${fileName.slice(dot)}` : `${fileName}${suffix}`
}

/** The URL Frappe serves a stored file at. */
export function fileUrl(fileName: string, isPrivate: boolean): string {
  return `${isPrivate ? '/private' : ''}/files/${fileName}`
}

/** Python truthiness of a request argument (`"0"` is truthy, as in Frappe's `if decode:`). */
export function pyTruthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false
  if (Array.isArray(value)) return value.length > 0
  if (typeof value === 'object') return Object.keys(value).length > 0
  return true
}

/**
 * File content as Frappe's `save_file` receives it: text is UTF-8 encoded; with `decode`, everything
 * before a comma (a data-URL prefix) is dropped and the rest is base64-decoded (padding optional).
 */
export function fileContent(value: unknown, decode: boolean): Uint8Array {
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  if (!decode) return new TextEncoder().encode(text)
  const b64 = (text.includes(',') ? text.split(',')[1]! : text).replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(b64) || b64.replace(/=+$/, '').length % 4 === 1) {
    throw new FrappeException('Error', 'Invalid base64-encoded string', {
      module: 'binascii',
      serverMessage: false,
      status: 500,
    })
  }
  return new Uint8Array(Buffer.from(b64, 'base64'))
}

/** Headers of a served file: MIME type guessed from the name; script-capable types are sent as attachments. */
export function fileHeaders(fileName: string): Headers {
  const mime = guessMimeType(fileName) ?? 'application/octet-stream'
  const headers = new Headers({
    'content-type': mime.startsWith('text/') ? `${mime}; charset=utf-8` : mime,
  })
  if (['svg', 'html', 'htm', 'xml'].includes(extension(fileName))) {
    headers.set('content-disposition', `attachment; filename="${fileName.replace(/["\\\r\n]/g, '_')}"`)
  }
  return headers
}
