/**
 * Secrets at rest and in transit: AES-GCM for connection credentials, session state and hub
 * endpoint secrets (each ciphertext names its key, so keys can be rotated: src/db/re-encrypt.ts),
 * SHA-256 for tokens, HMAC for webhook signatures, and a constant-time comparison over raw bytes.
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

/**
 * The keys Kontor seals secrets with: the first seals, every one opens. `ENCRYPTION_KEYS`
 * (comma-separated base64 keys, newest first) when it is set, else `ENCRYPTION_KEY` alone.
 */
export type Keyring = { readonly keys: readonly string[] }

const keyringCache = new Map<string, Keyring>()

export function keyringOf(env: { ENCRYPTION_KEY?: string; ENCRYPTION_KEYS?: string }): Keyring {
  const spec = env.ENCRYPTION_KEYS?.trim() ? env.ENCRYPTION_KEYS : (env.ENCRYPTION_KEY ?? '')
  let ring = keyringCache.get(spec)
  if (!ring) {
    const keys = spec
      .split(',')
      .map((key) => key.trim())
      .filter(Boolean)
    if (!keys.length) throw new Error('no encryption key: set ENCRYPTION_KEY (or ENCRYPTION_KEYS)')
    ring = { keys }
    keyringCache.set(spec, ring)
  }
  return ring
}

const keyIdCache = new Map<string, Promise<string>>()

/** A key's id: the first 8 bytes of the SHA-256 of its raw bytes, hex (names the key, reveals nothing). */
export function keyId(base64Key: string): Promise<string> {
  let id = keyIdCache.get(base64Key)
  if (!id) {
    id = crypto.subtle
      .digest('SHA-256', base64ToBytes(base64Key))
      .then((digest) => bytesToHex(new Uint8Array(digest).slice(0, 8)))
    keyIdCache.set(base64Key, id)
  }
  return id
}

/** Length of `v2.<key id>.`: every ciphertext sealed with one key starts with the same prefix. */
export const SEALED_PREFIX_LENGTH = 20

/** The prefix of a ciphertext sealed with the ring's newest key. */
export async function newestKeyPrefix(ring: Keyring): Promise<string> {
  return `v2.${await keyId(ring.keys[0])}.`
}

async function seal(ring: Keyring, plaintext: Uint8Array): Promise<string> {
  const key = ring.keys[0]
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const ciphertext = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await encryptionKey(key), plaintext)
  return `v2.${await keyId(key)}.${bytesToBase64(iv)}.${bytesToBase64(new Uint8Array(ciphertext))}`
}

async function openWith(base64Key: string, iv: string, ciphertext: string): Promise<Uint8Array> {
  return new Uint8Array(
    await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: base64ToBytes(iv) },
      await encryptionKey(base64Key),
      base64ToBytes(ciphertext)
    )
  )
}

/**
 * Opens `v2.<key id>.…` with the ring's key of that id, and the older `v1.<iv>.<ciphertext>`
 * (no key id) with whichever key of the ring opens it (AES-GCM refuses a wrong key).
 */
async function open(ring: Keyring, sealed: string): Promise<Uint8Array> {
  const parts = sealed.split('.')
  if (parts[0] === 'v2' && parts.length === 4 && parts[2] && parts[3]) {
    for (const key of ring.keys) {
      if ((await keyId(key)) === parts[1]) return openWith(key, parts[2], parts[3])
    }
    throw new Error(`sealed with key ${parts[1]}, which is not among the configured ENCRYPTION_KEYS`)
  }
  if (parts[0] === 'v1' && parts.length === 3 && parts[1] && parts[2]) {
    let failure: unknown
    for (const key of ring.keys) {
      try {
        return await openWith(key, parts[1], parts[2])
      } catch (error) {
        failure = error
      }
    }
    throw new Error(`no configured encryption key opens this v1 ciphertext: ${String(failure)}`)
  }
  throw new Error('unknown ciphertext format')
}

/**
 * Encrypts a JSON value with the ring's newest key; the result is `v2.<key id>.<iv>.<ciphertext>`
 * (iv and ciphertext in base64).
 */
export async function encryptJson(ring: Keyring, value: unknown): Promise<string> {
  return seal(ring, encoder.encode(JSON.stringify(value)))
}

export async function decryptJson<T>(ring: Keyring, sealed: string): Promise<T> {
  return JSON.parse(decoder.decode(await open(ring, sealed))) as T
}

/** Seals a ciphertext's plaintext again with the ring's newest key, byte for byte (key rotation). */
export async function reseal(ring: Keyring, sealed: string): Promise<string> {
  return seal(ring, await open(ring, sealed))
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

/**
 * Constant-time equality of two byte strings (length leaks, content does not), by workerd's
 * `crypto.subtle.timingSafeEqual`, which throws on different lengths instead of answering.
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  return crypto.subtle.timingSafeEqual(a, b)
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
