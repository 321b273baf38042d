import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, until } from '../helpers/browser.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { startTestServer, TEST_ACCOUNT, type TestServer } from '../helpers/test-server.ts';
import { responseSignature } from '../../server/services/signing.ts';

// The hosted upload page: works with JavaScript off (form → server → results page, POST-redirect-GET), and
// is the full widget with JavaScript on.

let server: TestServer;
let browser: Browser;
const dir = tempDir('updraft-embed-');
const file = async (name: string, size: number, format: 'png' | 'jpeg' = 'png') => {
  const side = Math.ceil(Math.sqrt(size / 3));
  const image = sharp({ create: { width: side, height: side, channels: 3, background: '#888', noise: { type: 'gaussian', mean: 128, sigma: 60 } } });
  const path = join(dir, name);
  writeFileSync(path, await (format === 'png' ? image.png() : image.jpeg({ quality: 90 })).toBuffer());
  return path;
};

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const embedUrl = () => `${server.url}/widget/embed?cloudName=demo&uploadPreset=preset1&maxFiles=3&maxFileSize=200000&clientAllowedFormats=png`;

/** Checks a listed identifier: the grammar and the response signature over public id and version. */
function expectValidIdentifier(identifier: string) {
  const match = /^image\/upload\/v(\d+)\/(.+)\.png#([0-9a-f]{40})$/.exec(identifier);
  expect(match, identifier).not.toBeNull();
  expect(match![3]).toBe(responseSignature(match![2]!, Number(match![1]), TEST_ACCOUNT.apiSecret));
}

describe('/widget/embed without JavaScript', () => {
  it('uploads two files, lists them, then re-renders with an error for a too-large third file while keeping the first two', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(embedUrl());
    expect(await page.locator('[data-embed-form]').isVisible()).toBe(true);
    await page.locator('input[type="file"]').setInputFiles([await file('one.png', 20_000), await file('two.png', 30_000)]);
    await page.locator('button[type="submit"]').click();
    await page.waitForURL(/[?&]r=/);
    const identifiers = () => page.locator('[data-identifier]').evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value));
    const firstTwo = await identifiers();
    expect(firstTwo).toHaveLength(2);
    firstTwo.forEach(expectValidIdentifier);
    for (const src of await page.locator('.results img').evaluateAll((images) => images.map((image) => (image as HTMLImageElement).src))) {
      expect(src).toContain('/c_limit,h_60,w_90/');
      expect((await fetch(src)).status).toBe(200);
    }

    await page.locator('input[type="file"]').setInputFiles(await file('huge.png', 600_000));
    await page.locator('button[type="submit"]').click();
    await page.waitForLoadState();
    expect(await page.locator('[data-errors]').textContent()).toMatch(/huge\.png: File size \([\d.]+ KB\) exceeds maximum allowed \(195\.3 KB\)/);
    expect(await identifiers()).toEqual(firstTwo);

    await page.locator('input[type="file"]').setInputFiles(await file('photo.jpg', 10_000, 'jpeg'));
    await page.locator('button[type="submit"]').click();
    await page.waitForLoadState();
    expect(await page.locator('[data-errors]').textContent()).toContain('photo.jpg: File format not allowed');
    expect(await identifiers()).toEqual(firstTwo);
    await context.close();
  });

  it('enforces maxFiles across posts and ignores a forged results token', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(embedUrl().replace('maxFiles=3', 'maxFiles=1'));
    await page.locator('input[type="file"]').setInputFiles(await file('a.png', 5000));
    await page.locator('button[type="submit"]').click();
    await page.waitForURL(/[?&]r=/);
    await page.locator('input[type="file"]').setInputFiles(await file('b.png', 5000));
    await page.locator('button[type="submit"]').click();
    await page.waitForLoadState();
    expect(await page.locator('[data-errors]').textContent()).toContain('b.png: Maximum number of files exceeded');

    const forged = await fetch(`${embedUrl()}&r=${Buffer.from(JSON.stringify({ v: [{ publicId: 'evil', identifier: 'x', name: 'x', thumbnailUrl: 'javascript:alert(1)' }], e: 9e15 })).toString('base64url')}.forged`);
    const html = await forged.text();
    expect(html).not.toContain('evil');
    expect(html).not.toContain('javascript:');
    await context.close();
  });
});

describe('/widget/embed with JavaScript', () => {
  it('is the full widget: the form gives way to the inline widget, and uploads are listed', async () => {
    const page = await browser.newPage();
    await page.goto(embedUrl());
    expect(await page.locator('[data-embed-form]').isHidden()).toBe(true);
    const frame = await until(async () => {
      for (const candidate of page.frames()) {
        if (candidate.url().includes('/widget/frame') && (await candidate.evaluate(() => document.documentElement.dataset.uwReady === 'true').catch(() => false))) return candidate;
      }
      return null;
    }, 10_000, 'inline frame');
    expect(await page.locator('#embed-widget iframe').count()).toBe(1);
    await frame.locator('[data-file-input]').setInputFiles(await file('inline.png', 8000));
    await until(async () => (await page.locator('[data-identifier]').count()) === 1, 15_000, 'listed upload');
    expectValidIdentifier(await page.locator('[data-identifier]').inputValue());
    await page.close();
  });
});
