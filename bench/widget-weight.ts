/**
 * Widget weight benchmark (`npm run bench:widget-weight`): what a host page pays to load the loader, and to
 * open the widget and upload with My Files (loader + frame HTML + CSS + JS), in gzipped bytes, beside
 * @uppy/core + @uppy/dashboard + @uppy/xhr-upload bundled with esbuild in the same run (target ratio ≤ 0.6).
 * Then the median time from open() to an interactive file input in headless Chromium, cold (the widget
 * created by openUploadWidget) and warm (created at page load, opened later, as the guide recommends).
 *
 * Usage: npx tsx bench/widget-weight.ts [--runs <n>]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { buildIslands, BUILD_DIR } from '../islands/build.ts';
import { startTestServer } from '../tests/helpers/test-server.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const runs = Number(values.runs);

const gz = (data: Buffer | string) => gzipSync(data, { level: 9 }).length;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const median = (numbers: number[]) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)]!;

/** @uppy/core + @uppy/dashboard + @uppy/xhr-upload as a page would ship them (JS minified, dashboard CSS). */
async function uppyBaseline(): Promise<{ js: number; css: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'updraft-uppy-'));
  try {
    const entry = join(dir, 'entry.js');
    writeFileSync(
      entry,
      `import Uppy from '@uppy/core'; import Dashboard from '@uppy/dashboard'; import XHRUpload from '@uppy/xhr-upload';
       window.uppy = new Uppy().use(Dashboard, { inline: true, target: 'body' }).use(XHRUpload, { endpoint: '/upload' });`,
    );
    const result = await build({ entryPoints: [entry], bundle: true, minify: true, format: 'iife', write: false, nodePaths: [join(ROOT, 'node_modules')], logLevel: 'error', legalComments: 'none' });
    const css = readFileSync(join(ROOT, 'node_modules/@uppy/dashboard/dist/style.min.css'));
    return { js: gz(Buffer.from(result.outputFiles[0]!.contents)), css: gz(css) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The frame page as the loader asks for it (the quick example's options). */
async function frameHtml(url: string): Promise<string> {
  const body = new URLSearchParams({ options: JSON.stringify({ cloudName: 'demo', uploadPreset: 'preset1' }), origin: 'http://localhost:1', widgetId: 'widget_1', callbacks: '' });
  const response = await fetch(`${url}/widget/frame`, { method: 'POST', body, headers: { origin: 'http://localhost:1' } });
  return response.text();
}

async function timeToInteractive(widgetUrl: string): Promise<{ cold: number; warm: number }> {
  const host = http.createServer((request, response) => {
    const warm = request.url?.includes('warm');
    response.setHeader('content-type', 'text/html');
    response.end(`<!doctype html><button id="open">Upload</button><script src="${widgetUrl}/latest/global/all.js"></script><script>
      ${warm ? "var w = cloudinary.createUploadWidget({ cloudName: 'demo', uploadPreset: 'preset1' }, function () {});" : ''}
      document.getElementById('open').onclick = function () { window.openedAt = performance.now(); ${
        warm ? 'w.open();' : "cloudinary.openUploadWidget({ cloudName: 'demo', uploadPreset: 'preset1' }, function () {});"
      } };</script>`);
  });
  await new Promise<void>((resolve) => host.listen(0, 'localhost', resolve));
  const hostUrl = `http://localhost:${(host.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const measure = async (mode: 'cold' | 'warm') => {
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${hostUrl}/${mode}`);
      if (mode === 'warm') await page.waitForTimeout(300);
      await page.click('#open');
      const frame = page.frameLocator('iframe');
      await frame.locator('html[data-uw-ready] [data-file-input]').waitFor({ state: 'attached' });
      // Time inside the host page: from the open() call to the frame answering "ready and shown".
      const interactiveAt = await page.evaluate(() => performance.now());
      samples.push(interactiveAt - (await page.evaluate(() => (window as unknown as { openedAt: number }).openedAt)));
      await context.close();
    }
    return median(samples);
  };
  try {
    return { cold: await measure('cold'), warm: await measure('warm') };
  } finally {
    await browser.close();
    host.close();
  }
}

async function main() {
  await buildIslands();
  const server = await startTestServer();
  try {
    const loader = gz(readFileSync(join(BUILD_DIR, 'loader.js')));
    const html = gz(await frameHtml(server.url));
    const css = gz(readFileSync(join(BUILD_DIR, 'frame.css')));
    const js = gz(readFileSync(join(BUILD_DIR, 'frame.js')));
    const ours = loader + html + css + js;
    const uppy = await uppyBaseline();
    const baseline = uppy.js + uppy.css;
    const times = await timeToInteractive(server.url);

    console.log('Updraft widget weight (gzip -9 bytes)');
    console.log('');
    console.log(`loader (all.js): what every host page pays on load       ${kb(loader).padStart(9)}   (target <= 5 KB: ${loader <= 5 * 1024 ? 'PASS' : 'FAIL'})`);
    console.log(`open + upload with My Files:`);
    console.log(`  loader ${kb(loader)} + frame HTML ${kb(html)} + CSS ${kb(css)} + JS ${kb(js)}  = ${kb(ours).padStart(9)}`);
    console.log(`@uppy/core + dashboard + xhr-upload (esbuild, same run):`);
    console.log(`  JS ${kb(uppy.js)} + dashboard CSS ${kb(uppy.css)}                          = ${kb(baseline).padStart(9)}`);
    console.log(`ratio Updraft / Uppy                                          ${(ours / baseline).toFixed(2).padStart(9)}   (target <= 0.6: ${ours / baseline <= 0.6 ? 'PASS' : 'FAIL'})`);
    console.log('');
    console.log(`open() to interactive file input, headless Chromium, median of ${runs}:`);
    console.log(`  cold (openUploadWidget, frame loads on open)               ${times.cold.toFixed(0).padStart(6)} ms`);
    console.log(`  warm (createUploadWidget at load, open() later)            ${times.warm.toFixed(0).padStart(6)} ms`);
  } finally {
    await server.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
