import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.ts';

/** Refuses any cloud name but the configured one, with Cloudinary's message (404 so SDKs keep it). */
export function requireCloud(cloudName: string): MiddlewareHandler {
  return async (c, next) => {
    const requested = c.req.param('cloud');
    if (requested !== cloudName) throw new AppError('unknown_cloud', `Invalid cloud_name ${String(requested).slice(0, 128)}`, 404);
    await next();
  };
}
