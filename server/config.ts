import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { AppError } from './errors.ts';

const MiB = 1024 * 1024;

/** Preset settings accepted in the config file (same names as the Upload API). */
export const presetSettingsSchema = z
  .object({
    folder: z.string().max(255),
    asset_folder: z.string().max(255),
    tags: z.union([z.string(), z.array(z.string())]),
    context: z.union([z.string(), z.record(z.string(), z.string())]),
    allowed_formats: z.union([z.string(), z.array(z.string())]),
    unique_filename: z.boolean(),
    use_filename: z.boolean(),
    overwrite: z.boolean(),
    notification_url: z.string().url(),
    type: z.enum(['upload', 'private', 'authenticated']),
    max_file_size: z.number().int().positive(),
    disallow_public_id: z.boolean(),
    return_delete_token: z.boolean(),
  })
  .partial()
  .strict();

export const presetConfigSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, "_" or "-", at most 64'),
    unsigned: z.boolean().default(false),
    settings: presetSettingsSchema.default({}),
  })
  .strict();

const limitsSchema = z
  .object({
    /** Largest asset the local cloud stores (bytes), whole or chunked. */
    maxFileBytes: z.number().int().positive().default(4 * 1024 * MiB),
    /** Largest part of a chunked upload. */
    maxPartBytes: z.number().int().positive().default(256 * MiB),
    /** Smallest non-final part (Cloudinary: "larger than 5mb"). */
    minPartBytes: z.number().int().nonnegative().default(5_000_000),
    /** width × height × frames a stored image may declare. */
    maxImagePixels: z.number().int().positive().default(100_000_000),
    /** JSON / urlencoded bodies (data: URIs travel in them). */
    maxJsonBodyBytes: z.number().int().positive().default(80 * MiB),
    maxFields: z.number().int().positive().default(100),
    maxFieldBytes: z.number().int().positive().default(64 * 1024),
    /** Abandoned chunked uploads are removed after this many hours. */
    chunkExpiryHours: z.number().positive().default(24),
    /** Derived images: rendered at most this many at once, with at most `imageQueue` waiting (then 503). */
    imageConcurrency: z.number().int().positive().default(2),
    imageQueue: z.number().int().nonnegative().default(64),
    /** Largest derived image (width × height) a transformation may ask for. */
    maxOutputPixels: z.number().int().positive().default(50_000_000),
  })
  .strict();

const remoteFetchSchema = z
  .object({
    /** Addresses or CIDR ranges the fetcher may reach although they are not public (tests, intranets). */
    allowAddresses: z.array(z.string()).default([]),
    /** Ports a public address may be fetched on; allow-listed addresses may use any port. */
    allowedPorts: z.array(z.number().int().min(1).max(65535)).default([80, 443, 8080, 8443]),
    timeoutMs: z.number().int().positive().default(30_000),
    idleTimeoutMs: z.number().int().positive().default(10_000),
    maxRedirects: z.number().int().min(0).max(10).default(5),
  })
  .strict();

const webhooksSchema = z
  .object({
    /** A delivery attempt that takes longer counts as failed (and is retried). */
    timeoutMs: z.number().int().positive().default(15_000),
    /** Deliveries in flight at once: a slow receiver holds one slot, never the whole queue. */
    concurrency: z.number().int().min(1).max(64).default(4),
  })
  .strict();

const signingSchema = z
  .object({
    /** Let widget frames have upload parameters signed by this server (for hosts without a signing endpoint). */
    enabled: z.boolean().default(false),
    /** The only parameters /api/sign will sign (never overwrite, notification_url, type, eval, ...). */
    params: z
      .array(z.enum(['source', 'upload_preset', 'folder', 'tags', 'context', 'public_id', 'use_filename', 'unique_filename', 'custom_coordinates', 'face_coordinates', 'filename_override', 'display_name', 'return_delete_token', 'asset_folder']))
      .default(['source', 'upload_preset', 'folder', 'tags', 'context', 'public_id', 'use_filename', 'unique_filename', 'custom_coordinates', 'face_coordinates', 'filename_override', 'display_name', 'return_delete_token']),
    /** When set, every signed upload goes into this folder, whatever the frame asked. */
    folder: z.string().max(255).optional(),
    /** Signatures per frame token per minute. */
    perMinute: z.number().int().positive().default(60),
  })
  .strict();

/** Shape of the optional JSON config file (UPDRAFT_CONFIG) and of config passed in code. */
export const fileConfigSchema = z
  .object({
    presets: z.array(presetConfigSchema).optional(),
    limits: limitsSchema.default(limitsSchema.parse({})),
    remoteFetch: remoteFetchSchema.default(remoteFetchSchema.parse({})),
    /** Delivery of `notification_url` callbacks. */
    webhooks: webhooksSchema.default(webhooksSchema.parse({})),
    signing: signingSchema.default(signingSchema.parse({})),
    /** Origins allowed to embed the widget frame; "*" = any (as Cloudinary). */
    allowedOrigins: z.array(z.string()).default(['*']),
    /** Signature algorithms the Upload API accepts; ["sha256"] refuses SHA-1 (no downgrade). */
    signatureAlgorithms: z.array(z.enum(['sha1', 'sha256'])).min(1).default(['sha1', 'sha256']),
    /** "fsync": flush every acknowledged part and asset to disk; "os": leave it to the page cache. */
    durability: z.enum(['fsync', 'os']).default('fsync'),
    shutdownGraceMs: z.number().int().nonnegative().default(10_000),
  })
  .strict();

export type FileConfig = z.infer<typeof fileConfigSchema>;
export type PresetConfig = z.infer<typeof presetConfigSchema>;
export type Limits = z.infer<typeof limitsSchema>;
export type RemoteFetchConfig = z.infer<typeof remoteFetchSchema>;
export type SigningConfig = z.infer<typeof signingSchema>;
export type WebhooksConfig = z.infer<typeof webhooksSchema>;

export interface Account {
  cloudName: string;
  apiKey: string;
  apiSecret: string;
}

export type UploadTarget = { kind: 'local' } | { kind: 'remote'; apiBase: string };

/** The resolved configuration every part of the server reads. */
export interface UpdraftConfig extends Omit<FileConfig, 'presets'> {
  host: string;
  port: number;
  publicUrl: string;
  /** Path of PUBLIC_URL ('' at the root; '/uploads' when Updraft is mounted there): prefixes the server's own links. */
  basePath: string;
  dataDir: string;
  /** From CLOUDINARY_URL; null key/secret means "generate and persist local credentials". */
  account: { cloudName: string; apiKey: string | null; apiSecret: string | null };
  uploadTarget: UploadTarget;
  presets: PresetConfig[];
}

/** The config once local credentials are known (what createApp receives). */
export interface ResolvedConfig extends UpdraftConfig {
  account: Account;
}

export const DEFAULT_PRESETS: PresetConfig[] = [
  { name: 'preset1', unsigned: true, settings: {} },
  { name: 'ml_default', unsigned: false, settings: {} },
];

const envSchemas = {
  // Digits only: a coerced number would turn " " into port 0 and accept "1e3" or "0x10".
  PORT: z.string().regex(/^\d{1,5}$/).transform(Number).pipe(z.number().int().min(0).max(65535)),
  HOST: z.string().min(1).max(255).regex(/^[A-Za-z0-9.:[\]-]+$/),
  PUBLIC_URL: z.string().url().regex(/^https?:\/\//),
  DATA_DIR: z.string().min(1),
  UPDRAFT_CONFIG: z.string().min(1),
} as const;

const envExpectations: Record<string, string> = {
  PORT: 'an integer from 0 to 65535',
  HOST: 'a host name or IP address',
  PUBLIC_URL: 'an absolute http(s) URL such as https://uploads.example.com',
  DATA_DIR: 'a directory path',
  UPDRAFT_CONFIG: 'a path to a JSON file',
  CLOUDINARY_URL: 'cloudinary://<api_key>:<api_secret>@<cloud_name>',
  UPLOAD_TARGET: '"local", "cloudinary" or an http(s) URL prefix of a Cloudinary-compatible API',
};

const configError = (name: string, got: string | undefined, detail?: string) =>
  new AppError(
    'invalid_config',
    `Invalid configuration: ${name} must be ${envExpectations[name] ?? detail ?? 'valid'}` +
      (got === undefined ? '' : ` (got ${JSON.stringify(got.length > 80 ? `${got.slice(0, 80)}…` : got)})`),
    500,
  );

function readEnv<K extends keyof typeof envSchemas>(env: NodeJS.ProcessEnv, name: K): z.infer<(typeof envSchemas)[K]> | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const parsed = envSchemas[name].safeParse(raw);
  if (!parsed.success) throw configError(name, raw);
  return parsed.data as z.infer<(typeof envSchemas)[K]>;
}

const CLOUD_NAME = /^[A-Za-z][A-Za-z0-9_-]{1,127}$/;

/** Hides everything from the key's ":" to the last "@" (a secret may itself hold ":" or "@"), so errors never log it. */
const redactSecret = (value: string) => value.replace(/^((?:[a-z][a-z0-9+.-]*:\/\/)?[^:@/]*):.*@/is, '$1:***@');

/** Parses `cloudinary://key:secret@cloud` (the variable the official SDKs read); `name` labels errors. */
export function parseCloudinaryUrl(value: string, name = 'CLOUDINARY_URL'): Account {
  const fail = () => configError(name, redactSecret(value), envExpectations.CLOUDINARY_URL);
  let url: URL;
  let apiKey: string;
  let apiSecret: string;
  try {
    url = new URL(value);
    apiKey = decodeURIComponent(url.username);
    apiSecret = decodeURIComponent(url.password);
  } catch {
    throw fail();
  }
  const cloudName = url.hostname;
  if (url.protocol !== 'cloudinary:' || !CLOUD_NAME.test(cloudName) || !apiKey || !apiSecret) throw fail();
  return { cloudName, apiKey, apiSecret };
}

function parseUploadTarget(value: string | undefined, name = 'UPLOAD_TARGET'): UploadTarget {
  if (value === undefined || value === '' || value === 'local') return { kind: 'local' };
  if (value === 'cloudinary') return { kind: 'remote', apiBase: 'https://api.cloudinary.com' };
  if (/^https?:\/\/[^\s]+$/.test(value)) {
    try {
      return { kind: 'remote', apiBase: new URL(value).href.replace(/\/+$/, '') };
    } catch {
      /* falls through to the error */
    }
  }
  throw configError(name, value, envExpectations.UPLOAD_TARGET);
}

/** Validates a config object (from the JSON file or from code) with a one-line error. */
export function parseFileConfig(input: unknown, source: string): FileConfig {
  const parsed = fileConfigSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length ? issue.path.join('.') : '(root)';
  throw new AppError('invalid_config', `Invalid configuration in ${source}: ${where}: ${issue.message}`, 500);
}

interface LoadOptions {
  readFile?: (path: string) => string;
  fileExists?: (path: string) => boolean;
  cwd?: string;
}

/** Builds the configuration from the environment; the only place that reads process.env. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): UpdraftConfig {
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const fileExists = options.fileExists ?? existsSync;
  const cwd = options.cwd ?? process.cwd();

  const port = readEnv(env, 'PORT') ?? 3000;
  const host = readEnv(env, 'HOST') ?? '127.0.0.1';
  const dataDir = resolve(cwd, readEnv(env, 'DATA_DIR') ?? 'data');
  const explicitConfigPath = readEnv(env, 'UPDRAFT_CONFIG');
  const configPath = explicitConfigPath ?? resolve(cwd, 'updraft.config.json');

  let fileInput: unknown = {};
  if (explicitConfigPath !== undefined || fileExists(configPath)) {
    let text: string;
    try {
      text = readFile(resolve(cwd, configPath));
    } catch {
      throw configError('UPDRAFT_CONFIG', configPath, 'a readable JSON file');
    }
    try {
      fileInput = JSON.parse(text);
    } catch (error) {
      throw new AppError('invalid_config', `Invalid configuration: ${configPath} is not valid JSON (${(error as Error).message.replace(/\s+/g, ' ')})`, 500);
    }
  }
  const fileConfig = parseFileConfig(fileInput, configPath);

  const cloudinaryUrl = env.CLOUDINARY_URL;
  const account = cloudinaryUrl ? parseCloudinaryUrl(cloudinaryUrl) : null;
  const uploadTarget = parseUploadTarget(env.UPLOAD_TARGET);
  if (uploadTarget.kind === 'remote' && !account) {
    throw new AppError('invalid_config', 'Invalid configuration: CLOUDINARY_URL must be set when UPLOAD_TARGET is not "local"', 500);
  }
  return assemble({ fileConfig, host, port, publicUrl: readEnv(env, 'PUBLIC_URL'), dataDir, account, uploadTarget });
}

/** The parts every source of configuration (environment or code) ends up with, joined the same way. */
function assemble(parts: {
  fileConfig: FileConfig;
  host: string;
  port: number;
  publicUrl: string | undefined;
  dataDir: string;
  account: Account | null;
  uploadTarget: UploadTarget;
}): UpdraftConfig {
  const { fileConfig, host, port } = parts;
  const publicUrl = (parts.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, '');
  return {
    ...fileConfig,
    host,
    port,
    publicUrl,
    basePath: new URL(publicUrl).pathname.replace(/\/+$/, ''),
    dataDir: parts.dataDir,
    account: parts.account ?? { cloudName: 'demo', apiKey: null, apiSecret: null },
    uploadTarget: parts.uploadTarget,
    presets: fileConfig.presets ?? DEFAULT_PRESETS,
  };
}

/**
 * Configuration given in code (`createUpdraft`): the environment variables under camelCase names plus every
 * key of the JSON config file, validated by the same schemas.
 */
export interface UpdraftOptions extends z.input<typeof fileConfigSchema> {
  /** PUBLIC_URL: where browsers reach Updraft, INCLUDING the path it is mounted under (`https://example.com/uploads`). */
  publicUrl: string;
  /** DATA_DIR (default `./data`, relative to the working directory). */
  dataDir?: string;
  /** CLOUDINARY_URL: `cloudinary://<api_key>:<api_secret>@<cloud_name>`. */
  cloudinaryUrl?: string;
  /** The same account as an object (instead of `cloudinaryUrl`). */
  account?: Account;
  /** UPLOAD_TARGET: `local` (default), `cloudinary` or the URL prefix of a Cloudinary-compatible API. */
  uploadTarget?: string;
  /** HOST / PORT: informative only when a host application serves Updraft. */
  host?: string;
  port?: number;
}

const OPTION_VARIABLES = { publicUrl: 'PUBLIC_URL', dataDir: 'DATA_DIR', host: 'HOST', port: 'PORT' } as const;

/** Validates one option with the schema of its environment variable (errors name the option). */
function readOption<K extends keyof typeof OPTION_VARIABLES>(options: Record<string, unknown>, name: K): z.infer<(typeof envSchemas)[(typeof OPTION_VARIABLES)[K]]> | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  const variable = OPTION_VARIABLES[name];
  const parsed = envSchemas[variable].safeParse(typeof value === 'number' ? String(value) : value);
  if (!parsed.success) throw configError(name, typeof value === 'string' ? value : String(JSON.stringify(value) ?? value), envExpectations[variable]);
  return parsed.data as z.infer<(typeof envSchemas)[(typeof OPTION_VARIABLES)[K]]>;
}

/** Builds the configuration from options given in code, with loadConfig's schemas, defaults and one-line errors. */
export function configFromOptions(input: UpdraftOptions, options: { cwd?: string } = {}): UpdraftConfig {
  if (typeof input !== 'object' || input === null) throw new AppError('invalid_config', 'Invalid configuration: options must be an object', 500);
  const raw = input as unknown as Record<string, unknown>;
  const { publicUrl: _publicUrl, dataDir: _dataDir, cloudinaryUrl, account: accountInput, uploadTarget: targetInput, host: _host, port: _port, ...fileInput } = raw;
  const publicUrl = readOption(raw, 'publicUrl');
  if (publicUrl === undefined) throw configError('publicUrl', undefined, envExpectations.PUBLIC_URL);
  const host = readOption(raw, 'host') ?? '127.0.0.1';
  const port = readOption(raw, 'port') ?? 3000;
  const dataDir = resolve(options.cwd ?? process.cwd(), readOption(raw, 'dataDir') ?? 'data');
  const fileConfig = parseFileConfig(fileInput, 'createUpdraft options');

  if (cloudinaryUrl !== undefined && accountInput !== undefined) {
    throw new AppError('invalid_config', 'Invalid configuration: give either cloudinaryUrl or account, not both', 500);
  }
  if (cloudinaryUrl !== undefined && typeof cloudinaryUrl !== 'string') throw configError('cloudinaryUrl', String(cloudinaryUrl), envExpectations.CLOUDINARY_URL);
  let account: Account | null = cloudinaryUrl ? parseCloudinaryUrl(cloudinaryUrl, 'cloudinaryUrl') : null;
  if (accountInput !== undefined) {
    const given = accountInput as Partial<Record<keyof Account, unknown>> | null;
    const valid = typeof given === 'object' && given !== null && typeof given.cloudName === 'string' && CLOUD_NAME.test(given.cloudName) && typeof given.apiKey === 'string' && given.apiKey !== '' && typeof given.apiSecret === 'string' && given.apiSecret !== '';
    // Never echo the object: it holds the secret.
    if (!valid) throw configError('account', undefined, '{ cloudName, apiKey, apiSecret } with a cloud name of letters, digits, "_" or "-"');
    account = { cloudName: given.cloudName as string, apiKey: given.apiKey as string, apiSecret: given.apiSecret as string };
  }
  if (targetInput !== undefined && typeof targetInput !== 'string') throw configError('uploadTarget', String(targetInput), envExpectations.UPLOAD_TARGET);
  const uploadTarget = parseUploadTarget(targetInput, 'uploadTarget');
  if (uploadTarget.kind === 'remote' && !account) {
    throw new AppError('invalid_config', 'Invalid configuration: cloudinaryUrl or account must be set when uploadTarget is not "local"', 500);
  }
  return assemble({ fileConfig, host, port, publicUrl, dataDir, account, uploadTarget });
}
