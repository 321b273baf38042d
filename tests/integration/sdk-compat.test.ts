import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ACCOUNT, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { makeJpeg, md5, pseudoRandomBytes, sha256, tempDir, writeTemp } from '../helpers/fixtures.ts';

// The official SDK, pointed at the test server with upload_prefix (read once when the SDK loads).
type Sdk = typeof import('cloudinary').v2;
let server: TestServer;
let cloudinary: Sdk;

beforeAll(async () => {
  server = await startTestServer();
  process.env.CLOUDINARY_URL = `cloudinary://${TEST_ACCOUNT.apiKey}:${TEST_ACCOUNT.apiSecret}@${TEST_ACCOUNT.cloudName}?upload_prefix=${server.url}`;
  cloudinary = (await import('cloudinary')).v2;
});
afterAll(() => server.close());

const download = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());

describe('the official cloudinary SDK against the local cloud', () => {
  it('signs and uploads an image; the response carries true values', async () => {
    const jpeg = await makeJpeg(320, 200);
    const path = writeTemp('photo.jpg', jpeg);
    const result = await cloudinary.uploader.upload(path, { public_id: 'sdk/signed-photo', tags: ['cat', 'dog'], context: { alt: 'A cat', caption: 'x=y|z' } });
    expect(result).toMatchObject({
      public_id: 'sdk/signed-photo',
      width: 320,
      height: 200,
      format: 'jpg',
      resource_type: 'image',
      type: 'upload',
      bytes: jpeg.length,
      etag: md5(jpeg),
      tags: ['cat', 'dog'],
      context: { custom: { alt: 'A cat', caption: 'x=y|z' } },
      original_filename: 'photo',
      placeholder: false,
      existing: false,
    });
    expect(result.asset_id).toMatch(/^[0-9a-f]{32}$/);
    expect(result.version_id).toMatch(/^[0-9a-f]{32}$/);
    expect(Math.abs(result.version - Date.now() / 1000)).toBeLessThan(60);
    // The response signature is what verifyUploadField-style checks and the hidden form field rely on.
    expect(result.signature).toBe((cloudinary.utils.api_sign_request as (p: object, s: string, a: null, v: number) => string)({ public_id: result.public_id, version: result.version }, TEST_ACCOUNT.apiSecret, null, 1));
    expect(sha256(await download(result.secure_url))).toBe(sha256(jpeg));
  });

  it('uploads unsigned through preset1', async () => {
    const png = await makeJpeg(40, 30);
    const result = await cloudinary.uploader.unsigned_upload(writeTemp('u.jpg', png), 'preset1', { tags: 'unsigned' });
    expect(result).toMatchObject({ width: 40, height: 30, tags: ['unsigned'], bytes: png.length });
    expect(result.public_id).toMatch(/^[a-z0-9]{20}$/);
  });

  it('upload_large sends >10 MB in parts just over 5 MB and the bytes arrive intact', async () => {
    const data = pseudoRandomBytes(10 * 1024 * 1024 + 123_457, 7);
    const path = join(tempDir(), 'big.bin');
    writeFileSync(path, data);
    const result = await new Promise<Record<string, unknown>>((resolve, reject) => {
      cloudinary.uploader.upload_large(path, { chunk_size: 5_500_000, public_id: 'large/big.bin' }, (error, value) => (error ? reject(error) : resolve(value!)));
    });
    expect(result).toMatchObject({ public_id: 'large/big.bin', resource_type: 'raw', bytes: statSync(path).size, etag: md5(data) });
    expect(sha256(await download(result.secure_url as string))).toBe(sha256(data));
  });

  it('accepts SHA-256 signatures', async () => {
    const result = await cloudinary.uploader.upload(writeTemp('s.jpg', await makeJpeg(16, 16)), { signature_algorithm: 'sha256', public_id: 'sha256-signed' } as never);
    expect(result.public_id).toBe('sha256-signed');
  });

  it('refuses an expired timestamp with Cloudinary\'s message', async () => {
    const stale = Math.floor(Date.now() / 1000) - 7200;
    const error = await cloudinary.uploader.upload(writeTemp('t.jpg', await makeJpeg(8, 8)), { timestamp: stale } as never).catch((e) => e);
    expect(error.http_code).toBe(401);
    expect(error.message).toMatch(/^Stale request - reported time is \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 which is more than 1 hour ago$/);
  });

  it('creates and lists upload presets', async () => {
    const created = await cloudinary.api.create_upload_preset({ name: 'sdk_preset', unsigned: true, folder: 'from-sdk', tags: 'a,b' });
    expect(created).toMatchObject({ message: 'created', name: 'sdk_preset' });
    const list = await cloudinary.api.upload_presets({ max_results: 100 });
    const names = list.presets.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['preset1', 'ml_default', 'sdk_preset']));
    const preset = await cloudinary.api.upload_preset('sdk_preset');
    expect(preset).toMatchObject({ name: 'sdk_preset', unsigned: true, settings: { folder: 'from-sdk', tags: ['a', 'b'] } });
    const again = await cloudinary.api.create_upload_preset({ name: 'sdk_preset' }).catch((e) => e);
    expect(again.error?.http_code ?? again.http_code).toBe(409);

    const viaPreset = await cloudinary.uploader.unsigned_upload(writeTemp('p.jpg', await makeJpeg(10, 10)), 'sdk_preset');
    expect(viaPreset.public_id.startsWith('from-sdk/')).toBe(true);
    expect(viaPreset.tags).toEqual(['a', 'b']);
  });

  it('reads a resource and destroys it twice', async () => {
    const uploaded = await cloudinary.uploader.upload(writeTemp('r.jpg', await makeJpeg(64, 48)), { public_id: 'folder/to-destroy' });
    const resource = await cloudinary.api.resource('folder/to-destroy');
    expect(resource).toMatchObject({ public_id: 'folder/to-destroy', width: 64, height: 48, bytes: uploaded.bytes, version: uploaded.version });
    expect(await cloudinary.uploader.destroy('folder/to-destroy')).toEqual({ result: 'ok' });
    expect(await cloudinary.uploader.destroy('folder/to-destroy')).toEqual({ result: 'not found' });
    const gone = await cloudinary.api.resource('folder/to-destroy').catch((e) => e);
    expect(gone.error.http_code).toBe(404);
    expect((await fetch(uploaded.secure_url)).status).toBe(404);
  });
});
