import { createHash, timingSafeEqual } from 'node:crypto';

export type SignatureAlgorithm = 'sha1' | 'sha256';
export type SignableValue = string | number | boolean | readonly (string | number)[] | null | undefined;
export type SignableParams = Readonly<Record<string, SignableValue>>;

/** Parameters that never take part in an API signature (Cloudinary rule). */
export const UNSIGNED_KEYS: ReadonlySet<string> = new Set(['file', 'cloud_name', 'resource_type', 'api_key', 'signature']);

const HEX_LENGTH: Record<SignatureAlgorithm, number> = { sha1: 40, sha256: 64 };

/**
 * The string Cloudinary signs: non-empty params but the unsigned ones, arrays comma-joined, sorted by name,
 * `k=v` joined with `&`. Version 2 (SDKs since 2025) escapes `&` inside each pair as `%26`.
 */
export function stringToSign(params: SignableParams, version: 1 | 2 = 1): string {
  const pairs: [string, string][] = [];
  for (const [key, raw] of Object.entries(params)) {
    if (UNSIGNED_KEYS.has(key) || raw === null || raw === undefined) continue;
    const value = Array.isArray(raw) ? raw.join(',') : String(raw);
    if (value === '') continue;
    pairs.push([key, value]);
  }
  // Code-unit order; the Node SDK uses localeCompare, which agrees for the lowercase snake_case names in use.
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return pairs.map(([k, v]) => (version === 2 ? `${k}=${v}`.replaceAll('&', '%26') : `${k}=${v}`)).join('&');
}

export function digestHex(input: string, algorithm: SignatureAlgorithm): string {
  return createHash(algorithm).update(input, 'utf8').digest('hex');
}

/** Signs request params the way the official SDKs do. */
export function signParams(params: SignableParams, apiSecret: string, algorithm: SignatureAlgorithm = 'sha1', version: 1 | 2 = 1): string {
  return digestHex(stringToSign(params, version) + apiSecret, algorithm);
}

/** The `signature` field of an upload result (always version 1). */
export function responseSignature(publicId: string, version: number, apiSecret: string, algorithm: SignatureAlgorithm = 'sha1'): string {
  return digestHex(`public_id=${publicId}&version=${version}${apiSecret}`, algorithm);
}

/** `X-Cld-Signature` of a webhook: hex(hash(body + timestamp + secret)). */
export function notificationSignature(body: string, timestamp: number, apiSecret: string, algorithm: SignatureAlgorithm = 'sha1'): string {
  return digestHex(body + String(timestamp) + apiSecret, algorithm);
}

/** Constant-time comparison of two strings (digests, keys, secrets). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** Which algorithm a signature's shape claims, or null for anything but exact lowercase hex of a known length. */
export function algorithmOf(signature: string): SignatureAlgorithm | null {
  if (!/^[0-9a-f]+$/.test(signature)) return null;
  if (signature.length === HEX_LENGTH.sha1) return 'sha1';
  if (signature.length === HEX_LENGTH.sha256) return 'sha256';
  return null;
}

export interface VerifyInput {
  params: SignableParams;
  signature: string;
  apiSecret: string;
  allowed: readonly SignatureAlgorithm[];
}

/**
 * Accepts a signature over the classic string or the escaped (v2) one. `signature_algorithm`, when sent,
 * must agree with the signature's length; whether a client signed it too is not fixed by any SDK, so both
 * readings are tried.
 */
export function verifySignature({ params, signature, apiSecret, allowed }: VerifyInput): { ok: boolean; stringToSign: string } {
  const classic = stringToSign(params, 1);
  const algorithm = algorithmOf(signature);
  const declared = params.signature_algorithm;
  if (!algorithm || !allowed.includes(algorithm) || (declared != null && declared !== '' && declared !== algorithm)) {
    return { ok: false, stringToSign: classic };
  }
  const variants: SignableParams[] = [params];
  if (declared != null && declared !== '') variants.push({ ...params, signature_algorithm: undefined });
  let ok = false;
  for (const variant of variants) {
    for (const version of [1, 2] as const) {
      // No early exit: every candidate is hashed and compared in constant time.
      if (safeEqual(digestHex(stringToSign(variant, version) + apiSecret, algorithm), signature)) ok = true;
    }
  }
  return { ok, stringToSign: classic };
}
