import { Hono } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { ResolvedConfig } from '../config.ts';
import { AppError, badRequest } from '../errors.ts';
import { apiError, ADMIN_SDK_STATUSES } from '../http/api-error.ts';
import { readBoundedBody } from '../http/request-body.ts';
import type { FrameTokens } from '../services/frame-tokens.ts';
import { createRateLimiter } from '../services/rate-limiter.ts';
import { signParams } from '../services/signing.ts';

type Env = { Bindings: HttpBindings };

const MAX_BODY = 16 * 1024;

export interface ApiRouteDeps {
  config: ResolvedConfig;
  frameTokens: FrameTokens;
  now: () => number;
}

/**
 * `/api/sign`: signs a frame's upload parameters with the account secret when the operator enabled it —
 * only for frames this server rendered (token), from this server's own origin, only allow-listed
 * parameters without `&` smuggling, with the server's own timestamp, rate limited.
 */
export function apiRoutes({ config, frameTokens, now }: ApiRouteDeps) {
  const app = new Hono<Env>();
  const ownOrigin = new URL(config.publicUrl).origin;
  const perToken = createRateLimiter({ limit: config.signing.perMinute, windowMs: 60_000, now });
  const perAddress = createRateLimiter({ limit: config.signing.perMinute * 4, windowMs: 60_000, now });
  const allowed = new Set<string>(config.signing.params);
  app.onError((error, c) => apiError(c, error, ADMIN_SDK_STATUSES));

  app.post('/sign', async (c) => {
    if (!config.signing.enabled) throw new AppError('not_found', 'Server-side signing is not enabled', 404);
    if (c.req.header('origin') !== ownOrigin) throw new AppError('unauthorized', 'Signing is only for the widget frame', 403);
    const token = c.req.header('x-updraft-frame-token');
    const hostOrigin = frameTokens.verify(token);
    if (!hostOrigin) {
      throw new AppError('unauthorized', 'Invalid or expired frame token', 403);
    }
    const wait = Math.max(perToken.hit(token!), perAddress.hit(c.env.incoming.socket.remoteAddress ?? 'unknown'));
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      throw new AppError('unauthorized', 'Too many signing requests', 429);
    }
    let input: unknown;
    try {
      input = JSON.parse((await readBoundedBody(c.env.incoming, MAX_BODY)).toString('utf8'));
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw badRequest('malformed_body', 'Expected a JSON object of parameters');
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw badRequest('malformed_body', 'Expected a JSON object of parameters');
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(input)) {
      if (!allowed.has(key)) throw badRequest('param_not_allowed', `Parameter ${key.slice(0, 64)} cannot be signed here`);
      if (typeof value !== 'string' || value.length > 1024 || /[&\u0000-\u001f]/.test(value)) {
        throw badRequest('invalid_param', `Parameter ${key} has a value that cannot be signed`);
      }
      params[key] = value;
    }
    if (config.signing.folder !== undefined) params.folder = config.signing.folder;
    params.timestamp = String(Math.floor(now() / 1000));
    const algorithm = config.signatureAlgorithms.includes('sha1') ? 'sha1' : 'sha256';
    const signature = signParams(params, config.account.apiSecret, algorithm);
    return c.json({ fields: { ...params, api_key: config.account.apiKey, signature } });
  });
  return app;
}
