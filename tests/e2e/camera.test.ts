import sharp from 'sharp';
import type { Browser, Frame } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startPageServer, until, type PageServer } from '../helpers/browser.ts';
import { openPage, recordedEvents, waitForEvent, widgetFrame, widgetHostPage } from '../helpers/widget-page.ts';
import { basicAuth, request } from '../helpers/http.ts';
import { makeJpeg, sha256, writeTemp } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { loadLocale } from '../../server/services/texts.ts';

// The Camera source in Debian's Chromium with its fake capture device (a generated test pattern), the widget
// on another origin than the host page, photos uploaded for real to the local cloud.

const FAKE_CAMERA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
const camera = loadLocale('en').camera as Record<string, string>;

let server: TestServer;
let host: PageServer;
const browsers: Browser[] = [];

beforeAll(async () => {
  server = await startTestServer();
  host = await startPageServer();
});
afterAll(async () => {
  await Promise.all(browsers.map((browser) => browser.close()));
  await host?.close();
  await server?.close();
});

async function launch(args: string[]): Promise<Browser> {
  const browser = await launchBrowser(args);
  browsers.push(browser);
  return browser;
}

/** A host page opening the widget at once with these options (JSON), recording every callback. */
const widgetPage = (options: Record<string, unknown>, widgetUrl = server.url) =>
  widgetHostPage(host, widgetUrl, '', `window.w = cloudinary.createUploadWidget(${JSON.stringify({ cloudName: 'demo', uploadPreset: 'preset1', ...options })}, record);\nw.open();`);

/** The camera panel's live preview is playing: Capture is enabled. */
const waitUntilLive = (frame: Frame) =>
  until(() => frame.evaluate(() => {
    const video = document.querySelector<HTMLVideoElement>('[data-camera-video]');
    const capture = document.querySelector<HTMLButtonElement>('[data-camera-capture]');
    return !!video?.srcObject && video.videoWidth > 0 && capture?.disabled === false;
  }), 10_000, 'the live camera preview');

/** Keeps the preview's current stream as window.grabbed (to check its tracks after the panel let it go). */
const grabStream = (frame: Frame) =>
  frame.evaluate(() => {
    const stream = document.querySelector<HTMLVideoElement>('[data-camera-video]')!.srcObject as MediaStream;
    (window as unknown as { grabbed: MediaStream }).grabbed = stream;
    return stream.getVideoTracks().map((track) => track.readyState);
  });

const grabbedTracks = (frame: Frame) =>
  frame.evaluate(() => (window as unknown as { grabbed: MediaStream }).grabbed.getTracks().map((track) => track.readyState));

const previewSize = (frame: Frame) =>
  frame.evaluate(() => {
    const video = document.querySelector<HTMLVideoElement>('[data-camera-video]')!;
    return { width: video.videoWidth, height: video.videoHeight };
  });

const isHidden = (frame: Frame, selector: string) => frame.evaluate((s) => document.querySelector<HTMLElement>(s)!.hidden, selector);
const focusedData = (frame: Frame) => frame.evaluate(() => Object.keys(document.activeElement instanceof HTMLElement ? document.activeElement.dataset : {}));

describe('the Camera tab with one (fake) camera', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch(FAKE_CAMERA);
  });

  it('captures a JPEG at the stream’s size; Retake takes another; Use uploads it as Camera_<time>.jpg', async () => {
    const page = await openPage(browser, widgetPage({ sources: ['local', 'camera'] }));
    // The loader grants the camera to the widget's origin (the frame has no src attribute to stand for it).
    expect(await page.getAttribute('iframe', 'allow')).toBe(`camera ${server.url}`);
    const frame = await widgetFrame(page, server.url);
    // Nothing runs before the tab is chosen; on desktop there is no capture input in My Files.
    expect(await frame.evaluate(() => (document.querySelector('[data-camera-video]') as HTMLVideoElement).srcObject)).toBeNull();
    expect(await isHidden(frame, '[data-camera-capture-field]')).toBe(true);

    await frame.click('#uw-tab-camera');
    await waitUntilLive(frame);
    expect(await isHidden(frame, '[data-camera-device-field]')).toBe(true);
    expect(await frame.textContent('[data-camera-status]')).toBe(camera.ready);
    await grabStream(frame);

    await frame.click('[data-camera-capture]');
    await until(() => frame.isVisible('[data-camera-review]'), 5000, 'the photo review');
    expect(await frame.getAttribute('[data-camera-photo]', 'src')).toMatch(/^blob:/);
    expect(await focusedData(frame)).toContain('cameraUse');
    // The camera is off while the user looks at the photo.
    expect(await grabbedTracks(frame)).toEqual(['ended']);

    await frame.click('[data-camera-retake]');
    await waitUntilLive(frame);
    expect(await frame.isVisible('[data-camera-review]')).toBe(false);
    expect(await focusedData(frame)).toContain('cameraCapture');
    const size = await previewSize(frame);
    expect(size.width).toBeGreaterThan(0);
    expect(size.height).toBeGreaterThan(0);
    const before = Date.now();
    await frame.click('[data-camera-capture]');
    await until(() => frame.isVisible('[data-camera-use]'), 5000, 'the Use button');
    await frame.click('[data-camera-use]');

    const { info } = await waitForEvent(page, 'success');
    const added = (await recordedEvents(page)).find((entry) => entry.event === 'upload-added')!.info as { file: { name: string; type: string; size: number } };
    expect(added.file.type).toBe('image/jpeg');
    expect(added.file.name).toMatch(/^Camera_\d{8}_\d{6}\.jpg$/);
    const stamp = /^Camera_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})/.exec(added.file.name)!.slice(1).map(Number);
    const taken = new Date(stamp[0]!, stamp[1]! - 1, stamp[2]!, stamp[3]!, stamp[4]!, stamp[5]!).getTime();
    expect(Math.abs(taken - before)).toBeLessThan(60_000);

    expect(info).toMatchObject({ format: 'jpg', resource_type: 'image', width: size.width, height: size.height, bytes: added.file.size });
    const stored = Buffer.from(await (await fetch(String(info!.secure_url))).arrayBuffer());
    expect(stored.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(stored.length).toBe(added.file.size);
    const decoded = await sharp(stored).metadata();
    expect([decoded.format, decoded.width, decoded.height]).toEqual(['jpeg', size.width, size.height]);
    const resource = await request(`${server.url}/v1_1/demo/resources/image/upload/${String(info!.public_id)}`, { method: 'GET', headers: { authorization: basicAuth() } });
    expect(resource.json).toMatchObject({ width: size.width, height: size.height, format: 'jpg', bytes: stored.length });

    // The queue took over: the camera panel let its stream go.
    await until(() => frame.isVisible('[data-queue]'), 5000, 'the queue');
    expect(await frame.evaluate(() => (document.querySelector('[data-camera-video]') as HTMLVideoElement).srcObject)).toBeNull();
    await page.close();
  });

  it('stops the stream when the tab is left, when the widget closes and when the host closes it', async () => {
    const page = await openPage(browser, widgetPage({ sources: ['local', 'camera'], defaultSource: 'camera' }));
    const frame = await widgetFrame(page, server.url);
    // Opened on the Camera tab: the camera starts without a click.
    await waitUntilLive(frame);
    expect(await grabStream(frame)).toEqual(['live']);

    await frame.click('#uw-tab-local');
    await until(async () => (await grabbedTracks(frame)).every((state) => state === 'ended'), 5000, 'tracks ended after leaving the tab');
    expect(await frame.evaluate(() => (document.querySelector('[data-camera-video]') as HTMLVideoElement).srcObject)).toBeNull();
    expect(await frame.isVisible('#uw-panel-local')).toBe(true);

    await frame.click('#uw-tab-camera');
    await waitUntilLive(frame);
    expect(await grabStream(frame)).toEqual(['live']);
    await frame.click('[data-action="close"]');
    await waitForEvent(page, 'close');
    await until(async () => (await grabbedTracks(frame)).every((state) => state === 'ended'), 5000, 'tracks ended after the close button');

    await page.evaluate(() => (window as unknown as { w: { open(): void } }).w.open());
    await waitUntilLive(frame);
    expect(await grabStream(frame)).toEqual(['live']);
    await page.evaluate(() => (window as unknown as { w: { close(): void } }).w.close());
    await until(async () => (await grabbedTracks(frame)).every((state) => state === 'ended'), 5000, 'tracks ended after w.close()');

    // hide() and minimize() put the camera away too; show() and expanding bring it back.
    const call = (method: 'open' | 'hide' | 'show' | 'minimize') => page.evaluate((name) => (window as unknown as { w: Record<string, () => void> }).w[name]!(), method);
    for (const [away, back] of [['hide', 'show'], ['minimize', 'show']] as const) {
      await call('open');
      await waitUntilLive(frame);
      expect(await grabStream(frame)).toEqual(['live']);
      await call(away);
      await until(async () => (await grabbedTracks(frame)).every((state) => state === 'ended'), 5000, `tracks ended after ${away}()`);
      await call(back);
      await waitUntilLive(frame);
    }
    await page.close();
  });

  it('a stream granted after the tab was left is stopped at once', async () => {
    const page = await openPage(browser, widgetPage({ sources: ['local', 'camera'] }));
    const frame = await widgetFrame(page, server.url);
    // Every stream getUserMedia hands out, to check them all afterwards.
    await frame.evaluate(() => {
      const handed: MediaStream[] = [];
      (window as unknown as { handed: MediaStream[] }).handed = handed;
      const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = async (constraints) => {
        const stream = await original(constraints);
        // Answer late, as a slow permission prompt would.
        await new Promise((resolve) => setTimeout(resolve, 400));
        handed.push(stream);
        return stream;
      };
    });
    await frame.click('#uw-tab-camera');
    await frame.click('#uw-tab-local');
    await until(() => frame.evaluate(() => (window as unknown as { handed: MediaStream[] }).handed.length === 1), 5000, 'the late stream');
    await until(
      () => frame.evaluate(() => (window as unknown as { handed: MediaStream[] }).handed[0]!.getTracks().every((track) => track.readyState === 'ended')),
      5000,
      'the late stream stopped',
    );
    expect(await frame.evaluate(() => (document.querySelector('[data-camera-video]') as HTMLVideoElement).srcObject)).toBeNull();
    await page.close();
  });

  it('a remembered camera that is gone: any camera is used instead of an error', async () => {
    const page = await openPage(browser, widgetPage({ sources: ['local', 'camera'] }));
    let frame = await widgetFrame(page, server.url);
    await frame.evaluate(() => localStorage.setItem('updraft.camera.device', 'unplugged-camera-id'));
    await page.reload();
    frame = await widgetFrame(page, server.url);
    await frame.click('#uw-tab-camera');
    await waitUntilLive(frame);
    expect(await frame.isVisible('[data-camera-error]')).toBe(false);
    await page.close();
  });
});

describe('the Camera tab with two cameras', () => {
  let browser: Browser;
  beforeAll(async () => {
    // Chromium's fake capture factory reads its device count from the flag's value.
    browser = await launch(['--use-fake-device-for-media-stream=device-count=2', '--use-fake-ui-for-media-stream']);
  });

  const streamingCamera = (frame: Frame) =>
    frame.evaluate(() => {
      const stream = document.querySelector<HTMLVideoElement>('[data-camera-video]')!.srcObject as MediaStream;
      const track = stream.getVideoTracks()[0]!;
      return { label: track.label, deviceId: track.getSettings().deviceId };
    });

  it('offers a labelled choice, switches the stream to the chosen camera and remembers it', async () => {
    const page = await openPage(browser, widgetPage({ sources: ['local', 'camera'], defaultSource: 'camera' }));
    let frame = await widgetFrame(page, server.url);
    await waitUntilLive(frame);
    expect(await isHidden(frame, '[data-camera-device-field]')).toBe(false);
    expect(await frame.textContent('[data-camera-device-field] span')).toBe(camera.choose_camera);
    const options = await frame.$$eval('[data-camera-device] option', (list) => list.map((option) => ({ value: (option as HTMLOptionElement).value, label: option.textContent, selected: (option as HTMLOptionElement).selected })));
    expect(options.map((option) => option.label)).toEqual(['fake_device_0', 'fake_device_1']);
    const first = await streamingCamera(frame);
    expect(options.find((option) => option.selected)!.value).toBe(first.deviceId);
    const other = options.find((option) => option.value !== first.deviceId)!;

    await grabStream(frame);
    await frame.selectOption('[data-camera-device]', other.value);
    await until(async () => (await streamingCamera(frame).catch(() => null))?.deviceId === other.value, 10_000, 'the other camera streaming');
    expect((await streamingCamera(frame)).label).toBe(other.label);
    expect(await grabbedTracks(frame)).toEqual(['ended']);
    await waitUntilLive(frame);
    expect(await frame.$eval('[data-camera-device]', (select) => (select as HTMLSelectElement).value)).toBe(other.value);

    // A new frame (page reload) starts with the remembered camera.
    await page.reload();
    frame = await widgetFrame(page, server.url);
    await waitUntilLive(frame);
    expect((await streamingCamera(frame)).deviceId).toBe(other.value);
    await page.close();
  });
});

describe('camera problems', () => {
  it('denied permission: the message, Retry asks again, Back to My Files returns to My Files', async () => {
    // The verified way to make this Chromium deny: its fake permission UI answers "deny".
    const browser = await launch(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream=deny']);
    const page = await openPage(browser, widgetPage({ sources: ['local', 'camera'] }));
    const frame = await widgetFrame(page, server.url);
    await frame.click('#uw-tab-camera');
    await until(() => frame.isVisible('[data-camera-error]'), 10_000, 'the camera error');
    expect(await frame.getAttribute('[data-camera-error]', 'role')).toBe('alert');
    expect(await frame.textContent('[data-camera-error-message]')).toBe(camera.permission_denied);
    expect(await frame.textContent('.uw-camera-error-title')).toBe(camera.camera_error);
    expect(await focusedData(frame)).toContain('cameraErrorMessage');
    expect(await frame.isVisible('[data-camera-live]')).toBe(false);

    await frame.evaluate(() => (document.querySelector('[data-camera-error-message]')!.textContent = ''));
    await frame.click('[data-camera-retry]');
    await until(async () => (await frame.textContent('[data-camera-error-message]')) === camera.permission_denied, 10_000, 'the message again after Retry');

    await frame.click('[data-camera-leave]');
    expect(await frame.getAttribute('#uw-tab-local', 'aria-selected')).toBe('true');
    expect(await frame.isVisible('#uw-panel-local')).toBe(true);
    expect(await frame.isVisible('#uw-panel-camera')).toBe(false);
    await page.close();
  });

  it('no camera at all: says so', async () => {
    // Without the fake device flag, headless Chromium on this machine has no capture device.
    const browser = await launch(['--use-fake-ui-for-media-stream']);
    const page = await openPage(browser, widgetPage({ sources: ['local', 'camera'], defaultSource: 'camera' }));
    const frame = await widgetFrame(page, server.url);
    await until(() => frame.isVisible('[data-camera-error]'), 10_000, 'the camera error');
    expect(await frame.textContent('[data-camera-error-message]')).toBe(camera.no_camera);
    await page.close();
  });

  it('insecure context: explains that the camera needs https, and offers no useless retry', async () => {
    // The widget under a made-up http host name is not a secure context (only https and loopback are).
    const browser = await launch([...FAKE_CAMERA, '--host-resolver-rules=MAP updraft.test 127.0.0.1']);
    const insecureUrl = server.url.replace('127.0.0.1', 'updraft.test');
    const page = await openPage(browser, widgetPage({ sources: ['local', 'camera'], defaultSource: 'camera' }, insecureUrl));
    const frame = await widgetFrame(page, insecureUrl);
    expect(await frame.evaluate(() => window.isSecureContext)).toBe(false);
    await until(() => frame.isVisible('[data-camera-error]'), 10_000, 'the camera error');
    expect(await frame.textContent('[data-camera-error-message]')).toBe(camera.insecure_context);
    expect(await frame.isVisible('[data-camera-retry]')).toBe(false);
    await frame.click('[data-camera-leave]');
    expect(await frame.isVisible('#uw-panel-local')).toBe(true);
    await page.close();
  });
});

describe('touch devices', () => {
  it('show a capture input in My Files instead of the Camera tab, and upload what it takes', async () => {
    const browser = await launch(FAKE_CAMERA);
    const context = await browser.newContext({ hasTouch: true, isMobile: true, viewport: { width: 412, height: 800 } });
    const page = await context.newPage();
    await page.goto(widgetPage({ sources: ['local', 'camera'], defaultSource: 'camera' }));
    const frame = await widgetFrame(page, server.url);
    expect(await frame.evaluate(() => [matchMedia('(pointer: coarse)').matches, matchMedia('(any-pointer: fine)').matches])).toEqual([true, false]);
    await until(() => frame.isVisible('#uw-panel-local'), 5000, 'My Files');
    expect(await frame.locator('#uw-tab-camera').count()).toBe(0);
    expect(await frame.locator('#uw-panel-camera').count()).toBe(0);
    expect(await frame.getAttribute('#uw-tab-local', 'aria-selected')).toBe('true');

    const input = frame.locator('[data-camera-capture-input]');
    expect(await frame.isVisible('[data-camera-capture-field] label')).toBe(true);
    expect(await frame.textContent('[data-camera-capture-field] label')).toBe(camera.take_pic);
    expect(await input.getAttribute('accept')).toBe('image/*');
    expect(await input.getAttribute('capture')).toBe('environment');
    const photo = await makeJpeg(300, 200);
    await input.setInputFiles(writeTemp('phone-photo.jpg', photo));
    const { info } = await waitForEvent(page, 'success');
    expect(info).toMatchObject({ width: 300, height: 200, format: 'jpg' });
    expect(sha256(Buffer.from(await (await fetch(String(info!.secure_url))).arrayBuffer()))).toBe(sha256(photo));
    await context.close();
  });
});
