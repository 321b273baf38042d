import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startPageServer, until, type PageServer } from '../helpers/browser.ts';
import { openPage, recordedEvents, waitForEvent, widgetFrame as frameOf, widgetHostPage } from '../helpers/widget-page.ts';
import { basicAuth, request } from '../helpers/http.ts';
import { pseudoRandomBytes, sha256, tempDir } from '../helpers/fixtures.ts';
import { startTestServer, TEST_ACCOUNT, type TestServer } from '../helpers/test-server.ts';
import { responseSignature, signParams } from '../../server/services/signing.ts';

// The real widget (loader + frame + uploader) against the real server, with every host page served from a
// DIFFERENT origin than the widget, as on a real site. The seed guide's samples run with only the script URL
// changed.

let server: TestServer;
let host: PageServer;
let browser: Browser;
const files = tempDir('updraft-e2e-');
let photo: string;
let photoBytes: Buffer;

beforeAll(async () => {
  server = await startTestServer();
  host = await startPageServer();
  browser = await launchBrowser();
  photoBytes = await sharp({ create: { width: 320, height: 200, channels: 3, background: '#3366cc' } }).jpeg().toBuffer();
  photo = join(files, 'photo.jpg');
  writeFileSync(photo, photoBytes);
});
afterAll(async () => {
  await browser?.close();
  await host?.close();
  await server?.close();
});

/** A host page loading the widget's all.js, recording every callback in window.events. */
const hostPage = (body: string, script: string) => widgetHostPage(host, server.url, body, script);
const open = (url: string) => openPage(browser, url);
const widgetFrame = (page: Page) => frameOf(page, server.url);
const events = recordedEvents;
const eventNames = async (page: Page) => (await events(page)).map((entry) => entry.event);
const storedCount = async () => (await request(`${server.url}/v1_1/demo/resources/image?max_results=500`, { method: 'GET', headers: { authorization: basicAuth() } })).json.resources.length as number;

describe('the guide quick example, on a host page of another origin', () => {
  it('uploads a real file; events arrive in order; the success info is the stored asset', async () => {
    const page = await open(
      hostPage(
        '<button id="upload_widget" class="cloudinary-button">Upload files</button>',
        `var myWidget = cloudinary.createUploadWidget({
  cloudName: 'demo', 
  uploadPreset: 'preset1'}, (error, result) => { 
    record(error, result);
    if (!error && result && result.event === "success") { 
      console.log('Done! Here is the image info: ', result.info); 
    }
  }
)

document.getElementById("upload_widget").addEventListener("click", function(){
    myWidget.open();
  }, false);`,
      ),
    );
    expect(new URL(page.url()).origin).not.toBe(server.url);
    await page.click('#upload_widget');
    const frame = await widgetFrame(page);
    await frame.locator('[data-file-input]').setInputFiles(photo);
    await waitForEvent(page, 'queues-end');
    expect(await eventNames(page)).toEqual(['display-changed', 'upload-added', 'queues-start', 'success', 'queues-end']);

    const success = (await events(page)).find((entry) => entry.event === 'success')!.info!;
    expect(success).toMatchObject({ id: 'uw-file1', batchId: 'uw-batch1', width: 320, height: 200, format: 'jpg', bytes: photoBytes.length, resource_type: 'image', existing: false, original_filename: 'photo' });
    expect(success.path).toBe(`v${success.version}/${success.public_id}.jpg`);
    expect(success.thumbnail_url).toBe(String(success.secure_url).replace(`/v${success.version}/`, `/c_limit,h_60,w_90/v${success.version}/`));
    const stored = Buffer.from(await (await fetch(String(success.secure_url))).arrayBuffer());
    expect(sha256(stored)).toBe(sha256(photoBytes));
    const thumbnail = await sharp(Buffer.from(await (await fetch(String(success.thumbnail_url))).arrayBuffer())).metadata();
    expect([thumbnail.width, thumbnail.height]).toEqual([90, 56]);
    const resource = await request(`${server.url}/v1_1/demo/resources/image/upload/${success.public_id}`, { method: 'GET', headers: { authorization: basicAuth() } });
    expect(resource.json).toMatchObject({ bytes: photoBytes.length, width: 320, height: 200, version: success.version });

    const item = frame.locator('.uw-item');
    await expect.poll(() => item.getAttribute('data-status')).toBe('done');
    expect(await item.locator('[data-item-thumb]').getAttribute('src')).toBe(success.thumbnail_url);
    await page.close();
  });
});

describe('host callbacks and page integration', () => {
  it('preBatch can cancel a batch: nothing is uploaded', async () => {
    const topSecret = join(files, 'TopSecret');
    writeFileSync(topSecret, photoBytes);
    const before = await storedCount();
    const page = await open(
      hostPage(
        '',
        `window.w = cloudinary.createUploadWidget({
  cloudName: "demo", uploadPreset: "preset1",
  preBatch: (cb, data) => {
    if (data.files[0].name === "TopSecret") {
      cb({cancel: true}); 
    }
    else { 
      cb(); 
    }
  }}, (error, result) => { record(error, result); });
w.open();`,
      ),
    );
    const frame = await widgetFrame(page);
    await frame.locator('[data-file-input]').setInputFiles(topSecret);
    const cancelled = await waitForEvent(page, 'batch-cancelled');
    expect(cancelled.info).toEqual({ reason: 'PREBATCH_CANCEL' });
    await page.waitForTimeout(300);
    expect(await eventNames(page)).not.toContain('upload-added');
    expect(await storedCount()).toBe(before);
    await page.close();
  });

  it('applyUploadWidget in a form: hidden field with the signed identifier, thumbnails, delete by token', async () => {
    const page = await open(
      hostPage(
        '<form id="f" action="/never"><input name="photo" id="opener"><button type="submit">Save</button></form>',
        `cloudinary.applyUploadWidget(document.getElementById('opener'), { cloudName: 'demo', uploadPreset: 'preset1', return_delete_token: true }, record);`,
      ),
    );
    await page.click('a.cloudinary-button');
    const frame = await widgetFrame(page);
    await frame.locator('[data-file-input]').setInputFiles(photo);
    const { info } = await waitForEvent(page, 'success');
    const hidden = page.locator('form#f input[type="hidden"][name="photo"]');
    const expected = `image/upload/v${info!.version}/${info!.public_id}.jpg#${responseSignature(String(info!.public_id), Number(info!.version), TEST_ACCOUNT.apiSecret)}`;
    expect(await hidden.getAttribute('value')).toBe(expected);
    const thumbnail = page.locator('ul.cloudinary-thumbnails li.cloudinary-thumbnail img');
    expect(await thumbnail.getAttribute('src')).toBe(info!.thumbnail_url);
    expect(info!.delete_token).toMatch(/^[0-9a-f]{64}$/);

    await page.keyboard.press('Escape');
    await waitForEvent(page, 'close');
    await page.locator('a.cloudinary-delete').click();
    await until(async () => (await page.locator('li.cloudinary-thumbnail').count()) === 0, 5000, 'thumbnail removed');
    expect(await hidden.count()).toBe(0);
    expect((await fetch(String(info!.secure_url))).status).toBe(404);
    await page.close();
  });

  it('signs through an uploadSignature function that asks the host server', async () => {
    const signed: Record<string, string>[] = [];
    host.route('/my_generate_signature', (req, res) => {
      const params = JSON.parse(req.body.toString()) as Record<string, string>;
      signed.push(params);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(signParams(params, TEST_ACCOUNT.apiSecret));
    });
    const page = await open(
      hostPage(
        '<button id="upload_widget_opener">Upload</button>',
        `var generateSignature = function(callback, params_to_sign){
  fetch('/my_generate_signature', { method: 'POST', body: JSON.stringify(params_to_sign) })
    .then(function (response) { return response.text(); })
    .then(function (signature) { callback(signature); });
};
cloudinary.applyUploadWidget(document.getElementById('upload_widget_opener'), 
  { api_key : "${TEST_ACCOUNT.apiKey}", cloudName: "demo", uploadSignature: generateSignature, folder: "signed" }, 
  (error, result) => { record(error, result); });`,
      ),
    );
    await page.click('a.cloudinary-button');
    const frame = await widgetFrame(page);
    await frame.locator('[data-file-input]').setInputFiles(photo);
    const { info } = await waitForEvent(page, 'success');
    expect(String(info!.public_id)).toMatch(/^signed\//);
    expect(signed).toHaveLength(1);
    expect(Object.keys(signed[0]!).sort()).toEqual(['folder', 'source', 'timestamp']);
    expect(signed[0]!.source).toBe('uw');
    await page.close();
  });

  it('prepareUploadParams sets per-file parameters', async () => {
    const page = await open(
      hostPage(
        '',
        `window.w = cloudinary.openUploadWidget({
  upload_preset: "preset1",
  cloud_name: "demo",
  prepareUploadParams: (cb, params) => { cb({ publicId: 'prepared/' + params.filename.replace(/\\.[^.]+$/, ''), tags: ['from-prepare'] }); }
}, record);`,
      ),
    );
    const frame = await widgetFrame(page);
    await frame.locator('[data-file-input]').setInputFiles(photo);
    const { info } = await waitForEvent(page, 'success');
    expect(info).toMatchObject({ public_id: 'prepared/photo', tags: ['from-prepare'] });
    await page.close();
  });
});

describe('large files', () => {
  it('sends a 26 MB file in 6 MB parts, byte-identical, also when one part\'s connection drops once', async () => {
    const data = pseudoRandomBytes(26 * 1024 * 1024, 26);
    const big = join(files, 'big.bin');
    writeFileSync(big, data);
    const page = await open(hostPage('', `window.w = cloudinary.openUploadWidget({ cloudName: 'demo', uploadPreset: 'preset1', maxChunkSize: 6000000, resourceType: 'raw' }, record);`));
    const ranges: string[] = [];
    let dropped = false;
    await page.route(`${server.url}/v1_1/**`, async (route) => {
      const range = route.request().headers()['content-range'] ?? '';
      ranges.push(range);
      if (!dropped && range.startsWith('bytes 6000000-')) {
        dropped = true;
        await route.abort('connectionreset');
        return;
      }
      await route.continue();
    });
    const frame = await widgetFrame(page);
    await frame.locator('[data-file-input]').setInputFiles(big);
    const { info } = await waitForEvent(page, 'success', 60_000);
    expect(dropped).toBe(true);
    expect(ranges.filter((range) => range.startsWith('bytes 6000000-'))).toHaveLength(2);
    expect(ranges).toHaveLength(6);
    expect(ranges.at(-1)).toBe(`bytes 24000000-${data.length - 1}/${data.length}`);
    expect(info).toMatchObject({ bytes: data.length, resource_type: 'raw' });
    const stored = Buffer.from(await (await fetch(String(info!.secure_url))).arrayBuffer());
    expect(sha256(stored)).toBe(sha256(data));
    expect((await eventNames(page)).filter((name) => name === 'success')).toHaveLength(1);
    await page.close();
  });
});

describe('presentation', () => {
  it('inlineContainer renders in place, without a dialog', async () => {
    const page = await open(hostPage('<div id="here"></div>', `window.w = cloudinary.createUploadWidget({ cloudName: 'demo', uploadPreset: 'preset1', inlineContainer: '#here' }, record); w.open();`));
    const frame = await widgetFrame(page);
    expect(await page.locator('#here iframe').count()).toBe(1);
    expect(await page.locator('dialog[open]').count()).toBe(0);
    await frame.locator('[data-file-input]').setInputFiles(photo);
    await waitForEvent(page, 'success');
    await page.close();
  });

  it('Escape closes with a close event and focus returns to the opener', async () => {
    const page = await open(
      hostPage('<button id="opener">Upload</button>', `window.w = cloudinary.createUploadWidget({ cloudName: 'demo', uploadPreset: 'preset1' }, record); document.getElementById('opener').onclick = function () { w.open(); };`),
    );
    await page.click('#opener');
    const frame = await widgetFrame(page);
    await until(() => frame.evaluate(() => document.activeElement?.getAttribute('role') === 'tab'), 5000, 'focus inside the frame');
    await page.keyboard.press('Escape');
    await waitForEvent(page, 'close');
    expect((await events(page)).find((entry) => entry.event === 'close')!.info).toEqual({ message: 'user closed the widget' });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('opener');
    expect(await page.evaluate(() => (window as unknown as { w: { isShowing(): boolean } }).w.isShowing())).toBe(false);
    await page.close();
  });
});

describe('validation before any byte moves', () => {
  it('too-large and wrong-format files get the widget\'s messages and nothing is uploaded', async () => {
    const png = join(files, 'big.png');
    writeFileSync(png, await sharp({ create: { width: 200, height: 200, channels: 3, background: '#f00', noise: { type: 'gaussian', mean: 100, sigma: 40 } } }).png().toBuffer());
    const before = await storedCount();
    const page = await open(hostPage('', `window.w = cloudinary.openUploadWidget({ cloudName: 'demo', uploadPreset: 'preset1', maxFileSize: 1000, clientAllowedFormats: ['png'] }, record);`));
    const frame = await widgetFrame(page);
    await frame.locator('[data-file-input]').setInputFiles([photo, png]);
    const message = frame.locator('[data-message]');
    await until(() => message.isVisible(), 5000, 'validation message');
    const text = await message.textContent();
    expect(text).toContain('photo.jpg: File format not allowed');
    expect(text).toMatch(/big\.png: File size \([\d.]+ KB\) exceeds maximum allowed \(1000 Bytes\)/);
    await page.waitForTimeout(300);
    expect(await eventNames(page)).not.toContain('upload-added');
    expect(await storedCount()).toBe(before);
    await page.close();
  });

  it('maxFiles cancels an oversized batch', async () => {
    const page = await open(hostPage('', `window.w = cloudinary.openUploadWidget({ cloudName: 'demo', uploadPreset: 'preset1', maxFiles: 1 }, record);`));
    const frame = await widgetFrame(page);
    const second = join(files, 'second.jpg');
    writeFileSync(second, photoBytes);
    await frame.locator('[data-file-input]').setInputFiles([photo, second]);
    expect((await waitForEvent(page, 'batch-cancelled')).info).toEqual({ reason: 'MAX_EXCEEDED' });
    expect(await frame.locator('[data-message]').textContent()).toBe('Maximum number of files exceeded');
    await page.close();
  });

  it('a file name with markup is shown as text; an upload refused by the API reports the error shape', async () => {
    const hostile = join(files, '<img src=x onerror=alert(1)>.jpg');
    writeFileSync(hostile, photoBytes);
    const page = await open(hostPage('', `window.w = cloudinary.openUploadWidget({ cloudName: 'demo', uploadPreset: 'no_such_preset' }, record);`));
    const frame = await widgetFrame(page);
    await frame.locator('[data-file-input]').setInputFiles(hostile);
    const failure = await waitForEvent(page, 'upload-error');
    expect(failure.error).toEqual({ status: 'Error', statusText: 'Upload preset not found' });
    expect(await frame.locator('.uw-item [data-item-name]').textContent()).toBe('<img src=x onerror=alert(1)>.jpg');
    expect(await frame.locator('img[src="x"]').count()).toBe(0);
    expect(await frame.locator('.uw-item [data-item-error]').textContent()).toBe('Upload preset not found');
    expect(await frame.locator('.uw-item [data-item-action="retry"]').isVisible()).toBe(true);
    await page.close();
  });
});

describe('the demo page', () => {
  it('runs the quick example against this server and logs the events', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.click('#upload_widget');
    const frame = await widgetFrame(page);
    await frame.locator('[data-file-input]').setInputFiles(photo);
    await until(async () => (await page.locator('#events-log').textContent())?.includes('[quick] success'), 15_000, 'demo log');
    await page.close();
  });
});

describe('queue controls and advanced options', () => {
  it('a failed file can be retried; show-completed lists what is done', async () => {
    const page = await open(hostPage('', `window.w = cloudinary.openUploadWidget({ cloudName: 'demo', uploadPreset: 'preset1', showCompletedButton: true }, record);`));
    let failedOnce = false;
    await page.route(`${server.url}/v1_1/**`, async (route) => {
      if (!failedOnce) {
        failedOnce = true;
        await route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: { message: 'Refused once for the test' } }) });
        return;
      }
      await route.continue();
    });
    const frame = await widgetFrame(page);
    await frame.locator('[data-file-input]').setInputFiles(photo);
    expect((await waitForEvent(page, 'upload-error')).error).toEqual({ status: 'Error', statusText: 'Refused once for the test' });
    await frame.locator('.uw-item [data-item-action="retry"]').click();
    const { info } = await waitForEvent(page, 'success');
    expect((await events(page)).find((entry) => entry.event === 'retry')!.info).toEqual({ ids: ['uw-file1'], all: false });
    await frame.locator('[data-action="show-completed"]').click();
    const completed = await waitForEvent(page, 'show-completed');
    expect(completed.info).toMatchObject({ items: [{ id: 'uw-file1', done: true, uploadInfo: { public_id: info!.public_id } }] });
    await page.close();
  });

  it('abort stops an upload in flight and reports its id', async () => {
    const page = await open(hostPage('', `window.w = cloudinary.openUploadWidget({ cloudName: 'demo', uploadPreset: 'preset1' }, record);`));
    let release: () => void = () => undefined;
    await page.route(`${server.url}/v1_1/**`, async (route) => {
      await new Promise<void>((resolve) => (release = resolve));
      await route.continue().catch(() => undefined);
    });
    const frame = await widgetFrame(page);
    await frame.locator('[data-file-input]').setInputFiles(photo);
    await waitForEvent(page, 'queues-start');
    await frame.locator('.uw-item [data-item-action="abort"]').click();
    expect((await waitForEvent(page, 'abort')).info).toEqual({ ids: ['uw-file1'], all: false });
    release();
    await waitForEvent(page, 'queues-end');
    expect(await frame.locator('.uw-item').getAttribute('data-status')).toBe('aborted');
    expect(await eventNames(page)).not.toContain('success');
    await page.close();
  });

  it('advanced options send public id and tags, with suggestions from getTags', async () => {
    const page = await open(
      hostPage(
        '',
        `const tags = ["beach", "vacation", "weather"];
const getMyTags = (cb, prefix) => cb(prefix ? tags.filter((t) => !t.indexOf(prefix)) : tags);
window.w = cloudinary.openUploadWidget({ cloudName: "demo", uploadPreset: "preset1", showAdvancedOptions: true, getTags: getMyTags }, record);`,
      ),
    );
    const frame = await widgetFrame(page);
    await frame.locator('.uw-advanced summary').click();
    await frame.locator('[data-advanced-public-id]').fill('advanced/chosen');
    await frame.locator('[data-advanced-public-id]').press('Tab');
    const tagsInput = frame.locator('[data-advanced-tags]');
    await tagsInput.pressSequentially('va');
    await until(async () => (await frame.locator('#uw-tag-suggestions option').count()) === 1, 5000, 'tag suggestions');
    expect(await frame.locator('#uw-tag-suggestions option').getAttribute('value')).toBe('vacation');
    await tagsInput.fill('vacation, sea');
    await tagsInput.press('Tab');
    expect((await waitForEvent(page, 'publicid')).info).toEqual({ id: 'advanced/chosen' });
    expect((await waitForEvent(page, 'tags')).info).toEqual({ tags: ['vacation', 'sea'] });
    await frame.locator('[data-file-input]').setInputFiles(photo);
    expect((await waitForEvent(page, 'success')).info).toMatchObject({ public_id: 'advanced/chosen', tags: ['vacation', 'sea'] });
    await page.close();
  });
});

describe('another Cloudinary-compatible upload target', () => {
  it('with UPLOAD_TARGET set, the widget uploads to that API (here a second Updraft), not to its own server', async () => {
    const remote = await startTestServer({ account: { cloudName: 'remotecloud', apiKey: '555555555555555', apiSecret: 'remote-secret-xxxxxxxxxxxxx' } });
    const widgetOnly = await startTestServer({ uploadTarget: { kind: 'remote', apiBase: remote.url }, account: { cloudName: 'remotecloud', apiKey: '555555555555555', apiSecret: 'remote-secret-xxxxxxxxxxxxx' } });
    try {
      const page = await browser.newPage();
      await page.goto(
        host.page(`<!doctype html><script src="${widgetOnly.url}/latest/global/all.js"></script><script>
          window.events = []; window.record = function (e, r) { window.events.push({ error: e || null, event: r && r.event, info: r && r.info }); };
          window.w = cloudinary.openUploadWidget({ cloudName: 'remotecloud', uploadPreset: 'preset1' }, record);</script>`),
      );
      const frame = await until(async () => {
        for (const candidate of page.frames()) {
          if (candidate.url().startsWith(widgetOnly.url) && (await candidate.evaluate(() => document.documentElement.dataset.uwReady === 'true').catch(() => false))) return candidate;
        }
        return null;
      }, 10_000, 'frame');
      await frame.locator('[data-file-input]').setInputFiles(photo);
      const { info } = await waitForEvent(page, 'success');
      expect(String(info!.secure_url).startsWith(`${remote.url}/res/remotecloud/`)).toBe(true);
      expect((await fetch(String(info!.secure_url))).status).toBe(200);
      expect((await request(`${widgetOnly.url}/v1_1/remotecloud/image/upload`, { method: 'POST' })).status).toBe(404);
      await page.close();
    } finally {
      await widgetOnly.close();
      await remote.close();
    }
  });
});
