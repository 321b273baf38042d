import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { listFiles, postMultipart, signed } from '../helpers/http.ts';
import { pseudoRandomBytes, sha256 } from '../helpers/fixtures.ts';

// Delivery of stored assets and on-the-fly derivatives: every transformation is checked by decoding the
// returned image (dimensions, format, pixels where position matters).

let server: TestServer;
let photo: { version: number; secure_url: string; etag: string };
/** 1200×800: left half red, right half blue; top quarter has a green band (for gravity checks). */
let photoBytes: Buffer;

const res = (path: string) => `${server.url}/res/demo/${path}`;
const get = (path: string, headers: Record<string, string> = {}) => fetch(res(path), { headers });
const decode = async (response: Response) => {
  expect(response.status, await response.clone().text().catch(() => '')).toBe(200);
  const bytes = Buffer.from(await response.arrayBuffer());
  const image = sharp(bytes);
  const { data, info } = await image.clone().raw().toBuffer({ resolveWithObject: true });
  const pixel = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3));
  return { bytes, meta: await image.metadata(), width: info.width, height: info.height, pixel };
};
const isRed = (rgb: number[]) => rgb[0]! > 180 && rgb[1]! < 80 && rgb[2]! < 80;
const isBlue = (rgb: number[]) => rgb[2]! > 180 && rgb[0]! < 80;
const isGreen = (rgb: number[]) => rgb[1]! > 100 && rgb[0]! < 80 && rgb[2]! < 80;

async function makePhoto(): Promise<Buffer> {
  const half = (color: string) => sharp({ create: { width: 600, height: 800, channels: 3, background: color } }).png().toBuffer();
  const band = await sharp({ create: { width: 1200, height: 200, channels: 3, background: '#00a000' } }).png().toBuffer();
  return sharp({ create: { width: 1200, height: 800, channels: 3, background: '#000' } })
    .composite([
      { input: await half('#ff0000'), left: 0, top: 0 },
      { input: await half('#0000ff'), left: 600, top: 0 },
      { input: band, left: 0, top: 0 },
    ])
    .withExif({ IFD0: { Copyright: 'secret-exif-owner' }, IFD3: { GPSLatitudeRef: 'N' } })
    .jpeg({ quality: 92 })
    .toBuffer();
}

beforeAll(async () => {
  server = await startTestServer({ file: { limits: { maxOutputPixels: 20_000_000 } } });
  photoBytes = await makePhoto();
  const upload = await postMultipart(`${server.url}/v1_1/demo/image/upload`, signed({ public_id: 'gallery/photo', custom_coordinates: '100,300,400,200' }), [{ data: photoBytes }]);
  expect(upload.status).toBe(200);
  photo = upload.json;
});
afterAll(() => server.close());

const derived = (transformation: string, extension = 'jpg') => get(`image/upload/${transformation}/v${photo.version}/gallery/photo.${extension}`);

describe('the original', () => {
  it('is served byte for byte with validators and long caching when versioned', async () => {
    const response = await get(`image/upload/v${photo.version}/gallery/photo.jpg`);
    expect(response.status).toBe(200);
    expect(sha256(Buffer.from(await response.arrayBuffer()))).toBe(sha256(photoBytes));
    expect(response.headers.get('etag')).toBe(`"${photo.etag}"`);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    const unversioned = await get('image/upload/gallery/photo.jpg');
    expect(unversioned.headers.get('cache-control')).toMatch(/max-age=60/);
  });

  it('answers conditional requests with 304', async () => {
    const etag = `"${photo.etag}"`;
    expect((await get('image/upload/gallery/photo.jpg', { 'if-none-match': etag })).status).toBe(304);
    expect((await get('image/upload/gallery/photo.jpg', { 'if-none-match': `"other", ${etag}` })).status).toBe(304);
    expect((await get('image/upload/gallery/photo.jpg', { 'if-none-match': '"other"' })).status).toBe(200);
    const lastModified = (await get('image/upload/gallery/photo.jpg')).headers.get('last-modified')!;
    expect((await get('image/upload/gallery/photo.jpg', { 'if-modified-since': lastModified })).status).toBe(304);
  });

  it('serves byte ranges (206) and refuses impossible ones (416)', async () => {
    const size = photoBytes.length;
    const first = await get('image/upload/gallery/photo.jpg', { range: 'bytes=0-99' });
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe(`bytes 0-99/${size}`);
    expect(Buffer.from(await first.arrayBuffer())).toEqual(photoBytes.subarray(0, 100));
    const tail = await get('image/upload/gallery/photo.jpg', { range: 'bytes=-10' });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(photoBytes.subarray(size - 10));
    const open = await get('image/upload/gallery/photo.jpg', { range: `bytes=${size - 5}-` });
    expect(Buffer.from(await open.arrayBuffer())).toEqual(photoBytes.subarray(size - 5));
    const outside = await get('image/upload/gallery/photo.jpg', { range: `bytes=${size}-` });
    expect([outside.status, outside.headers.get('content-range')]).toEqual([416, `bytes */${size}`]);
    const several = await get('image/upload/gallery/photo.jpg', { range: 'bytes=0-1,5-6' });
    expect(several.status).toBe(200);
    const stale = await get('image/upload/gallery/photo.jpg', { range: 'bytes=0-9', 'if-range': '"not-it"' });
    expect(stale.status).toBe(200);
  });
});

describe('transformations (decoded and measured)', () => {
  const cases: [string, number, number][] = [
    ['c_scale,w_300', 300, 200],
    ['c_scale,w_300,h_100', 300, 100],
    ['w_0.5', 600, 400],
    ['h_100', 150, 100],
    ['c_fit,w_300,h_300', 300, 200],
    ['c_fit,w_2400,h_2400', 2400, 1600],
    ['c_limit,w_300,h_300', 300, 200],
    ['c_limit,w_2000,h_2000', 1200, 800],
    ['c_limit,h_60,w_90', 90, 60],
    ['c_mfit,w_300,h_300', 1200, 800],
    ['c_mfit,w_2400,h_2400', 2400, 1600],
    ['c_fill,w_300,h_300', 300, 300],
    ['c_fill,g_auto,w_200,h_100', 200, 100],
    ['c_lfill,w_300,h_300', 300, 300],
    ['c_lfill,w_2000,h_1000', 1200, 600],
    ['c_pad,w_300,h_300', 300, 300],
    ['c_crop,w_100,h_50', 100, 50],
    ['c_crop,w_0.5,h_0.25', 600, 200],
    ['c_crop,g_custom', 400, 200],
    ['c_thumb,g_custom,w_50,h_50', 50, 50],
    ['c_thumb,w_80,h_80,g_north', 80, 80],
    ['dpr_2.0,c_scale,w_100', 200, 133],
    ['a_90', 800, 1200],
    ['a_-90,c_scale,w_80', 80, 120],
    ['c_crop,w_600,h_600/c_scale,w_100', 100, 100],
  ];
  it.each(cases)('%s → %i×%i', async (transformation, width, height) => {
    const { width: w, height: h, meta } = await decode(await derived(transformation));
    expect([w, h]).toEqual([width, height]);
    expect(meta.format).toBe('jpeg');
  });

  it('gravity decides what c_fill and c_crop keep', async () => {
    const north = await decode(await derived('c_fill,w_100,h_100,g_north_west'));
    expect(isGreen(north.pixel(5, 5))).toBe(true);
    const southEast = await decode(await derived('c_crop,w_100,h_100,g_south_east'));
    expect(isBlue(southEast.pixel(50, 50))).toBe(true);
    const southWest = await decode(await derived('c_fill,w_100,h_100,g_south_west'));
    expect(isRed(southWest.pixel(50, 90))).toBe(true);
    const offset = await decode(await derived('c_crop,w_100,h_100,x_650,y_400'));
    expect(isBlue(offset.pixel(50, 50))).toBe(true);
  });

  it('c_crop,g_custom keeps exactly the stored custom region', async () => {
    const crop = await decode(await derived('c_crop,g_custom', 'png'));
    const expected = await sharp(photoBytes).extract({ left: 100, top: 300, width: 400, height: 200 }).raw().toBuffer({ resolveWithObject: true });
    expect([crop.width, crop.height]).toEqual([expected.info.width, expected.info.height]);
    expect(isRed(crop.pixel(10, 10))).toBe(true);
  });

  it('c_pad fills with b_ colour, transparent by default for formats with alpha', async () => {
    const red = await decode(await derived('c_pad,w_300,h_300,b_rgb:ff0000'));
    expect(isRed(red.pixel(150, 10))).toBe(true);
    const clear = await decode(await derived('c_pad,w_300,h_300', 'png'));
    expect(clear.meta.hasAlpha).toBe(true);
    const white = await decode(await derived('c_pad,w_300,h_300,b_white'));
    expect(white.pixel(150, 10)).toEqual([255, 255, 255]);
  });

  it('e_grayscale removes colour', async () => {
    const gray = await decode(await derived('e_grayscale,c_scale,w_100'));
    const [r, g, b] = gray.pixel(10, 50);
    expect(Math.abs(r! - g!)).toBeLessThan(3);
    expect(Math.abs(g! - b!)).toBeLessThan(3);
  });

  it('q_ changes the encoding quality; q_auto is accepted', async () => {
    const low = (await decode(await derived('q_10,c_scale,w_600'))).bytes.length;
    const high = (await decode(await derived('q_95,c_scale,w_600'))).bytes.length;
    expect(low).toBeLessThan(high);
    expect((await derived('q_auto,c_scale,w_100')).status).toBe(200);
  });

  it('converts by extension and by f_auto (Accept), with Vary: Accept', async () => {
    for (const [extension, format] of [['webp', 'webp'], ['png', 'png'], ['avif', 'heif'], ['gif', 'gif']]) {
      const { meta } = await decode(await derived('c_scale,w_50', extension));
      expect(meta.format).toBe(format);
    }
    const plainConversion = await decode(await get(`image/upload/v${photo.version}/gallery/photo.webp`));
    expect([plainConversion.meta.format, plainConversion.width]).toEqual(['webp', 1200]);
    const avif = await get(`image/upload/f_auto,c_scale,w_50/v${photo.version}/gallery/photo.jpg`, { accept: 'image/avif,image/webp,*/*' });
    expect(avif.headers.get('content-type')).toBe('image/avif');
    expect(avif.headers.get('vary')).toBe('Accept');
    const webp = await get(`image/upload/f_auto,c_scale,w_50/v${photo.version}/gallery/photo.jpg`, { accept: 'image/webp,*/*' });
    expect(webp.headers.get('content-type')).toBe('image/webp');
    const fallback = await get(`image/upload/f_auto,c_scale,w_50/v${photo.version}/gallery/photo.jpg`, { accept: '*/*' });
    expect(fallback.headers.get('content-type')).toBe('image/jpeg');
  });

  it('strips EXIF and GPS metadata from derived images', async () => {
    const original = await sharp(photoBytes).metadata();
    expect(original.exif?.toString('latin1')).toContain('secret-exif-owner');
    const { meta, bytes } = await decode(await derived('c_scale,w_200'));
    expect(meta.exif).toBeUndefined();
    expect(bytes.toString('latin1')).not.toContain('secret-exif-owner');
  });

  it('auto-orients by EXIF (a_auto)', async () => {
    const sideways = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#888' } }).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const upload = await postMultipart(`${server.url}/v1_1/demo/image/upload`, signed({ public_id: 'rotated' }), [{ data: sideways }]);
    expect([upload.json.width, upload.json.height]).toEqual([100, 200]);
    for (const transformation of ['c_scale,w_50', 'a_auto,c_scale,w_50']) {
      const { width, height } = await decode(await get(`image/upload/${transformation}/v${upload.json.version}/rotated.jpg`));
      expect([width, height]).toEqual([50, 100]);
    }
  });

  it('refuses unknown or malformed transformations with a clear 400', async () => {
    for (const bad of ['zz_5', 'w_abc', 'c_weird,w_10', 'w_100,w_200', 'w_0', 'w_99999', 'g_up,c_fill,w_10,h_10', 'q_0', 'e_sepia', 'b_rgb:zzz', 'c_fill']) {
      const response = await derived(bad);
      expect([bad, response.status]).toEqual([bad, 400]);
      expect(await response.text()).toMatch(/^Invalid transformation: /);
      expect(response.headers.get('x-cld-error')).toMatch(/^Invalid transformation/);
    }
  });

  it('refuses derived images over the output cap quickly', async () => {
    const started = performance.now();
    const response = await derived('c_scale,w_9000,h_9000');
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/too large/);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('the derivative cache', () => {
  const derivedFiles = () => listFiles(join(server.dataDir, 'derived'));

  it('renders a derivative once under concurrent requests, with a stable ETag and 304', async () => {
    const before = derivedFiles().length;
    const responses = await Promise.all(Array.from({ length: 12 }, () => derived('c_fill,w_123,h_77')));
    const hashes = new Set(await Promise.all(responses.map(async (response) => sha256(Buffer.from(await response.arrayBuffer())))));
    expect(hashes.size).toBe(1);
    expect(derivedFiles().length).toBe(before + 1);
    const etag = responses[0]!.headers.get('etag')!;
    expect((await get(`image/upload/c_fill,w_123,h_77/v${photo.version}/gallery/photo.jpg`, { 'if-none-match': etag })).status).toBe(304);
    const ranged = await get(`image/upload/c_fill,w_123,h_77/v${photo.version}/gallery/photo.jpg`, { range: 'bytes=0-9' });
    expect(ranged.status).toBe(206);
  });

  it('removes derivatives with their asset, and with a replaced version', async () => {
    const upload = await postMultipart(`${server.url}/v1_1/demo/image/upload`, signed({ public_id: 'short-lived' }), [{ data: await sharp({ create: { width: 64, height: 64, channels: 3, background: '#123456' } }).png().toBuffer() }]);
    const assetId = upload.json.asset_id as string;
    const derivedOf = () => derivedFiles().filter((file) => file.includes(assetId));
    expect((await get(`image/upload/c_scale,w_10/v${upload.json.version}/short-lived.png`)).status).toBe(200);
    expect(derivedOf()).toHaveLength(1);
    const replaced = await postMultipart(`${server.url}/v1_1/demo/image/upload`, signed({ public_id: 'short-lived' }), [{ data: await sharp({ create: { width: 32, height: 32, channels: 3, background: '#654321' } }).png().toBuffer() }]);
    expect(replaced.json.asset_id).toBe(assetId);
    expect(derivedOf()).toHaveLength(0);
    expect((await get(`image/upload/c_scale,w_10/v${replaced.json.version}/short-lived.png`)).status).toBe(200);
    expect(derivedOf()).toHaveLength(1);
    const destroyed = await postMultipart(`${server.url}/v1_1/demo/image/destroy`, signed({ public_id: 'short-lived' }));
    expect(destroyed.json).toEqual({ result: 'ok' });
    expect(derivedOf()).toHaveLength(0);
    expect(readdirSync(join(server.dataDir, 'derived', assetId.slice(0, 2)))).not.toContain(assetId);
  });
});

describe('active content and other resource types', () => {
  it('SVG is inline under a sandbox CSP; rasterized when transformed; HTML raw files download', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="red"/><script>alert(1)</script></svg>');
    const upload = await postMultipart(`${server.url}/v1_1/demo/auto/upload`, signed({ public_id: 'vector' }), [{ data: svg }]);
    const original = await get(`image/upload/v${upload.json.version}/vector.svg`);
    expect(original.headers.get('content-type')).toBe('image/svg+xml');
    expect(original.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'; sandbox");
    expect(original.headers.get('content-disposition')).toBeNull();
    const raster = await decode(await get(`image/upload/c_scale,w_80/v${upload.json.version}/vector.png`));
    expect([raster.width, raster.height, raster.meta.format]).toEqual([80, 40, 'png']);
    expect(isRed(raster.pixel(40, 20))).toBe(true);

    const html = await postMultipart(`${server.url}/v1_1/demo/auto/upload`, signed({ public_id: 'page.html' }), [{ filename: 'page.html', data: Buffer.from('<!doctype html><script>alert(1)</script>') }]);
    const page = await get(`raw/upload/v${html.json.version}/page.html`);
    expect(page.headers.get('content-disposition')).toBe('attachment; filename="page.html"');
    expect(page.headers.get('content-security-policy')).toContain('sandbox');
    expect(page.headers.get('content-type')).not.toMatch(/html/);
    expect((await get(`raw/upload/c_scale,w_10/v${html.json.version}/page.html`)).status).toBe(400);
  });

  it('videos are served as stored with ranges, and get a placeholder frame as a thumbnail', async () => {
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2'), pseudoRandomBytes(5000, 3)]);
    const upload = await postMultipart(`${server.url}/v1_1/demo/video/upload`, signed({ public_id: 'clip' }), [{ data: mp4 }]);
    expect(upload.json).toMatchObject({ resource_type: 'video', format: 'mp4' });
    const ranged = await get(`video/upload/v${upload.json.version}/clip.mp4`, { range: 'bytes=100-199' });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer())).toEqual(mp4.subarray(100, 200));
    const thumbnail = await decode(await get(`video/upload/c_limit,h_60,w_90/v${upload.json.version}/clip.jpg`));
    expect(thumbnail.meta.format).toBe('jpeg');
    expect(thumbnail.width).toBeLessThanOrEqual(90);
    expect(thumbnail.height).toBeLessThanOrEqual(60);
    expect((await get(`video/upload/c_scale,w_10/v${upload.json.version}/clip.mp4`)).status).toBe(400);
  });
});

describe('overload', () => {
  it('answers 503 with Retry-After when the render queue is full', async () => {
    const busy = await startTestServer({ file: { limits: { imageConcurrency: 1, imageQueue: 0 } } });
    try {
      const big = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 30 } } }).jpeg().toBuffer();
      const upload = await postMultipart(`${busy.url}/v1_1/demo/image/upload`, signed({ public_id: 'big' }), [{ data: big }]);
      const responses = await Promise.all(
        [101, 102, 103, 104, 105, 106].map((width) => fetch(`${busy.url}/res/demo/image/upload/c_scale,w_${width}/v${upload.json.version}/big.png`)),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses).toContain(200);
      expect(statuses).toContain(503);
      const refused = responses.find((response) => response.status === 503)!;
      expect(refused.headers.get('retry-after')).toBe('2');
    } finally {
      await busy.close();
    }
  });
});
