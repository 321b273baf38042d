import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../server/errors.ts';
import type { RemoteFetcher } from '../../../server/services/remote-fetch.ts';
import { createWebhookDispatcher, parseRetryAfter, RETRY_DELAYS_MS } from '../../../server/services/webhook-dispatcher.ts';
import { openDatabase } from '../../../server/storage/local/database.ts';

const account = { cloudName: 'demo', apiKey: 'key', apiSecret: 'secret' };

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  it('reads delay-seconds and HTTP dates, never below zero, at most an hour', () => {
    expect(parseRetryAfter('2', now)).toBe(2_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('999999', now)).toBe(3_600_000);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
  });
});

/** A dispatcher over an in-memory database whose fetcher answers `status` (or throws `error`). */
function dispatcherWith(answer: { status?: number; error?: AppError }, random = () => 0) {
  const db = openDatabase(':memory:');
  const calls: string[] = [];
  const fetcher = {
    check: (url: string) => new URL(url),
    open: async (url: string) => {
      calls.push(url);
      if (answer.error) throw answer.error;
      return { url: new URL(url), status: answer.status ?? 200, headers: {}, contentLength: 0, body: Readable.from([]), abort: () => undefined };
    },
  } as unknown as RemoteFetcher;
  const clock = { now: 1_000_000 };
  const dispatcher = createWebhookDispatcher({
    db,
    fetcher,
    account,
    algorithm: 'sha1',
    config: { timeoutMs: 1_000, concurrency: 4 },
    now: () => clock.now,
    timers: { set: () => 0, clear: () => undefined },
    random,
  });
  return { dispatcher, calls, clock, db };
}

describe('webhook dispatcher bookkeeping', () => {
  it('jitter only ever delays a retry, by at most 10 %', async () => {
    for (const random of [() => 0, () => 0.999]) {
      const { dispatcher, clock } = dispatcherWith({ status: 503 }, random);
      dispatcher.enqueue('https://hooks.example.test/a', '{}');
      await dispatcher.drain();
      const wait = dispatcher.list()[0]!.next_attempt_at - clock.now;
      expect(wait).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[0]!);
      expect(wait).toBeLessThanOrEqual(RETRY_DELAYS_MS[0]! * 1.1);
    }
  });

  it('a URL the fetcher refuses by policy fails at once (no retry)', async () => {
    const { dispatcher } = dispatcherWith({ error: new AppError('forbidden_url', 'Address of x is not allowed', 400) });
    dispatcher.enqueue('https://hooks.example.test/a', '{}');
    await dispatcher.drain();
    expect(dispatcher.list()[0]).toMatchObject({ state: 'failed', attempts: 1, last_error: 'Address of x is not allowed' });
  });

  it('start() makes rows left "sending" by a crash due again; closed dispatchers send nothing', async () => {
    const { dispatcher, db, calls } = dispatcherWith({ status: 204 });
    dispatcher.enqueue('https://hooks.example.test/a', '{}');
    db.prepare("UPDATE webhooks SET state = 'sending', attempts = 1").run();
    await dispatcher.drain();
    expect(calls).toHaveLength(0);
    dispatcher.start();
    await dispatcher.drain();
    expect(dispatcher.list()[0]).toMatchObject({ state: 'delivered', attempts: 2, last_status: 204 });

    dispatcher.enqueue('https://hooks.example.test/b', '{}');
    await dispatcher.close();
    await dispatcher.drain();
    expect(calls).toHaveLength(1);
  });

  it('purges finished rows after the retention period, never pending ones', async () => {
    const { dispatcher, clock } = dispatcherWith({ status: 200 });
    dispatcher.enqueue('https://hooks.example.test/done', '{}');
    await dispatcher.drain();
    const { dispatcher: failing, clock: failingClock } = dispatcherWith({ status: 503 });
    failing.enqueue('https://hooks.example.test/pending', '{}');
    await failing.drain();
    expect(dispatcher.purge()).toBe(0);
    clock.now += 8 * 24 * 3600 * 1000;
    failingClock.now += 8 * 24 * 3600 * 1000;
    expect(dispatcher.purge()).toBe(1);
    expect(dispatcher.list()).toEqual([]);
    expect(failing.purge()).toBe(0);
    expect(failing.list()).toHaveLength(1);
  });
});
