import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.ts';

/** Counts requests in progress so shutdown can wait for them, and refuses new ones once it has begun. */
export function createInFlightTracker() {
  let active = 0;
  let draining = false;
  let onIdle: (() => void) | null = null;

  const middleware: MiddlewareHandler = async (_c, next) => {
    if (draining) throw new AppError('shutting_down', 'Server is shutting down, retry shortly', 503);
    active++;
    try {
      await next();
    } finally {
      active--;
      if (active === 0) onIdle?.();
    }
  };

  /** Stops admitting requests and resolves when the last one finished (or after `graceMs`). */
  const drain = (graceMs: number) =>
    new Promise<void>((resolve) => {
      draining = true;
      if (active === 0) return resolve();
      const timer = setTimeout(resolve, graceMs);
      onIdle = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  return { middleware, drain, get active() { return active; } };
}
