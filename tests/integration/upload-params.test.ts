import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { basicAuth, postJson, postMultipart, request, signed } from '../helpers/http.ts';
import { makeJpeg, makePng, md5, sha256 } from '../helpers/fixtures.ts';

// Upload parameters and presets (issue: the embedded Upload API) with the values the response must carry.

let server: TestServer;
let clock = Date.now();
const upload = (path: string, fields: [string, string][], file: { filename?: string; data: Buffer }) => postMultipart(`${server.url}/v1_1/demo/${path}`, fields, [file]);
const download = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());

beforeAll(async () => {
  server = await startTestServer({
    now: () => clock,
    file: {
      presets: [
        { name: 'preset1', unsigned: true, settings: {} },
        { name: 'ml_default', unsigned: false, settings: {} },
        {
          name: 'strict',
          unsigned: true,
          settings: {
            folder: 'incoming',
            tags: 'from-preset,second',
            context: 'source=preset',
            allowed_formats: 'png,jpg',
            use_filename: true,
            unique_filename: false,
            max_file_size: 20_000,
            type: 'private',
          },
        },
        { name: 'no_public_id', unsigned: true, settings: { disallow_public_id: true } },
      ],
    },
  });
});
afterAll(() => server.close());

describe('naming', () => {
  it('random public ids, use_filename with and without a unique suffix, filename_override, folders', async () => {
    const jpeg = await makeJpeg(10, 10);
    const random = await upload('image/upload', signed({}), { filename: 'My Photo.jpg', data: jpeg });
    expect(random.json.public_id).toMatch(/^[a-z0-9]{20}$/);
    expect(random.json).toMatchObject({ original_filename: 'My Photo', display_name: random.json.public_id, folder: '', asset_folder: '' });

    const unique = await upload('image/upload', signed({ use_filename: 'true' }), { filename: 'My Photo (1).jpg', data: jpeg });
    expect(unique.json.public_id).toMatch(/^My_Photo__1__[a-z0-9]{6}$/);

    const plain = await upload('image/upload', signed({ use_filename: '1', unique_filename: '0', folder: 'albums/2026' }), { filename: 'beach.jpeg', data: jpeg });
    expect(plain.json).toMatchObject({ public_id: 'albums/2026/beach', folder: 'albums/2026', asset_folder: 'albums/2026', format: 'jpg', original_extension: 'jpeg' });

    const overridden = await upload('image/upload', signed({ use_filename: 'true', unique_filename: 'false', filename_override: 'renamed.jpg', display_name: 'Shown name' }), { filename: 'x.jpg', data: jpeg });
    expect(overridden.json).toMatchObject({ public_id: 'renamed', original_filename: 'renamed', display_name: 'Shown name' });

    const dynamic = await upload('image/upload', signed({ public_id: 'flat', asset_folder: 'virtual/place' }), { data: jpeg });
    expect(dynamic.json).toMatchObject({ public_id: 'flat', folder: '', asset_folder: 'virtual/place' });
  });

  it('raw files keep their extension in the public id and have no format', async () => {
    const raw = await upload('raw/upload', signed({}), { filename: 'report.final.PDF', data: Buffer.from('%PDF-1.4\n%fake\n') });
    expect(raw.json.public_id).toMatch(/^[a-z0-9]{20}\.pdf$/);
    expect(raw.json.format).toBeUndefined();
    expect(raw.json.resource_type).toBe('raw');
    expect(raw.json.url).toBe(`${server.url}/res/demo/raw/upload/v${raw.json.version}/${raw.json.public_id}`);
  });

  it('auto detects by content, never by name', async () => {
    const png = await makePng(7, 5);
    const misnamed = await upload('auto/upload', signed({}), { filename: 'not-a-text.txt', data: png });
    expect(misnamed.json).toMatchObject({ resource_type: 'image', format: 'png', width: 7, height: 5 });
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2'), Buffer.alloc(64)]);
    const video = await upload('auto/upload', signed({}), { filename: 'clip.bin', data: mp4 });
    expect(video.json).toMatchObject({ resource_type: 'video', format: 'mp4', bytes: mp4.length });
    const text = await upload('upload', signed({}), { filename: 'notes.png', data: Buffer.from('just text') });
    expect(text.json).toMatchObject({ resource_type: 'raw' });
    const notVideo = await upload('video/upload', signed({}), { filename: 'a.mp4', data: png });
    expect([notVideo.status, notVideo.json.error.code, notVideo.json.error.message]).toEqual([400, 'invalid_video', 'Invalid video file']);
  });
});

describe('metadata', () => {
  it('tags, context with escapes, custom coordinates are stored and returned', async () => {
    const response = await upload('image/upload', signed({ public_id: 'meta', tags: 'one, two,one', context: 'alt=A \\| B|caption=x\\=y', custom_coordinates: '1,2,3,4' }), { data: await makeJpeg(20, 20) });
    expect(response.json).toMatchObject({ tags: ['one', 'two'], context: { custom: { alt: 'A | B', caption: 'x=y' } } });
    const resource = await request(`${server.url}/v1_1/demo/resources/image/upload/meta`, { method: 'GET', headers: { authorization: basicAuth() } });
    expect(resource.json).toMatchObject({ public_id: 'meta', coordinates: { custom: [[1, 2, 3, 4]] }, tags: ['one', 'two'] });
  });

  it('ignores unknown parameters but still checks the signature over them', async () => {
    const response = await upload('image/upload', signed({ public_id: 'unknown-params', eager: 'w_100', colors: 'true', some_future_param: 'x' }), { data: await makeJpeg(5, 5) });
    expect(response.status).toBe(200);
    expect(response.json).not.toHaveProperty('eager');
    expect(response.json).not.toHaveProperty('some_future_param');
  });
});

describe('overwrite', () => {
  it('a signed upload replaces the asset with a newer version; overwrite=false returns the existing one', async () => {
    const first = await upload('image/upload', signed({ public_id: 'replace-me' }), { data: await makeJpeg(30, 30) });
    const secondBytes = await makeJpeg(40, 20);
    const second = await upload('image/upload', signed({ public_id: 'replace-me' }), { data: secondBytes });
    expect(second.json).toMatchObject({ width: 40, height: 20, asset_id: first.json.asset_id, existing: false });
    expect(second.json.version).toBeGreaterThan(first.json.version);
    expect(second.json.version_id).not.toBe(first.json.version_id);
    expect(sha256(await download(second.json.secure_url))).toBe(sha256(secondBytes));

    const kept = await upload('image/upload', signed({ public_id: 'replace-me', overwrite: 'false' }), { data: await makeJpeg(8, 8) });
    expect(kept.json).toMatchObject({ existing: true, width: 40, version: second.json.version, etag: md5(secondBytes) });
  });
});

describe('presets', () => {
  it('apply folder, tags, context, use_filename, type; unsigned requests may override only the allow-list', async () => {
    const png = await makePng(9, 9);
    const response = await upload('image/upload', [['upload_preset', 'strict'], ['tags', 'mine'], ['use_filename', 'false']], { filename: 'holiday.png', data: png });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      public_id: 'incoming/holiday',
      folder: 'incoming',
      tags: ['mine'],
      context: { custom: { source: 'preset' } },
      type: 'private',
    });
    expect(response.json.url).toContain('/res/demo/image/private/');
  });

  it('allowed_formats and max_file_size refuse files with Cloudinary-style messages', async () => {
    const gif = await (await import('sharp')).default({ create: { width: 4, height: 4, channels: 3, background: '#000' } }).gif().toBuffer();
    const wrongFormat = await upload('image/upload', [['upload_preset', 'strict']], { filename: 'a.gif', data: gif });
    expect([wrongFormat.status, wrongFormat.json.error.code, wrongFormat.json.error.message]).toEqual([400, 'format_not_allowed', 'Image file format gif not allowed']);
    const large = await upload('image/upload', [['upload_preset', 'strict']], { filename: 'big.png', data: await makeJpeg(300, 300, 100) });
    expect(large.json.error.code).toBe('file_too_large');
    expect(large.json.error.message).toMatch(/^File size too large\. Got \d+\. Maximum is 20000\.$/);
  });

  it('disallow_public_id refuses a client public id', async () => {
    const refused = await upload('image/upload', [['upload_preset', 'no_public_id'], ['public_id', 'mine']], { data: await makeJpeg(4, 4) });
    expect(refused.json.error.code).toBe('param_not_allowed');
  });

  it('the widget source=uw marker is accepted signed and unsigned', async () => {
    const unsigned = await upload('image/upload', [['upload_preset', 'preset1'], ['source', 'uw']], { data: await makeJpeg(4, 4) });
    expect(unsigned.status).toBe(200);
    const signedUpload = await upload('image/upload', signed({ source: 'uw', upload_preset: 'ml_default' }), { data: await makeJpeg(4, 4) });
    expect(signedUpload.status).toBe(200);
  });
});

describe('delete tokens', () => {
  it('return_delete_token yields a token that deletes once, within ten minutes', async () => {
    const first = await upload('image/upload', [['upload_preset', 'preset1'], ['return_delete_token', 'true']], { data: await makeJpeg(6, 6) });
    expect(first.json.delete_token).toMatch(/^[0-9a-f]{64}$/);
    const deleted = await postJson(`${server.url}/v1_1/demo/delete_by_token`, { token: first.json.delete_token });
    expect(deleted.json).toEqual({ result: 'ok' });
    expect((await fetch(first.json.secure_url)).status).toBe(404);
    const reused = await postJson(`${server.url}/v1_1/demo/delete_by_token`, { token: first.json.delete_token });
    expect([reused.status, reused.json.error.code]).toEqual([400, 'invalid_token']);

    const second = await upload('image/upload', [['upload_preset', 'preset1'], ['return_delete_token', '1']], { data: await makeJpeg(6, 6) });
    clock += 11 * 60 * 1000;
    try {
      const late = await postJson(`${server.url}/v1_1/demo/delete_by_token`, { token: second.json.delete_token });
      expect([late.status, late.json.error.code]).toEqual([400, 'token_expired']);
      expect((await fetch(second.json.secure_url)).status).toBe(200);
    } finally {
      clock = Date.now();
    }
  });
});
