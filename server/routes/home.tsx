import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { HomePage } from '../../views/pages/home.tsx';
import type { ResolvedConfig } from '../config.ts';
import { AppError, badRequest } from '../errors.ts';
import { apiError, ADMIN_SDK_STATUSES } from '../http/api-error.ts';
import { readBoundedBody } from '../http/request-body.ts';
import { createRateLimiter } from '../services/rate-limiter.ts';
import { signParams } from '../services/signing.ts';

type Env = { Bindings: HttpBindings };

/** What the demo's signature function may have signed: the widget's own upload parameters, nothing more. */
const DEMO_SIGNABLE = new Set(['source', 'timestamp', 'upload_preset', 'folder', 'tags', 'context', 'public_id', 'use_filename', 'unique_filename', 'custom_coordinates', 'face_coordinates']);
const TIMESTAMP_SKEW_SECONDS = 300;

/** `/`: the demo page; `/demo/sign`: the signing endpoint its signed example calls (local cloud only). */
export function homeRoutes(config: ResolvedConfig, now: () => number) {
  const app = new Hono<Env>();
  const ownOrigin = new URL(config.publicUrl).origin;
  const limiter = createRateLimiter({ limit: 30, windowMs: 60_000, now });
  app.onError((error, c) => apiError(c, error, ADMIN_SDK_STATUSES));

  app.get('/', (c) => {
    const nonce = randomBytes(16).toString('base64');
    c.header('Content-Security-Policy', `default-src 'self'; script-src 'self' 'nonce-${nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; frame-src 'self'; object-src 'none'; base-uri 'none'`);
    return c.html(
      <HomePage nonce={nonce} cloudName={config.account.cloudName} apiKey={config.account.apiKey} publicUrl={config.publicUrl} basePath={config.basePath} localCloud={config.uploadTarget.kind === 'local'} />,
    );
  });

  app.post('/demo/sign', async (c) => {
    if (config.uploadTarget.kind !== 'local') throw new AppError('not_found', 'The demo signs for the local cloud only', 404);
    if (c.req.header('origin') !== ownOrigin) throw new AppError('unauthorized', 'Only the demo page may ask for a signature', 403);
    if (limiter.hit(c.env.incoming.socket.remoteAddress ?? 'unknown') > 0) throw new AppError('unauthorized', 'Too many signing requests', 429);
    let params: Record<string, unknown>;
    try {
      params = JSON.parse((await readBoundedBody(c.env.incoming, 8 * 1024)).toString('utf8')) as Record<string, unknown>;
    } catch {
      throw badRequest('malformed_body', 'Expected the parameters to sign as JSON');
    }
    const entries = Object.entries(params ?? {});
    for (const [key, value] of entries) {
      if (!DEMO_SIGNABLE.has(key)) throw badRequest('param_not_allowed', `The demo does not sign ${key.slice(0, 64)}`);
      if ((typeof value !== 'string' && typeof value !== 'number') || /[&\u0000-\u001f]/.test(String(value))) throw badRequest('invalid_param', `Cannot sign ${key}`);
    }
    const timestamp = Number(params.timestamp);
    if (!Number.isInteger(timestamp) || Math.abs(timestamp - now() / 1000) > TIMESTAMP_SKEW_SECONDS) throw badRequest('invalid_param', 'timestamp must be the current time');
    return c.text(signParams(Object.fromEntries(entries) as Record<string, string>, config.account.apiSecret));
  });
  return app;
}
