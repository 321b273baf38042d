import type { Context } from 'hono';
import { AppError, isAppError } from '../errors.ts';

/** Statuses whose JSON body the official Node SDK's uploader reads (lib/uploader.js); others lose the message. */
export const UPLOAD_SDK_STATUSES = [400, 401, 404, 420, 429, 500] as const;
/** The same list for its Admin API client (lib/api_client/execute_request.js). */
export const ADMIN_SDK_STATUSES = [400, 401, 403, 404, 409, 420, 429, 500] as const;

/** Maps a precise status onto one the SDK understands; the precise cause stays in `error.code`. */
export function compatibleStatus(status: number, understood: readonly number[]): number {
  if (understood.includes(status)) return status;
  if (status === 403) return understood.includes(401) ? 401 : 400;
  // A remote URL that failed or timed out is the request's fault, as Cloudinary's "Error in loading ..." 400.
  if (status === 502 || status === 504) return 400;
  if (status >= 500) return 500;
  return 400;
}

/** Cloudinary's error envelope, plus our stable code: `{"error":{"message","code"}}`. */
export function apiError(c: Context, error: unknown, understood: readonly number[]) {
  const appError = isAppError(error) ? error : new AppError('internal', 'Internal error', 500);
  if (!isAppError(error)) console.error('[updraft] unexpected error', error);
  const status = compatibleStatus(appError.status, understood);
  if (appError.code === 'shutting_down' || appError.code === 'insufficient_storage') c.header('Retry-After', '5');
  c.header('X-Cld-Error', appError.message.replace(/[^\x20-\x7e]/g, '?').slice(0, 500));
  return c.json(
    { error: { message: appError.message, code: appError.code, ...(appError.details ? { details: appError.details } : {}) } },
    status as 400,
  );
}
