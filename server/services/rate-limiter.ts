/** A fixed-window counter per key: `limit` calls per `windowMs`; memory bounded by pruning old windows. */
export function createRateLimiter({ limit, windowMs, now }: { limit: number; windowMs: number; now: () => number }) {
  const windows = new Map<string, { start: number; count: number }>();

  return {
    /** Counts a call; returns the seconds to wait when over the limit, else 0. */
    hit(key: string): number {
      const at = now();
      if (windows.size > 10_000) {
        for (const [k, w] of windows) if (at - w.start >= windowMs) windows.delete(k);
      }
      const window = windows.get(key);
      if (!window || at - window.start >= windowMs) {
        windows.set(key, { start: at, count: 1 });
        return 0;
      }
      window.count++;
      return window.count > limit ? Math.ceil((window.start + windowMs - at) / 1000) : 0;
    },
  };
}
