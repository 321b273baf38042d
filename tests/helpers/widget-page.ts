/**
 * Host pages that load the real widget from a test server, on another origin (a PageServer), recording every
 * callback in `window.events`; and the frame once its script has started.
 */
import type { Browser, Frame, Page } from 'playwright-core';
import { until, type PageServer } from './browser.ts';

export interface RecordedEvent {
  error: unknown;
  event?: string;
  info?: Record<string, unknown>;
}

/** A host page (served by `host`) loading `widgetServerUrl`'s all.js; `record(error, result)` keeps each callback. */
export function widgetHostPage(host: PageServer, widgetServerUrl: string, body: string, script: string): string {
  return host.page(`<!doctype html><html><head><meta charset="utf-8"><title>host</title></head><body>
${body}
<script src="${widgetServerUrl}/latest/global/all.js" type="text/javascript"></script>
<script>
window.events = [];
window.record = function (error, result) { window.events.push({ error: error || null, event: result && result.event, info: result && result.info }); };
${script}
</script></body></html>`);
}

/** A new page at `url`, page errors logged. */
export async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (error) => console.error('[pageerror]', error.message));
  await page.goto(url);
  return page;
}

/** The widget frame (served by `widgetServerUrl`) once its script has started. */
export function widgetFrame(page: Page, widgetServerUrl: string): Promise<Frame> {
  return until(async () => {
    for (const frame of page.frames()) {
      if (!frame.url().startsWith(widgetServerUrl)) continue;
      if (await frame.evaluate(() => document.documentElement.dataset.uwReady === 'true').catch(() => false)) return frame;
    }
    return null;
  }, 10_000, 'the widget frame');
}

export const recordedEvents = (page: Page) => page.evaluate(() => (window as unknown as { events: RecordedEvent[] }).events);

/** The first recorded event of that name (waits for it). */
export const waitForEvent = (page: Page, name: string, timeoutMs = 15_000) =>
  until(async () => (await recordedEvents(page)).find((entry) => entry.event === name), timeoutMs, `event ${name}`);
