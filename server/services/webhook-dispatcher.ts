import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Account, WebhooksConfig } from '../config.ts';
import { AppError } from '../errors.ts';
import type { Db } from '../storage/local/database.ts';
import type { RemoteFetcher } from './remote-fetch.ts';
import { notificationSignature, type SignatureAlgorithm } from './signing.ts';

/** Wait before attempt 2, 3, …: with the immediate first attempt, six attempts over about an hour. */
export const RETRY_DELAYS_MS: readonly number[] = [10_000, 60_000, 5 * 60_000, 15 * 60_000, 40 * 60_000];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** Finished rows are kept a week (to inspect dead letters), then purged by the periodic sweep. */
const FINISHED_RETENTION_MS = 7 * 24 * 3600 * 1000;
/** Each retry waits up to this fraction longer, so receivers that failed together are not hit together again. */
const JITTER = 0.1;
/** A receiver's Retry-After is honoured up to this. */
const MAX_RETRY_AFTER_MS = 60 * 60_000;
/** Due times are wall-clock but timers are not: re-reading the clock this often keeps a clock jump from stranding a row. */
const MAX_SLEEP_MS = 30_000;
/** Of any response, at most this much is read (for the error note) before the connection is closed. */
const RESPONSE_READ_LIMIT = 64 * 1024;
const ERROR_NOTE_LENGTH = 300;

/** pending → sending → delivered | pending (retry) | failed (dead letter) | disabled (receiver said 410 Gone). */
export type WebhookState = 'pending' | 'sending' | 'delivered' | 'failed' | 'disabled';

export interface WebhookRow {
  id: string;
  url: string;
  body: string;
  state: WebhookState;
  attempts: number;
  next_attempt_at: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookTimers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** What the local cloud needs: a synchronous insert it can run inside the upload's transaction. */
export interface WebhookQueue {
  enqueue(url: string, body: string): string;
}

export interface WebhookDispatcherDeps {
  db: Db;
  fetcher: RemoteFetcher;
  account: Account;
  algorithm: SignatureAlgorithm;
  config: WebhooksConfig;
  now: () => number;
  timers?: WebhookTimers;
  /** Jitter source in [0, 1); tests inject a constant. */
  random?: () => number;
}

type Outcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'gone'; status: number }
  | { kind: 'refused'; error: string }
  | { kind: 'retry'; status: number | null; error: string; retryAfterMs: number | null };

const realTimers: WebhookTimers = {
  set: (callback, ms) => setTimeout(callback, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Durable delivery of notification_url callbacks: rows in the `webhooks` table are sent as signed POSTs
 * (X-Cld-Timestamp, X-Cld-Signature) through the SSRF-guarded fetcher, retried with backoff, and survive
 * restarts. One timer wakes the dispatcher at the earliest due row; at most `config.concurrency` sends run.
 */
export function createWebhookDispatcher({ db, fetcher, account, algorithm, config, now, timers = realTimers, random = Math.random }: WebhookDispatcherDeps) {
  const insert = db.prepare(
    `INSERT INTO webhooks (id, url, body, state, attempts, next_attempt_at, created_at, updated_at)
     VALUES (@id, @url, @body, 'pending', 0, @at, @at, @at)`,
  );
  const selectDue = db.prepare<[number, number], WebhookRow>(
    "SELECT * FROM webhooks WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
  );
  const selectNextDue = db.prepare<[], { at: number | null }>("SELECT MIN(next_attempt_at) AS at FROM webhooks WHERE state = 'pending'");
  const claim = db.prepare<[number, string]>(
    "UPDATE webhooks SET state = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ? AND state = 'pending'",
  );
  const settle = db.prepare(
    `UPDATE webhooks SET state = @state, next_attempt_at = @next, last_status = @status, last_error = @error, updated_at = @at
     WHERE id = @id`,
  );
  const requeueInterrupted = db.prepare<[number]>("UPDATE webhooks SET state = 'pending', updated_at = ? WHERE state = 'sending'");
  const selectAll = db.prepare<[], WebhookRow>('SELECT * FROM webhooks ORDER BY created_at, id');
  const purgeFinished = db.prepare<[number]>("DELETE FROM webhooks WHERE state IN ('delivered', 'failed', 'disabled') AND updated_at < ?");

  const inFlight = new Map<string, Promise<void>>();
  let timer: unknown = null;
  let closed = false;

  const enqueue = (url: string, body: string): string => {
    const id = randomBytes(16).toString('hex');
    insert.run({ id, url, body, at: now() });
    // Called inside the upload's transaction: the timer fires after it has committed (or rolled back).
    wakeAt(0);
    return id;
  };

  const wakeAt = (delayMs: number) => {
    if (closed) return;
    if (timer !== null) timers.clear(timer);
    timer = timers.set(onWake, Math.min(Math.max(delayMs, 0), MAX_SLEEP_MS));
  };

  const onWake = () => {
    timer = null;
    pump();
    sleepUntilNextDue();
  };

  /** Arms the one timer for the earliest pending row; while every slot is busy, a finishing send re-arms instead. */
  const sleepUntilNextDue = () => {
    if (closed || inFlight.size >= config.concurrency) return;
    const due = selectNextDue.get()?.at;
    if (due === null || due === undefined) return;
    wakeAt(due - now());
  };

  /** Starts the due rows that fit in the free slots; returns their sends. */
  const pump = (): Promise<void>[] => {
    const free = config.concurrency - inFlight.size;
    if (closed || free <= 0) return [];
    const started: Promise<void>[] = [];
    for (const row of selectDue.all(now(), free)) {
      // The conditional update is the lock: whoever flips pending → sending owns this attempt.
      if (claim.run(now(), row.id).changes !== 1) continue;
      started.push(deliver({ ...row, attempts: row.attempts + 1 }));
    }
    return started;
  };

  const deliver = (row: WebhookRow): Promise<void> => {
    const task = attempt(row)
      .then((outcome) => record(row, outcome))
      .catch((error: unknown) => console.error(`webhook ${row.id}: could not record the attempt`, error))
      .finally(() => {
        inFlight.delete(row.id);
        pump();
        sleepUntilNextDue();
      });
    inFlight.set(row.id, task);
    return task;
  };

  /** One POST of the stored body bytes, signed with a fresh timestamp. */
  const attempt = async (row: WebhookRow): Promise<Outcome> => {
    const timestamp = Math.floor(now() / 1000);
    try {
      const response = await fetcher.open(row.url, {
        method: 'POST',
        body: row.body,
        redirect: 'manual',
        timeoutMs: config.timeoutMs,
        maxBytes: Infinity,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Updraft/1 (+webhooks)',
          'x-cld-timestamp': String(timestamp),
          'x-cld-signature': notificationSignature(row.body, timestamp, account.apiSecret, algorithm),
        },
      });
      // A success needs no body; a failure's first bytes explain it in last_error.
      const excerpt = isSuccess(response.status) ? '' : await readAtMost(response.body, RESPONSE_READ_LIMIT);
      response.abort();
      return judge(response.status, response.headers['retry-after'], excerpt);
    } catch (error) {
      const reason = error instanceof AppError ? error : null;
      const message = reason?.message ?? String(error);
      // Refused by policy (the address, scheme or port): retrying cannot change that, so stop at once.
      if (reason && (reason.code === 'forbidden_url' || reason.code === 'unsupported_scheme')) return { kind: 'refused', error: message };
      return { kind: 'retry', status: null, error: message, retryAfterMs: null };
    }
  };

  /** Standard Webhooks' rules: only 2xx is success (3xx is not followed), 410 disables, 429 may say when to come back. */
  const judge = (status: number, retryAfter: string | undefined, excerpt: string): Outcome => {
    if (isSuccess(status)) return { kind: 'delivered', status };
    if (status === 410) return { kind: 'gone', status };
    const error = `HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`;
    return { kind: 'retry', status, error, retryAfterMs: status === 429 ? parseRetryAfter(retryAfter, now()) : null };
  };

  const record = (row: WebhookRow, outcome: Outcome): void => {
    settle.run({ id: row.id, at: now(), next: row.next_attempt_at, status: null, error: null, ...settlement(row, outcome) });
  };

  /** The row's new state (and what to note) after an attempt. */
  const settlement = (row: WebhookRow, outcome: Outcome) => {
    switch (outcome.kind) {
      case 'delivered':
        return { state: 'delivered', status: outcome.status };
      case 'gone':
        return { state: 'disabled', status: outcome.status, error: 'Receiver answered 410 Gone: not retried' };
      case 'refused':
        return { state: 'failed', error: note(outcome.error) };
      case 'retry': {
        const failure = { status: outcome.status, error: note(outcome.error) };
        if (row.attempts >= MAX_ATTEMPTS) return { state: 'failed', ...failure };
        return { state: 'pending', next: now() + (outcome.retryAfterMs ?? backoff(row.attempts)), ...failure };
      }
    }
  };

  /** Wait after the `attempts`-th failed attempt, with up to JITTER extra. */
  const backoff = (attempts: number): number => {
    const base = RETRY_DELAYS_MS[Math.min(attempts, RETRY_DELAYS_MS.length) - 1] ?? RETRY_DELAYS_MS[0]!;
    return Math.round(base * (1 + JITTER * random()));
  };

  /** Sends what is due now and waits for those sends. */
  const tick = async (): Promise<void> => {
    await Promise.all(pump());
  };

  /** Sends until nothing is due now and nothing is in flight (retries scheduled for later stay scheduled). */
  const drain = async (): Promise<void> => {
    for (;;) {
      pump();
      if (inFlight.size === 0) return;
      await Promise.all(inFlight.values());
    }
  };

  /** Resumes after a start or a crash: a row still marked "sending" never got an answer, so it is due again. */
  const start = () => {
    requeueInterrupted.run(now());
    sleepUntilNextDue();
  };

  /** Stops the timer and waits for the sends in flight (each bounded by the timeout). */
  const close = async (): Promise<void> => {
    closed = true;
    if (timer !== null) timers.clear(timer);
    timer = null;
    await Promise.all(inFlight.values());
  };

  /** Forgets finished deliveries (delivered, failed, disabled) older than the retention period. */
  const purge = (retentionMs = FINISHED_RETENTION_MS) => purgeFinished.run(now() - retentionMs).changes;

  return { enqueue, start, tick, drain, close, purge, list: () => selectAll.all() };
}

export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>;

/** Reads up to `limit` bytes of a response (for the error note); a body that breaks off keeps what arrived. */
async function readAtMost(body: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= limit) break;
    }
  } catch {
    // The status already decided the outcome; a broken body adds nothing.
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

/** Retry-After as seconds or an HTTP date (RFC 9110 10.2.3), capped; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  // Date.parse would read "-5" as a year: only a text with a weekday or month name is taken as a date.
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : /[a-z]/i.test(text) ? Date.parse(text) - nowMs : NaN;
  if (Number.isNaN(ms)) return null;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

const isSuccess = (status: number) => status >= 200 && status < 300;
const note = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, ERROR_NOTE_LENGTH);
