import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRequestListener } from '@hono/node-server';
import { createUpdraft, verifyUploadField, type Updraft } from 'updraft';
import { createHostApp, type Submission } from '../../examples/host-app/app.tsx';
import { launchBrowser, until } from '../helpers/browser.ts';
import { request } from '../helpers/http.ts';
import { sha256, tempDir } from '../helpers/fixtures.ts';

// The example host app (examples/host-app) with Updraft mounted in it at /uploads through createUpdraft, served
// on a real port: the same form with JavaScript off (the file reaches the host, which forwards it with the
// official SDK) and on (the widget uploads, the host receives and verifies only the identifier).

const UPLOADED_FIELD = /^image\/upload\/v\d+\/records\/[a-z0-9]{20}\.jpg#[0-9a-f]{40}$/;
const texts = (await import('../../locales/en.json', { with: { type: 'json' } })).default.updraft;

let server: Server;
let origin: string;
let updraft: Updraft;
let browser: Browser;
const submissions: Submission[] = [];
let photo: string;
let photoBytes: Buffer;

beforeAll(async () => {
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  updraft = createUpdraft({
    publicUrl: `${origin}/uploads`,
    dataDir: tempDir('updraft-host-'),
    durability: 'os',
    presets: [{ name: 'records', unsigned: true, settings: { folder: 'records' } }],
  });
  const { app } = createHostApp({
    updraftUrl: updraft.config.publicUrl,
    account: updraft.config.account,
    uploadPreset: 'records',
    mount: updraft,
    onSubmission: (submission) => void submissions.push(submission),
  });
  server.on('request', getRequestListener(app.fetch));
  browser = await launchBrowser();
  photoBytes = await sharp({ create: { width: 160, height: 120, channels: 3, background: '#2a9d8f' } }).jpeg().toBuffer();
  photo = join(tempDir('updraft-host-files-'), 'photo.jpg');
  writeFileSync(photo, photoBytes);
});
afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await updraft?.close();
});

async function open(javaScriptEnabled: boolean): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ javaScriptEnabled });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error('[pageerror]', error.message));
  await page.goto(`${origin}/`);
  return { context, page };
}

/** The widget frame (served by the mounted Updraft) once its script runs. */
function widgetFrame(page: Page): Promise<Frame> {
  return until(async () => {
    for (const frame of page.frames()) {
      if (!frame.url().startsWith(`${origin}/uploads/widget/frame`)) continue;
      if (await frame.evaluate(() => document.documentElement.dataset.uwReady === 'true').catch(() => false)) return frame;
    }
    return null;
  }, 10_000, 'the widget frame');
}

/** The page after the enhancement: the widget's button replaced the file input. */
async function enhanced(page: Page): Promise<void> {
  await page.locator('form a.cloudinary-button').waitFor({ timeout: 10_000 });
  expect(await page.locator('#photo').isDisabled()).toBe(true);
}

const hiddenField = (page: Page) => page.locator('form input[type="hidden"][name="photo"]');
const message = (page: Page) => page.locator('form .updraft-form-message');
const download = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());

/** Opens the widget from the field's button and picks the photo in the frame. */
async function pickPhoto(page: Page): Promise<Frame> {
  await page.locator('form a.cloudinary-button').click();
  const frame = await widgetFrame(page);
  await frame.locator('[data-file-input]').setInputFiles(photo);
  return frame;
}

/** Minimizes the widget to its bar (closing mid-upload would ask to abort): the form is usable again. */
async function minimize(page: Page, frame: Frame): Promise<void> {
  await frame.locator('[data-action="minimize"]').click();
  await until(() => page.locator('dialog.updraft-uw').evaluate((dialog) => dialog.classList.contains('updraft-uw-bar') && !dialog.matches(':modal')), 5000, 'the minimized widget');
}

/** Uploads the photo through the widget and closes it: the form then holds the identifier. */
async function uploadThroughWidget(page: Page): Promise<string> {
  await pickPhoto(page);
  await until(async () => (await hiddenField(page).count()) === 1, 15_000, 'the hidden field');
  await page.keyboard.press('Escape');
  await until(async () => !(await page.locator('dialog.updraft-uw').evaluate((dialog) => (dialog as HTMLDialogElement).open)), 5000, 'the widget closed');
  return (await hiddenField(page).getAttribute('value'))!;
}

describe('Updraft mounted under /uploads with createUpdraft', () => {
  it('serves the loader, the Upload API and delivery (with transformations) under the prefix only', async () => {
    expect((await request(`${origin}/uploads/latest/global/all.js`, { method: 'GET' })).status).toBe(200);
    expect((await request(`${origin}/latest/global/all.js`, { method: 'GET' })).status).toBe(404);
    const boundary = 'x-host-test';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="upload_preset"\r\n\r\nrecords\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
      photoBytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const uploaded = await request(`${origin}/uploads/v1_1/${updraft.config.account.cloudName}/image/upload`, { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body });
    expect(uploaded.status).toBe(200);
    expect(uploaded.json.secure_url).toMatch(new RegExp(`^${origin}/uploads/res/demo/image/upload/v\\d+/records/`));
    expect(sha256(await download(uploaded.json.secure_url))).toBe(sha256(photoBytes));
    const thumbnail = await sharp(await download(String(uploaded.json.secure_url).replace('/upload/', '/upload/c_scale,w_40/'))).metadata();
    expect([thumbnail.width, thumbnail.height]).toEqual([40, 30]);
    const unknown = await request(`${origin}/uploads/v1_1/demo/image/nothing`, { method: 'GET' });
    expect([unknown.status, unknown.json?.error?.code]).toEqual([404, 'not_found']);
  });
});

describe('the example host form', () => {
  it('JavaScript off: the browser posts the file; the host forwards it to Updraft with the SDK and shows the stored image', async () => {
    const { context, page } = await open(false);
    const before = submissions.length;
    expect(await page.locator('#photo').getAttribute('type')).toBe('file');
    await page.fill('#title', 'Without JavaScript');
    await page.setInputFiles('#photo', photo);
    await Promise.all([page.waitForURL(/\/records\/[0-9a-f-]+$/), page.click('button[type="submit"]')]);

    const received = submissions.slice(before);
    expect(received).toHaveLength(1);
    expect(received[0]!.files).toEqual([{ field: 'photo', filename: 'photo.jpg', mimeType: 'image/jpeg', bytes: photoBytes.length }]);
    expect(received[0]!.fields.map(([name]) => name)).not.toContain('photo');

    expect(await page.locator('h1').textContent()).toBe('Without JavaScript');
    const src = (await page.locator('img#photo').getAttribute('src'))!;
    expect(src).toMatch(new RegExp(`^${origin}/uploads/res/demo/image/upload/v\\d+/records/[a-z0-9]{20}\\.jpg$`));
    expect(sha256(await download(src))).toBe(sha256(photoBytes));
    expect(await page.locator('img#photo').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(160);
    await context.close();
  });

  it('JavaScript on: the widget uploads; the host receives only the identifier, verifies it and shows the image', async () => {
    const { context, page } = await open(true);
    await enhanced(page);
    const before = submissions.length;
    const value = await uploadThroughWidget(page);
    expect(value).toMatch(UPLOADED_FIELD);
    await page.fill('#title', 'With JavaScript');
    await Promise.all([page.waitForURL(/\/records\/[0-9a-f-]+$/), page.click('button[type="submit"]')]);

    const received = submissions.slice(before);
    expect(received).toHaveLength(1);
    expect(received[0]!.files).toEqual([]);
    expect(received[0]!.fields.filter(([name]) => name === 'photo')).toEqual([['photo', value]]);

    const parsed = verifyUploadField(value, updraft.config.account.apiSecret);
    expect(await page.locator('#public-id').textContent()).toBe(parsed.publicId);
    const src = (await page.locator('img#photo').getAttribute('src'))!;
    expect(src).toBe(`${origin}/uploads/res/demo/image/upload/v${parsed.version}/${parsed.publicId}.jpg`);
    expect(sha256(await download(src))).toBe(sha256(photoBytes));
    await context.close();
  });

  it('a tampered identifier is refused with a 400 page', async () => {
    const { context, page } = await open(true);
    await enhanced(page);
    const value = await uploadThroughWidget(page);
    const before = submissions.length;
    // Claims another asset with the genuine signature.
    const tampered = value.replace(/\/records\/[a-z0-9]{20}\.jpg#/, '/records/someone-elses-photo.jpg#');
    await hiddenField(page).evaluate((input, forged) => ((input as HTMLInputElement).value = forged), tampered);
    await page.fill('#title', 'Forged');
    const [response] = await Promise.all([page.waitForResponse((res) => res.url() === `${origin}/records` && res.request().method() === 'POST'), page.click('button[type="submit"]')]);
    expect(response.status()).toBe(400);
    await page.locator('#problem').waitFor();
    expect(await page.locator('#problem').textContent()).toContain('invalid_signature');
    expect(submissions.slice(before)[0]!.fields).toContainEqual(['photo', tampered]);

    // A direct POST with a forged signature fares no better.
    const boundary = 'x-forged';
    const forged = value.replace(/#[0-9a-f]{40}$/, `#${'0'.repeat(40)}`);
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nDirect\r\n--${boundary}\r\nContent-Disposition: form-data; name="photo"\r\n\r\n${forged}\r\n--${boundary}--\r\n`;
    const direct = await request(`${origin}/records`, { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body });
    expect(direct.status).toBe(400);
    expect(direct.body.toString()).toContain('invalid_signature');
    await context.close();
  });

  it('submitting while the upload runs waits, then submits with the same submitter', async () => {
    const { context, page } = await open(true);
    await enhanced(page);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let intercepted = false;
    await page.route(`${origin}/uploads/v1_1/**`, async (route) => {
      intercepted = true;
      await held;
      await route.continue();
    });
    const before = submissions.length;
    const frame = await pickPhoto(page);
    await until(() => intercepted, 10_000, 'the upload request');
    await minimize(page, frame);
    await page.fill('#title', 'Waited');
    await page.click('button[type="submit"]');

    await until(async () => (await message(page).textContent()) === texts.form_waiting, 5000, 'the waiting message');
    expect(await message(page).getAttribute('role')).toBe('status');
    await page.waitForTimeout(300);
    expect(submissions.length).toBe(before);
    expect(page.url()).toBe(`${origin}/`);

    release();
    await page.waitForURL(/\/records\/[0-9a-f-]+$/, { timeout: 15_000 });
    const received = submissions.slice(before);
    expect(received).toHaveLength(1);
    expect(received[0]!.files).toEqual([]);
    // The submitter's own name=value travels with the form, as if the first click had gone through.
    expect(received[0]!.fields).toContainEqual(['action', 'save']);
    expect(received[0]!.fields.find(([name]) => name === 'photo')?.[1]).toMatch(UPLOADED_FIELD);
    expect(await page.locator('h1').textContent()).toBe('Waited');
    await context.close();
  });

  it('a failed upload blocks submission with a message until it is retried', async () => {
    const { context, page } = await open(true);
    await enhanced(page);
    let refuse = true;
    await page.route(`${origin}/uploads/v1_1/**`, async (route) => {
      if (refuse) await route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: { message: 'Refused for the test' } }) });
      else await route.continue();
    });
    const before = submissions.length;
    const frame = await pickPhoto(page);
    await until(async () => (await message(page).textContent()) === texts.form_failed, 10_000, 'the failure message');
    expect(await message(page).getAttribute('role')).toBe('alert');
    await minimize(page, frame);
    await page.fill('#title', 'Blocked');
    await page.click('button[type="submit"]');
    await page.waitForTimeout(300);
    expect(submissions.length).toBe(before);
    expect(page.url()).toBe(`${origin}/`);
    expect(await message(page).textContent()).toBe(texts.form_failed);
    expect(await message(page).isVisible()).toBe(true);

    refuse = false;
    await frame.locator('[data-action="expand"]').click();
    await frame.locator('.uw-item [data-item-action="retry"]').click();
    await until(async () => (await hiddenField(page).count()) === 1, 15_000, 'the hidden field after the retry');
    await until(async () => !(await message(page).isVisible()), 5000, 'the message cleared');
    await minimize(page, frame);
    await Promise.all([page.waitForURL(/\/records\/[0-9a-f-]+$/), page.click('button[type="submit"]')]);
    expect(submissions.slice(before)).toHaveLength(1);
    await context.close();
  });

  it('a required field without an upload blocks submission with a message', async () => {
    const { context, page } = await open(true);
    await enhanced(page);
    const before = submissions.length;
    await page.fill('#title', 'No photo');
    await page.click('button[type="submit"]');
    await until(async () => (await message(page).textContent()) === texts.form_required, 5000, 'the required message');
    expect(await message(page).getAttribute('role')).toBe('alert');
    expect(submissions.length).toBe(before);
    await context.close();
  });

  it('a single-file field keeps only its latest upload, as a plain file input keeps only its latest choice', async () => {
    const { context, page } = await open(true);
    await enhanced(page);
    const frame = await pickPhoto(page);
    await until(async () => (await hiddenField(page).count()) === 1, 15_000, 'the first hidden field');
    const first = (await hiddenField(page).getAttribute('value'))!;
    await frame.locator('[data-file-input]').setInputFiles(photo);
    await until(async () => (await hiddenField(page).count()) === 1 && (await hiddenField(page).getAttribute('value')) !== first, 15_000, 'the second upload replacing the first');
    expect(await hiddenField(page).getAttribute('value')).toMatch(UPLOADED_FIELD);
    expect(await page.locator('ul.cloudinary-thumbnails li').count()).toBe(1);
    await context.close();
  });

  it('leaves the plain file input alone when data-upload-widget is not valid JSON', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.route(`${origin}/broken`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><form method="post" action="/records" enctype="multipart/form-data"><input type="file" name="photo" id="photo" data-upload-widget='{"cloudName":'><button>Save</button></form><script src="${origin}/uploads/latest/global/all.js" defer></script>`,
      }),
    );
    await page.goto(`${origin}/broken`);
    await until(() => page.evaluate(() => Array.from(document.scripts).some((script) => script.src.includes('/widget/assets/enhance.js'))), 5000, 'enhance.js requested');
    await page.waitForTimeout(300);
    expect(await page.locator('a.cloudinary-button').count()).toBe(0);
    expect(await page.locator('#photo').isDisabled()).toBe(false);
    expect(await page.locator('#photo').isVisible()).toBe(true);
    await context.close();
  });
});
