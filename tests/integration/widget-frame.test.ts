import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_ACCOUNT, type TestServer } from '../helpers/test-server.ts';
import { request } from '../helpers/http.ts';
import { signParams } from '../../server/services/signing.ts';

// The frame page and the server-side helpers the frame uses: security headers, option checks, hostile
// values rendered inert (security notes §4E–G), and the signing endpoints.

const HOST = 'https://shop.example.test';
let server: TestServer;
let signing: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  signing = await startTestServer({ file: { signing: { enabled: true, folder: 'from-widget', perMinute: 3 }, allowedOrigins: [HOST] } });
});
afterAll(async () => {
  await server.close();
  await signing.close();
});

function frame(target: TestServer, options: Record<string, unknown>, extra: Record<string, string> = {}) {
  const body = new URLSearchParams({ options: JSON.stringify(options), origin: HOST, widgetId: 'widget_1', callbacks: '', ...extra }).toString();
  return request(`${target.url}/widget/frame`, { headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), origin: extra.headerOrigin ?? HOST }, body });
}

const configOf = (html: string) => JSON.parse(/<script type="application\/json" id="uw-config">([\s\S]*?)<\/script>/.exec(html)![1]!) as Record<string, any>;

describe('the frame page', () => {
  it('is framed only by the page that asked for it, with nonce-only scripts', async () => {
    const response = await frame(server, { cloudName: 'demo', uploadPreset: 'preset1' });
    expect(response.status).toBe(200);
    const csp = String(response.headers['content-security-policy']);
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)![1]!;
    expect(csp).toContain(`frame-ancestors ${HOST}`);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(response.headers['x-frame-options']).toBeUndefined();
    const html = response.body.toString();
    for (const tag of html.match(/<script[^>]*>/g)!) expect(tag.includes(`nonce="${nonce}"`) || tag.includes('type="application/json"')).toBe(true);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(configOf(html)).toMatchObject({ widgetId: 'widget_1', hostOrigin: HOST, apiBase: server.url, cloudName: 'demo', fatal: false });
  });

  it('renders hostile options as text and keeps them out of CSS and script', async () => {
    const evil = '</script><script>alert(1)</script>\u2028';
    const response = await frame(server, {
      cloudName: 'demo',
      uploadPreset: 'preset1',
      folder: evil,
      text: { en: { local: { browse: '<img src=x onerror=alert(1)>' }, queue: { title: '{{constructor.constructor("alert(1)")()}}' }, __proto__: { polluted: 'x' } } },
      styles: { palette: { window: 'red;} body{display:none', action: '#ff0000' }, frame: { background: 'url(javascript:alert(1))' }, fonts: { "'Evil'": 'https://evil.test/font.css' } },
      maxFiles: 'lots',
      sources: ['local', 'nonsense'],
    });
    const html = response.body.toString();
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('</script><script>alert(1)');
    expect(html).not.toContain('\u2028');
    expect(configOf(html).options.folder).toBe(evil);
    expect(html).toContain('{{constructor.constructor(&quot;alert(1)&quot;)()}}');
    expect(html).toContain('--uw-action:#ff0000');
    expect(html).not.toMatch(/display:none|javascript:|evil\.test/);
    expect(html).toContain('Ignored option maxFiles: expected a positive whole number');
    expect(html).toContain('Ignored option sources:');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('shows the sources in the order asked for (all built ones by default), and the cropper only when cropping', async () => {
    const tabsOf = (html: string) => [...html.matchAll(/role="tab"[^>]*data-source="([a-z_]+)"/g)].map((match) => match[1]);
    const plain = (await frame(server, { cloudName: 'demo', uploadPreset: 'preset1' })).body.toString();
    expect(tabsOf(plain)).toEqual(['local', 'url', 'camera']);
    expect(plain).not.toContain('crop.js');
    expect(plain).not.toContain('data-crop-step');
    const chosen = (await frame(server, { cloudName: 'demo', uploadPreset: 'preset1', sources: ['camera', 'dropbox', 'local'], defaultSource: 'camera', cropping: true })).body.toString();
    expect(tabsOf(chosen)).toEqual(['camera', 'local']);
    expect(chosen).toMatch(/id="uw-tab-camera"[^>]*aria-selected="true"/);
    expect(chosen).toMatch(/<section[^>]*id="uw-panel-local"[^>]*hidden/);
    const scripts = [...chosen.matchAll(/<script nonce="[^"]+" src="([^"]+)"/g)].map((match) => match[1]!.replace(/\?.*/, ''));
    expect(scripts).toEqual(['/widget/assets/crop.js', '/widget/assets/frame.js']);
    expect(chosen).toContain('data-crop-step');
    expect((await request(`${server.url}/widget/assets/crop.js`, { method: 'GET' })).status).toBe(200);
  });

  it('shows configuration problems in the frame instead of failing silently', async () => {
    const unknownCloud = (await frame(server, { cloudName: 'other', uploadPreset: 'preset1' })).body.toString();
    expect(unknownCloud).toContain('Unknown cloud name other.');
    expect(configOf(unknownCloud).fatal).toBe(true);
    const noPreset = (await frame(server, { cloudName: 'demo' })).body.toString();
    expect(noPreset).toContain('Set uploadPreset (an unsigned preset) or a signature option to upload.');
    const withSignature = (await frame(server, { cloudName: 'demo' }, { callbacks: 'signature' })).body.toString();
    expect(configOf(withSignature).fatal).toBe(false);
    const lyingOrigin = await frame(server, { cloudName: 'demo', uploadPreset: 'preset1' }, { headerOrigin: 'https://attacker.test' });
    expect(configOf(lyingOrigin.body.toString()).fatal).toBe(true);
    expect(String(lyingOrigin.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
  });

  it('refuses origins outside allowedOrigins', async () => {
    const body = new URLSearchParams({ options: '{"cloudName":"demo","uploadPreset":"preset1"}', origin: 'https://elsewhere.test', widgetId: 'widget_1' }).toString();
    const response = await request(`${signing.url}/widget/frame`, { headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) }, body });
    expect(configOf(response.body.toString())).toMatchObject({ fatal: true, signing: null });
    expect(String(response.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
  });

  it('serves the loader at Cloudinary\'s paths with caching headers', async () => {
    for (const path of ['/latest/global/all.js', '/global/all.js', '/v2.0/global/all.js']) {
      const response = await request(`${server.url}${path}`, { method: 'GET' });
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/javascript/);
      expect(response.headers['cache-control']).toMatch(/max-age=\d+/);
      const again = await request(`${server.url}${path}`, { method: 'GET', headers: { 'if-none-match': String(response.headers.etag) } });
      expect(again.status).toBe(304);
    }
    expect((await request(`${server.url}/widget/assets/../../package.json`, { method: 'GET' })).status).toBe(404);
    expect((await request(`${server.url}/widget/assets/secrets.json`, { method: 'GET' })).status).toBe(404);
  });
});

describe('/api/sign', () => {
  const sign = async (params: Record<string, unknown>, headers: Record<string, string>) => {
    const body = JSON.stringify(params);
    return request(`${signing.url}/api/sign`, { headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers }, body });
  };
  const token = async () => configOf((await frame(signing, { cloudName: 'demo' })).body.toString()).signing.token as string;

  it('is off unless the operator enables it', async () => {
    expect((await request(`${server.url}/api/sign`, { body: '{}', headers: { 'content-type': 'application/json', 'content-length': 2, origin: server.url } })).status).toBe(404);
  });

  it('signs allow-listed params for a rendered frame, with the server timestamp and forced folder', async () => {
    const frameToken = await token();
    const response = await sign({ source: 'uw', folder: 'mine', tags: 'a,b' }, { origin: signing.url, 'x-updraft-frame-token': frameToken });
    expect(response.status).toBe(200);
    const { fields } = response.json as { fields: Record<string, string> };
    expect(fields).toMatchObject({ source: 'uw', folder: 'from-widget', tags: 'a,b', api_key: TEST_ACCOUNT.apiKey });
    expect(Math.abs(Number(fields.timestamp) - Date.now() / 1000)).toBeLessThan(5);
    const { signature, api_key: _key, ...signed } = fields;
    expect(signature).toBe(signParams(signed, TEST_ACCOUNT.apiSecret));
  });

  it('refuses missing tokens, other origins, unsignable params, smuggling, and floods', async () => {
    const frameToken = await token();
    expect((await sign({ source: 'uw' }, { origin: signing.url })).status).toBe(403);
    expect((await sign({ source: 'uw' }, { origin: signing.url, 'x-updraft-frame-token': `${frameToken}x` })).status).toBe(403);
    expect((await sign({ source: 'uw' }, { origin: HOST, 'x-updraft-frame-token': frameToken })).status).toBe(403);
    const forbidden = await sign({ overwrite: 'true' }, { origin: signing.url, 'x-updraft-frame-token': frameToken });
    expect([forbidden.status, forbidden.json.error.code]).toEqual([400, 'param_not_allowed']);
    const smuggled = await sign({ public_id: 'x&overwrite=true' }, { origin: signing.url, 'x-updraft-frame-token': frameToken });
    expect([smuggled.status, smuggled.json.error.code]).toEqual([400, 'invalid_param']);
    const flood = await Promise.all(Array.from({ length: 4 }, () => sign({ source: 'uw' }, { origin: signing.url, 'x-updraft-frame-token': frameToken })));
    const limited = flood.find((response) => response.status === 429);
    expect(limited?.headers['retry-after']).toMatch(/^\d+$/);
  });
});

describe('/demo/sign', () => {
  const demoSign = (params: Record<string, unknown>, origin: string) => {
    const body = JSON.stringify(params);
    return request(`${server.url}/demo/sign`, { headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), origin }, body });
  };
  const now = () => String(Math.floor(Date.now() / 1000));

  it('signs the widget\'s parameters for the demo page only', async () => {
    const params = { source: 'uw', timestamp: now() };
    const ok = await demoSign(params, server.url);
    expect(ok.body.toString()).toBe(signParams(params, TEST_ACCOUNT.apiSecret));
    expect((await demoSign(params, HOST)).status).toBe(403);
    expect((await demoSign({ ...params, overwrite: 'true' }, server.url)).status).toBe(400);
    expect((await demoSign({ source: 'uw', timestamp: '1315060510' }, server.url)).status).toBe(400);
  });
});
