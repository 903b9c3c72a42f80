/**
 * Secrets at rest and in transit: AES-GCM for connection credentials, SHA-256 for tokens,
 * HMAC for webhook signatures, and a constant-time comparison over raw bytes.
 */
const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i])
  return btoa(binary)
}

export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
}

const keyCache = new Map<string, Promise<CryptoKey>>()

function encryptionKey(base64Key: string): Promise<CryptoKey> {
  let key = keyCache.get(base64Key)
  if (!key) {
    const raw = base64ToBytes(base64Key)
    if (raw.length !== 32) throw new Error('ENCRYPTION_KEY must be 32 bytes, base64')
    key = crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt'])
    keyCache.set(base64Key, key)
  }
  return key
}

/** Encrypts a JSON value; the result is `v1.<iv>.<ciphertext>` in base64. */
export async function encryptJson(base64Key: string, value: unknown): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const plaintext = encoder.encode(JSON.stringify(value))
  const ciphertext = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await encryptionKey(base64Key), plaintext)
  return `v1.${bytesToBase64(iv)}.${bytesToBase64(new Uint8Array(ciphertext))}`
}

export async function decryptJson<T>(base64Key: string, sealed: string): Promise<T> {
  const [version, iv, ciphertext] = sealed.split('.')
  if (version !== 'v1' || !iv || !ciphertext) throw new Error('unknown ciphertext format')
  const plaintext = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: base64ToBytes(iv) },
    await encryptionKey(base64Key),
    base64ToBytes(ciphertext)
  )
  return JSON.parse(decoder.decode(plaintext)) as T
}

export async function sha256Hex(text: string): Promise<string> {
  return bytesToHex(new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text))))
}

const hmacKeyCache = new Map<string, Promise<CryptoKey>>()

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = hmacKeyCache.get(secret)
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    if (hmacKeyCache.size > 1000) hmacKeyCache.clear()
    hmacKeyCache.set(secret, key)
  }
  return key
}

export async function hmacSha256(secret: string, message: Uint8Array | string): Promise<Uint8Array> {
  const data = typeof message === 'string' ? encoder.encode(message) : message
  return new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), data))
}

/** Constant-time equality of two byte strings (length leaks, content does not). */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i]
  return difference === 0
}

/**
 * Checks a base64 HMAC-SHA256 signature of `body` against any of `secrets` (several during a
 * secret rotation). Decodes the header to bytes and compares bytes, never strings.
 */
export async function verifyBase64HmacSha256(
  body: Uint8Array,
  signatureBase64: string | null | undefined,
  secrets: (string | undefined)[]
): Promise<boolean> {
  if (!signatureBase64) return false
  let expected: Uint8Array
  try {
    expected = base64ToBytes(signatureBase64.trim())
  } catch {
    return false
  }
  let matched = false
  for (const secret of secrets) {
    if (!secret) continue
    // Every secret is checked, so the time taken does not tell which one matched.
    if (timingSafeEqual(await hmacSha256(secret, body), expected)) matched = true
  }
  return matched
}

export function randomToken(bytes = 32): string {
  return bytesToBase64(crypto.getRandomValues(new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
}
