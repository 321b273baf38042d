import { describe, expect, it } from 'vitest';
import { thrown } from '../helpers/thrown.ts';
import { DEFAULT_PRESETS, configFromOptions, loadConfig, parseCloudinaryUrl, parseFileConfig, type UpdraftOptions } from '../../server/config.ts';

const CWD = '/srv/updraft';
const DEFAULT_FILE = `${CWD}/updraft.config.json`;
const CLOUDINARY_URL = 'cloudinary://123456789012345:s3cr3t_Value-x@my-cloud';

/** loadConfig against an in-memory file system: `files` maps absolute paths to their text. */
function load(env: Record<string, string>, files: Record<string, string> = {}) {
  const reads: string[] = [];
  const config = loadConfig(env, {
    cwd: CWD,
    fileExists: (path) => path in files,
    readFile: (path) => {
      reads.push(path);
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return text;
    },
  });
  return Object.assign(config, { reads });
}

/** Every configuration error: invalid_config, one line, naming what is wrong. */
function configError(fn: () => unknown, ...mentions: string[]): string {
  const error = thrown(fn);
  expect(error.code).toBe('invalid_config');
  expect(error.message).toMatch(/^Invalid configuration\b/);
  expect(error.message).not.toMatch(/[\r\n\u2028\u2029]/);
  for (const text of mentions) expect(error.message).toContain(text);
  return error.message;
}

describe('loadConfig defaults', () => {
  it('listens on 127.0.0.1:3000 with a matching public URL, data in ./data, local cloud "demo"', () => {
    const config = load({});
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(3000);
    expect(config.publicUrl).toBe('http://127.0.0.1:3000');
    expect(config.dataDir).toBe(`${CWD}/data`);
    expect(config.account).toEqual({ cloudName: 'demo', apiKey: null, apiSecret: null });
    expect(config.uploadTarget).toEqual({ kind: 'local' });
    expect(config.presets).toEqual(DEFAULT_PRESETS);
    expect(config.reads).toEqual([]);
  });

  it('fills the file-config defaults (limits, algorithms, durability)', () => {
    const config = load({});
    expect(config.limits.maxFields).toBe(100);
    expect(config.limits.minPartBytes).toBe(5_000_000);
    expect(config.signatureAlgorithms).toEqual(['sha1', 'sha256']);
    expect(config.allowedOrigins).toEqual(['*']);
    expect(config.durability).toBe('fsync');
  });

  it('provides preset1 (unsigned) and ml_default (signed) by default', () => {
    expect(DEFAULT_PRESETS.map((p) => [p.name, p.unsigned])).toEqual([
      ['preset1', true],
      ['ml_default', false],
    ]);
  });

  it('treats empty variables as unset', () => {
    const config = load({ PORT: '', HOST: '', PUBLIC_URL: '', DATA_DIR: '', CLOUDINARY_URL: '', UPLOAD_TARGET: '' });
    expect([config.host, config.port, config.publicUrl, config.dataDir]).toEqual(['127.0.0.1', 3000, 'http://127.0.0.1:3000', `${CWD}/data`]);
    expect(config.uploadTarget).toEqual({ kind: 'local' });
  });
});

describe('loadConfig from the environment', () => {
  it('derives the public URL from HOST and PORT', () => {
    expect(load({ HOST: '0.0.0.0', PORT: '8080' }).publicUrl).toBe('http://0.0.0.0:8080');
    expect(load({ HOST: '::1' }).publicUrl).toBe('http://[::1]:3000');
  });

  it('accepts port 0 and 65535', () => {
    expect(load({ PORT: '0' }).port).toBe(0);
    expect(load({ PORT: '65535' }).port).toBe(65535);
  });

  it('uses PUBLIC_URL without its trailing slashes', () => {
    expect(load({ PUBLIC_URL: 'https://uploads.example.com/base//' }).publicUrl).toBe('https://uploads.example.com/base');
  });

  it('resolves DATA_DIR against the working directory', () => {
    expect(load({ DATA_DIR: 'var/files' }).dataDir).toBe(`${CWD}/var/files`);
    expect(load({ DATA_DIR: '/var/lib/updraft' }).dataDir).toBe('/var/lib/updraft');
  });

  it('takes the account from CLOUDINARY_URL', () => {
    expect(load({ CLOUDINARY_URL }).account).toEqual({ cloudName: 'my-cloud', apiKey: '123456789012345', apiSecret: 's3cr3t_Value-x' });
  });

  it('reads UPLOAD_TARGET', () => {
    expect(load({ UPLOAD_TARGET: 'local' }).uploadTarget).toEqual({ kind: 'local' });
    expect(load({ UPLOAD_TARGET: 'cloudinary', CLOUDINARY_URL }).uploadTarget).toEqual({ kind: 'remote', apiBase: 'https://api.cloudinary.com' });
    expect(load({ UPLOAD_TARGET: 'http://127.0.0.1:9000/prefix/', CLOUDINARY_URL }).uploadTarget).toEqual({
      kind: 'remote',
      apiBase: 'http://127.0.0.1:9000/prefix',
    });
  });
});

describe('loadConfig refuses bad variables with a one-line message', () => {
  it.each([
    ['PORT', 'abc', 'an integer from 0 to 65535'],
    ['PORT', '70000', 'an integer from 0 to 65535'],
    ['PORT', '65536', 'an integer from 0 to 65535'],
    ['PORT', '-1', 'an integer from 0 to 65535'],
    ['PORT', '3000.5', 'an integer from 0 to 65535'],
    ['PORT', ' ', 'an integer from 0 to 65535'],
    ['PORT', '1e3', 'an integer from 0 to 65535'],
    ['PORT', '0x10', 'an integer from 0 to 65535'],
    ['HOST', 'bad host', 'a host name or IP address'],
    ['HOST', 'evil\nhost', 'a host name or IP address'],
    ['PUBLIC_URL', 'ftp://x', 'an absolute http(s) URL'],
    ['PUBLIC_URL', 'uploads.example.com', 'an absolute http(s) URL'],
    ['PUBLIC_URL', 'javascript:alert(1)', 'an absolute http(s) URL'],
    ['CLOUDINARY_URL', 'garbage', 'cloudinary://<api_key>:<api_secret>@<cloud_name>'],
    ['CLOUDINARY_URL', 'https://key:secret@my-cloud', 'cloudinary://<api_key>:<api_secret>@<cloud_name>'],
    ['CLOUDINARY_URL', 'cloudinary://key@my-cloud', 'cloudinary://<api_key>:<api_secret>@<cloud_name>'],
    ['CLOUDINARY_URL', 'cloudinary://key:secret@1cloud', 'cloudinary://<api_key>:<api_secret>@<cloud_name>'],
    ['CLOUDINARY_URL', 'cloudinary://key:%zz@my-cloud', 'cloudinary://<api_key>:<api_secret>@<cloud_name>'],
    ['UPLOAD_TARGET', 'nonsense', '"local", "cloudinary" or an http(s) URL prefix'],
    ['UPLOAD_TARGET', 'ftp://api.example.com', '"local", "cloudinary" or an http(s) URL prefix'],
    ['UPLOAD_TARGET', 'http://a b', '"local", "cloudinary" or an http(s) URL prefix'],
  ])('%s=%j', (name, value, expectation) => {
    const env: Record<string, string> = { [name]: value };
    if (name === 'UPLOAD_TARGET') env.CLOUDINARY_URL = CLOUDINARY_URL;
    configError(() => load(env), `${name} must be ${expectation}`);
  });

  it('UPLOAD_TARGET=cloudinary without CLOUDINARY_URL', () => {
    configError(() => load({ UPLOAD_TARGET: 'cloudinary' }), 'CLOUDINARY_URL', 'UPLOAD_TARGET');
    configError(() => load({ UPLOAD_TARGET: 'https://api.example.com' }), 'CLOUDINARY_URL', 'UPLOAD_TARGET');
  });

  it.each([
    ['an unparsable URL', 'cloudinary://123:Hunter2x@bad host', 'Hunter2x'],
    ['a bad cloud name', 'cloudinary://123:Hunter2x@1cloud', 'Hunter2x'],
    ['a secret holding "@"', 'cloudinary://123:Hun@ter2x@1cloud', 'ter2x'],
    ['a secret holding ":"', 'cloudinary://123:Hun:ter2x@1cloud', 'Hun'],
    ['a badly escaped secret', 'cloudinary://123:Hun%zzter2x@my-cloud', 'ter2x'],
  ])('never echoes the secret of CLOUDINARY_URL with %s', (_name, value, secret) => {
    const message = configError(() => load({ CLOUDINARY_URL: value }), 'CLOUDINARY_URL');
    expect(message).not.toContain(secret);
  });
});

describe('loadConfig with a config file', () => {
  it('reads ./updraft.config.json when present', () => {
    const config = load({}, { [DEFAULT_FILE]: JSON.stringify({ limits: { maxFields: 7 }, durability: 'os' }) });
    expect(config.reads).toEqual([DEFAULT_FILE]);
    expect(config.limits.maxFields).toBe(7);
    expect(config.limits.maxFieldBytes).toBe(64 * 1024);
    expect(config.durability).toBe('os');
  });

  it('uses DEFAULT_PRESETS when the file has none', () => {
    expect(load({}, { [DEFAULT_FILE]: '{"allowedOrigins":["https://shop.example"]}' }).presets).toEqual(DEFAULT_PRESETS);
  });

  it('uses the presets of the file instead of the defaults', () => {
    const presets = [{ name: 'avatars', unsigned: true, settings: { folder: 'avatars', tags: ['user'] } }, { name: 'signed_only' }];
    const config = load({}, { [DEFAULT_FILE]: JSON.stringify({ presets }) });
    expect(config.presets).toEqual([
      { name: 'avatars', unsigned: true, settings: { folder: 'avatars', tags: ['user'] } },
      { name: 'signed_only', unsigned: false, settings: {} },
    ]);
  });

  it('reads UPDRAFT_CONFIG relative to the working directory', () => {
    const config = load({ UPDRAFT_CONFIG: 'conf/updraft.json' }, { [`${CWD}/conf/updraft.json`]: '{"signatureAlgorithms":["sha256"]}' });
    expect(config.reads).toEqual([`${CWD}/conf/updraft.json`]);
    expect(config.signatureAlgorithms).toEqual(['sha256']);
  });

  it('refuses a missing UPDRAFT_CONFIG file', () => {
    configError(() => load({ UPDRAFT_CONFIG: 'missing.json' }), 'UPDRAFT_CONFIG', 'missing.json');
  });

  it('refuses invalid JSON with a one-line message naming the file', () => {
    const text = '{\n  "limits": {\n    "maxFields": x\n  }\n}\n';
    configError(() => load({}, { [DEFAULT_FILE]: text }), DEFAULT_FILE, 'not valid JSON');
  });

  it('refuses an unknown key, naming it', () => {
    configError(() => load({}, { [DEFAULT_FILE]: '{"nope": 1}' }), DEFAULT_FILE, 'nope');
    configError(() => load({}, { [DEFAULT_FILE]: '{"limits": {"maxFeilds": 1}}' }), 'limits', 'maxFeilds');
    configError(() => load({}, { [DEFAULT_FILE]: '{"presets": [{"name": "p", "settings": {"eval": "x"}}]}' }), 'presets.0.settings', 'eval');
  });

  it('refuses a bad value, naming its path', () => {
    configError(() => load({}, { [DEFAULT_FILE]: '{"limits": {"maxFields": -1}}' }), 'limits.maxFields');
    configError(() => load({}, { [DEFAULT_FILE]: '{"signatureAlgorithms": []}' }), 'signatureAlgorithms');
    configError(() => load({}, { [DEFAULT_FILE]: '{"presets": [{"name": "bad name"}]}' }), 'presets.0.name');
    configError(() => load({}, { [DEFAULT_FILE]: '[1, 2]' }), DEFAULT_FILE);
  });
});

describe('parseCloudinaryUrl', () => {
  it('reads key, secret and cloud name', () => {
    expect(parseCloudinaryUrl('cloudinary://123:abc@demo')).toEqual({ cloudName: 'demo', apiKey: '123', apiSecret: 'abc' });
  });

  it('keeps the cloud name as written and decodes percent-escapes', () => {
    expect(parseCloudinaryUrl('cloudinary://123:a%2Fb%40c%3Ad@My_Cloud-1')).toEqual({ cloudName: 'My_Cloud-1', apiKey: '123', apiSecret: 'a/b@c:d' });
  });
});

describe('parseFileConfig', () => {
  it('fills defaults for an empty or missing object', () => {
    expect(parseFileConfig(undefined, 'code').limits.maxFields).toBe(100);
    expect(parseFileConfig({}, 'code').presets).toBeUndefined();
  });

  it('names the source in its one-line error', () => {
    configError(() => parseFileConfig({ durability: 'sometimes' }, 'createApp options'), 'createApp options', 'durability');
  });
});

describe('configFromOptions (config in code, for createUpdraft)', () => {
  const fromOptions = (options: Record<string, unknown>) => configFromOptions(options as unknown as UpdraftOptions, { cwd: CWD });

  it('gives what loadConfig gives for the same settings, with the mount path as basePath', () => {
    const options = fromOptions({ publicUrl: 'https://example.com/uploads/', cloudinaryUrl: CLOUDINARY_URL, dataDir: 'var/updraft', limits: { maxFields: 20 }, durability: 'os' });
    const env = load({ PUBLIC_URL: 'https://example.com/uploads/', CLOUDINARY_URL, DATA_DIR: 'var/updraft' }, { [DEFAULT_FILE]: JSON.stringify({ limits: { maxFields: 20 }, durability: 'os' }) });
    const { reads: _reads, ...fromEnv } = env;
    expect(options).toEqual(fromEnv);
    expect(options.publicUrl).toBe('https://example.com/uploads');
    expect(options.basePath).toBe('/uploads');
    expect(options.dataDir).toBe(`${CWD}/var/updraft`);
    expect(options.account).toEqual({ cloudName: 'my-cloud', apiKey: '123456789012345', apiSecret: 's3cr3t_Value-x' });
    expect(options.limits.maxFields).toBe(20);
    expect(options.limits.minPartBytes).toBe(5_000_000);
  });

  it('defaults like the environment: ./data, local target, seed presets, account to be generated', () => {
    const config = fromOptions({ publicUrl: 'http://127.0.0.1:4000/uploads' });
    expect(config.dataDir).toBe(`${CWD}/data`);
    expect(config.uploadTarget).toEqual({ kind: 'local' });
    expect(config.presets).toEqual(DEFAULT_PRESETS);
    expect(config.account).toEqual({ cloudName: 'demo', apiKey: null, apiSecret: null });
  });

  it('takes the account as an object, and a remote upload target with it', () => {
    const account = { cloudName: 'shop', apiKey: '42', apiSecret: 'shh' };
    const config = fromOptions({ publicUrl: 'https://example.com/u', account, uploadTarget: 'cloudinary' });
    expect(config.account).toEqual(account);
    expect(config.uploadTarget).toEqual({ kind: 'remote', apiBase: 'https://api.cloudinary.com' });
  });

  it('refuses bad values with one-line errors naming the option', () => {
    configError(() => fromOptions({}), 'publicUrl must be an absolute http(s) URL');
    configError(() => fromOptions({ publicUrl: 'ftp://x' }), 'publicUrl', '"ftp://x"');
    configError(() => fromOptions({ publicUrl: 'http://x', port: 70000 }), 'port must be an integer from 0 to 65535');
    configError(() => fromOptions({ publicUrl: 'http://x', dataDir: '' }), 'dataDir must be a directory path');
    configError(() => fromOptions({ publicUrl: 'http://x', uploadTarget: 'mars' }), 'uploadTarget must be', '"mars"');
    configError(() => fromOptions({ publicUrl: 'http://x', uploadTarget: 'cloudinary' }), 'cloudinaryUrl or account must be set');
    configError(() => fromOptions({ publicUrl: 'http://x', limits: { maxFields: -1 } }), 'createUpdraft options: limits.maxFields');
    configError(() => fromOptions({ publicUrl: 'http://x', presetz: [] }), 'createUpdraft options: (root)');
    configError(() => fromOptions({ publicUrl: 'http://x', cloudinaryUrl: CLOUDINARY_URL, account: { cloudName: 'a', apiKey: 'b', apiSecret: 'c' } }), 'not both');
  });

  it('never echoes a secret in its errors', () => {
    const urlError = configError(() => fromOptions({ publicUrl: 'http://x', cloudinaryUrl: 'cloudinary://key:very-secret@' }), 'cloudinaryUrl');
    expect(urlError).not.toContain('very-secret');
    const accountError = configError(() => fromOptions({ publicUrl: 'http://x', account: { cloudName: '!', apiKey: 'k', apiSecret: 'very-secret' } }), 'account must be');
    expect(accountError).not.toContain('very-secret');
  });
});
