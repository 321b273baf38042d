import { createHmac } from 'node:crypto';
import { safeEqual } from './signing.ts';

/**
 * Small JSON values handed to a browser and read back intact: `base64url(json).hmac`, keyed from the API secret
 * and a purpose (so a token made for one use never passes for another), with an expiry.
 */
export function createSealer(apiSecret: string, purpose: string, now: () => number) {
  const key = createHmac('sha256', apiSecret).update(`updraft sealed data v1: ${purpose}`).digest();
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

  return {
    seal(value: unknown, ttlMs: number): string {
      const payload = Buffer.from(JSON.stringify({ v: value, e: now() + ttlMs })).toString('base64url');
      return `${payload}.${mac(payload)}`;
    },
    /** The sealed value, or null when the token is malformed, forged or expired. */
    open<T>(token: string | undefined, maxLength = 16 * 1024): T | null {
      if (!token || token.length > maxLength) return null;
      const [payload, signature, extra] = token.split('.');
      if (!payload || !signature || extra !== undefined || !safeEqual(mac(payload), signature)) return null;
      try {
        const { v, e } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { v: T; e: number };
        return typeof e === 'number' && e > now() ? v : null;
      } catch {
        return null;
      }
    },
  };
}

export type Sealer = ReturnType<typeof createSealer>;
