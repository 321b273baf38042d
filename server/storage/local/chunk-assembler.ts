import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createWriteStream, mkdirSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, badRequest } from '../../errors.ts';
import type { ChunkHeaders } from '../../http/chunk-headers.ts';
import type { Limits } from '../../config.ts';
import type { Db } from './database.ts';
import { md5OfFile, type Md5Feed, type Md5Hasher } from './md5-hasher.ts';
import { createRollingSync } from './durable-fs.ts';
import { tooLarge } from './staging.ts';

/** Upload folders being removed are renamed to this prefix first (upload keys are hex, so never clash). */
const TRASH_PREFIX = '.trash-';

export interface PartInput {
  /** Namespaced upload key (derived from the client's upload id and its credentials). */
  key: string;
  resourceType: string;
  /** Canonical form of the params that must stay the same on every part. */
  boundParams: string;
  range: ChunkHeaders;
  body: Readable;
}

/** What the assembler hands over once every byte is there. */
export interface AssembledFile<T> {
  path: string;
  bytes: number;
  md5: string;
  /** Marks the upload finished; call inside the transaction that publishes the asset. */
  markDone(result: T): void;
}

export type PartOutcome<T> = { kind: 'progress'; bytes: number } | { kind: 'complete'; result: T };

interface UploadRow {
  key: string;
  resource_type: string;
  bound_params: string;
  total: number | null;
  state: 'receiving' | 'done';
  result: string | null;
  final_start: number | null;
}

interface Range {
  start: number;
  end: number;
}

interface LiveUpload {
  inflight: Map<number, { end: number; settled: Promise<boolean> }>;
  /** Bytes [0, hashedThrough) have been sent to the MD5 worker, in order. */
  hashedThrough: number;
  /** Settles when everything sent to the worker has been hashed. */
  hashing: Promise<void>;
  hashFailed: boolean;
  finalizing: Promise<unknown> | null;
}

export interface ChunkAssemblerOptions {
  db: Db;
  dir: string;
  limits: Pick<Limits, 'maxFileBytes' | 'maxPartBytes' | 'minPartBytes' | 'chunkExpiryHours'>;
  hasher: Md5Hasher;
  durable: boolean;
  now?: () => number;
}

/**
 * Cloudinary's chunk protocol on disk. Parts are written in place into one data file per upload (no second
 * copy at the end); the database row of a part is the acknowledgement, so acknowledged parts survive a crash
 * and a restart continues where the client left off. Identical retries are accepted once, overlapping or
 * inconsistent ranges are refused before a byte is written, and the last byte triggers one finalize.
 */
export function createChunkAssembler<T>({ db, dir, limits, hasher, durable, now = Date.now }: ChunkAssemblerOptions) {
  mkdirSync(dir, { recursive: true });
  // Folders a previous run moved aside but did not get to remove.
  for (const name of readdirSync(dir)) if (name.startsWith(TRASH_PREFIX)) rmSync(join(dir, name), { recursive: true, force: true });
  const live = new Map<string, LiveUpload>();

  const selectUpload = db.prepare<[string], UploadRow>('SELECT * FROM chunk_uploads WHERE key = ?');
  const insertUpload = db.prepare(
    "INSERT INTO chunk_uploads (key, resource_type, bound_params, total, state, created_at, updated_at) VALUES (?, ?, ?, NULL, 'receiving', ?, ?)",
  );
  const selectParts = db.prepare<[string], Range>('SELECT start, end FROM chunk_parts WHERE key = ? ORDER BY start');
  const insertPart = db.prepare<[string, number, number]>('INSERT INTO chunk_parts (key, start, end) VALUES (?, ?, ?)');
  const touchUpload = db.prepare<[number | null, number, string]>('UPDATE chunk_uploads SET total = COALESCE(total, ?), updated_at = ? WHERE key = ?');
  const finishUpload = db.prepare<[string, number, number, string]>(
    "UPDATE chunk_uploads SET state = 'done', result = ?, final_start = ?, updated_at = ? WHERE key = ?",
  );
  const deleteUpload = db.prepare<[string]>('DELETE FROM chunk_uploads WHERE key = ?');
  const selectExpired = db.prepare<[number], { key: string }>('SELECT key FROM chunk_uploads WHERE updated_at < ?');

  const uploadDir = (key: string) => join(dir, key);
  const dataPath = (key: string) => join(uploadDir(key), 'data');
  const liveOf = (key: string): LiveUpload => {
    let entry = live.get(key);
    if (!entry) {
      entry = { inflight: new Map(), hashedThrough: 0, hashing: Promise.resolve(), hashFailed: false, finalizing: null };
      live.set(key, entry);
    }
    return entry;
  };

  /**
   * Forgets an upload: its row at once, its folder moved aside (so a new upload under the same id starts
   * clean) and then removed off the event loop, since it may hold a file of gigabytes. The returned removal
   * never rejects: a moved-aside folder it could not remove is removed at the next start.
   */
  const forget = (key: string): Promise<void> => {
    deleteUpload.run(key);
    live.delete(key);
    hasher.drop(key);
    const trash = join(dir, `${TRASH_PREFIX}${randomBytes(8).toString('hex')}`);
    let doomed = trash;
    try {
      renameSync(uploadDir(key), trash);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Promise.resolve();
      doomed = uploadDir(key);
    }
    return rm(doomed, { recursive: true, force: true }).catch(() => undefined);
  };

  const checkLimits = ({ start, end, total }: ChunkHeaders) => {
    const length = end - start + 1;
    if (length > limits.maxPartBytes) throw tooLarge(length, limits.maxPartBytes);
    const size = total ?? end + 1;
    if (size > limits.maxFileBytes) throw tooLarge(size, limits.maxFileBytes);
  };

  /** Decides, before any byte is read, what this part is: new bytes, a duplicate, or an error. */
  const classify = (input: PartInput): { row: UploadRow; duplicateOf: 'stored' | Promise<boolean> | null } => {
    const { key, range } = input;
    let row = selectUpload.get(key);
    if (row?.state === 'done') return { row, duplicateOf: null };
    if (!row) {
      if (range.start !== 0) {
        throw new AppError('upload_not_found', 'Unknown or expired upload: send the first part (starting at byte 0) first', 404);
      }
      const at = now();
      mkdirSync(uploadDir(key), { recursive: true });
      closeSync(openSync(dataPath(key), 'a', 0o600));
      insertUpload.run(key, input.resourceType, input.boundParams, at, at);
      row = selectUpload.get(key)!;
    }
    if (row.bound_params !== input.boundParams || row.resource_type !== input.resourceType) {
      throw badRequest('params_mismatch', 'Upload parameters differ from the first part of this upload');
    }
    if (range.total === null ? row.total !== null : row.total !== null && row.total !== range.total) {
      throw badRequest('total_mismatch', `Content-Range total differs from the one already given (${row.total ?? -1})`);
    }
    const length = range.end - range.start + 1;
    const isFinal = range.total !== null && range.end + 1 === range.total;
    if (!isFinal && length < limits.minPartBytes) throw badRequest('chunk_too_small', 'All parts except EOF-chunk must be larger than 5mb');

    const state = liveOf(key);
    for (const part of selectParts.all(key)) {
      if (part.start === range.start && part.end === range.end) return { row, duplicateOf: 'stored' };
      if (part.start <= range.end && range.start <= part.end) throw overlap();
    }
    for (const [start, part] of state.inflight) {
      if (start === range.start && part.end === range.end) return { row, duplicateOf: part.settled };
      if (start <= range.end && range.start <= part.end) throw overlap();
    }
    return { row, duplicateOf: null };
  };

  const overlap = () => new AppError('range_overlap', 'Content-Range overlaps a part already received with different bounds', 409);

  /**
   * Writes a part in place, passing its bytes to `feed` (the running hash) on the way while it keeps up.
   * `onWritten` runs once every byte is in the file, with the count of bytes the feed took. With durability
   * on, the file is flushed in the background as the part arrives, so the flush before the acknowledgement
   * only has the part's tail left to write.
   */
  const writePart = async (key: string, range: ChunkHeaders, body: Readable, feed: Md5Feed | null, onWritten: (fed: number) => void) => {
    const expected = range.end - range.start + 1;
    const file = createWriteStream(dataPath(key), { flags: 'r+', start: range.start, highWaterMark: 1 << 20 });
    const flusher = durable ? createRollingSync(dataPath(key), () => file.bytesWritten) : null;
    let received = 0;
    let fed = 0;
    let feeding = feed !== null;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        if (received > expected) return callback(lengthMismatch(expected, `more than ${expected}`));
        flusher?.poke();
        if (feeding) {
          const taken = feed!.write(chunk);
          fed += taken;
          // The hash is behind: the transfer does not wait for it, the rest is read back from the file.
          feeding = taken === chunk.length;
        }
        callback(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, file);
      if (received !== expected) throw lengthMismatch(expected, received);
      onWritten(fed);
      await flusher?.finish();
    } finally {
      await flusher?.release();
    }
  };

  const lengthMismatch = (expected: number, got: number | string) =>
    badRequest('length_mismatch', `Part length does not match Content-Range: expected ${expected} bytes, got ${got}`);

  /** Consumes a duplicate's body and checks it carries the bytes already stored for that range. */
  const verifyDuplicate = async (key: string, range: ChunkHeaders, body: Readable, earlier: Promise<boolean> | 'stored') => {
    const hash = createHash('md5');
    let length = 0;
    await pipeline(
      body,
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          length += chunk.length;
          hash.update(chunk);
          callback();
        },
      }),
    );
    if (earlier !== 'stored' && !(await earlier)) {
      throw new AppError('part_in_progress', 'The same part was being received and failed; send it again', 409);
    }
    const expected = range.end - range.start + 1;
    if (length !== expected) throw lengthMismatch(expected, length);
    const stored = await md5OfFile(dataPath(key), range.start, range.end + 1);
    if (stored !== hash.digest('hex')) throw new AppError('range_overlap', 'Part bytes differ from the part already received for this range', 409);
  };

  const drain = (body: Readable) => pipeline(body, new Writable({ write: (_c, _e, cb) => cb() }));

  /** How far the bytes reach from 0 without a gap, and the holes before `total`. */
  const coverage = (parts: Range[], total: number | null) => {
    let contiguous = 0;
    let cursor = 0;
    const missing: string[] = [];
    for (const part of parts) {
      if (part.start > cursor) missing.push(`${cursor}-${part.start - 1}`);
      else if (cursor === contiguous) contiguous = Math.max(contiguous, part.end + 1);
      cursor = Math.max(cursor, part.end + 1);
    }
    if (total !== null && cursor < total) missing.push(`${cursor}-${total - 1}`);
    return { contiguous, missing };
  };

  /** Waits for a hashing step; a failure falls back to hashing the whole file at the end. */
  const trackHash = (state: LiveUpload, step: Promise<void>) => {
    state.hashing = Promise.all([state.hashing, step.catch(() => void (state.hashFailed = true))]).then(() => undefined);
  };

  /**
   * Sends bytes that became contiguous to the worker, which reads them back from the (page-cached) file.
   * Posted at once: the worker takes messages in order, so the ranges reach the hash in byte order.
   */
  const advanceHash = (key: string, contiguous: number) => {
    const state = liveOf(key);
    if (state.hashFailed || contiguous <= state.hashedThrough) return;
    trackHash(state, hasher.update(key, dataPath(key), state.hashedThrough, contiguous));
    state.hashedThrough = contiguous;
  };

  const finalizeOnce = (key: string, total: number, finalStart: number, finalize: (file: AssembledFile<T>) => Promise<T>): Promise<T> => {
    const state = liveOf(key);
    state.finalizing ??= (async () => {
      await state.hashing;
      const fromFile = () => md5OfFile(dataPath(key));
      const md5 = state.hashFailed || state.hashedThrough !== total ? await fromFile() : await hasher.digest(key, total).catch(fromFile);
      try {
        const result = await finalize({
          path: dataPath(key),
          bytes: total,
          md5,
          markDone: (value) => finishUpload.run(JSON.stringify(value), finalStart, now(), key),
        });
        rmSync(uploadDir(key), { recursive: true, force: true });
        live.delete(key);
        return result;
      } catch (error) {
        // A refused file (wrong type, too large, ...) leaves nothing behind; other failures keep the parts for a retry.
        if (error instanceof AppError && error.status < 500) await forget(key);
        else {
          state.finalizing = null;
          state.hashFailed = true;
          hasher.drop(key);
        }
        throw error;
      }
    })();
    return state.finalizing as Promise<T>;
  };

  /** Receives one part; the part that completes the file also publishes it through `finalize`. */
  const receivePart = async (input: PartInput, finalize: (file: AssembledFile<T>) => Promise<T>): Promise<PartOutcome<T>> => {
    const { key, range, body } = input;
    checkLimits(range);
    const { row, duplicateOf } = classify(input);
    if (row.state === 'done') {
      await drain(body);
      if (row.final_start === range.start && row.result) return { kind: 'complete', result: JSON.parse(row.result) as T };
      throw new AppError('upload_completed', 'This upload is already complete', 409);
    }

    if (duplicateOf) {
      await verifyDuplicate(key, range, body, duplicateOf);
    } else {
      const state = liveOf(key);
      let settle!: (ok: boolean) => void;
      state.inflight.set(range.start, { end: range.end, settled: new Promise((resolve) => (settle = resolve)) });
      // A part that continues the hashed bytes feeds the hash straight from memory as it arrives.
      const feed = !state.hashFailed && state.hashedThrough === range.start ? hasher.feed(key, range.start) : null;
      let fed = false;
      const endFeed = (fedBytes: number) => {
        if (!feed) return;
        trackHash(state, feed.end());
        if (fedBytes < range.end - range.start + 1) trackHash(state, hasher.update(key, dataPath(key), range.start + fedBytes, range.end + 1));
        state.hashedThrough = range.end + 1;
        fed = true;
      };
      try {
        await writePart(key, range, body, feed, endFeed);
        db.transaction(() => {
          insertPart.run(key, range.start, range.end);
          touchUpload.run(range.total, now(), key);
        })();
        settle(true);
      } catch (error) {
        // A part cut off midway is undone in the hash; one that failed later leaves the hash to the finished file.
        if (fed) state.hashFailed = true;
        else if (feed) trackHash(state, feed.abandon());
        settle(false);
        throw error;
      } finally {
        state.inflight.delete(range.start);
      }
    }

    const current = selectUpload.get(key);
    if (!current) throw new AppError('upload_not_found', 'Upload was removed while this part was received', 404);
    if (current.state === 'done' && current.result) return { kind: 'complete', result: JSON.parse(current.result) as T };
    const parts = selectParts.all(key);
    const total = current.total;
    const { contiguous, missing } = coverage(parts, total);
    advanceHash(key, contiguous);
    if (total !== null && contiguous >= total) {
      const finalStart = parts.find((part) => part.end + 1 === total)!.start;
      return { kind: 'complete', result: await finalizeOnce(key, total, finalStart, finalize) };
    }
    if (total !== null && range.end + 1 === total) {
      throw new AppError('incomplete', `Upload is missing byte ranges ${missing.join(', ')}; send them, then the last part again`, 409, { missing });
    }
    return { kind: 'progress', bytes: parts.reduce((sum, part) => sum + part.end - part.start + 1, 0) };
  };

  /** Removes uploads untouched for longer than the expiry (finished ones too: their replay window ends). */
  const sweepExpired = (): number => {
    const cutoff = now() - limits.chunkExpiryHours * 3600_000;
    const expired = selectExpired.all(cutoff).filter(({ key }) => !live.get(key)?.inflight.size && !live.get(key)?.finalizing);
    for (const { key } of expired) void forget(key);
    return expired.length;
  };

  return { receivePart, sweepExpired };
}

export type ChunkAssembler<T> = ReturnType<typeof createChunkAssembler<T>>;
