import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { CREDENTIALS_FILE, resolveAccount } from '../../server/credentials.ts';
import { AppError } from '../../server/errors.ts';

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'updraft-credentials-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const configFor = (env: Record<string, string>) => loadConfig({ ...env }, { cwd: root, fileExists: () => false });

describe('resolveAccount without CLOUDINARY_URL', () => {
  it('generates a 15-digit key and a 27-character secret into DATA_DIR/credentials.json (mode 0600)', () => {
    const dataDir = join(root, 'data');
    const { config, generated, credentialsPath } = resolveAccount(configFor({ DATA_DIR: dataDir }));

    expect(generated).toBe(true);
    expect(credentialsPath).toBe(join(dataDir, CREDENTIALS_FILE));
    expect(config.account.cloudName).toBe('demo');
    expect(config.account.apiKey).toMatch(/^[1-9]\d{14}$/);
    expect(config.account.apiSecret).toMatch(/^[A-Za-z0-9_-]{27}$/);

    const stored = JSON.parse(readFileSync(credentialsPath!, 'utf8'));
    expect(stored).toEqual({ apiKey: config.account.apiKey, apiSecret: config.account.apiSecret });
    expect(statSync(credentialsPath!).mode & 0o777).toBe(0o600);
  });

  it('creates a nested DATA_DIR that does not exist yet', () => {
    const dataDir = join(root, 'a', 'b', 'c');
    resolveAccount(configFor({ DATA_DIR: dataDir }));
    expect(existsSync(join(dataDir, CREDENTIALS_FILE))).toBe(true);
  });

  it('reuses the stored credentials on the next call', () => {
    const dataDir = join(root, 'data');
    const first = resolveAccount(configFor({ DATA_DIR: dataDir }));
    const before = readFileSync(first.credentialsPath!, 'utf8');
    const second = resolveAccount(configFor({ DATA_DIR: dataDir }));

    expect(second.generated).toBe(false);
    expect(second.credentialsPath).toBe(first.credentialsPath);
    expect(second.config.account).toEqual(first.config.account);
    expect(readFileSync(first.credentialsPath!, 'utf8')).toBe(before);
  });

  it('generates different credentials for different data directories', () => {
    const a = resolveAccount(configFor({ DATA_DIR: join(root, 'a') })).config.account;
    const b = resolveAccount(configFor({ DATA_DIR: join(root, 'b') })).config.account;
    expect(a.apiKey).not.toBe(b.apiKey);
    expect(a.apiSecret).not.toBe(b.apiSecret);
  });

  it('keeps every other config field', () => {
    const input = configFor({ DATA_DIR: join(root, 'data'), PORT: '4321' });
    const { config } = resolveAccount(input);
    expect({ ...config, account: input.account }).toEqual(input);
  });

  it.each([
    ['not JSON', 'not json'],
    ['JSON null', 'null'],
    ['no secret', '{"apiKey":"123456789012345"}'],
    ['an empty key', '{"apiKey":"","apiSecret":"x"}'],
    ['a numeric key', '{"apiKey":123456789012345,"apiSecret":"x"}'],
  ])('refuses a stored file with %s (invalid_config naming the file)', (_name, text) => {
    const dataDir = join(root, 'data');
    resolveAccount(configFor({ DATA_DIR: dataDir }));
    writeFileSync(join(dataDir, CREDENTIALS_FILE), text);
    let error: unknown;
    try {
      resolveAccount(configFor({ DATA_DIR: dataDir }));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('invalid_config');
    expect((error as AppError).message).toContain(join(dataDir, CREDENTIALS_FILE));
  });
});

describe('resolveAccount with CLOUDINARY_URL', () => {
  it('uses its key and secret and writes nothing', () => {
    const dataDir = join(root, 'data');
    const { config, generated, credentialsPath } = resolveAccount(
      configFor({ DATA_DIR: dataDir, CLOUDINARY_URL: 'cloudinary://123456789012345:given_secret@my-cloud' }),
    );
    expect(generated).toBe(false);
    expect(credentialsPath).toBeNull();
    expect(config.account).toEqual({ cloudName: 'my-cloud', apiKey: '123456789012345', apiSecret: 'given_secret' });
    expect(existsSync(dataDir)).toBe(false);
  });

  it('prefers CLOUDINARY_URL over credentials stored earlier', () => {
    const dataDir = join(root, 'data');
    resolveAccount(configFor({ DATA_DIR: dataDir }));
    const { config } = resolveAccount(configFor({ DATA_DIR: dataDir, CLOUDINARY_URL: 'cloudinary://111:given@other' }));
    expect(config.account).toEqual({ cloudName: 'other', apiKey: '111', apiSecret: 'given' });
  });
});
