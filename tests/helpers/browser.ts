/**
 * Browser-test helpers: Debian's Chromium driven by playwright-core (no downloaded browsers here), and small
 * HTTP servers for host pages, so every browser test runs the widget with the host page on a DIFFERENT origin
 * than the widget server, as real sites do.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';

/** Flags for headless Debian Chromium in a container (no sandbox, no GPU, no background traffic). */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Launches one Chromium (call once per test file, in beforeAll; close it in afterAll). */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

/** A request as a test handler sees it (body already read). */
export interface ReceivedRequest {
  method: string;
  path: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export type Handler = (req: ReceivedRequest, res: ServerResponse) => void | Promise<void>;

export interface PageServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every request received, in order. */
  requests: ReceivedRequest[];
  /** Serves `html` at a fresh path and returns its absolute URL. */
  page(html: string): string;
  /** Serves `body` at `path` (exact match, any method). */
  set(path: string, body: string | Buffer, contentType?: string): void;
  /** A handler for `path` (exact match), for dynamic answers. */
  route(path: string, handler: Handler): void;
  close(): Promise<void>;
}

/**
 * A tiny node:http server on its own 127.0.0.1 port (a port is part of the origin, so two of these are two
 * origins). Unknown paths answer 404; `fallback` may take them instead.
 */
export async function startPageServer(fallback?: Handler): Promise<PageServer> {
  const routes = new Map<string, Handler>();
  const requests: ReceivedRequest[] = [];
  let pageCount = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const received: ReceivedRequest = { method: req.method ?? 'GET', path: url.pathname, url, headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(received);
      const handler = routes.get(url.pathname) ?? fallback;
      Promise.resolve()
        .then(() => (handler ? handler(received, res) : void res.writeHead(404).end('not found')))
        .catch((error: unknown) => {
          if (!res.headersSent) res.writeHead(500);
          res.end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const set = (path: string, body: string | Buffer, contentType = 'text/html; charset=utf-8') =>
    routes.set(path, (_req, res) => void res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' }).end(body));
  return {
    url,
    requests,
    page(html) {
      const path = `/page-${++pageCount}.html`;
      set(path, html);
      return url + path;
    },
    set,
    route: (path, handler) => void routes.set(path, handler),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Waits until `page` has a frame named `name` whose document defines `window[global]` (cross-origin frames too). */
export async function waitForFrame(page: Page, name: string, global: string, timeoutMs = 10_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = page.frame({ name });
    if (frame) {
      const ok = await frame.evaluate((key) => key in window, global).catch(() => false);
      if (ok) return frame;
    }
    if (Date.now() > deadline) throw new Error(`frame ${name} with window.${global} did not appear in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Polls `fn` until it returns a truthy value (or throws after `timeoutMs`). */
export async function until<T>(fn: () => Promise<T> | T, timeoutMs = 5_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
