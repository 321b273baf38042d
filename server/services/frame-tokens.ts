import { createHmac } from 'node:crypto';
import { safeEqual } from './signing.ts';

const TOKEN_TTL_MS = 6 * 3600 * 1000;

interface TokenPayload {
  /** The host page origin the frame was rendered for. */
  o: string;
  /** Expiry, ms since the epoch. */
  e: number;
}

/**
 * Per-frame tokens: an HMAC (keyed from the API secret) over the host origin and an expiry, handed to a frame
 * when it is rendered and required by /api/sign, so only frames this server rendered can ask it to sign.
 */
export function createFrameTokens(apiSecret: string, now: () => number) {
  const key = createHmac('sha256', apiSecret).update('updraft frame token v1').digest();
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

  return {
    issue(origin: string): string {
      const payload = Buffer.from(JSON.stringify({ o: origin, e: now() + TOKEN_TTL_MS } satisfies TokenPayload)).toString('base64url');
      return `${payload}.${mac(payload)}`;
    },
    /** The host origin of a valid, unexpired token; null otherwise. */
    verify(token: string | undefined): string | null {
      if (!token || token.length > 1024) return null;
      const [payload, signature, extra] = token.split('.');
      if (!payload || !signature || extra !== undefined || !safeEqual(mac(payload), signature)) return null;
      try {
        const { o, e } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenPayload;
        return typeof o === 'string' && typeof e === 'number' && e > now() ? o : null;
      } catch {
        return null;
      }
    },
  };
}

export type FrameTokens = ReturnType<typeof createFrameTokens>;
