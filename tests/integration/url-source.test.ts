import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPageServer, type PageServer } from '../helpers/browser.ts';
import { makeJpeg } from '../helpers/fixtures.ts';
import { request, type RawResponse } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

// Web Address previews over real HTTP: the app on a real port, "remote" files on another loopback server
// (allow-listed for `open`; `guarded` keeps the production default, nothing allow-listed).

const MAX_FILE_BYTES = 1_000_000;
const HOST_ORIGIN = 'http://host.example';

let open: TestServer;
let guarded: TestServer;
let remote: PageServer;
let photo: Buffer;
const pdf = Buffer.from('%PDF-1.4\n' + 'x'.repeat(5000));
const blob = Buffer.alloc(12_345, 7);
let closedPort: number;

beforeAll(async () => {
  photo = await makeJpeg(640, 480);
  remote = await startPageServer();
  remote.route('/photos/cat.jpg', (req, res) => {
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': photo.length });
    res.end(req.method === 'HEAD' ? undefined : photo);
  });
  remote.route('/download', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/pdf; qs=0.9', 'content-length': pdf.length, 'content-disposition': `attachment; filename="report.pdf"; filename*=UTF-8''Quarterly%20report%20%E2%82%AC.pdf` });
    res.end(req.method === 'HEAD' ? undefined : pdf);
  });
  remote.route('/no-head/data.bin', (req, res) => {
    if (req.method === 'HEAD') return void res.writeHead(405).end();
    if (req.headers.range === 'bytes=0-0') {
      res.writeHead(206, { 'content-type': 'application/octet-stream', 'content-range': `bytes 0-0/${blob.length}`, 'content-length': 1 });
      return void res.end(blob.subarray(0, 1));
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': blob.length }).end(blob);
  });
  remote.route('/big.bin', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': MAX_FILE_BYTES + 1 });
    res.end();
  });
  remote.route('/silent', () => undefined);
  // Dynamic content: chunked, no Content-Length, Range ignored.
  remote.route('/generated/list.csv', (_req, res) => void res.writeHead(200, { 'content-type': 'text/csv' }).end('a,b\n1,2\n'));
  remote.route('/to-metadata', (_req, res) => void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end());
  remote.route('/fake.png', (_req, res) => void res.writeHead(200, { 'content-type': 'image/png' }).end('<html>not a png</html>'));

  const spare = createServer();
  await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
  closedPort = (spare.address() as AddressInfo).port;
  await new Promise<void>((resolve) => spare.close(() => resolve()));

  const remoteFetch = { timeoutMs: 1_500, idleTimeoutMs: 600 };
  open = await startTestServer({ file: { remoteFetch: { ...remoteFetch, allowAddresses: ['127.0.0.1'] }, limits: { maxFileBytes: MAX_FILE_BYTES } } });
  guarded = await startTestServer({ file: { remoteFetch } });
});

afterAll(async () => {
  await Promise.all([open?.close(), guarded?.close(), remote?.close()]);
});

const decode = (text: string) => text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const attr = (html: string, name: string) => {
  const value = new RegExp(`${name}="([^"]*)"`).exec(html)?.[1];
  return value === undefined ? undefined : decode(value);
};
const textOf = (html: string, marker: string) => decode(new RegExp(`${marker}[^>]*>([^<]*)<`).exec(html)?.[1] ?? '');

/** The frame's token, as the frame page renders it into the Web Address form. */
async function frameToken(server: TestServer): Promise<string> {
  const query = new URLSearchParams({ widgetId: 'w1', origin: HOST_ORIGIN, options: JSON.stringify({ cloudName: 'demo', uploadPreset: 'preset1' }) });
  const page = await request(`${server.url}/widget/frame?${query}`, { method: 'GET' });
  const token = /data-url-form[^]*?name="token" value="([^"]+)"/.exec(page.body.toString())?.[1];
  expect(token, 'the frame renders a token into the URL form').toBeTruthy();
  return token!;
}

async function preview(server: TestServer, url: string, options: { token?: string | null; hx?: boolean } = {}): Promise<RawResponse & { html: string }> {
  const token = options.token === undefined ? await frameToken(server) : options.token;
  const form = new URLSearchParams({ url, language: 'en' });
  if (token !== null) form.set('token', token);
  const body = form.toString();
  const headers: Record<string, string | number> = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) };
  if (options.hx ?? true) headers['hx-request'] = 'true';
  const response = await request(`${server.url}/widget/url/preview`, { headers, body });
  return { ...response, html: response.body.toString('utf8') };
}

const hits = (path: string) => remote.requests.filter((req) => req.path === path).length;

describe('POST /widget/url/preview: what the address holds', () => {
  it('previews an image: name, type, size and a small re-encoded thumbnail through the server', async () => {
    const url = `${remote.url}/photos/cat.jpg`;
    const answer = await preview(open, url);
    expect(answer.status).toBe(200);
    expect(answer.headers.vary).toMatch(/HX-Request/i);
    expect(answer.html).not.toContain('<html');
    expect(attr(answer.html, 'data-url')).toBe(url);
    expect(attr(answer.html, 'data-name')).toBe('cat.jpg');
    expect(attr(answer.html, 'data-type')).toBe('image/jpeg');
    expect(attr(answer.html, 'data-size')).toBe(String(photo.length));
    expect(textOf(answer.html, 'data-url-size')).toMatch(/^[\d.]+ KB$/);
    expect(remote.requests.filter((req) => req.path === '/photos/cat.jpg').map((req) => req.method)).toEqual(['HEAD']);

    const src = attr(answer.html, 'src')!;
    expect(src).toMatch(/^\/widget\/url\/thumbnail\?u=/);
    const thumbnail = await request(`${open.url}${src}`, { method: 'GET' });
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers['content-type']).toBe('image/webp');
    expect(thumbnail.headers['cache-control']).toMatch(/^private, max-age=\d+$/);
    const decoded = await sharp(thumbnail.body).metadata();
    expect([decoded.format, decoded.width, decoded.height]).toEqual(['webp', 240, 180]);
    expect(thumbnail.body.length).toBeLessThan(photo.length);
  });

  it('answers a plain form POST with the same fragment inside a page, the address filled in again', async () => {
    const url = `${remote.url}/photos/cat.jpg`;
    const answer = await preview(open, url, { hx: false });
    expect(answer.status).toBe(200);
    expect(answer.html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(answer.html).toContain('data-url-preview');
    expect(answer.html).toContain(`name="url" value="${url}"`);
    expect(answer.headers['content-security-policy']).toContain(`frame-ancestors ${HOST_ORIGIN}`);
  });

  it('names a file after its Content-Disposition and types it from Content-Type, with HEAD alone', async () => {
    const before = hits('/download');
    const answer = await preview(open, `${remote.url}/download`);
    expect(answer.status).toBe(200);
    expect(attr(answer.html, 'data-name')).toBe('Quarterly report €.pdf');
    expect(attr(answer.html, 'data-type')).toBe('application/pdf');
    expect(attr(answer.html, 'data-size')).toBe(String(pdf.length));
    expect(answer.html).not.toContain('data-url-thumb');
    expect(hits('/download') - before).toBe(1);
  });

  it('falls back to a one-byte ranged GET when HEAD is refused, and reads the size from Content-Range', async () => {
    const answer = await preview(open, `${remote.url}/no-head/data.bin`);
    expect(answer.status).toBe(200);
    expect(attr(answer.html, 'data-name')).toBe('data.bin');
    expect(attr(answer.html, 'data-size')).toBe(String(blob.length));
    const seen = remote.requests.filter((req) => req.path === '/no-head/data.bin');
    expect(seen.map((req) => [req.method, req.headers.range])).toEqual([
      ['HEAD', undefined],
      ['GET', 'bytes=0-0'],
    ]);
  });

  it('says "N/A" for a size nobody tells (no Content-Length, Range ignored); the upload will find out', async () => {
    const answer = await preview(open, `${remote.url}/generated/list.csv`);
    expect(answer.status).toBe(200);
    expect([attr(answer.html, 'data-name'), attr(answer.html, 'data-type'), attr(answer.html, 'data-size')]).toEqual(['list.csv', 'text/csv', '0']);
    expect(textOf(answer.html, 'data-url-size')).toBe('N/A');
  });
});

describe('POST /widget/url/preview: addresses that cannot be uploaded, in plain words', () => {
  const problem = (html: string) => ({ code: attr(html, 'data-code'), message: textOf(html, 'data-url-problem') });

  it('404: nothing found', async () => {
    const answer = await preview(open, `${remote.url}/nothing-here.png`);
    expect(answer.status).toBe(502);
    expect(problem(answer.html)).toEqual({ code: 'remote_error', message: 'Nothing was found at this address (error 404). Check the address and try again.' });
  });

  it('a port nobody listens on: unreachable', async () => {
    const answer = await preview(open, `http://127.0.0.1:${closedPort}/x.png`);
    expect(answer.status).toBe(502);
    expect(problem(answer.html)).toEqual({ code: 'remote_error', message: 'The server at this address could not be reached.' });
  });

  it('a file over the server limit: too large, with both sizes', async () => {
    const answer = await preview(open, `${remote.url}/big.bin`);
    expect(answer.status).toBe(413);
    expect(problem(answer.html)).toEqual({ code: 'remote_too_large', message: 'File size (976.6 KB) exceeds maximum allowed (976.6 KB)' });
  });

  it('a redirect to a private address: refused, the redirect named as the reason', async () => {
    const answer = await preview(open, `${remote.url}/to-metadata`);
    expect(answer.status).toBe(400);
    expect(problem(answer.html)).toEqual({ code: 'forbidden_redirect', message: 'This address redirects to a place files cannot be uploaded from.' });
  });

  it('a server that never answers: timed out', async () => {
    const started = Date.now();
    const answer = await preview(open, `${remote.url}/silent`);
    expect(answer.status).toBe(504);
    expect(problem(answer.html)).toEqual({ code: 'remote_timeout', message: 'The server at this address took too long to answer.' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('loopback without an allow-list entry: refused before any connection', async () => {
    const before = hits('/photos/cat.jpg');
    const answer = await preview(guarded, `${remote.url}/photos/cat.jpg`);
    expect(answer.status).toBe(400);
    expect(problem(answer.html)).toEqual({
      code: 'forbidden_url',
      message: 'Files cannot be uploaded from this address: it belongs to a private or local network, or uses a blocked port.',
    });
    expect(hits('/photos/cat.jpg')).toBe(before);
  });

  it.each(['http://127.0.0.2/x.png', 'http://[::1]/x.png', 'http://10.0.0.1/x.png', 'http://169.254.169.254/latest/meta-data/', 'http://localhost/x.png'])(
    'private and loopback addresses outside the allow-list (%s): refused',
    async (url) => {
      const answer = await preview(open, url);
      expect(answer.status).toBe(400);
      expect(problem(answer.html).code).toBe('forbidden_url');
    },
  );

  it('other schemes, credentials, garbage and nothing: each says what is wrong', async () => {
    const cases: [string, string][] = [
      ['ftp://files.example.com/a.png', 'Only addresses that start with http:// or https:// can be uploaded.'],
      ['javascript:alert(1)', 'Only addresses that start with http:// or https:// can be uploaded.'],
      [`http://user:secret@127.0.0.1:${closedPort}/a.png`, 'Addresses that contain a user name or password are not allowed.'],
      ['not an address', 'The URL must be valid.'],
      [`https://example.com/${'a'.repeat(2100)}`, 'This address is too long (at most 2048 characters).'],
      ['   ', 'Enter the web address of a file.'],
    ];
    for (const [url, message] of cases) {
      const answer = await preview(open, url);
      expect(answer.status, url).toBe(400);
      expect(problem(answer.html).message, url).toBe(message);
    }
  });

  it('no token, or a forged one: 403, and nothing is fetched', async () => {
    const before = remote.requests.length;
    const token = await frameToken(open);
    for (const forged of [null, '', `${token}x`, token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))]) {
      const answer = await preview(open, `${remote.url}/photos/cat.jpg`, { token: forged });
      expect(answer.status).toBe(403);
      expect(problem(answer.html)).toEqual({ code: 'invalid_token', message: 'This upload window has expired. Close it and open it again.' });
    }
    expect(remote.requests.length).toBe(before);
  });

  it('limits previews per client address (429 with Retry-After)', async () => {
    const limited = await startTestServer();
    try {
      const token = await frameToken(limited);
      const answers = [];
      for (let i = 0; i < 31; i++) answers.push(await preview(limited, 'ftp://x.example/a.png', { token }));
      expect(answers.slice(0, 30).every((answer) => answer.status === 400)).toBe(true);
      expect(answers[30]!.status).toBe(429);
      expect(Number(answers[30]!.headers['retry-after'])).toBeGreaterThan(0);
      expect(problem(answers[30]!.html).message).toMatch(/^Too many addresses were checked\. Wait \d+ seconds, then try again\.$/);
    } finally {
      await limited.close();
    }
  });
});

describe('GET /widget/url/thumbnail', () => {
  it('refuses a missing, forged or tampered link: it is no open proxy', async () => {
    const answer = await preview(open, `${remote.url}/photos/cat.jpg`);
    const sealed = new URLSearchParams(attr(answer.html, 'src')!.split('?')[1]).get('u')!;
    const [payload, mac] = sealed.split('.');
    const other = Buffer.from(JSON.stringify({ v: `${remote.url}/download`, e: Date.now() + 60_000 })).toString('base64url');
    const before = remote.requests.length;
    for (const u of [undefined, 'garbage', `${other}.${mac}`, `${payload}.${mac!.slice(1)}A`]) {
      const response = await request(`${open.url}/widget/url/thumbnail${u === undefined ? '' : `?u=${encodeURIComponent(u)}`}`, { method: 'GET' });
      expect(response.status, String(u)).toBe(403);
    }
    expect(remote.requests.length).toBe(before);
  });

  it('an "image" that does not decode: 415, the preview then shows no thumbnail', async () => {
    const answer = await preview(open, `${remote.url}/fake.png`);
    expect(answer.status).toBe(200);
    const response = await request(`${open.url}${attr(answer.html, 'src')}`, { method: 'GET' });
    expect(response.status).toBe(415);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
  });
});
