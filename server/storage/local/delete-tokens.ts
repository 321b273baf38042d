import { randomBytes } from 'node:crypto';
import { AppError } from '../../errors.ts';
import type { Db } from './database.ts';

/** Cloudinary's delete tokens are valid for ten minutes after the upload. */
export const DELETE_TOKEN_TTL_MS = 10 * 60 * 1000;

interface TokenRow {
  asset_id: string;
  version_id: string;
  expires_at: number;
  used_at: number | null;
}

/** One-time tokens that let the uploader delete what it just uploaded (`return_delete_token`). */
export function createDeleteTokens(db: Db, now: () => number) {
  const insert = db.prepare<[string, string, string, number]>('INSERT INTO delete_tokens (token, asset_id, version_id, expires_at) VALUES (?, ?, ?, ?)');
  const select = db.prepare<[string], TokenRow>('SELECT asset_id, version_id, expires_at, used_at FROM delete_tokens WHERE token = ?');
  const markUsed = db.prepare<[number, string]>('UPDATE delete_tokens SET used_at = ? WHERE token = ? AND used_at IS NULL');
  const purge = db.prepare<[number]>('DELETE FROM delete_tokens WHERE expires_at < ?');

  return {
    issue(assetId: string, versionId: string): string {
      const token = randomBytes(32).toString('hex');
      insert.run(token, assetId, versionId, now() + DELETE_TOKEN_TTL_MS);
      return token;
    },
    /** Spends a token once; throws a clear error for unknown, reused or expired tokens. */
    redeem(token: string): { assetId: string; versionId: string } {
      const row = /^[0-9a-f]{64}$/.test(token) ? select.get(token) : undefined;
      if (!row) throw new AppError('invalid_token', 'Invalid token', 400);
      if (row.used_at !== null) throw new AppError('invalid_token', 'Token was already used', 400);
      if (row.expires_at < now()) throw new AppError('token_expired', 'Stale token: delete tokens are valid for 10 minutes after the upload', 400);
      if (markUsed.run(now(), token).changes !== 1) throw new AppError('invalid_token', 'Token was already used', 400);
      return { assetId: row.asset_id, versionId: row.version_id };
    },
    /** Forgets tokens long past their expiry (a reused expired token then reads as invalid). */
    purgeExpired: () => purge.run(now() - DELETE_TOKEN_TTL_MS).changes,
  };
}

export type DeleteTokens = ReturnType<typeof createDeleteTokens>;
