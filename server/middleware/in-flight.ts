import type { MiddlewareHandler } from 'hono';
import type { ServerResponse } from 'node:http';
import { AppError } from '../errors.ts';

/**
 * Counts requests in progress so shutdown can wait for them, and refuses new ones once it has begun.
 * A request counts until its response has been written out (not merely returned by the handler), so the
 * server can close connections as soon as the count reaches zero.
 */
export function createInFlightTracker() {
  let active = 0;
  let draining = false;
  let onIdle: (() => void) | null = null;

  const middleware: MiddlewareHandler<{ Bindings: { outgoing?: ServerResponse } }> = async (c, next) => {
    if (draining) throw new AppError('shutting_down', 'Server is shutting down, retry shortly', 503);
    active++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      active--;
      if (active === 0) onIdle?.();
    };
    const outgoing = c.env?.outgoing;
    outgoing?.once('close', release);
    try {
      await next();
    } finally {
      if (!outgoing) release();
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

  return {
    middleware,
    drain,
    get active() {
      return active;
    },
  };
}
