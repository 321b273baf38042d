import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Account, ResolvedConfig, UpdraftConfig } from './config.ts';
import { AppError } from './errors.ts';

export const CREDENTIALS_FILE = 'credentials.json';

/**
 * Without CLOUDINARY_URL the local cloud needs its own key and secret: generated once, kept in DATA_DIR
 * (mode 600), reused on every start so signatures stay valid across restarts.
 */
export function resolveAccount(config: UpdraftConfig): { config: ResolvedConfig; generated: boolean; credentialsPath: string | null } {
  const { cloudName, apiKey, apiSecret } = config.account;
  if (apiKey && apiSecret) return { config: { ...config, account: { cloudName, apiKey, apiSecret } }, generated: false, credentialsPath: null };

  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const path = join(config.dataDir, CREDENTIALS_FILE);
  let account: Account;
  let generated = false;
  if (existsSync(path)) {
    let stored: Partial<Account> | null = null;
    try {
      stored = JSON.parse(readFileSync(path, 'utf8')) as Partial<Account> | null;
    } catch {
      throw new AppError('invalid_config', `Invalid configuration: ${path} is not valid JSON`, 500);
    }
    if (typeof stored?.apiKey !== 'string' || typeof stored.apiSecret !== 'string' || !stored.apiKey || !stored.apiSecret) {
      throw new AppError('invalid_config', `Invalid configuration: ${path} lacks apiKey or apiSecret`, 500);
    }
    account = { cloudName, apiKey: stored.apiKey, apiSecret: stored.apiSecret };
  } else {
    // Cloudinary keys are 15 digits; secrets 27 URL-safe characters.
    const apiKey = String(randomInt(100_000, 999_999)) + String(randomInt(100_000_000, 999_999_999));
    const apiSecret = randomBytes(20).toString('base64url').slice(0, 27);
    account = { cloudName, apiKey, apiSecret };
    writeFileSync(path, JSON.stringify({ apiKey, apiSecret }, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    generated = true;
  }
  return { config: { ...config, account }, generated, credentialsPath: path };
}
