import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_DIR, buildIslands } from '../../islands/build.ts';
import { PROTOCOL } from '../../islands/shared/protocol.ts';
import { launchBrowser, startPageServer, until, waitForFrame, type PageServer } from '../helpers/browser.ts';
import { startFakeWidgetServer, type FakeWidgetServer } from './fake-frame.ts';

// The real built loader (public/build/loader.js) in headless Chromium, host pages on one origin, the loader and a
// FAKE frame (tests/e2e/fake-frame.ts) on another: the loader is tested alone, through the protocol.

/* eslint-disable @typescript-eslint/no-explicit-any */
type HostWindow = Window & { w: any; w2: any; events: { error: any; result: any }[]; jq: any[]; cloudinary: any; pwned?: number };
type FrameWindow = Window & { fake: any };

let browser: Browser;
let widget: FakeWidgetServer;
let host: PageServer;
let loaderJs: Buffer;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  try {
    await buildIslands();
  } catch (error) {
    // The frame bundle is written by another part of the project and may not build yet: build the loader alone,
    // with the options islands/build.ts uses.
    console.warn(`buildIslands failed (${String(error).split('\n')[0]}); building the loader alone`);
    await build({
      entryPoints: ['islands/loader/index.ts'],
      outfile: `${BUILD_DIR}/loader.js`,
      bundle: true,
      minify: true,
      format: 'iife',
      target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
      legalComments: 'none',
      logLevel: 'warning',
    });
  }
  loaderJs = readFileSync(`${BUILD_DIR}/loader.js`);
  widget = await startFakeWidgetServer(() => loaderJs);
  host = await startPageServer();
  browser = await launchBrowser();
});

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});

afterAll(async () => {
  await browser?.close();
  await widget?.close();
  await host?.close();
});

/** A JS snippet defining a minimal jQuery stand-in that records `trigger` calls in `window.jq`. */
const FAKE_JQUERY = `<script>
window.jq = [];
window.jQuery = function (target) {
  const el = typeof target === 'string' ? document.querySelector(target) : target;
  const set = Object.create(jQuery.fn);
  set[0] = el; set.length = el ? 1 : 0;
  set.trigger = (name, args) => { jq.push({ name, target: el === document ? 'document' : el.id || el.tagName, args: JSON.parse(JSON.stringify(args ?? null)) }); return set; };
  return set;
};
jQuery.fn = { jquery: '3.7.1-fake' };
</script>`;

/** Serves a host page (host origin) that loads all.js from the widget origin, then runs `script`. */
function hostPage(body: string, script: string, head = '', bodyAttributes = ''): string {
  return host.page(`<!doctype html><html><head><meta charset="utf-8"><title>host</title>${head}</head><body ${bodyAttributes}>${body}
<script src="${widget.url}/latest/global/all.js"></script>
<script>
window.events = [];
window.log = (error, result) => events.push(JSON.parse(JSON.stringify({ error, result })));
${script}
</script></body></html>`);
}

async function openPage(url: string, viewport = { width: 1280, height: 720 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  expect(errors).toEqual([]);
  return page;
}

const frameOf = (page: Page, id = 'widget_1'): Promise<Frame> => waitForFrame(page, `updraft-${id}`, 'fake');
const events = (page: Page) => page.evaluate(() => (window as unknown as HostWindow).events);
const received = (frame: Frame) => frame.evaluate(() => (window as unknown as FrameWindow).fake.received as any[]);
const send = (frame: Frame, message: Record<string, unknown>) =>
  frame.evaluate((m) => (window as unknown as FrameWindow).fake.send(m), message);
const request = (frame: Frame, callback: string, payload: unknown) =>
  frame.evaluate(([c, p]) => (window as unknown as FrameWindow).fake.request(c, p), [callback, payload] as const);
const dialogState = (page: Page) =>
  page.evaluate(() => {
    const dialog = document.querySelector<HTMLDialogElement>('dialog.updraft-uw');
    return { exists: !!dialog, open: !!dialog?.open, modal: !!dialog?.matches(':modal') };
  });
const activeElement = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return el ? el.id || (el.tagName === 'IFRAME' ? `iframe:${(el as HTMLIFrameElement).name}` : el.tagName) : null;
  });
/** Waits until the host page's callback has seen `count` events. */
const eventCount = (page: Page, count: number) =>
  until(async () => (await events(page)).length >= count, 5_000, `${count} events`).then(() => events(page));
const displayChanged = (info: string) => ({ event: 'display-changed', info, uw_event: true, data: { event: 'display-changed', info } });

describe('loader (all.js) against a fake frame', () => {
  it('defines window.cloudinary (merged), camelCases options and POSTs only serializable ones to the frame; no focus is taken', async () => {
    const page = await openPage(
      hostPage(
        '<input id="before"><form id="f"></form><div id="t"></div>',
        `document.getElementById('before').focus();
         cloudinary.setCloudName('democloud');
         cloudinary.setAPIKey('k123');
         window.w = cloudinary.createUploadWidget({
           upload_preset: 'preset1', max_file_size: 1000, _private: 1, field_name: 'pic',
           styles: { palette: { window_border: '#fff' } },
           prepare_upload_params: (cb) => cb({}), uploadSignature: (cb) => cb('sig'), preBatch: (cb) => cb(),
           getTags: (cb) => cb([]), get_upload_presets: (cb) => cb([]),
           form: '#f', thumbnails: '#t', inline_node: document.body,
         }, log);
         window.w2 = cloudinary.createUploadWidget({ cloud_name: 'other', uploadSignature: 'presigned', uploadSignatureTimestamp: 1 }, log);`,
        `<script>window.cloudinary = { keep: 'me', Cloudinary: function () {} }; window.historyBefore = history.length;</script>`,
      ),
    );
    const globals = await page.evaluate(() => {
      const c = (window as unknown as HostWindow).cloudinary;
      return {
        keep: c.keep,
        other: typeof c.Cloudinary,
        fns: ['setCloudName', 'setAPIKey', 'createUploadWidget', 'openUploadWidget', 'applyUploadWidget'].map((k) => typeof c[k]),
        sources: c.WIDGET_SOURCES,
        version: typeof c.WIDGET_VERSION,
      };
    });
    expect(globals).toMatchObject({ keep: 'me', other: 'function', version: 'string', fns: Array(5).fill('function') });
    expect(globals.sources).toMatchObject({ LOCAL: 'local', URL: 'url', CAMERA: 'camera', IMAGE_SEARCH: 'image_search', GOOGLE_DRIVE: 'google_drive', DROPBOX: 'dropbox' });

    const frame1 = await frameOf(page, 'widget_1');
    const frame2 = await frameOf(page, 'widget_2');
    const form1 = await frame1.evaluate(() => (window as unknown as FrameWindow).fake.form);
    expect(form1).toMatchObject({ widgetId: 'widget_1', origin: host.url, callbacks: 'prepare,signature,prebatch,tags,presets' });
    expect(JSON.parse(form1.options)).toEqual({
      cloudName: 'democloud',
      apiKey: 'k123',
      uploadPreset: 'preset1',
      maxFileSize: 1000,
      _private: 1,
      fieldName: 'pic',
      styles: { palette: { window_border: '#fff' } }, // nested keys are the host's own (Cloudinary converts top-level only)
    });
    const form2 = await frame2.evaluate(() => (window as unknown as FrameWindow).fake.form);
    expect(form2).toMatchObject({ widgetId: 'widget_2', callbacks: '' });
    expect(JSON.parse(form2.options)).toEqual({ cloudName: 'other', apiKey: 'k123', uploadSignature: 'presigned', uploadSignatureTimestamp: 1 });
    expect(widget.framePosts.slice(-2).map((p) => p.contentType)).toEqual(Array(2).fill('application/x-www-form-urlencoded'));

    // Created but not shown: iframes live in closed dialogs, focus stays where the host put it, no history entry.
    const dom = await page.evaluate(() => ({
      iframes: [...document.querySelectorAll('iframe')].map((f) => [f.name, f.parentElement?.tagName, (f.parentElement as HTMLDialogElement).open]),
      history: history.length - (window as any).historyBefore,
      showing: (window as unknown as HostWindow).w.isShowing(),
    }));
    expect(dom).toEqual({ iframes: [['updraft-widget_1', 'DIALOG', false], ['updraft-widget_2', 'DIALOG', false]], history: 0, showing: false });
    expect(await activeElement(page)).toBe('before');
    expect(await events(page)).toEqual([]);
  });

  it("throws Cloudinary's errors for bad options, element, inlineContainer and queueViewPosition", async () => {
    const page = await openPage(hostPage('<div id="box"></div>', ''));
    const warnings: string[] = [];
    page.on('console', (message) => message.type() === 'warning' && warnings.push(message.text()));
    const messages = await page.evaluate(() => {
      const c = (window as unknown as HostWindow).cloudinary;
      const thrown = (fn: () => unknown) => {
        try {
          fn();
          return null;
        } catch (error) {
          return (error as Error).message;
        }
      };
      return [
        thrown(() => c.createUploadWidget('x')),
        thrown(() => c.createUploadWidget([])),
        thrown(() => c.applyUploadWidget('#missing', {})),
        thrown(() => c.applyUploadWidget('##bad', {})),
        thrown(() => c.createUploadWidget({ inlineContainer: '#missing' })),
        thrown(() => c.createUploadWidget({ inline_container: 42 })),
        thrown(() => c.createUploadWidget({ queueViewPosition: 'middle' })),
        thrown(() => c.createUploadWidget({ cloudName: 'demo', keepWidgetOpen: true, queue_view_position: 'left' })),
        document.querySelectorAll('iframe').length,
      ];
    });
    expect(messages).toEqual([
      '[Cloudinary.UploadWidget]: widget options must be a valid Object',
      '[Cloudinary.UploadWidget]: widget options must be a valid Object',
      "[Cloudinary.UploadWidget]: 'element' param must resolve to a valid HTMLElement",
      "[Cloudinary.UploadWidget]: 'element' param must either be a valid HTMLElement or a selector string",
      "[Cloudinary.UploadWidget]: 'inlineContainer' param must either be a valid HTMLElement or a selector string",
      "[Cloudinary.UploadWidget]: 'inlineContainer' param must either be a valid HTMLElement or a selector string",
      'queueViewPosition param (middle) is invalid. (valid ex: "right:35px")',
      null,
      1,
    ]);
    expect(warnings).toContain("Cloudinary.UploadWidget - 'keepWidgetOpen' is no longer used in this version.");
    // Failed calls use no id: the one widget that was created is widget_1.
    await frameOf(page, 'widget_1');
  });

  it('queues open() until the frame is ready; uw_show carries File objects and drops files over maxFileSize', async () => {
    const page = await openPage(
      hostPage(
        '<button id="opener">open</button>',
        `document.getElementById('opener').focus();
         window.w = cloudinary.createUploadWidget({ cloudName: 'demo', testHoldReady: true, maxFileSize: 10 }, log);
         w.open('local', { files: [
           new File(['12345'], 'small.txt', { type: 'text/plain' }),
           new File(['x'.repeat(50)], 'big.bin'),
           'https://example.com/cat.jpg',
         ] });`,
      ),
    );
    const frame = await frameOf(page);
    expect(await page.evaluate(() => (window as unknown as HostWindow).w.isShowing())).toBe(true);
    expect(await dialogState(page)).toEqual({ exists: true, open: false, modal: false }); // nothing drawn before ready
    expect(await received(frame)).toEqual([]);
    expect(await activeElement(page)).toBe('opener');

    await frame.evaluate(() => (window as unknown as FrameWindow).fake.ready());
    const [show] = await until(async () => ((await received(frame)).length ? received(frame) : null), 5_000, 'uw_show');
    expect(show).toEqual({
      protocol: PROTOCOL,
      widgetId: 'widget_1',
      type: 'uw_show',
      source: 'local',
      files: [{ kind: 'file', name: 'small.txt', size: 5, type: 'text/plain', isFile: true }, 'https://example.com/cat.jpg'],
    });
    await until(async () => (await dialogState(page)).modal, 5_000, 'modal dialog');
    expect(await activeElement(page)).toBe('iframe:updraft-widget_1');
    expect(await events(page)).toEqual([{ error: null, result: displayChanged('shown') }]);
  });

  it('success: hidden field with the exact value, thumbnails built without markup injection, delete by token removes li and input', async () => {
    const page = await openPage(
      hostPage(
        '<form id="f"><input name="title"></form><div id="t"></div>',
        `window.w = cloudinary.createUploadWidget({ cloudName: 'demo', uploadPreset: 'preset1', form: '#f', thumbnails: '#t', fieldName: 'photo' }, log);
         window.w2 = cloudinary.createUploadWidget({ cloudName: 'demo' });
         w.open();`,
        FAKE_JQUERY,
      ),
    );
    const frame = await frameOf(page);
    await until(async () => (await dialogState(page)).modal, 5_000, 'modal');
    const info1 = {
      id: 'uw-file1',
      batchId: 'uw-batch1',
      public_id: 'folder/cat"><img src=x onerror="window.pwned=1">',
      version: 1726527599,
      resource_type: 'image',
      type: 'upload',
      format: 'jpg',
      path: 'v1726527599/folder/cat.jpg',
      signature: '5a1c6a0f0d6b8f1e2c3d4e5f60718293a4b5c6d7',
      thumbnail_url: `${widget.url}/thumb.png`,
      delete_token: 'tok-1',
    };
    const info2 = { id: 'uw-file2', public_id: '<b>bold</b>', version: 2, resource_type: 'raw', type: 'upload', path: 'v2/<b>bold</b>', signature: 'ffff', delete_token: 'bad-token' };
    await send(frame, { type: 'uw_event', event: 'success', info: info1 });
    await send(frame, { type: 'uw_event', event: 'success', info: info2 });
    const all = await eventCount(page, 3);
    expect(all.slice(1)).toEqual([
      { error: null, result: { event: 'success', info: info1 } },
      { error: null, result: { event: 'success', info: info2 } },
    ]);

    await until(() => page.evaluate(() => !!document.querySelector('#t li.active')), 5_000, 'thumbnail image load');
    const dom = await page.evaluate(() => {
      const inputs = [...document.querySelectorAll<HTMLInputElement>('#f input[type=hidden]')].map((i) => ({
        name: i.name,
        valueAttr: i.getAttribute('value'),
        publicId: i.getAttribute('data-cloudinary-public-id'),
        data: JSON.parse(i.getAttribute('data-cloudinary') ?? 'null'),
      }));
      const lists = [...document.querySelectorAll('#t > ul.cloudinary-thumbnails')];
      const items = [...document.querySelectorAll('#t li')].map((li) => ({
        className: li.className,
        data: JSON.parse(li.getAttribute('data-cloudinary') ?? 'null'),
        children: [...li.children].map((c) => [c.tagName, c.getAttribute('src') ?? c.getAttribute('href'), c.className, c.textContent, c.children.length]),
      }));
      return {
        inputs,
        lists: lists.length,
        items,
        injected: document.querySelectorAll('b, [onerror]').length,
        pwned: (window as unknown as HostWindow).pwned ?? null,
        styles: document.querySelectorAll('style#cloudinary-uw-page-styles').length,
        jq: (window as unknown as HostWindow).jq,
      };
    });
    expect(dom.inputs).toEqual([
      { name: 'photo', valueAttr: 'image/upload/v1726527599/folder/cat.jpg#5a1c6a0f0d6b8f1e2c3d4e5f60718293a4b5c6d7', publicId: info1.public_id, data: info1 },
      { name: 'photo', valueAttr: 'raw/upload/v2/<b>bold</b>#ffff', publicId: '<b>bold</b>', data: info2 },
    ]);
    expect(dom.lists).toBe(1);
    expect(dom.items).toEqual([
      {
        className: 'cloudinary-thumbnail active',
        data: info1,
        children: [
          ['IMG', `${widget.url}/thumb.png`, '', '', 0],
          ['A', '#', 'cloudinary-delete', 'x', 0],
        ],
      },
      {
        className: 'cloudinary-thumbnail',
        data: info2,
        children: [
          ['SPAN', null, '', '<b>bold</b>', 0],
          ['A', '#', 'cloudinary-delete', 'x', 0],
        ],
      },
    ]);
    expect(dom).toMatchObject({ injected: 0, pwned: null, styles: 1 });
    expect(dom.jq.map((e: { name: string; target: string }) => [e.name, e.target])).toEqual([
      ['cloudinarywidgetfileuploadsuccess', 'f'],
      ['cloudinarywidgetfileuploadsuccess', 'f'],
    ]);

    // The page is inert under the modal widget: close it, then use the delete links like a user.
    await page.evaluate(() => (window as unknown as HostWindow).w.close());
    await page.click('#t li:nth-child(2) a.cloudinary-delete'); // bad token → 400: nothing removed
    await until(() => widget.deletes.length === 1, 5_000, 'first delete');
    await page.waitForTimeout(100);
    expect(await page.evaluate(() => [document.querySelectorAll('#t li').length, document.querySelectorAll('#f input[type=hidden]').length])).toEqual([2, 2]);

    await page.click('#t li:nth-child(1) a.cloudinary-delete');
    await until(() => page.evaluate(() => document.querySelectorAll('#t li').length === 1), 5_000, 'li removed');
    expect(widget.deletes).toEqual([
      { cloud: 'demo', contentType: 'application/json', body: { token: 'bad-token' } },
      { cloud: 'demo', contentType: 'application/json', body: { token: 'tok-1' } },
    ]);
    const after = await page.evaluate(() => ({
      inputs: [...document.querySelectorAll('#f input[type=hidden]')].map((i) => i.getAttribute('data-cloudinary-public-id')),
      items: [...document.querySelectorAll('#t li')].map((li) => li.textContent),
      jq: (window as unknown as HostWindow).jq.map((e) => e.name),
      url: location.href,
    }));
    expect(after).toEqual({
      inputs: ['<b>bold</b>'],
      items: ['<b>bold</b>x'],
      jq: ['cloudinarywidgetfileuploadsuccess', 'cloudinarywidgetfileuploadsuccess', 'cloudinarywidgetdeleted'],
      url: page.url(),
    });
    expect(page.url()).not.toContain('#');
  });

  it('failed file → (error {status, statusText}, file info); other events pass through; frame-sent close/display-changed are not doubled', async () => {
    const page = await openPage(
      hostPage('<form id="f"></form><div id="t"></div>', `window.w = cloudinary.createUploadWidget({ cloudName: 'demo', form: '#f', thumbnails: '#t' }, log);`, FAKE_JQUERY),
    );
    const frame = await frameOf(page);
    const info = { id: 'uw-file1', batchId: 'uw-batch1', name: 'a.jpg', size: 10, failed: true, status: 'failed', statusText: 'Upload preset not found' };
    await send(frame, { type: 'uw_event', event: 'upload-error', info, error: { status: 'Error', statusText: 'Upload preset not found' } });
    await send(frame, { type: 'uw_event', event: 'display-changed', info: 'shown' });
    await send(frame, { type: 'uw_event', event: 'close', info: {} });
    await send(frame, { type: 'uw_event', event: 'queues-start' });
    await send(frame, { type: 'uw_event', event: 'source-changed', info: { source: 'url' } });
    const all = await eventCount(page, 3);
    await page.waitForTimeout(100);
    expect(await events(page)).toEqual([
      { error: { status: 'Error', statusText: 'Upload preset not found' }, result: { ...info, event: 'upload-error', info } },
      { error: null, result: { event: 'queues-start', uw_event: true, data: { event: 'queues-start' } } },
      { error: null, result: { event: 'source-changed', info: { source: 'url' }, uw_event: true, data: { event: 'source-changed', info: { source: 'url' } } } },
    ]);
    expect(all[0]!.result.event).toBe('upload-error');
    expect(
      await page.evaluate(() => ({
        inputs: document.querySelectorAll('#f input').length,
        thumbs: document.querySelectorAll('#t li').length,
        jq: (window as unknown as HostWindow).jq,
      })),
    ).toEqual({ inputs: 0, thumbs: 0, jq: [{ name: 'cloudinarywidgetfileuploadfail', target: 'f', args: [info] }] });
  });

  it('bridges host callbacks: prepare, signature, prebatch, tags, presets; missing, throwing, rejecting and uncloneable answers', async () => {
    const page = await openPage(
      hostPage(
        '',
        `window.calls = [];
         window.w = cloudinary.createUploadWidget({
           cloudName: 'demo',
           prepareUploadParams: (cb, params) => { calls.push(['prepare', params]); setTimeout(() => cb({ signature: 's1', apiKey: 'k', folder: 'x' }), 10); },
           uploadSignature: (cb, toSign) => { calls.push(['signature', toSign]); cb('sha-' + toSign.timestamp); },
           preBatch: (cb, data) => data.files[0].name === 'TopSecret' ? cb({ cancel: true }) : cb(),
           getTags: (cb, prefix) => cb(['apple', 'banana', 'apricot'].filter((t) => !t.indexOf(prefix))),
           getUploadPresets: (cb) => cb(['signed', 'video']),
         }, log);
         window.w2 = cloudinary.createUploadWidget({
           cloudName: 'demo',
           getTags: (cb) => { cb(['first']); cb(['second']); },
           getUploadPresets: () => { throw new Error('boom'); },
           preBatch: () => Promise.reject(new Error('async boom')),
           prepareUploadParams: (cb) => cb({ fn: () => 1 }),
         }, log);`,
      ),
    );
    const frame = await frameOf(page, 'widget_1');
    const reply = (requestId: number, ok: boolean, rest: Record<string, unknown>) => ({ protocol: PROTOCOL, widgetId: 'widget_1', type: 'uw_reply', requestId, ok, ...rest });
    expect(await request(frame, 'prepare', { upload_preset: 'p', filename: 'a.jpg' })).toEqual(reply(1, true, { value: { signature: 's1', apiKey: 'k', folder: 'x' } }));
    expect(await request(frame, 'signature', { source: 'uw', timestamp: 123 })).toEqual(reply(2, true, { value: 'sha-123' }));
    expect(await request(frame, 'prebatch', { files: [{ name: 'TopSecret' }] })).toEqual(reply(3, true, { value: { cancel: true } }));
    expect(await request(frame, 'prebatch', { files: [{ name: 'ok.jpg' }] })).toMatchObject({ requestId: 4, ok: true, value: undefined });
    expect(await request(frame, 'tags', 'ap')).toEqual(reply(5, true, { value: ['apple', 'apricot'] }));
    expect(await request(frame, 'presets', null)).toEqual(reply(6, true, { value: ['signed', 'video'] }));
    expect(await page.evaluate(() => (window as any).calls)).toEqual([
      ['prepare', { upload_preset: 'p', filename: 'a.jpg' }],
      ['signature', { source: 'uw', timestamp: 123 }],
    ]);

    const frame2 = await frameOf(page, 'widget_2');
    expect(await request(frame2, 'tags', '')).toMatchObject({ widgetId: 'widget_2', requestId: 1, ok: true, value: ['first'] });
    expect(await request(frame2, 'presets', null)).toMatchObject({ requestId: 2, ok: false, error: 'boom' });
    expect(await request(frame2, 'prebatch', { files: [] })).toMatchObject({ requestId: 3, ok: false, error: 'async boom' });
    expect(await request(frame2, 'prepare', {})).toMatchObject({ requestId: 4, ok: false });
    expect(await request(frame2, 'signature', {})).toMatchObject({ requestId: 5, ok: false, error: 'UploadWidget - signature handler not found!' });
    await page.waitForTimeout(100);
    // The second cb() call of getTags was not answered twice.
    expect((await received(frame2)).filter((m) => m.requestId === 1)).toHaveLength(1);
  });

  it('ignores messages with a wrong origin, a wrong source or a wrong envelope, and never posts to another origin', async () => {
    const evil = await startPageServer();
    try {
      evil.set(
        '/evil.html',
        `<!doctype html><meta charset="utf-8"><script>
          window.got = [];
          addEventListener('message', (e) => got.push(e.data && e.data.type));
          const forged = { protocol: ${JSON.stringify(PROTOCOL)}, widgetId: 'widget_1' };
          parent.postMessage({ ...forged, type: 'uw_ready', apiBase: location.origin, cloudName: 'evil' }, '*');
          parent.postMessage({ ...forged, type: 'uw_event', event: 'success', info: { public_id: 'forged-by-navigated-frame' } }, '*');
          parent.postMessage({ ...forged, type: 'uw_close' }, '*');
          window.sent = true;
        </script>`,
      );
      const page = await openPage(hostPage('<form id="f"></form>', `window.w = cloudinary.createUploadWidget({ cloudName: 'demo', form: '#f' }, log); w.open();`));
      const frame = await frameOf(page);
      await until(async () => (await dialogState(page)).modal, 5_000, 'modal');

      // 1. The host page itself (host origin, not the frame's window).
      await page.evaluate((protocol) => {
        const forged = { protocol, widgetId: 'widget_1', type: 'uw_event', event: 'success', info: { public_id: 'forged-by-host' } };
        window.postMessage(forged, '*');
        window.postMessage({ ...forged, type: 'uw_close' }, '*');
      }, PROTOCOL);
      // 2. Another iframe on the widget origin (right origin, wrong source).
      await page.evaluate((src) => {
        const iframe = document.createElement('iframe');
        iframe.name = 'forger';
        iframe.src = src;
        document.body.append(iframe);
      }, `${widget.url}/forger.html?w=widget_1`);
      await waitForFrame(page, 'forger', 'sent');
      // 3. The real frame with broken envelopes.
      await frame.evaluate((protocol) => {
        const info = { public_id: 'bad-envelope' };
        parent.postMessage({ protocol: 'other-1', widgetId: 'widget_1', type: 'uw_event', event: 'success', info }, '*');
        parent.postMessage({ protocol, widgetId: 'widget_2', type: 'uw_event', event: 'success', info }, '*');
        parent.postMessage({ protocol, widgetId: 'widget_1', event: 'success', info }, '*');
        parent.postMessage(JSON.stringify({ protocol, widgetId: 'widget_1', type: 'uw_close' }), '*');
      }, PROTOCOL);
      // A legitimate event after all that still arrives (so the above had their chance).
      await send(frame, { type: 'uw_event', event: 'source-changed', info: { source: 'local' } });
      await eventCount(page, 2);
      await page.waitForTimeout(100);
      expect((await events(page)).map((e) => e.result.event)).toEqual(['display-changed', 'source-changed']);
      expect(await page.evaluate(() => [(window as unknown as HostWindow).w.isShowing(), document.querySelectorAll('#f input').length])).toEqual([true, 0]);

      // 4. The widget's own iframe navigated to another origin: same source window, wrong origin.
      await frame.evaluate((url) => void (location.href = url), `${evil.url}/evil.html`);
      const evilFrame = await waitForFrame(page, 'updraft-widget_1', 'sent');
      await page.evaluate(() => {
        const w = (window as unknown as HostWindow).w;
        w.minimize();
        w.update({ folder: 'x' });
        w.open('local', { files: ['https://example.com/a.jpg'] });
      });
      await page.waitForTimeout(200);
      expect(await evilFrame.evaluate(() => (window as any).got)).toEqual([]);
      expect((await events(page)).map((e) => e.result.event)).toEqual(['display-changed', 'source-changed', 'display-changed', 'display-changed']);
      expect(await page.evaluate(() => [(window as unknown as HostWindow).w.isShowing(), document.querySelectorAll('#f input').length])).toEqual([true, 0]);
    } finally {
      await evil.close();
    }
  });

  it('Escape closes (inside the frame, or on the dialog): close event, display-changed, uw_hide, focus back to the opener, scroll restored exactly', async () => {
    const page = await openPage(
      hostPage(
        '<div style="height:3000px"><button id="opener" style="margin-top:400px">open</button></div>',
        `window.w = cloudinary.createUploadWidget({ cloudName: 'demo' }, log);
         document.getElementById('opener').addEventListener('click', () => w.open());`,
        '',
        'style="margin: 0px; overflow-y: scroll;"',
      ),
    );
    const frame = await frameOf(page);
    await page.evaluate(() => window.scrollTo(0, 300));
    const before = await page.evaluate(() => ({ html: document.documentElement.getAttribute('style'), body: document.body.getAttribute('style'), y: scrollY }));
    expect(before).toEqual({ html: null, body: 'margin: 0px; overflow-y: scroll;', y: 300 });

    for (const path of ['frame', 'dialog'] as const) {
      await page.click('#opener');
      await until(async () => (await dialogState(page)).modal, 5_000, 'modal');
      expect(await activeElement(page)).toBe('iframe:updraft-widget_1');
      const locked = await page.evaluate(() => [getComputedStyle(document.documentElement).overflow, getComputedStyle(document.body).overflow]);
      expect(locked).toEqual(['hidden', 'hidden']);
      await page.mouse.move(640, 360);
      await page.mouse.wheel(0, 600);
      await page.waitForTimeout(200);
      expect(await page.evaluate(() => scrollY)).toBe(300);

      if (path === 'frame') {
        await frame.focus('#inner');
        await page.keyboard.press('Escape'); // the frame's keydown → uw_close
      } else {
        await page.evaluate(() => (document.activeElement as HTMLElement).blur()); // focus on the host document, inside the modal
        await page.keyboard.press('Escape'); // the dialog's cancel event
      }
      await until(async () => !(await dialogState(page)).open, 5_000, 'dialog closed');
      expect(await activeElement(page)).toBe('opener');
      expect({ path, ...(await page.evaluate(() => ({ html: document.documentElement.getAttribute('style'), body: document.body.getAttribute('style'), y: scrollY }))) }).toEqual({ path, ...before });
      expect(await page.evaluate(() => (window as unknown as HostWindow).w.isShowing())).toBe(false);
    }
    const closeEvents = [
      { error: null, result: displayChanged('shown') },
      { error: null, result: { event: 'close', info: { message: 'user closed the widget' } } },
      { error: null, result: displayChanged('hidden') },
    ];
    expect(await events(page)).toEqual([...closeEvents, ...closeEvents]);
    expect((await received(frame)).map((m) => m.type)).toEqual(['uw_show', 'uw_hide', 'uw_show', 'uw_hide']);

    // Unlocked: the page scrolls again.
    await page.mouse.wheel(0, 600);
    await until(() => page.evaluate(() => scrollY > 300), 5_000, 'page scrolls after close');
  });

  it('openUploadWidget shows at once; inside a host <dialog> opened with showModal the widget is on top and gets the clicks', async () => {
    const page = await openPage(
      hostPage(
        '<dialog id="hostdlg"><p>Host dialog</p><button id="hbtn">Upload</button></dialog>',
        `document.getElementById('hostdlg').showModal();
         document.getElementById('hbtn').addEventListener('click', () => { window.w = cloudinary.openUploadWidget({ cloudName: 'demo' }, log); });`,
      ),
    );
    await page.click('#hbtn');
    const frame = await frameOf(page);
    await until(async () => (await dialogState(page)).modal, 5_000, 'modal');
    const hit = await page.evaluate(() => {
      const el = document.elementFromPoint(innerWidth / 2, innerHeight / 2);
      return { tag: el?.tagName, name: (el as HTMLIFrameElement | null)?.name, hostOpen: (document.getElementById('hostdlg') as HTMLDialogElement).open };
    });
    expect(hit).toEqual({ tag: 'IFRAME', name: 'updraft-widget_1', hostOpen: true });
    await frame.evaluate(() => {
      (window as any).clicks = 0;
      document.addEventListener('click', () => (window as any).clicks++);
    });
    await page.mouse.click(640, 600);
    expect(await frame.evaluate(() => (window as any).clicks)).toBe(1);
    await frame.click('#close');
    await until(async () => !(await dialogState(page)).open, 5_000, 'closed');
    expect(await activeElement(page)).toBe('hbtn');
    expect(await page.evaluate(() => (document.getElementById('hostdlg') as HTMLDialogElement).matches(':modal'))).toBe(true);
  });

  it('inlineContainer renders in place (selector or element): no dialog, no scroll lock, container styled and restored', async () => {
    const page = await openPage(
      hostPage(
        '<div id="inline" style="min-height: 10px;"></div><div id="inline2"></div>',
        `window.w = cloudinary.createUploadWidget({ cloudName: 'demo', inlineContainer: '#inline' }, log);
         window.w2 = cloudinary.createUploadWidget({ cloudName: 'demo', inline_container: document.getElementById('inline2') }, log);`,
      ),
    );
    await frameOf(page, 'widget_1');
    await frameOf(page, 'widget_2');
    const state = () =>
      page.evaluate(() => {
        const c = document.getElementById('inline')!;
        const f = c.querySelector('iframe');
        return {
          dialogs: document.querySelectorAll('dialog').length,
          iframeIn: f?.name ?? null,
          display: f ? getComputedStyle(f).display : null,
          height: f ? Math.round(f.getBoundingClientRect().height) : null,
          container: [c.style.minHeight, c.style.overflowX],
          inline2: document.querySelector('#inline2 > iframe')?.getAttribute('name') ?? null,
          htmlOverflow: getComputedStyle(document.documentElement).overflow,
        };
      });
    expect(await state()).toEqual({ dialogs: 0, iframeIn: 'updraft-widget_1', display: 'none', height: 0, container: ['610px', 'hidden'], inline2: 'updraft-widget_2', htmlOverflow: 'visible' });
    await page.evaluate(() => (window as unknown as HostWindow).w.open());
    await until(async () => (await state()).display === 'block', 5_000, 'inline shown');
    expect(await state()).toMatchObject({ height: 610, htmlOverflow: 'visible', dialogs: 0 });
    expect(await page.evaluate(() => (window as unknown as HostWindow).w.isShowing())).toBe(true);
    await page.evaluate(() => (window as unknown as HostWindow).w.close());
    expect(await state()).toMatchObject({ display: 'none' });
    await page.evaluate(() => (window as unknown as HostWindow).w.destroy());
    expect(await state()).toMatchObject({ iframeIn: null, container: ['10px', ''] });
  });

  it('minimize / show / hide / isShowing / isMinimized: a bar at queueViewPosition, non-modal; full width on narrow screens', async () => {
    const page = await openPage(
      hostPage(
        '<button id="other">host button</button>',
        `window.w = cloudinary.createUploadWidget({ cloudName: 'demo' }, log);
         window.clicked = 0; document.getElementById('other').addEventListener('click', () => clicked++);
         w.open();`,
      ),
    );
    const frame = await frameOf(page);
    await until(async () => (await dialogState(page)).modal, 5_000, 'modal');
    const state = () =>
      page.evaluate(() => {
        const w = (window as unknown as HostWindow).w;
        const r = document.querySelector('dialog.updraft-uw')!.getBoundingClientRect();
        return {
          showing: w.isShowing(),
          minimized: w.isMinimized(),
          rect: { left: Math.round(r.left), right: Math.round(innerWidth - r.right), bottom: Math.round(innerHeight - r.bottom), width: Math.round(r.width), height: Math.round(r.height) },
          htmlOverflow: getComputedStyle(document.documentElement).overflow,
        };
      });
    const call = (method: string, arg?: unknown) => page.evaluate(([m, a]) => (window as unknown as HostWindow).w[m as string](a), [method, arg] as const);

    await call('minimize');
    expect(await dialogState(page)).toEqual({ exists: true, open: true, modal: false });
    expect(await state()).toEqual({ showing: true, minimized: true, rect: { left: 745, right: 35, bottom: 5, width: 500, height: 55 }, htmlOverflow: 'visible' });
    await page.click('#other'); // the page is usable while minimized
    expect(await page.evaluate(() => (window as any).clicked)).toBe(1);

    await call('show');
    expect(await dialogState(page)).toMatchObject({ modal: true });
    expect(await state()).toMatchObject({ showing: true, minimized: false, htmlOverflow: 'hidden' });

    await send(frame, { type: 'uw_view', view: 'minimized' }); // the user minimized inside the frame
    await until(async () => (await state()).minimized, 5_000, 'minimized by frame');
    await call('update', { queue_view_position: 'left:20px' });
    await until(async () => (await state()).rect.left === 20, 5_000, 'bar moved');
    await send(frame, { type: 'uw_view', view: 'expanded' });
    await until(async () => (await dialogState(page)).modal, 5_000, 'expanded by frame');

    await call('hide');
    expect(await state()).toMatchObject({ showing: false, minimized: false, htmlOverflow: 'visible' });
    expect(await dialogState(page)).toMatchObject({ open: false });
    await call('show');
    expect(await dialogState(page)).toMatchObject({ modal: true });

    await page.setViewportSize({ width: 600, height: 700 });
    await call('minimize');
    expect((await state()).rect).toEqual({ left: 0, right: 0, bottom: 0, width: 600, height: 55 });

    await until(async () => (await events(page)).length >= 8, 5_000, 'events');
    expect((await events(page)).map((e) => e.result.info)).toEqual(['shown', 'minimized', 'expanded', 'minimized', 'expanded', 'hidden', 'shown', 'minimized']);
    const types = (await received(frame)).map((m) => (m.type === 'uw_view' ? `view:${m.view}` : m.type));
    // show() re-shows the frame with uw_show (expanding it), hide() tells it with uw_hide (the camera stops).
    expect(types).toEqual(['uw_show', 'view:minimized', 'uw_show', 'uw_config', 'uw_hide', 'uw_show', 'view:minimized']);
  });

  it('destroy() removes the DOM and resolves; removeThumbnails also removes the thumbnails it added', async () => {
    const page = await openPage(
      hostPage(
        '<button id="opener">open</button><div id="t"></div><div id="t2"><ul class="cloudinary-thumbnails"><li id="mine">host item</li></ul></div>',
        `window.w = cloudinary.createUploadWidget({ cloudName: 'demo', thumbnails: '#t' }, log);
         window.w2 = cloudinary.createUploadWidget({ cloudName: 'demo', thumbnails: '#t2' }, log);`,
      ),
    );
    const frame1 = await frameOf(page, 'widget_1');
    const frame2 = await frameOf(page, 'widget_2');
    const info = { public_id: 'a', resource_type: 'image', type: 'upload', path: 'v1/a.png', signature: 's' };
    await send(frame1, { type: 'uw_event', event: 'success', info });
    await send(frame2, { type: 'uw_event', event: 'success', info });
    await eventCount(page, 2);
    await page.focus('#opener');
    await page.evaluate(() => (window as unknown as HostWindow).w.open());
    await until(async () => (await dialogState(page)).modal, 5_000, 'modal');

    const result = await page.evaluate(async () => {
      const { w, w2 } = window as unknown as HostWindow;
      const promise = w.destroy({ removeThumbnails: true });
      const isPromise = promise instanceof Promise;
      await promise;
      await w2.destroy();
      const chain = w.open() === w && w.close() === w && w.isShowing() === false;
      return {
        isPromise,
        chain,
        destroyed: [w.isDestroyed(), w2.isDestroyed()],
        iframes: document.querySelectorAll('iframe, dialog').length,
        t: document.getElementById('t')!.innerHTML,
        t2: [...document.querySelectorAll('#t2 li')].map((li) => li.id || li.className),
        html: getComputedStyle(document.documentElement).overflow,
        active: document.activeElement?.id,
      };
    });
    expect(result).toEqual({
      isPromise: true,
      chain: true,
      destroyed: [true, true],
      iframes: 0,
      t: '',
      t2: ['mine', 'cloudinary-thumbnail'],
      html: 'visible',
      active: 'opener',
    });
  });

  it('applyUploadWidget: button before the hidden element, fieldName/form/thumbnails defaults, jQuery plugin', async () => {
    const page = await openPage(
      hostPage(
        '<form id="f"><input type="file" name="avatar" id="up"><input type="file" name="doc" id="up2"><input id="up3" name="x"></form>',
        `window.w = cloudinary.applyUploadWidget(document.getElementById('up'), { cloudName: 'demo', uploadPreset: 'preset1' }, log);
         jQuery('#up2').cloudinary_upload_widget({ cloudName: 'demo', button_class: 'my-btn', buttonCaption: 'Pick <b>file</b>' }, log);
         window.w3 = cloudinary.applyUploadWidget('#up3', { cloudName: 'demo', thumbnails: false });`,
        FAKE_JQUERY,
      ),
    );
    const dom = await page.evaluate(() =>
      ['up', 'up2', 'up3'].map((id) => {
        const el = document.getElementById(id)!;
        const a = el.previousElementSibling as HTMLAnchorElement;
        return { display: el.style.display, tag: a.tagName, href: a.getAttribute('href'), className: a.className, text: a.textContent, children: a.children.length };
      }),
    );
    expect(dom).toEqual([
      { display: 'none', tag: 'A', href: '#', className: 'cloudinary-button', text: 'Upload image', children: 0 },
      { display: 'none', tag: 'A', href: '#', className: 'my-btn', text: 'Pick <b>file</b>', children: 0 },
      { display: 'none', tag: 'A', href: '#', className: 'cloudinary-button', text: 'Upload image', children: 0 },
    ]);
    const frame = await frameOf(page, 'widget_1');
    await frameOf(page, 'widget_2');
    const frame3 = await frameOf(page, 'widget_3');
    expect(JSON.parse((await frame.evaluate(() => (window as unknown as FrameWindow).fake.form)).options)).toEqual({ cloudName: 'demo', uploadPreset: 'preset1' });

    await page.click('a.cloudinary-button >> nth=0');
    await until(async () => (await dialogState(page)).modal, 5_000, 'opened by the button');
    expect(page.url()).not.toContain('#');
    const info = { public_id: 'me', resource_type: 'image', type: 'upload', path: 'v9/me.jpg', signature: 'sig9' };
    await send(frame, { type: 'uw_event', event: 'success', info });
    await send(frame3, { type: 'uw_event', event: 'success', info });
    await eventCount(page, 2);
    await page.waitForTimeout(100);
    const after = await page.evaluate(() => ({
      inputs: [...document.querySelectorAll<HTMLInputElement>('#f input[type=hidden]')].map((i) => [i.name, i.value]),
      listAfterUp: document.getElementById('up')!.nextElementSibling?.className,
      lists: document.querySelectorAll('ul.cloudinary-thumbnails').length,
      jq: (window as unknown as HostWindow).jq.map((e) => [e.name, e.target]),
    }));
    expect(after).toEqual({
      inputs: [
        ['avatar', 'image/upload/v9/me.jpg#sig9'],
        ['x', 'image/upload/v9/me.jpg#sig9'],
      ],
      listAfterUp: 'cloudinary-thumbnails',
      lists: 1, // thumbnails: false → none for up3
      jq: [
        ['cloudinarywidgetfileuploadsuccess', 'up'],
        ['cloudinarywidgetfileuploadsuccess', 'up3'],
      ],
    });

    await frame.focus('#inner');
    await page.keyboard.press('Escape');
    await until(async () => !(await dialogState(page)).open, 5_000, 'closed');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('cloudinary-button');
    expect((await page.evaluate(() => (window as unknown as HostWindow).jq)).map((e) => e.name)).toContain('cloudinarywidgetclosed');

    await page.evaluate(() => (window as unknown as HostWindow).w.destroy());
    expect(await page.evaluate(() => [document.getElementById('up')!.style.display, document.querySelectorAll('a.cloudinary-button').length])).toEqual(['', 1]);
  });

  it('update() merges options, sends uw_config without loader-only or non-updatable keys, and resolves to the widget', async () => {
    const page = await openPage(
      hostPage(
        '<div id="c"></div>',
        `window.w = cloudinary.createUploadWidget({ cloudName: 'demo', uploadPreset: 'a', testHoldReady: true, getTags: (cb) => cb(['old']) }, log);
         window.same = w.update({ upload_preset: 'b', folder: 'f', getTags: (cb) => cb(['new']), inlineContainer: '#c', fieldName: 'z', form: '#c', fn: () => 1 })
           .then((r) => r === w);`,
      ),
    );
    const frame = await frameOf(page);
    expect(await page.evaluate(() => (window as any).same)).toBe(true);
    await frame.evaluate(() => (window as unknown as FrameWindow).fake.ready()); // update before ready was queued
    const [config] = await until(async () => ((await received(frame)).length ? received(frame) : null), 5_000, 'uw_config');
    expect(config).toEqual({ protocol: PROTOCOL, widgetId: 'widget_1', type: 'uw_config', options: { cloudName: 'demo', uploadPreset: 'b', testHoldReady: true, folder: 'f' } });
    // getTags is not updatable (spec §1.2): the original one still answers.
    expect(await request(frame, 'tags', '')).toMatchObject({ ok: true, value: ['old'] });
    expect(await page.evaluate(() => document.querySelectorAll('#c iframe').length)).toBe(0);
  });

  it('works from <head> before <body> exists: the frame mounts on DOMContentLoaded and an early open() is kept', async () => {
    const page = await openPage(
      host.page(`<!doctype html><html><head><meta charset="utf-8">
<script src="${widget.url}/latest/global/all.js"></script>
<script>
window.events = [];
window.w = cloudinary.createUploadWidget({ cloud_name: 'demo' }, (error, result) => events.push(JSON.parse(JSON.stringify({ error, result }))));
window.bodyAtCreate = !!document.body;
w.open();
</script></head><body><p>late body</p></body></html>`),
    );
    const frame = await frameOf(page);
    await until(async () => (await dialogState(page)).modal, 5_000, 'modal');
    expect(await page.evaluate(() => [(window as any).bodyAtCreate, document.querySelector('body > dialog > iframe')?.getAttribute('name')])).toEqual([false, 'updraft-widget_1']);
    expect((await received(frame)).map((m) => m.type)).toEqual(['uw_show']);
    expect(JSON.parse((await frame.evaluate(() => (window as unknown as FrameWindow).fake.form)).options)).toEqual({ cloudName: 'demo' });
  });

  it('loader.js is at most 5 KB gzipped', () => {
    const gzipped = gzipSync(loaderJs, { level: 9 }).length;
    console.log(`loader.js: ${loaderJs.length} bytes, ${gzipped} bytes gzipped`);
    expect(gzipped).toBeLessThanOrEqual(5 * 1024);
  });
});
