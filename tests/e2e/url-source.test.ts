import sharp from 'sharp';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startPageServer, until, type PageServer } from '../helpers/browser.ts';
import { basicAuth, request } from '../helpers/http.ts';
import { sha256 } from '../helpers/fixtures.ts';
import { startTestServer, TEST_ACCOUNT, type TestServer } from '../helpers/test-server.ts';
import { openPage, recordedEvents, waitForEvent, widgetFrame, widgetHostPage } from '../helpers/widget-page.ts';
import { responseSignature } from '../../server/services/signing.ts';

// The Web Address tab in a real browser: the host page, the widget server and the "web" that serves the files
// are three origins. The widget server allow-lists 127.0.0.1 for its fetcher (the files' server), nothing else.

let server: TestServer;
let host: PageServer;
let web: PageServer;
let browser: Browser;
let sunset: Buffer;
const notes = Buffer.from('Shopping list\n- milk\n- bread\n');

beforeAll(async () => {
  server = await startTestServer({ file: { remoteFetch: { allowAddresses: ['127.0.0.1'] } } });
  host = await startPageServer();
  web = await startPageServer();
  sunset = await sharp({ create: { width: 320, height: 200, channels: 3, background: '#e07030', noise: { type: 'gaussian', mean: 120, sigma: 30 } } })
    .jpeg({ quality: 85 })
    .toBuffer();
  serveStatic(web, '/photos/sunset.jpg', sunset, 'image/jpeg');
  serveStatic(web, '/docs/notes.txt', notes, 'text/plain; charset=utf-8');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([host?.close(), web?.close(), server?.close()]);
});

/** Like a static file server: Content-Length on GET and HEAD. */
function serveStatic(server: PageServer, path: string, body: Buffer, type: string) {
  server.route(path, (req, res) => void res.writeHead(200, { 'content-type': type, 'content-length': body.length }).end(req.method === 'HEAD' ? undefined : body));
}

const storedImages = async () =>
  (await request(`${server.url}/v1_1/demo/resources/image?max_results=500`, { method: 'GET', headers: { authorization: basicAuth() } })).json.resources as { public_id: string }[];

/** A host page with the widget open on the Web Address tab. */
async function openOnWebAddress(options: Record<string, unknown>): Promise<{ page: Page; frame: Frame }> {
  const page = await openPage(
    browser,
    widgetHostPage(host, server.url, '', `window.w = cloudinary.createUploadWidget(${JSON.stringify({ cloudName: 'demo', uploadPreset: 'preset1', ...options })}, record); w.open();`),
  );
  const frame = await widgetFrame(page, server.url);
  await frame.locator('[role="tab"][data-source="url"]').click();
  return { page, frame };
}

async function enterAddress(frame: Frame, url: string) {
  await frame.locator('[data-url-input]').fill(url);
  await frame.locator('[data-url-input]').press('Enter');
}

describe('Web Address in the widget', () => {
  it('previews an image with its proxied thumbnail, then uploads it: exact bytes, the events of a local file', async () => {
    const { page, frame } = await openOnWebAddress({ sources: ['local', 'url'] });
    const url = `${web.url}/photos/sunset.jpg`;
    await enterAddress(frame, url);

    const preview = frame.locator('[data-url-preview]');
    await preview.waitFor();
    expect(await preview.locator('[data-url-name]').textContent()).toBe('sunset.jpg');
    expect(await preview.locator('[data-url-type]').textContent()).toBe('image/jpeg');
    expect(await preview.locator('[data-url-size]').textContent()).toMatch(/^[\d.]+ KB$/);
    const thumbnail = preview.locator('img[data-url-thumb]');
    await until(() => thumbnail.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0), 5_000, 'the thumbnail to load');
    expect(await thumbnail.evaluate((image: HTMLImageElement) => [image.naturalWidth, image.naturalHeight])).toEqual([240, 150]);
    expect(await thumbnail.isVisible()).toBe(true);
    expect(new URL((await thumbnail.getAttribute('src'))!, server.url).origin).toBe(server.url);
    // Focus moves to the Upload button; the status line says what was found.
    expect(await frame.evaluate(() => document.activeElement?.hasAttribute('data-url-confirm'))).toBe(true);
    expect(await frame.locator('[data-url-status]').textContent()).toContain('sunset.jpg');

    await preview.locator('[data-url-confirm]').click();
    await waitForEvent(page, 'queues-end');
    const events = await recordedEvents(page);
    const names = events.map((entry) => entry.event);
    expect(names.slice(names.indexOf('upload-added'))).toEqual(['upload-added', 'queues-start', 'success', 'queues-end']);
    expect(events.find((entry) => entry.event === 'upload-added')!.info).toMatchObject({
      id: 'uw-file1',
      file: { name: 'sunset.jpg', size: sunset.length, type: 'image/jpeg', lastModified: null },
    });

    const success = events.find((entry) => entry.event === 'success')!.info!;
    expect(success).toMatchObject({ id: 'uw-file1', batchId: 'uw-batch1', width: 320, height: 200, format: 'jpg', bytes: sunset.length, resource_type: 'image', original_filename: 'sunset' });
    const stored = Buffer.from(await (await fetch(String(success.secure_url))).arrayBuffer());
    expect(sha256(stored)).toBe(sha256(sunset));
    const resource = await request(`${server.url}/v1_1/demo/resources/image/upload/${success.public_id}`, { method: 'GET', headers: { authorization: basicAuth() } });
    expect(resource.json).toMatchObject({ bytes: sunset.length, width: 320, height: 200 });
    // The widget server fetched the file (HEAD for the preview, then GET for the thumbnail and the upload).
    expect(web.requests.filter((req) => req.path === '/photos/sunset.jpg').map((req) => req.method)).toContain('HEAD');
    await page.close();
  });

  it('refuses a loopback address that is not allow-listed, in the tab, and stores nothing', async () => {
    const before = await storedImages();
    const { page, frame } = await openOnWebAddress({});
    await enterAddress(frame, `http://127.0.0.2:${new URL(web.url).port}/photos/sunset.jpg`);
    const problem = frame.locator('#uw-panel-url [data-url-problem]');
    await problem.waitFor();
    expect(await problem.textContent()).toBe('Files cannot be uploaded from this address: it belongs to a private or local network, or uses a blocked port.');
    expect(await problem.getAttribute('role')).toBe('alert');
    const input = frame.locator('[data-url-input]');
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    expect(await input.getAttribute('aria-describedby')).toBe(await problem.getAttribute('id'));
    expect(await frame.evaluate(() => document.activeElement?.hasAttribute('data-url-input'))).toBe(true);
    expect(await frame.locator('[data-url-confirm]').count()).toBe(0);
    await page.waitForTimeout(300);
    expect((await recordedEvents(page)).map((entry) => entry.event)).not.toContain('upload-added');
    expect(await storedImages()).toEqual(before);
    await page.close();
  });

  it('refuses a type the widget does not allow (clientAllowedFormats) in the tab, before anything is queued', async () => {
    const before = await storedImages();
    const { page, frame } = await openOnWebAddress({ clientAllowedFormats: ['png', 'txt'] });
    await enterAddress(frame, `${web.url}/photos/sunset.jpg`);
    await frame.locator('[data-url-preview]').waitFor();
    await frame.locator('[data-url-confirm]').click();
    const check = frame.locator('[data-url-preview] [data-url-check]');
    await until(() => check.isVisible(), 3_000, 'the refusal in the tab');
    expect(await check.textContent()).toBe('sunset.jpg: File format not allowed');
    expect(await frame.locator('[data-queue]').isHidden()).toBe(true);

    // Change address: a file of an allowed type goes through; its name, size and type are what the server saw.
    await frame.locator('[data-url-change]').click();
    expect(await frame.locator('[data-url-input]').inputValue()).toBe('');
    await enterAddress(frame, `${web.url}/docs/notes.txt`);
    await frame.locator('[data-url-preview]').waitFor();
    expect(await frame.locator('[data-url-thumb]').count()).toBe(0);
    await frame.locator('[data-url-confirm]').click();
    const success = await waitForEvent(page, 'success');
    const added = (await recordedEvents(page)).filter((entry) => entry.event === 'upload-added');
    expect(added.map((entry) => entry.info!.file)).toEqual([{ name: 'notes.txt', size: notes.length, type: 'text/plain', lastModified: null }]);
    expect(success.info).toMatchObject({ resource_type: 'raw', bytes: notes.length });
    expect(Buffer.from(await (await fetch(String(success.info!.secure_url))).arrayBuffer()).equals(notes)).toBe(true);
    expect(await storedImages()).toEqual(before);
    await page.close();
  });
});

describe('the hosted page without JavaScript', () => {
  it('uploads a Web Address through the server and lists it; a refused address is explained', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.url}/widget/embed?cloudName=demo&uploadPreset=preset1`);
    await page.locator('#embed-url').fill(`${web.url}/photos/sunset.jpg`);
    await page.locator('button[type="submit"]').click();
    await page.waitForURL(/[?&]r=/);
    const identifier = await page.locator('[data-identifier]').inputValue();
    const match = /^image\/upload\/v(\d+)\/(.+)\.jpg#([0-9a-f]{40})$/.exec(identifier);
    expect(match, identifier).not.toBeNull();
    expect(match![3]).toBe(responseSignature(match![2]!, Number(match![1]), TEST_ACCOUNT.apiSecret));
    const resource = await request(`${server.url}/v1_1/demo/resources/image/upload/${match![2]}`, { method: 'GET', headers: { authorization: basicAuth() } });
    expect(resource.json).toMatchObject({ bytes: sunset.length, width: 320, height: 200 });
    expect(sha256(Buffer.from(await (await fetch(resource.json.secure_url)).arrayBuffer()))).toBe(sha256(sunset));

    const before = await storedImages();
    await page.locator('#embed-url').fill('http://10.0.0.1/secret.jpg');
    await page.locator('button[type="submit"]').click();
    await page.locator('[data-errors]').waitFor();
    expect(await page.locator('[data-errors]').textContent()).toBe(
      'http://10.0.0.1/secret.jpg: Files cannot be uploaded from this address: it belongs to a private or local network, or uses a blocked port.',
    );
    // The earlier result is still listed; nothing new was stored.
    expect(await page.locator('[data-identifier]').count()).toBe(1);
    expect(await storedImages()).toEqual(before);
    await context.close();
  });
});
