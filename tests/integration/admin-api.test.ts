import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { basicAuth, postMultipart, request, signed } from '../helpers/http.ts';
import { makeJpeg } from '../helpers/fixtures.ts';

// The Admin API subset the widget and SDKs use, behind HTTP Basic api_key:api_secret.

let server: TestServer;
const admin = (path: string, options: { method?: string; body?: string; contentType?: string; auth?: string } = {}) =>
  request(`${server.url}/v1_1/demo/${path}`, {
    method: options.method ?? 'GET',
    headers: {
      authorization: options.auth ?? basicAuth(),
      ...(options.body !== undefined ? { 'content-type': options.contentType ?? 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(options.body) } : {}),
    },
    body: options.body,
  });

beforeAll(async () => {
  server = await startTestServer();
  for (const [publicId, tags] of [['shop/shoe', 'red,summer'], ['shop/hat', 'summer'], ['blog/cover', 'hero'], ['blog/inline', 'sunset,summer']]) {
    const response = await postMultipart(`${server.url}/v1_1/demo/image/upload`, signed({ public_id: publicId!, tags: tags! }), [{ data: await makeJpeg(12, 8) }]);
    expect(response.status).toBe(200);
  }
});
afterAll(() => server.close());

describe('authentication', () => {
  it('refuses missing or wrong credentials', async () => {
    expect((await request(`${server.url}/v1_1/demo/upload_presets`, { method: 'GET' })).status).toBe(401);
    const wrong = await admin('upload_presets', { auth: `Basic ${Buffer.from('123456789012345:nope').toString('base64')}` });
    expect([wrong.status, wrong.json.error.code]).toEqual([401, 'unauthorized']);
    expect((await admin('../other/upload_presets')).status).toBe(404);
  });
});

describe('resources', () => {
  it('lists by type and prefix with a cursor', async () => {
    const all = await admin('resources/image/upload?max_results=500');
    expect(all.json.resources.map((r: { public_id: string }) => r.public_id).sort()).toEqual(['blog/cover', 'blog/inline', 'shop/hat', 'shop/shoe']);
    const first = await admin('resources/image?prefix=shop/&max_results=1');
    expect(first.json.resources).toHaveLength(1);
    expect(first.json.next_cursor).toEqual(expect.any(String));
    const second = await admin(`resources/image?prefix=shop/&max_results=1&next_cursor=${first.json.next_cursor}`);
    expect(second.json.resources).toHaveLength(1);
    expect(second.json.next_cursor).toBeUndefined();
    expect([first.json.resources[0].public_id, second.json.resources[0].public_id].sort()).toEqual(['shop/hat', 'shop/shoe']);
    const prefixIsLiteral = await admin('resources/image?prefix=sh%25');
    expect(prefixIsLiteral.json.resources).toEqual([]);
  });

  it('lists by tag and reads one resource with its public id percent-encoded', async () => {
    const summer = await admin('resources/image/tags/summer');
    expect(summer.json.resources.map((r: { public_id: string }) => r.public_id).sort()).toEqual(['blog/inline', 'shop/hat', 'shop/shoe']);
    const one = await admin('resources/image/upload/blog%2Fcover');
    expect(one.json).toMatchObject({ public_id: 'blog/cover', width: 12, height: 8, format: 'jpg', tags: ['hero'], derived: [] });
    const missing = await admin('resources/image/upload/nope');
    expect([missing.status, missing.json.error.code]).toEqual([404, 'not_found']);
  });

  it('suggests tags by prefix', async () => {
    const tags = await admin('tags/image?prefix=su');
    expect(tags.json.tags).toEqual(['summer', 'sunset']);
    expect((await admin('tags/image')).json.tags).toEqual(['hero', 'red', 'summer', 'sunset']);
  });

  it('deletes by public ids and by prefix', async () => {
    const deleted = await admin('resources/image/upload', { method: 'DELETE', body: 'public_ids[]=blog/cover&public_ids[]=blog/none' });
    expect(deleted.json).toEqual({ deleted: { 'blog/cover': 'deleted', 'blog/none': 'not_found' }, partial: false });
    const byPrefix = await admin('resources/image/upload', { method: 'DELETE', body: 'prefix=shop/' });
    expect(Object.keys(byPrefix.json.deleted).sort()).toEqual(['shop/hat', 'shop/shoe']);
    const left = await admin('resources/image');
    expect(left.json.resources.map((r: { public_id: string }) => r.public_id)).toEqual(['blog/inline']);
    expect((await admin('tags/image')).json.tags).toEqual(['summer', 'sunset']);
  });
});

describe('upload presets', () => {
  it('creates, reads, updates, lists with a cursor and deletes', async () => {
    const created = await admin('upload_presets', { method: 'POST', body: 'name=team&unsigned=true&folder=team&tags=a,b&allowed_formats=jpg,png&max_file_size=1000' });
    expect(created.json).toMatchObject({ message: 'created', name: 'team' });
    const read = await admin('upload_presets/team');
    expect(read.json).toMatchObject({ name: 'team', unsigned: true, settings: { folder: 'team', tags: ['a', 'b'], allowed_formats: ['jpg', 'png'], max_file_size: 1000 } });
    const updated = await admin('upload_presets/team', { method: 'PUT', body: JSON.stringify({ unsigned: false, folder: 'team2' }), contentType: 'application/json' });
    expect(updated.json).toMatchObject({ message: 'updated' });
    expect((await admin('upload_presets/team')).json).toMatchObject({ unsigned: false, settings: { folder: 'team2', tags: ['a', 'b'] } });

    const page1 = await admin('upload_presets?max_results=2');
    expect(page1.json.presets).toHaveLength(2);
    const page2 = await admin(`upload_presets?max_results=2&next_cursor=${page1.json.next_cursor}`);
    const names = [...page1.json.presets, ...page2.json.presets].map((p: { name: string }) => p.name);
    expect(names).toEqual(['ml_default', 'preset1', 'team']);

    const invalid = await admin('upload_presets', { method: 'POST', body: 'name=bad&folder=../up' });
    expect([invalid.status, invalid.json.error.code]).toEqual([400, 'invalid_folder']);
    expect((await admin('upload_presets/team', { method: 'DELETE' })).json).toMatchObject({ message: 'deleted' });
    expect((await admin('upload_presets/team')).status).toBe(404);
    expect((await admin('upload_presets/team', { method: 'DELETE' })).status).toBe(404);
  });
});
