import { createSealer } from './sealed-data.ts';

const TOKEN_TTL_MS = 6 * 3600 * 1000;

/**
 * Per-frame tokens: the host origin a frame was rendered for, sealed with an expiry, handed to the frame and
 * required by /api/sign, so only frames this server rendered can ask it to sign.
 */
export function createFrameTokens(apiSecret: string, now: () => number) {
  const sealer = createSealer(apiSecret, 'frame token', now);
  return {
    issue: (origin: string): string => sealer.seal(origin, TOKEN_TTL_MS),
    /** The host origin of a valid, unexpired token; null otherwise. */
    verify: (token: string | undefined): string | null => {
      const origin = sealer.open<unknown>(token, 1024);
      return typeof origin === 'string' ? origin : null;
    },
  };
}

export type FrameTokens = ReturnType<typeof createFrameTokens>;
