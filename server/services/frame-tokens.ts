import { originAllowed } from './allowed-origins.ts';
import { createSealer } from './sealed-data.ts';

const TOKEN_TTL_MS = 6 * 3600 * 1000;

/**
 * Per-frame tokens: the host origin a frame was rendered for, sealed with an expiry, handed to the frame and
 * required by this server's frame endpoints (/api/sign, the Web Address preview), so only frames it rendered
 * for an allowed page can use them.
 */
export function createFrameTokens(apiSecret: string, allowedOrigins: readonly string[], now: () => number) {
  const sealer = createSealer(apiSecret, 'frame token', now);
  return {
    issue: (origin: string): string => sealer.seal(origin, TOKEN_TTL_MS),
    /** The host origin of a valid, unexpired token whose origin is still allowed; null otherwise. */
    verify: (token: string | undefined): string | null => {
      const origin = sealer.open<unknown>(token, 1024);
      return typeof origin === 'string' && originAllowed(allowedOrigins, origin) ? origin : null;
    },
  };
}

export type FrameTokens = ReturnType<typeof createFrameTokens>;
