import type { LookupFunction } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { notificationSignature } from '../../server/services/signing.ts';
import { MAX_ATTEMPTS, RETRY_DELAYS_MS, type WebhookRow } from '../../server/services/webhook-dispatcher.ts';
import { makePng, pseudoRandomBytes } from '../helpers/fixtures.ts';
import { postJson, postMultipart, signed } from '../helpers/http.ts';
import { TEST_ACCOUNT, startTestServer, type TestServer, type TestServerOptions } from '../helpers/test-server.ts';
import { manualTimers, startReceiver, waitFor, type Receiver } from '../helpers/webhook-receiver.ts';

// Webhook delivery (spec 2.9, security notes 2.7, H1–H6, F10): real receivers on 127.0.0.1, the official
// SDK to verify signatures, and a fake clock plus manual timers to walk the retry schedule deterministically.

type Sdk = typeof import('cloudinary').v2;
let cloudinary: Sdk;
let png: string;

beforeAll(async () => {
  process.env.CLOUDINARY_URL = `cloudinary://${TEST_ACCOUNT.apiKey}:${TEST_ACCOUNT.apiSecret}@${TEST_ACCOUNT.cloudName}`;
  cloudinary = (await import('cloudinary')).v2;
  png = `data:image/png;base64,${(await makePng(12, 8)).toString('base64')}`;
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  // Receivers first: a held request then fails at once instead of keeping close() waiting for its timeout.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const allowLoopback = { remoteFetch: { allowAddresses: ['127.0.0.1'] } };

async function receiver(options: Parameters<typeof startReceiver>[0] = {}): Promise<Receiver> {
  const started = await startReceiver(options);
  cleanups.push(() => started.close());
  return started;
}

async function server(options: TestServerOptions = {}): Promise<TestServer> {
  const started = await startTestServer({ ...options, file: { ...allowLoopback, ...options.file } });
  cleanups.unshift(() => started.close());
  return started;
}

/** A fake clock starting now (upload signatures are checked against it) and a server that only sends on drain(). */
async function drivenServer(options: TestServerOptions = {}) {
  const clock = { now: Date.now() };
  const { armed, timers } = manualTimers();
  const app = await server({ ...options, now: () => clock.now, webhooks: { timers, random: () => 0 } });
  return { app, clock, armed };
}

const uploadUrl = (app: TestServer) => `${app.url}/v1_1/demo/image/upload`;
const upload = (app: TestServer, params: Record<string, string>, algorithm: 'sha1' | 'sha256' = 'sha1') =>
  postJson(uploadUrl(app), Object.fromEntries([...signed(params, { algorithm }), ['file', png]]));

function onlyRow(app: TestServer): WebhookRow {
  const rows = app.updraft.webhooks.list();
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

describe('a delivered notification', () => {
  it('carries the upload result with an X-Cld-Signature the official SDK accepts', async () => {
    const hook = await receiver();
    const app = await server();
    const answer = await upload(app, { notification_url: hook.url, public_id: 'hooked/one', tags: 'a,b', return_delete_token: 'true' });
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    await waitFor(() => hook.hits.length === 1, 5_000, 'delivery');

    const [hit] = hook.hits;
    expect(hit!.headers['content-type']).toBe('application/json');
    const timestamp = Number(hit!.headers['x-cld-timestamp']);
    const signature = String(hit!.headers['x-cld-signature']);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(60);
    expect(cloudinary.utils.verifyNotificationSignature(hit!.body, timestamp, signature)).toBe(true);
    // One byte changed in the body or the timestamp, and the SDK refuses it.
    expect(cloudinary.utils.verifyNotificationSignature(hit!.body.replace('hooked/one', 'hooked/onf'), timestamp, signature)).toBe(false);
    expect(cloudinary.utils.verifyNotificationSignature(hit!.body, timestamp + 1, signature)).toBe(false);

    const { notification_type, timestamp: uploadedAt, request_id, ...fields } = JSON.parse(hit!.body);
    expect(notification_type).toBe('upload');
    expect(request_id).toMatch(/^[0-9a-f]{32}$/);
    expect(uploadedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    expect(Math.abs(Date.parse(uploadedAt) - Date.now())).toBeLessThan(60_000);
    // The delete token lets its holder delete the asset: the uploader gets it, the receiver does not.
    const { delete_token, ...response } = answer.json;
    expect(delete_token).toMatch(/\w+/);
    expect(fields).toEqual(response);

    await app.updraft.webhooks.drain();
    expect(onlyRow(app)).toMatchObject({ state: 'delivered', attempts: 1, last_status: 200 });
  });

  it('is signed with SHA-256 when the account accepts only SHA-256', async () => {
    const hook = await receiver();
    const app = await server({ file: { ...allowLoopback, signatureAlgorithms: ['sha256'] } });
    const answer = await upload(app, { notification_url: hook.url, signature_algorithm: 'sha256' }, 'sha256');
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    await waitFor(() => hook.hits.length === 1, 5_000, 'delivery');
    const hit = hook.hits[0]!;
    const timestamp = Number(hit.headers['x-cld-timestamp']);
    expect(hit.headers['x-cld-signature']).toBe(notificationSignature(hit.body, timestamp, TEST_ACCOUNT.apiSecret, 'sha256'));
    cloudinary.config({ signature_algorithm: 'sha256' });
    try {
      expect(cloudinary.utils.verifyNotificationSignature(hit.body, timestamp, String(hit.headers['x-cld-signature']))).toBe(true);
    } finally {
      cloudinary.config({ signature_algorithm: 'sha1' });
    }
  });

  it("an unsigned upload through a preset with notification_url is delivered to the preset's URL", async () => {
    const hook = await receiver();
    const app = await server({
      file: { ...allowLoopback, presets: [{ name: 'hooked', unsigned: true, settings: { notification_url: hook.url } }] },
    });
    const answer = await postJson(uploadUrl(app), { file: png, upload_preset: 'hooked' });
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    await waitFor(() => hook.hits.length === 1, 5_000, 'delivery');
    expect(JSON.parse(hook.hits[0]!.body)).toMatchObject({ notification_type: 'upload', public_id: answer.json.public_id, asset_id: answer.json.asset_id });
  });

  it('an upload answered with existing: true (overwrite off) is notified too', async () => {
    const hook = await receiver();
    const { app } = await drivenServer();
    await upload(app, { public_id: 'taken' });
    const answer = await upload(app, { public_id: 'taken', overwrite: 'false', notification_url: hook.url });
    expect(answer.json.existing).toBe(true);
    await app.updraft.webhooks.drain();
    expect(hook.hits).toHaveLength(1);
    expect(JSON.parse(hook.hits[0]!.body)).toMatchObject({ public_id: 'taken', existing: true });
  });

  it('a chunked upload is notified once, when its last part completes it (also when that part is sent again)', async () => {
    const hook = await receiver();
    const { app } = await drivenServer();
    const data = pseudoRandomBytes(5_000_000 + 1_234, 5);
    const params = signed({ notification_url: hook.url, public_id: 'chunked/hooked.bin' });
    const part = (start: number, end: number) =>
      postMultipart(`${app.url}/v1_1/demo/raw/upload`, params, [{ data: data.subarray(start, end + 1) }], {
        'x-unique-upload-id': 'hooked-chunks-1',
        'content-range': `bytes ${start}-${end}/${end === data.length - 1 ? data.length : -1}`,
      });
    expect((await part(0, 4_999_999)).json).toMatchObject({ done: false });
    await app.updraft.webhooks.drain();
    expect(hook.hits).toHaveLength(0);
    const done = await part(5_000_000, data.length - 1);
    expect(done.json).toMatchObject({ public_id: 'chunked/hooked.bin', bytes: data.length });
    expect((await part(5_000_000, data.length - 1)).json.asset_id).toBe(done.json.asset_id);
    await app.updraft.webhooks.drain();
    expect(hook.hits).toHaveLength(1);
    expect(JSON.parse(hook.hits[0]!.body)).toMatchObject({ public_id: 'chunked/hooked.bin', asset_id: done.json.asset_id });
  });

  it('is queued in the database before the upload is answered', async () => {
    const { app } = await drivenServer();
    const answer = await upload(app, { notification_url: 'http://127.0.0.1:9/never-sent', public_id: 'queued' });
    expect(answer.status).toBe(200);
    const row = onlyRow(app);
    expect(row).toMatchObject({ state: 'pending', attempts: 0, url: 'http://127.0.0.1:9/never-sent' });
    expect(JSON.parse(row.body)).toMatchObject({ public_id: 'queued', asset_id: answer.json.asset_id });
  });
});

describe('a slow or hanging receiver', () => {
  it('never delays the upload response, times out, and does not hold up other deliveries', async () => {
    const hanging = await receiver({ respond: () => undefined });
    const healthy = await receiver();
    const app = await server({ file: { ...allowLoopback, webhooks: { timeoutMs: 4_000 } } });

    expect((await upload(app, { notification_url: hanging.url })).status).toBe(200);
    await waitFor(() => hanging.holding === 1, 5_000, 'hanging receiver holds the delivery');

    const started = Date.now();
    const answer = await upload(app, { notification_url: healthy.url });
    expect(answer.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(hanging.holding).toBe(1);
    await waitFor(() => healthy.hits.length === 1, 1_500, 'delivery beside the hanging one');
    expect(hanging.holding).toBe(1);

    // The hanging attempt ends at the timeout and is scheduled again.
    await waitFor(() => app.updraft.webhooks.list().some((row) => row.url === hanging.url && row.state === 'pending'), 8_000, 'timeout');
    const row = app.updraft.webhooks.list().find((r) => r.url === hanging.url)!;
    expect(row).toMatchObject({ attempts: 1, last_status: null });
    expect(row.last_error).toMatch(/timed out/i);
    expect(row.next_attempt_at - row.updated_at).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[0]!);
  });

  it('sends at most `concurrency` at once and never one row twice at a time', async () => {
    const hanging = await receiver({ respond: () => undefined });
    const { app } = await drivenServer({ file: { ...allowLoopback, webhooks: { concurrency: 2, timeoutMs: 30_000 } } });
    for (let i = 0; i < 3; i++) await upload(app, { notification_url: hanging.url });
    const sending = Promise.all([app.updraft.webhooks.tick(), app.updraft.webhooks.tick(), app.updraft.webhooks.drain()]);
    await waitFor(() => hanging.holding === 2, 5_000, 'two held deliveries');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(hanging.hits).toHaveLength(2);
    expect(new Set(hanging.hits.map((hit) => JSON.parse(hit.body).request_id)).size).toBe(2);
    expect(app.updraft.webhooks.list().filter((row) => row.state === 'sending')).toHaveLength(2);

    // Free the slots: the held requests fail, and the third row takes a slot.
    await hanging.close();
    await sending;
    expect(hanging.maxHolding).toBe(2);
  });

  /** A receiver answering `status` with a body that never ends; `closed` flips when the sender hangs up. */
  async function endlessReceiver(status: number) {
    const state = { closed: false };
    const hook = await receiver({
      respond: (_hit, res) => {
        res.writeHead(status);
        const chunk = Buffer.alloc(16 * 1024, 0x61);
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        res.on('close', () => (state.closed = true));
        pump();
      },
    });
    return { hook, state };
  }

  it('H5: a 200 with an endless body is a success; the sender does not read it and closes', async () => {
    const { hook, state } = await endlessReceiver(200);
    const { app } = await drivenServer();
    await upload(app, { notification_url: hook.url });
    await app.updraft.webhooks.drain();
    await waitFor(() => state.closed, 5_000, 'connection closed by the sender');
    expect(onlyRow(app)).toMatchObject({ state: 'delivered', last_status: 200 });
  });

  it('H5: a 500 with an endless body: at most 64 KB read for the error note, then closed', async () => {
    const { hook, state } = await endlessReceiver(500);
    const { app } = await drivenServer();
    await upload(app, { notification_url: hook.url });
    await app.updraft.webhooks.drain();
    await waitFor(() => state.closed, 5_000, 'connection closed by the sender');
    const row = onlyRow(app);
    expect(row).toMatchObject({ state: 'pending', last_status: 500 });
    expect(row.last_error).toMatch(/^HTTP 500: a+$/);
    expect(row.last_error!.length).toBeLessThanOrEqual(300);
  });
});

describe('retries on the injected clock', () => {
  it('500 then 200: retried after the first backoff step, delivered once, same body bytes, fresh signature', async () => {
    let failures = 1;
    const { app, clock, armed } = await drivenServer();
    const hook = await receiver({
      clock: () => clock.now,
      respond: (_hit, res) => {
        res.statusCode = failures-- > 0 ? 500 : 200;
        res.end();
      },
    });
    const t0 = clock.now;
    await upload(app, { notification_url: hook.url });
    await app.updraft.webhooks.drain();
    expect(hook.hits.map((hit) => hit.at)).toEqual([t0]);
    expect(onlyRow(app)).toMatchObject({ state: 'pending', attempts: 1, last_status: 500, next_attempt_at: t0 + RETRY_DELAYS_MS[0]! });
    // The dispatcher's one timer is armed for exactly that moment.
    expect(armed.at(-1)).toBe(RETRY_DELAYS_MS[0]);

    clock.now = t0 + RETRY_DELAYS_MS[0]! - 1;
    await app.updraft.webhooks.drain();
    expect(hook.hits).toHaveLength(1);

    clock.now = t0 + RETRY_DELAYS_MS[0]!;
    await app.updraft.webhooks.drain();
    expect(hook.hits.map((hit) => hit.at)).toEqual([t0, t0 + RETRY_DELAYS_MS[0]!]);
    expect(onlyRow(app)).toMatchObject({ state: 'delivered', attempts: 2, last_status: 200, last_error: null });

    const [first, second] = hook.hits as [(typeof hook.hits)[0], (typeof hook.hits)[0]];
    expect(second.body).toBe(first.body);
    expect(second.headers['x-cld-timestamp']).toBe(String(Math.floor((t0 + RETRY_DELAYS_MS[0]!) / 1000)));
    expect(second.headers['x-cld-signature']).not.toBe(first.headers['x-cld-signature']);
    for (const hit of hook.hits) {
      const timestamp = Number(hit.headers['x-cld-timestamp']);
      expect(hit.headers['x-cld-signature']).toBe(notificationSignature(hit.body, timestamp, TEST_ACCOUNT.apiSecret));
    }

    clock.now += 24 * 3600_000;
    await app.updraft.webhooks.drain();
    expect(hook.hits).toHaveLength(2);
  });

  it('H2: a 3xx is a failure and its Location gets no request', async () => {
    const target = await receiver();
    const hook = await receiver({ respond: (_hit, res) => res.writeHead(302, { location: target.url }).end() });
    const { app } = await drivenServer();
    await upload(app, { notification_url: hook.url });
    await app.updraft.webhooks.drain();
    expect(hook.hits).toHaveLength(1);
    expect(target.connections).toBe(0);
    expect(onlyRow(app)).toMatchObject({ state: 'pending', attempts: 1, last_status: 302 });
  });

  it('H6: 410 Gone disables the delivery: no further attempts', async () => {
    const hook = await receiver({ respond: (_hit, res) => res.writeHead(410).end('gone') });
    const { app, clock } = await drivenServer();
    await upload(app, { notification_url: hook.url });
    await app.updraft.webhooks.drain();
    expect(onlyRow(app)).toMatchObject({ state: 'disabled', attempts: 1, last_status: 410 });
    for (const step of RETRY_DELAYS_MS) {
      clock.now += step;
      await app.updraft.webhooks.drain();
    }
    expect(hook.hits).toHaveLength(1);
  });

  it('H6: 429 with Retry-After is honoured (instead of the backoff), and capped at an hour', async () => {
    const answers = [
      ['429', '2'],
      ['429', '86400'],
      ['200', ''],
    ];
    const hook = await receiver({
      respond: (_hit, res) => {
        const [status, retryAfter] = answers.shift()!;
        res.writeHead(Number(status), retryAfter ? { 'retry-after': retryAfter } : {}).end();
      },
    });
    const { app, clock } = await drivenServer();
    const t0 = clock.now;
    await upload(app, { notification_url: hook.url });
    await app.updraft.webhooks.drain();
    expect(onlyRow(app)).toMatchObject({ state: 'pending', last_status: 429, next_attempt_at: t0 + 2_000 });

    clock.now = t0 + 1_999;
    await app.updraft.webhooks.drain();
    expect(hook.hits).toHaveLength(1);
    clock.now = t0 + 2_000;
    await app.updraft.webhooks.drain();
    expect(hook.hits).toHaveLength(2);
    expect(onlyRow(app)).toMatchObject({ state: 'pending', last_status: 429, next_attempt_at: t0 + 2_000 + 3600_000 });

    clock.now = t0 + 2_000 + 3600_000;
    await app.updraft.webhooks.drain();
    expect(onlyRow(app)).toMatchObject({ state: 'delivered', attempts: 3 });
  });

  it('F10: a receiver that is down is retried on the schedule, then dead-lettered after the last attempt', async () => {
    const closed = await startReceiver();
    await closed.close();
    const { app, clock, armed } = await drivenServer();
    const t0 = clock.now;
    const url = `http://127.0.0.1:${closed.port}/hook`;

    const started = Date.now();
    expect((await upload(app, { notification_url: url })).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);

    // Attempt k (1-based) is due at t0 + the sum of the first k-1 delays.
    let due = t0;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (attempt > 1) {
        clock.now = due - 1;
        await app.updraft.webhooks.drain();
        expect(onlyRow(app).attempts, `attempt ${attempt} not before its time`).toBe(attempt - 1);
      }
      clock.now = due;
      await app.updraft.webhooks.drain();
      const row = onlyRow(app);
      expect(row.attempts).toBe(attempt);
      expect(row.updated_at).toBe(due);
      expect(row.last_error).toMatch(/connection refused/);
      if (attempt < MAX_ATTEMPTS) {
        due += RETRY_DELAYS_MS[attempt - 1]!;
        expect(row).toMatchObject({ state: 'pending', next_attempt_at: due });
        expect(armed.at(-1)).toBe(Math.min(due - clock.now, 30_000));
      }
    }
    expect(onlyRow(app).state).toBe('failed');
    expect(due - t0).toBeGreaterThan(55 * 60_000);
    expect(due - t0).toBeLessThan(75 * 60_000);

    clock.now += 24 * 3600_000;
    await app.updraft.webhooks.drain();
    expect(onlyRow(app)).toMatchObject({ state: 'failed', attempts: MAX_ATTEMPTS });
  });
});

describe('H1: the URL is checked again at send time', () => {
  it('a name that resolves to a forbidden address only at send time makes no connection', async () => {
    const hook = await receiver();
    let rebound = false;
    // At upload time the name is only checked syntactically; at send time it "rebinds" to loopback.
    const lookup = ((_hostname, options, callback) => {
      const address = rebound ? '127.0.0.1' : '203.0.113.7';
      if (options.all) callback(null, [{ address, family: 4 }]);
      else callback(null, address, 4);
    }) as LookupFunction;
    const clock = { now: Date.now() };
    const { timers } = manualTimers();
    const app = await startTestServer({ file: { remoteFetch: { allowedPorts: [hook.port] } }, lookup, now: () => clock.now, webhooks: { timers } });
    cleanups.unshift(() => app.close());

    const answer = await upload(app, { notification_url: `http://hooks.rebind.test:${hook.port}/hook` });
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    rebound = true;
    await app.updraft.webhooks.drain();
    expect(hook.connections).toBe(0);
    expect(onlyRow(app)).toMatchObject({ state: 'failed', attempts: 1 });
    expect(onlyRow(app).last_error).toMatch(/not allowed/);
  });

  it('a URL accepted under one policy is refused after a restart under a stricter one', async () => {
    const hook = await receiver();
    const { timers } = manualTimers();
    const first = await startTestServer({ file: allowLoopback, keepData: true, webhooks: { timers } });
    expect((await upload(first, { notification_url: hook.url })).status).toBe(200);
    await first.close();

    const second = await startTestServer({ dataDir: first.dataDir, webhooks: { timers } });
    cleanups.unshift(() => second.close());
    await second.updraft.webhooks.drain();
    expect(hook.connections).toBe(0);
    expect(onlyRow(second)).toMatchObject({ state: 'failed', attempts: 1 });
    expect(onlyRow(second).last_error).toMatch(/not allowed/);
  });
});

describe('durability across restarts', () => {
  it('a delivery queued while the receiver is down arrives exactly once after a restart on the same data dir', async () => {
    const down = await startReceiver();
    const port = down.port;
    await down.close();
    const clock = { now: Date.now() };
    const { timers } = manualTimers();
    const first = await startTestServer({ file: allowLoopback, keepData: true, now: () => clock.now, webhooks: { timers, random: () => 0 } });
    const answer = await upload(first, { notification_url: `http://127.0.0.1:${port}/hook`, public_id: 'survives' });
    expect(answer.status).toBe(200);
    await first.updraft.webhooks.drain();
    expect(onlyRow(first)).toMatchObject({ state: 'pending', attempts: 1 });
    await first.close();

    const hook = await receiver({ port });
    const second = await server({ dataDir: first.dataDir, now: () => clock.now, webhooks: { timers, random: () => 0 } });
    await second.updraft.webhooks.drain();
    expect(hook.hits).toHaveLength(0);
    clock.now += RETRY_DELAYS_MS[0]!;
    await second.updraft.webhooks.drain();
    clock.now += 24 * 3600_000;
    await second.updraft.webhooks.drain();
    expect(hook.hits).toHaveLength(1);
    expect(JSON.parse(hook.hits[0]!.body)).toMatchObject({ public_id: 'survives', asset_id: answer.json.asset_id });
    expect(onlyRow(second)).toMatchObject({ state: 'delivered', attempts: 2 });
  });

  it('the wake-up timer alone delivers a row that is pending when the app starts', async () => {
    const down = await startReceiver();
    const port = down.port;
    await down.close();
    const { timers } = manualTimers();
    const first = await startTestServer({ file: allowLoopback, keepData: true, webhooks: { timers } });
    await upload(first, { notification_url: `http://127.0.0.1:${port}/hook` });
    await first.close();

    const hook = await receiver({ port });
    // Real timers this time: the row was never attempted, so it is due at once.
    await server({ dataDir: first.dataDir });
    await waitFor(() => hook.hits.length === 1, 5_000, 'delivery after start');
  });
});
