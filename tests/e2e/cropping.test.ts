import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startPageServer, until, type PageServer } from '../helpers/browser.ts';
import { openPage, recordedEvents, waitForEvent, widgetFrame, widgetHostPage } from '../helpers/widget-page.ts';
import { basicAuth, request } from '../helpers/http.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

// The crop step in the real widget (host page on another origin, real cropperjs in Chromium, real uploads to
// the local cloud): the chosen rectangle travels as custom_coordinates (or face_coordinates) in the image's
// own pixels, and delivery with c_crop,g_custom returns exactly that region. Test images encode each pixel's
// position in its colour, so a region one pixel off does not compare equal.

let server: TestServer;
let host: PageServer;
let browser: Browser;
const dir = tempDir('updraft-crop-');
const files: Record<string, { path: string; bytes: Buffer }> = {};

/** A PNG whose pixel (x, y) is (x mod 256, y mod 256, 16·⌊x/256⌋ + ⌊y/256⌋): every position distinct. */
async function positionsPng(width: number, height: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw.set([x & 255, y & 255, ((x >> 8) << 4) | (y >> 8)], (y * width + x) * 3);
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

const save = (name: string, bytes: Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  files[name] = { path, bytes };
};

beforeAll(async () => {
  server = await startTestServer();
  host = await startPageServer();
  browser = await launchBrowser();
  save('photo.png', await positionsPng(800, 600));
  save('large.png', await positionsPng(2400, 1800));
  save('wide.png', await positionsPng(1600, 1200));
  // Stored 600×400 with EXIF orientation 6: shown (and delivered) as 400×600.
  save('rotated.jpg', await sharp(await positionsPng(600, 400)).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer());
  save('broken.png', Buffer.from('this is not really a PNG image'));
});
afterAll(async () => {
  await browser?.close();
  await host?.close();
  await server?.close();
});

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface CropSession {
  page: Page;
  frame: Frame;
  cspViolations: string[];
}

/** Opens a widget with cropping on (plus `options`) and chooses `file`; resolves once the crop box has focus. */
async function startCrop(options: Record<string, unknown>, file: string, waitForCropper = true): Promise<CropSession> {
  const config = JSON.stringify({ cloudName: 'demo', uploadPreset: 'preset1', multiple: false, cropping: true, ...options });
  const page = await browser.newPage();
  const cspViolations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  page.on('pageerror', (error) => console.error('[pageerror]', error.message));
  await page.goto(widgetHostPage(host, server.url, '', `window.w = cloudinary.createUploadWidget(${config}, record); w.open();`));
  const frame = await widgetFrame(page, server.url);
  await frame.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective} ${event.sourceFile}:${event.lineNumber}`));
  });
  await frame.locator('[data-file-input]').setInputFiles(files[file]!.path);
  await frame.locator('[data-crop-step]').waitFor({ state: 'visible' });
  if (waitForCropper) {
    await until(() => frame.evaluate(() => document.activeElement?.classList.contains('cropper-crop-box') ?? false), 10_000, 'the focused crop box');
  }
  return { page, frame, cspViolations };
}

/** The stored asset of the upload that just succeeded (Admin API, with its coordinates). */
async function uploaded(page: Page) {
  const { info } = await waitForEvent(page, 'success');
  const resource = await request(`${server.url}/v1_1/demo/resources/image/upload/${String(info!.public_id)}`, { method: 'GET', headers: { authorization: basicAuth() } });
  expect(resource.status).toBe(200);
  return { info: info!, resource: resource.json as { width: number; height: number; coordinates?: { custom?: number[][]; faces?: number[][] } } };
}

const asRect = ([x = 0, y = 0, width = 0, height = 0]: number[]): Rect => ({ x, y, width, height });

/** The asset delivered with `transformation` as PNG, decoded to raw pixels. */
async function delivered(info: Record<string, unknown>, transformation: string) {
  const url = `${server.url}/res/demo/image/upload/${transformation}/v${String(info.version)}/${String(info.public_id)}.png`;
  const response = await fetch(url);
  expect(response.status, url).toBe(200);
  return sharp(Buffer.from(await response.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
}

/** `region` of `original` (EXIF orientation applied, as the server does), as raw pixels. */
const regionOf = (original: Buffer, region: Rect) =>
  sharp(original, { autoOrient: true }).extract({ left: region.x, top: region.y, width: region.width, height: region.height }).raw().toBuffer({ resolveWithObject: true });

/** Delivery with c_crop,g_custom (or another gravity) returns exactly `region` of `original`. */
async function expectDeliveredRegion(info: Record<string, unknown>, original: Buffer, region: Rect, transformation = 'c_crop,g_custom') {
  const crop = await delivered(info, transformation);
  expect([crop.info.width, crop.info.height]).toEqual([region.width, region.height]);
  const expected = await regionOf(original, region);
  expect(crop.data.equals(expected.data)).toBe(true);
}

/** Drags from the centre of `selector` (in the frame) by dx, dy CSS pixels with the real mouse. */
async function drag(session: CropSession, selector: string, dx: number, dy: number) {
  const box = (await session.frame.locator(selector).boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await session.page.mouse.move(x, y);
  await session.page.mouse.down();
  await session.page.mouse.move(x + dx, y + dy, { steps: 12 });
  await session.page.mouse.up();
}

const press = async (page: Page, key: string, times = 1) => {
  for (let i = 0; i < times; i++) await page.keyboard.press(key);
};

const liveText = (frame: Frame) => frame.locator('[data-crop-live]').textContent();
const eventNames = async (page: Page) => (await recordedEvents(page)).map((entry) => entry.event);

describe('cropping with the mouse', () => {
  it('a large image in the small frame: dragged handle and box give natural-pixel coordinates, delivered exactly', async () => {
    const session = await startCrop({ croppingShowDimensions: true }, 'large.png');
    const { page, frame } = session;
    expect(await frame.locator('[data-sources]').isHidden()).toBe(true);
    expect(await frame.locator('[role="tablist"]').isHidden()).toBe(true);
    const canvas = (await frame.locator('.cropper-canvas').boundingBox())!;
    const scale = canvas.width / 2400;
    expect(scale).toBeLessThan(0.5);
    await until(async () => (await frame.locator('[data-crop-dimensions]').textContent()) === '2400 × 1800 px', 5000, 'the whole image selected');

    await drag(session, '.cropper-point.point-se', -150, -100);
    const resized = await frame.locator('[data-crop-dimensions]').textContent();
    await drag(session, '.cropper-face', 60, 40);
    const shown = await frame.locator('[data-crop-dimensions]').textContent();
    expect(shown).toBe(resized); // moving the box keeps its size
    await frame.locator('[data-crop-action="crop"]').click();

    const { info, resource } = await uploaded(page);
    expect([resource.width, resource.height]).toEqual([2400, 1800]);
    const region = asRect(resource.coordinates!.custom![0]!);
    expect(resource.coordinates!.faces).toBeUndefined();
    const tolerance = 2 / scale;
    expect(Math.abs(region.width - (2400 - 150 / scale))).toBeLessThan(tolerance);
    expect(Math.abs(region.height - (1800 - 100 / scale))).toBeLessThan(tolerance);
    expect(Math.abs(region.x - 60 / scale)).toBeLessThan(tolerance);
    expect(Math.abs(region.y - 40 / scale)).toBeLessThan(tolerance);
    expect(shown).toBe(`${region.width} × ${region.height} px`);
    await expectDeliveredRegion(info, files['large.png']!.bytes, region);

    // The queue thumbnail shows the chosen region too (c_crop,g_custom before the thumbnail transformation).
    expect(String(info.thumbnail_url)).toContain('/c_crop,g_custom/c_limit,h_60,w_90/');
    const thumbnail = await sharp(Buffer.from(await (await fetch(String(info.thumbnail_url))).arrayBuffer())).metadata();
    const fit = Math.min(90 / region.width, 60 / region.height);
    expect(Math.abs(thumbnail.width! - region.width * fit)).toBeLessThanOrEqual(1);
    expect(Math.abs(thumbnail.height! - region.height * fit)).toBeLessThanOrEqual(1);
    expect(session.cspViolations).toEqual([]);
    expect(await frame.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
    await page.close();
  });
});

describe('cropping with the keyboard', () => {
  it('arrows move, Shift+arrows resize (1% of the side per press), the size is announced, Enter crops', async () => {
    const { page, frame } = await startCrop({ croppingDefaultSelectionRatio: 0.5 }, 'photo.png');
    const box = frame.locator('.cropper-crop-box');
    expect(await box.getAttribute('aria-label')).toBe('Crop selection');
    expect(await frame.locator(`#${await box.getAttribute('aria-describedby')}`).textContent()).toMatch(/arrow keys move the selection/);
    await until(async () => (await liveText(frame)) === 'Selection 400 × 300 pixels', 5000, 'the first announcement');

    await press(page, 'Shift+ArrowLeft', 10); // 400 → 320 wide (8 px a press)
    await press(page, 'Shift+ArrowUp', 5); // 300 → 270 high (6 px a press)
    await press(page, 'ArrowRight', 3); // x 200 → 224
    await press(page, 'ArrowDown', 2); // y 150 → 162
    await until(async () => (await liveText(frame)) === 'Selection 320 × 270 pixels', 5000, 'the new size announced');
    await page.keyboard.press('Enter');

    const { info, resource } = await uploaded(page);
    expect(resource.coordinates!.custom).toEqual([[224, 162, 320, 270]]);
    await expectDeliveredRegion(info, files['photo.png']!.bytes, { x: 224, y: 162, width: 320, height: 270 });
    await page.close();
  });

  it('the selection stays inside the image; Reset brings back the first selection', async () => {
    const { page, frame } = await startCrop({ croppingDefaultSelectionRatio: 0.5, croppingShowDimensions: true }, 'photo.png');
    await press(page, 'ArrowLeft', 40);
    await press(page, 'ArrowUp', 40);
    await press(page, 'Shift+ArrowRight', 80);
    await until(async () => (await frame.locator('[data-crop-dimensions]').textContent()) === '800 × 300 px', 5000, 'the widest selection');
    await frame.locator('[data-crop-action="reset"]').click();
    await until(async () => (await frame.locator('[data-crop-dimensions]').textContent()) === '400 × 300 px', 5000, 'the reset selection');
    await press(page, 'Shift+ArrowDown', 100);
    await page.keyboard.press('Enter');
    const { resource } = await uploaded(page);
    expect(resource.coordinates!.custom).toEqual([[200, 0, 400, 600]]);
    await page.close();
  });
});

describe('crop options', () => {
  it('croppingAspectRatio locks the ratio for the keyboard and the mouse', async () => {
    const session = await startCrop({ croppingAspectRatio: 1 }, 'photo.png');
    const { page, frame } = session;
    await until(async () => (await liveText(frame)) === 'Selection 600 × 600 pixels', 5000, 'the square selection');
    await press(page, 'Shift+ArrowLeft', 5);
    await until(async () => (await liveText(frame)) === 'Selection 560 × 560 pixels', 5000, 'the smaller square');
    await drag(session, '.cropper-point.point-se', -80, -20);
    await frame.locator('[data-crop-action="crop"]').click();
    const { info, resource } = await uploaded(page);
    const region = asRect(resource.coordinates!.custom![0]!);
    expect(region.width).toBeLessThan(540);
    expect(Math.abs(region.width - region.height)).toBeLessThanOrEqual(1);
    await expectDeliveredRegion(info, files['photo.png']!.bytes, region);
    await page.close();
  });

  it('Skip uploads the whole image without coordinates', async () => {
    const { page, frame } = await startCrop({}, 'photo.png');
    await frame.locator('[data-crop-action="skip"]').click();
    // Focus follows the widget to the queue (the step and the sources it covered are gone).
    await until(() => frame.evaluate(() => document.activeElement?.id === 'uw-queue-title'), 5000, 'focus on the queue');
    const { info, resource } = await uploaded(page);
    expect(resource.coordinates).toBeUndefined();
    expect(String(info.thumbnail_url)).not.toContain('c_crop');
    expect([resource.width, resource.height]).toEqual([800, 600]);
    await page.close();
  });

  it('Back returns to the sources and uploads nothing; the step works again afterwards', async () => {
    const { page, frame } = await startCrop({}, 'photo.png');
    await frame.locator('[data-crop-action="back"]').click();
    expect(await frame.locator('[data-crop-step]').isHidden()).toBe(true);
    expect(await frame.locator('[data-sources]').isVisible()).toBe(true);
    expect(await frame.locator('[role="tablist"]').isVisible()).toBe(true);
    expect(await frame.locator('.cropper-container').count()).toBe(0);
    await page.waitForTimeout(300);
    expect(await eventNames(page)).not.toContain('upload-added');

    await frame.locator('[data-file-input]').setInputFiles(files['photo.png']!.path);
    await until(() => frame.evaluate(() => document.activeElement?.classList.contains('cropper-crop-box') ?? false), 10_000, 'the crop box again');
    await page.keyboard.press('Enter');
    const { resource } = await uploaded(page);
    expect(resource.coordinates!.custom).toEqual([[0, 0, 800, 600]]);
    expect((await eventNames(page)).filter((name) => name === 'upload-added')).toHaveLength(1);
    await page.close();
  });

  it('closing the widget mid-step ends the step: nothing is uploaded and reopening shows the sources', async () => {
    const { page, frame } = await startCrop({}, 'photo.png');
    await page.evaluate(() => (window as unknown as { w: { close(): void } }).w.close());
    await until(() => frame.locator('[data-crop-step]').isHidden(), 5000, 'the crop step ended');
    await page.evaluate(() => (window as unknown as { w: { open(): void } }).w.open());
    expect(await frame.locator('[data-sources]').isVisible()).toBe(true);
    expect(await frame.locator('.cropper-container').count()).toBe(0);
    expect(await eventNames(page)).not.toContain('upload-added');
    await page.close();
  });

  it("croppingCoordinatesMode 'face' sends face_coordinates, which c_crop,g_face delivers", async () => {
    const { page } = await startCrop({ croppingCoordinatesMode: 'face', croppingDefaultSelectionRatio: 0.5 }, 'photo.png');
    await press(page, 'ArrowRight', 2);
    await page.keyboard.press('Enter');
    const { info, resource } = await uploaded(page);
    expect(resource.coordinates).toEqual({ faces: [[216, 150, 400, 300]] });
    expect(String(info.thumbnail_url)).toContain('/c_crop,g_face/c_limit,h_60,w_90/');
    await expectDeliveredRegion(info, files['photo.png']!.bytes, { x: 216, y: 150, width: 400, height: 300 }, 'c_crop,g_face');
    const whole = await delivered(info, 'c_crop,g_custom');
    expect([whole.info.width, whole.info.height]).toEqual([800, 600]);
    await page.close();
  });

  it('croppingValidateDimensions refuses a crop smaller than the minimum until it is large enough', async () => {
    const { page, frame } = await startCrop(
      { croppingValidateDimensions: true, minImageWidth: 300, minImageHeight: 200, croppingDefaultSelectionRatio: 0.5, showSkipCropButton: false, croppingShowBackButton: false },
      'photo.png',
    );
    expect(await frame.locator('[data-crop-action="skip"]').isHidden()).toBe(true);
    expect(await frame.locator('[data-crop-action="back"]').isHidden()).toBe(true);
    await press(page, 'Shift+ArrowLeft', 15); // 400 → 280 wide
    await page.keyboard.press('Enter');
    const error = frame.locator('[data-crop-error]');
    await until(() => error.isVisible(), 5000, 'the validation message');
    expect(await error.getAttribute('role')).toBe('alert');
    expect(await error.textContent()).toBe('Image dimensions (280X300) are smaller than the minimum required: (300X200)');
    await frame.locator('[data-crop-action="crop"]').click();
    await page.waitForTimeout(300);
    expect(await eventNames(page)).not.toContain('upload-added');
    expect(await frame.locator('[data-crop-step]').isVisible()).toBe(true);

    await frame.locator('.cropper-crop-box').focus();
    await press(page, 'Shift+ArrowRight', 3); // 304 wide
    await until(() => error.isHidden(), 5000, 'the message cleared');
    await page.keyboard.press('Enter');
    const { resource } = await uploaded(page);
    expect(resource.coordinates!.custom).toEqual([[200, 150, 304, 300]]);
    await page.close();
  });

  it('with maxImageWidth the image is scaled first and the coordinates are in the uploaded pixels', async () => {
    const { page } = await startCrop({ maxImageWidth: 800, croppingDefaultSelectionRatio: 0.5 }, 'wide.png');
    await page.keyboard.press('Enter');
    const { info, resource } = await uploaded(page);
    expect([resource.width, resource.height]).toEqual([800, 600]);
    expect(resource.coordinates!.custom).toEqual([[200, 150, 400, 300]]);
    const stored = Buffer.from(await (await fetch(String(info.secure_url))).arrayBuffer());
    await expectDeliveredRegion(info, stored, { x: 200, y: 150, width: 400, height: 300 });
    await page.close();
  });

  it('an EXIF-rotated photo is cropped as it is shown, which is how delivery reads it', async () => {
    const { page, frame } = await startCrop({ croppingDefaultSelectionRatio: 0.5, croppingShowDimensions: true }, 'rotated.jpg');
    await until(async () => (await frame.locator('[data-crop-dimensions]').textContent()) === '200 × 300 px', 5000, 'the oriented selection');
    await page.keyboard.press('Enter');
    const { info, resource } = await uploaded(page);
    expect(resource.coordinates!.custom).toEqual([[100, 150, 200, 300]]);
    await expectDeliveredRegion(info, files['rotated.jpg']!.bytes, { x: 100, y: 150, width: 200, height: 300 });
    await page.close();
  });

  it('an image that cannot be decoded shows the error and a way back, even with Back turned off', async () => {
    const { page, frame } = await startCrop({ croppingShowBackButton: false, showSkipCropButton: false }, 'broken.png', false);
    const error = frame.locator('[data-crop-error]');
    await until(() => error.isVisible(), 5000, 'the image error');
    expect(await error.textContent()).toBe('Error loading image: either the file size exceeds the browser limit or the file may be corrupt.');
    expect(await frame.locator('[data-crop-action="crop"]').isHidden()).toBe(true);
    const back = frame.locator('[data-crop-action="back"]');
    expect(await back.isVisible()).toBe(true);
    expect(await frame.evaluate(() => document.activeElement?.getAttribute('data-crop-action'))).toBe('back');
    await back.click();
    expect(await frame.locator('[data-sources]').isVisible()).toBe(true);
    // Hidden with the step, and restored for the next image: Back off again, Crop on again.
    expect(await back.getAttribute('hidden')).not.toBeNull();
    expect(await frame.locator('[data-crop-action="crop"]').getAttribute('hidden')).toBeNull();
    expect(await eventNames(page)).not.toContain('upload-added');
    await page.close();
  });
});
