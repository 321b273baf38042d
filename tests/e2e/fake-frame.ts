/**
 * A stand-in for the Updraft widget server, for testing the loader (all.js) in isolation: it serves the built
 * loader and, at POST /widget/frame, a FAKE frame that speaks the frame side of islands/shared/protocol.ts just
 * enough to drive the loader from a test (`window.fake` inside the frame: send, request, received, ready).
 */
import { PROTOCOL } from '../../islands/shared/protocol.ts';
import { startPageServer, type PageServer } from '../helpers/browser.ts';

/** A 1×1 PNG for thumbnails. */
export const PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);

/** Serializes a value for an inline <script> (no `</script>` break-out). */
const inlineJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/**
 * The fake frame page. Options with `testHoldReady: true` make it wait for `fake.ready()` before `uw_ready`
 * (to test open-before-ready). Escape or its X button send `uw_close`, like the real frame.
 */
function fakeFramePage(fields: Record<string, string>): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>fake frame</title></head>
<body style="margin:0">
<div id="backdrop" style="position:fixed;inset:0;background:rgba(0,0,0,.4)">
  <div role="dialog" style="margin:40px auto;width:300px;background:#fff;padding:10px">
    <button id="close" type="button">X</button> <button id="inner" type="button">Inner</button>
  </div>
</div>
<script>
(() => {
  const form = ${inlineJson(fields)};
  const options = JSON.parse(form.options || '{}');
  const PROTOCOL = ${inlineJson(PROTOCOL)};
  const received = [];
  const pending = new Map();
  let nextId = 1;
  const send = (message) => parent.postMessage({ protocol: PROTOCOL, widgetId: form.widgetId, ...message }, form.origin);
  const describe = (value) =>
    value instanceof File ? { kind: 'file', name: value.name, size: value.size, type: value.type, isFile: true }
    : typeof value === 'string' ? value : { kind: Object.prototype.toString.call(value) };
  addEventListener('message', (event) => {
    const data = event.data;
    if (event.source !== parent || event.origin !== form.origin) return;
    if (!data || data.protocol !== PROTOCOL || data.widgetId !== form.widgetId) return;
    received.push(data.type === 'uw_show' ? { ...data, files: data.files.map(describe) } : data);
    if (data.type === 'uw_reply' && pending.has(data.requestId)) pending.get(data.requestId)(data);
  });
  const ready = () => send({ type: 'uw_ready', apiBase: location.origin, cloudName: options.cloudName || 'demo' });
  window.fake = {
    form, options, received, send, ready,
    /** Sends uw_request and resolves with the uw_reply. */
    request(callback, payload) {
      const requestId = nextId++;
      return new Promise((resolve) => {
        pending.set(requestId, resolve);
        send({ type: 'uw_request', requestId, callback, payload });
      });
    },
    focusedInside: () => document.hasFocus(),
  };
  document.getElementById('close').addEventListener('click', () => send({ type: 'uw_close' }));
  addEventListener('keydown', (event) => { if (event.key === 'Escape') send({ type: 'uw_close' }); });
  if (!options.testHoldReady) ready();
})();
</script></body></html>`;
}

/** A page (on the widget origin, NOT the widget's iframe) that forges a success for `?w=<widgetId>`. */
const FORGER_PAGE = `<!doctype html><meta charset="utf-8"><script>
const widgetId = new URLSearchParams(location.search).get('w');
const forged = { protocol: ${inlineJson(PROTOCOL)}, widgetId, type: 'uw_event', event: 'success', info: { public_id: 'forged-by-sibling' } };
parent.postMessage(forged, '*');
parent.postMessage({ ...forged, type: 'uw_close' }, '*');
window.sent = true;
</script>`;

export interface FakeWidgetServer extends PageServer {
  /** Bodies of the frame POSTs, parsed. */
  framePosts: { contentType: string; fields: Record<string, string> }[];
  /** JSON bodies received by delete_by_token. */
  deletes: { cloud: string; contentType: string; body: unknown }[];
}

/** Serves `loaderJs` at /latest/global/all.js (and /global/all.js), the fake frame, a thumbnail and delete_by_token. */
export async function startFakeWidgetServer(loaderJs: () => string | Buffer): Promise<FakeWidgetServer> {
  const framePosts: FakeWidgetServer['framePosts'] = [];
  const deletes: FakeWidgetServer['deletes'] = [];
  const cors = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'Content-Type', 'Access-Control-Allow-Methods': 'POST' };
  const server = await startPageServer((req, res) => {
    const match = /^\/v1_1\/([^/]+)\/delete_by_token$/.exec(req.path);
    if (!match) return void res.writeHead(404).end('not found');
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
    const body = JSON.parse(req.body.toString('utf8') || 'null') as { token?: string } | null;
    deletes.push({ cloud: match[1]!, contentType: String(req.headers['content-type']), body });
    const ok = body?.token !== 'bad-token';
    res.writeHead(ok ? 200 : 400, { ...cors, 'Content-Type': 'application/json' }).end(JSON.stringify(ok ? { result: 'ok' } : { error: { message: 'Invalid token' } }));
  });
  for (const path of ['/latest/global/all.js', '/global/all.js']) {
    server.route(path, (_req, res) => void res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' }).end(loaderJs()));
  }
  server.route('/widget/frame', (req, res) => {
    if (req.method !== 'POST') return void res.writeHead(405).end('POST only');
    const fields = Object.fromEntries(new URLSearchParams(req.body.toString('utf8')));
    framePosts.push({ contentType: String(req.headers['content-type']), fields });
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(fakeFramePage(fields));
  });
  server.set('/thumb.png', PIXEL_PNG, 'image/png');
  server.set('/forger.html', FORGER_PAGE);
  return Object.assign(server, { framePosts, deletes });
}
