import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { startTestServer, TEST_ACCOUNT, type TestServer } from '../helpers/test-server.ts';
import { basicAuth, postJson, postMultipart, request, signed, storedState } from '../helpers/http.ts';
import { makeJpeg, makePng, md5, pixelBombPng, sha256 } from '../helpers/fixtures.ts';
import { signParams } from '../../server/services/signing.ts';

// Security notes §4 A and C: every bad input gets a clear error, the process stays up, nothing is stored
// and nothing already stored changes.

let server: TestServer;
let uploadUrl: string;
let before: ReturnType<typeof storedState>;

beforeAll(async () => {
  server = await startTestServer({ file: { limits: { maxImagePixels: 50_000_000, maxFileBytes: 8 * 1024 * 1024 } } });
  uploadUrl = `${server.url}/v1_1/demo/image/upload`;
  // One asset that must survive everything below byte for byte.
  const keeper = await postMultipart(uploadUrl, signed({ public_id: 'keeper' }), [{ filename: 'k.jpg', data: await makeJpeg(50, 40) }]);
  expect(keeper.status).toBe(200);
});
afterAll(() => server.close());

beforeEach(() => {
  before = storedState(server);
});

/** Asserts a refusal: status, stable code, nothing stored or changed, server still answering. */
async function expectRefused(response: { status: number; json: { error?: { code?: string; message?: string } } }, status: number, code: string) {
  expect(response.json?.error?.code, JSON.stringify(response.json)).toBe(code);
  expect(response.status).toBe(status);
  expect(response.json.error?.message).toEqual(expect.any(String));
  expect(storedState(server)).toEqual(before);
}

afterEach(async () => {
  const alive = await request(`${server.url}/`, { method: 'GET' });
  expect(alive.status).toBe(200);
});

const unsigned = (extra: [string, string][] = []): [string, string][] => [['upload_preset', 'preset1'], ...extra];
const jpegPart = async () => ({ filename: 'photo.jpg', data: await makeJpeg(20, 20) });

/** Sends raw bytes on a socket and resolves with whatever comes back before the server closes or the timeout. */
function rawExchange(payload: string | Buffer, options: { endAfterWrite?: boolean; destroyAfterMs?: number } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1');
    let received = '';
    socket.on('data', (data) => (received += data.toString('latin1')));
    socket.on('close', () => resolve(received));
    socket.on('error', () => resolve(received));
    socket.write(payload);
    if (options.endAfterWrite) socket.end();
    if (options.destroyAfterMs !== undefined) setTimeout(() => socket.destroy(), options.destroyAfterMs);
    setTimeout(() => socket.destroy(), 3000);
  });
}

describe('A. Upload API bodies and params', () => {
  it('A1: multipart without a file part → missing_file', async () => {
    await expectRefused(await postMultipart(uploadUrl, unsigned()), 400, 'missing_file');
  });

  it('A2: two file parts → too_many_files', async () => {
    const part = await jpegPart();
    await expectRefused(await postMultipart(uploadUrl, unsigned(), [part, part]), 400, 'too_many_files');
  });

  it('A3: a body over the size limit is refused (status or reset), nothing kept', async () => {
    const big = Buffer.alloc(9 * 1024 * 1024, 7);
    const response = await postMultipart(uploadUrl, unsigned(), [{ filename: 'big.bin', data: big }]).catch(() => null);
    if (response) await expectRefused(response, 400, 'file_too_large');
    expect(storedState(server)).toEqual(before);
  });

  it('A4: a body cut off before Content-Length leaves no temp file behind', async () => {
    const head = `POST /v1_1/demo/image/upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n`;
    const body = `--b\r\nContent-Disposition: form-data; name="upload_preset"\r\n\r\npreset1\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="x.jpg"\r\n\r\n${'x'.repeat(5000)}`;
    const answer = await rawExchange(head + body, { destroyAfterMs: 200 });
    expect(answer).not.toMatch(/^HTTP\/1\.1 2/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(storedState(server)).toEqual(before);
  });

  it('A5: Content-Length together with Transfer-Encoding is refused by the HTTP parser', async () => {
    const answer = await rawExchange(
      'POST /v1_1/demo/image/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      { endAfterWrite: true },
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
  });

  it('A6: multipart without its closing boundary → malformed_body', async () => {
    const body = Buffer.from('--b\r\nContent-Disposition: form-data; name="upload_preset"\r\n\r\npreset1\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="x.jpg"\r\n\r\nabc');
    const response = await request(uploadUrl, { headers: { 'content-type': 'multipart/form-data; boundary=b', 'content-length': body.length }, body });
    await expectRefused(response, 400, 'malformed_body');
  });

  it('A7: a part header line starting with whitespace (the dicer crash input) is refused', async () => {
    const body = Buffer.from('--b\r\n Content-Disposition: form-data; name="upload_preset"\r\n\r\npreset1\r\n--b--\r\n');
    const response = await request(uploadUrl, { headers: { 'content-type': 'multipart/form-data; boundary=b', 'content-length': body.length }, body });
    expect(response.status).toBe(400);
    expect(storedState(server)).toEqual(before);
  });

  it('A8: a 100 KB field name is refused', async () => {
    const response = await postMultipart(uploadUrl, [['x'.repeat(100_000), '1'], ...unsigned()], [await jpegPart()]);
    await expectRefused(response, 400, 'invalid_param_name');
  });

  it('A9: a flood of tiny fields → too_many_fields', async () => {
    const fields = Array.from({ length: 5000 }, (_, i): [string, string] => [`f${i}`, '1']);
    await expectRefused(await postMultipart(uploadUrl, [...unsigned(), ...fields], [await jpegPart()]), 400, 'too_many_fields');
  });

  it('A10: a 10 MB tags value → field_too_large', async () => {
    const response = await postMultipart(uploadUrl, unsigned([['tags', 'a'.repeat(10 * 1024 * 1024)]]), [await jpegPart()]).catch(() => null);
    if (response) await expectRefused(response, 400, 'field_too_large');
  });

  it('A11: an empty field name → invalid_param_name', async () => {
    await expectRefused(await postMultipart(uploadUrl, [['', 'x'], ...unsigned()], [await jpegPart()]), 400, 'invalid_param_name');
  });

  it('A12: HTML named photo.png is not an image; as auto it is stored raw and served as an attachment', async () => {
    const html = Buffer.from('<html><body><script>alert(1)</script></body></html>');
    await expectRefused(await postMultipart(uploadUrl, unsigned(), [{ filename: 'photo.png', data: html, contentType: 'image/png' }]), 400, 'invalid_image');
    const auto = await postMultipart(`${server.url}/v1_1/demo/auto/upload`, unsigned(), [{ filename: 'photo.png', data: html, contentType: 'image/png' }]);
    expect(auto.status).toBe(200);
    expect(auto.json).toMatchObject({ resource_type: 'raw', bytes: html.length });
    expect(auto.json.format).toBeUndefined();
    expect(auto.json.public_id).toMatch(/\.png$/);
    const served = await fetch(auto.json.secure_url);
    expect(served.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(served.headers.get('content-type')).not.toMatch(/html/);
  });

  it('A13: a JPEG with HTML appended is an image, served only as image/jpeg', async () => {
    const polyglot = Buffer.concat([await makeJpeg(30, 20), Buffer.from('<script>alert(1)</script>')]);
    const response = await postMultipart(uploadUrl, unsigned(), [{ filename: 'poly.jpg', data: polyglot }]);
    expect(response.json).toMatchObject({ width: 30, height: 20, format: 'jpg', bytes: polyglot.length, etag: md5(polyglot) });
    const served = await fetch(response.json.secure_url);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('A14: an SVG with script and external hrefs is stored without any fetch and served sandboxed', async () => {
    let probeHits = 0;
    const probe = (await import('node:http')).createServer((_req, res) => {
      probeHits++;
      res.end('x');
    });
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    const svg = Buffer.from(
      `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="30" onload="alert(1)">` +
        `<script>alert(1)</script><image xlink:href="http://127.0.0.1:${port}/probe" width="10" height="10"/>` +
        `<image href="file:///etc/passwd" width="10" height="10"/><foreignObject><p>x</p></foreignObject></svg>`,
    );
    const response = await postMultipart(uploadUrl, unsigned(), [{ filename: 'x.svg', data: svg, contentType: 'image/svg+xml' }]);
    expect(response.json).toMatchObject({ format: 'svg', width: 40, height: 30, resource_type: 'image' });
    const served = await fetch(response.json.secure_url);
    expect(served.headers.get('content-type')).toBe('image/svg+xml');
    expect(served.headers.get('content-security-policy')).toMatch(/sandbox/);
    expect(served.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(probeHits).toBe(0);
    probe.close();
  });

  it('A15: a pixel bomb is refused quickly from its header', async () => {
    const started = performance.now();
    const rssBefore = process.memoryUsage().rss;
    const response = await postMultipart(uploadUrl, unsigned(), [{ filename: 'bomb.png', data: pixelBombPng() }]);
    expect(performance.now() - started).toBeLessThan(1000);
    await expectRefused(response, 400, 'image_too_large');
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
  });

  it('A16: an animation whose frames together exceed the pixel cap is refused', async () => {
    const small = await startTestServer({ file: { limits: { maxImagePixels: 400_000 } } });
    // Distinct frames (noise): the GIF encoder merges identical ones.
    const animation = (frames: number) =>
      sharp(randomBytes(64 * 64 * frames * 3), { raw: { width: 64, height: 64 * frames, channels: 3, pageHeight: 64 } }).gif().toBuffer();
    try {
      const url = `${small.url}/v1_1/demo/image/upload`;
      const tooMany = await animation(101);
      expect((await sharp(tooMany).metadata()).pages).toBe(101);
      const response = await postMultipart(url, unsigned(), [{ filename: 'anim.gif', data: tooMany }]);
      expect(response.status).toBe(400);
      expect(response.json.error.code).toBe('image_too_large');
      const accepted = await postMultipart(url, unsigned(), [{ filename: 'anim.gif', data: await animation(97) }]);
      expect(accepted.json).toMatchObject({ width: 64, height: 64, pages: 97, format: 'gif' });
    } finally {
      await small.close();
    }
  });

  it('A17: a corrupt image (broken header) → invalid_image', async () => {
    const jpeg = await makeJpeg(64, 64);
    const corrupt = Buffer.concat([jpeg.subarray(0, 4), Buffer.alloc(200, 0xff)]);
    await expectRefused(await postMultipart(uploadUrl, unsigned(), [{ filename: 'bad.jpg', data: corrupt }]), 400, 'invalid_image');
  });

  it('A18: a zip uploaded as raw is stored opaque, byte for byte', async () => {
    const zip = Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100, 1)]);
    const response = await postMultipart(`${server.url}/v1_1/demo/raw/upload`, unsigned(), [{ filename: 'a.zip', data: zip }]);
    expect(response.json).toMatchObject({ resource_type: 'raw', bytes: zip.length });
    expect(sha256(Buffer.from(await (await fetch(response.json.secure_url)).arrayBuffer()))).toBe(sha256(zip));
  });

  it('A19: hostile file names never become paths and are kept only as escaped metadata', async () => {
    const names = ['../../etc/passwd', '..\\..\\win.ini', '%2e%2e%2fx.jpg', 'a.jpg\u0000.php', 'x'.repeat(300) + '.jpg', '\u202Egpj.exe', '<img src=x onerror=alert(1)>.jpg', 'CON', 'trailing. '];
    for (const filename of names) {
      const response = await postMultipart(`${server.url}/v1_1/demo/auto/upload`, signed({ use_filename: 'true' }), [{ filename, data: await makeJpeg(8, 8) }]);
      expect(response.status, filename).toBe(200);
      const { public_id: publicId, original_filename: original } = response.json;
      expect(publicId).not.toMatch(/[/\\]|\.\.|[<>\u0000\u202e]/);
      expect(original.length).toBeLessThanOrEqual(200);
      expect(original).not.toMatch(/[/\\\u0000\u202e]/);
    }
    for (const file of storedState(server).files) expect(file).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{32}\.[0-9a-f]{32}:\d+$/);
  });

  it('A20: hostile public ids → invalid_public_id', async () => {
    for (const publicId of ['../x', '/abs', 'a//b', 'a/./b', 'x\\y', 'a\u0000b', 'p'.repeat(1000), 'a%2Fb', 'a?b', 'a#b', 'v1/x']) {
      const response = await postMultipart(uploadUrl, signed({ public_id: publicId }), [await jpegPart()]);
      await expectRefused(response, 400, 'invalid_public_id');
    }
  });

  it('A21: hostile folders → invalid_folder', async () => {
    for (const folder of ['../x', '/abs', 'a//b', 'a/../b', 'x\\y', 'f'.repeat(300), 'v12']) {
      await expectRefused(await postMultipart(uploadUrl, signed({ folder }), [await jpegPart()]), 400, 'invalid_folder');
      await expectRefused(await postMultipart(uploadUrl, signed({ asset_folder: folder }), [await jpegPart()]), 400, 'invalid_folder');
    }
  });

  it('A22: an unknown resource type in the path → 404', async () => {
    const response = await postMultipart(`${server.url}/v1_1/demo/scripts/upload`, unsigned(), [await jpegPart()]);
    await expectRefused(response, 404, 'not_found');
  });

  it('A23: an unsigned upload can neither ask for nor achieve an overwrite', async () => {
    const keeperBytes = storedState(server).files;
    await expectRefused(await postMultipart(uploadUrl, unsigned([['public_id', 'keeper'], ['overwrite', 'true']]), [await jpegPart()]), 400, 'param_not_allowed');
    const again = await postMultipart(uploadUrl, unsigned([['public_id', 'keeper']]), [await jpegPart()]);
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ public_id: 'keeper', existing: true, width: 50, height: 40 });
    expect(storedState(server).files).toEqual(keeperBytes);
  });

  it('A25: bad data: URIs → invalid_data_uri / file_too_large', async () => {
    await expectRefused(await postJson(uploadUrl, { upload_preset: 'preset1', file: 'data:image/png;base64,@@@not base64@@@' }), 400, 'invalid_data_uri');
    await expectRefused(await postJson(uploadUrl, { upload_preset: 'preset1', file: 'data:image/png;base64' }), 400, 'invalid_data_uri');
    const huge = `data:image/png;base64,${Buffer.alloc(9 * 1024 * 1024).toString('base64')}`;
    await expectRefused(await postJson(uploadUrl, { upload_preset: 'preset1', file: huge }), 400, 'file_too_large');
    const png = await makePng(12, 9);
    const ok = await postJson(uploadUrl, { upload_preset: 'preset1', file: `data:image/png;base64,${png.toString('base64')}` });
    expect(ok.json).toMatchObject({ width: 12, height: 9, format: 'png', bytes: png.length });
  });

  it('A26: prototype-polluting parameter names are refused and pollute nothing', async () => {
    for (const name of ['__proto__[x]', 'constructor[prototype][x]', '__proto__']) {
      const response = await postMultipart(uploadUrl, [[name, '1'], ...unsigned()], [await jpegPart()]);
      expect(response.status).toBe(400);
    }
    const polluted = await postJson(uploadUrl, JSON.parse('{"upload_preset":"preset1","__proto__":{"x":1},"file":"data:,x"}'));
    expect(polluted.status).toBe(400);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('A27: a repeated scalar parameter → duplicate_param', async () => {
    await expectRefused(await postMultipart(uploadUrl, [...unsigned(), ['public_id', 'a'], ['public_id', 'b']], [await jpegPart()]), 400, 'duplicate_param');
  });
});

describe('C. Signatures and credentials', () => {
  const upload = async (fields: [string, string][]) => postMultipart(uploadUrl, fields, [await jpegPart()]);
  const without = (fields: [string, string][], name: string) => fields.filter(([key]) => key !== name);
  const replace = (fields: [string, string][], name: string, value: string) => fields.map(([key, v]): [string, string] => [key, key === name ? value : v]);

  it('C1: a signed upload missing api_key, timestamp or signature is refused', async () => {
    const fields = signed({ public_id: 'c1' });
    await expectRefused(await upload(without(fields, 'api_key')), 401, 'missing_api_key');
    await expectRefused(await upload(without(fields, 'timestamp')), 401, 'invalid_signature');
    // Without a signature it is an unsigned upload, which needs a preset.
    await expectRefused(await upload(without(fields, 'signature')), 400, 'preset_required');
  });

  it('C2/C3: a signature wrong in any way is refused with the string to sign, never the expected one', async () => {
    const fields = signed({ public_id: 'c2' });
    const good = fields.find(([key]) => key === 'signature')![1];
    const flip = (c: string) => (c === '0' ? '1' : '0');
    for (const bad of [flip(good[0]!) + good.slice(1), good.slice(0, -1) + flip(good.at(-1)!), good.toUpperCase(), good.slice(1), `${good}0`, ` ${good}`]) {
      const response = await upload(replace(fields, 'signature', bad));
      await expectRefused(response, 401, 'invalid_signature');
      expect(response.json.error.message).toMatch(/^Invalid Signature .*\. String to sign - 'public_id=c2&timestamp=\d+'\.$/);
      expect(response.json.error.message.replace(bad.slice(0, 128), '')).not.toContain(good);
    }
  });

  it('C4/C5: stale, future and malformed timestamps', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(await upload(signed({ public_id: 'c4' }, { timestamp: now - 3700 })), 401, 'stale_request');
    await expectRefused(await upload(signed({ public_id: 'c4' }, { timestamp: now + 3600 })), 401, 'stale_request');
    for (const timestamp of ['1315060510.5', '1e9', ' 1315060510', '0x4E6']) {
      await expectRefused(await upload(replace(signed({ public_id: 'c5' }), 'timestamp', timestamp)), 400, 'invalid_param');
    }
    const fresh = await upload(signed({ public_id: 'c4-ok' }, { timestamp: now + 60 }));
    expect(fresh.status).toBe(200);
  });

  it('C6: a parameter added after signing invalidates the signature', async () => {
    await expectRefused(await upload([...signed({ public_id: 'c6' }), ['overwrite', 'true']]), 401, 'invalid_signature');
  });

  it('C8: tags as repeated tags[] fields sign like the comma-joined string', async () => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = signParams({ tags: 'a,b', timestamp }, TEST_ACCOUNT.apiSecret);
    const response = await upload([['tags[]', 'a'], ['tags[]', 'b'], ['timestamp', timestamp], ['api_key', TEST_ACCOUNT.apiKey], ['signature', signature]]);
    expect(response.json).toMatchObject({ tags: ['a', 'b'] });
  });

  it('C11: SHA-1 is refused when the server accepts SHA-256 only', async () => {
    const strict = await startTestServer({ file: { signatureAlgorithms: ['sha256'] } });
    try {
      const url = `${strict.url}/v1_1/demo/image/upload`;
      const sha1 = await postMultipart(url, signed({ public_id: 'c11' }), [await jpegPart()]);
      expect(sha1.status).toBe(401);
      expect(sha1.json.error.code).toBe('invalid_signature');
      const sha256Signed = await postMultipart(url, signed({ public_id: 'c11' }, { algorithm: 'sha256' }), [await jpegPart()]);
      expect(sha256Signed.status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('C12: an unknown api_key and wrong Basic credentials are refused', async () => {
    await expectRefused(await upload(replace(signed({ public_id: 'c12' }), 'api_key', '999')), 401, 'unknown_api_key');
    const wrongBasic = await postMultipart(uploadUrl, [], [await jpegPart()], { authorization: `Basic ${Buffer.from(`${TEST_ACCOUNT.apiKey}:nope`).toString('base64')}` });
    await expectRefused(wrongBasic, 401, 'unauthorized');
    const basic = await postMultipart(uploadUrl, [['public_id', 'basic-auth']], [await jpegPart()], { authorization: basicAuth() });
    expect(basic.json).toMatchObject({ public_id: 'basic-auth' });
  });

  it('refuses unknown clouds, unknown presets and signed presets used unsigned', async () => {
    await expectRefused(await postMultipart(`${server.url}/v1_1/other/image/upload`, unsigned(), [await jpegPart()]), 404, 'unknown_cloud');
    await expectRefused(await upload([['upload_preset', 'nope']]), 400, 'preset_not_found');
    await expectRefused(await upload([['upload_preset', 'ml_default']]), 400, 'preset_not_unsigned');
    await expectRefused(await upload([]), 400, 'preset_required');
    const refused = await upload([['upload_preset', 'nope']]);
    expect(refused.json.error.message).toBe('Upload preset not found');
  });
});
