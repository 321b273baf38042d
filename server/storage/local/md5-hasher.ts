import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Worker } from 'node:worker_threads';

// Runs in a worker thread: one running MD5 per upload, fed ranges of the file as they become contiguous,
// so a chunked upload's etag is ready when its last part lands without hashing on the request path.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const hashes = new Map();
const buffer = Buffer.allocUnsafe(8 << 20);
parentPort.on('message', ({ id, op, key, path, start, end }) => {
  try {
    if (op === 'drop') { hashes.delete(key); return; }
    if (op === 'digest') {
      const hash = hashes.get(key) || createHash('md5');
      hashes.delete(key);
      parentPort.postMessage({ id, digest: hash.digest('hex') });
      return;
    }
    let hash = hashes.get(key);
    if (!hash) { hash = createHash('md5'); hashes.set(key, hash); }
    const fd = openSync(path, 'r');
    try {
      for (let position = start; position < end; ) {
        const read = readSync(fd, buffer, 0, Math.min(buffer.length, end - position), position);
        if (read === 0) throw new Error('file shorter than expected');
        hash.update(buffer.subarray(0, read));
        position += read;
      }
    } finally { closeSync(fd); }
    parentPort.postMessage({ id });
  } catch (error) {
    hashes.delete(key);
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

interface Pending {
  resolve(value: string | undefined): void;
  reject(error: Error): void;
}

/** MD5 of byte ranges appended in order, computed off the event loop. */
export function createMd5Hasher() {
  let worker: Worker | null = null;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  const ensureWorker = (): Worker => {
    if (worker) return worker;
    const created = new Worker(WORKER_SOURCE, { eval: true });
    created.unref();
    created.on('message', ({ id, digest, error }: { id: number; digest?: string; error?: string }) => {
      const waiter = pending.get(id);
      pending.delete(id);
      if (error) waiter?.reject(new Error(error));
      else waiter?.resolve(digest);
    });
    created.on('error', (error) => failAll(error));
    created.on('exit', () => {
      if (worker === created) worker = null;
      failAll(new Error('md5 worker exited'));
    });
    worker = created;
    return created;
  };

  const failAll = (error: Error) => {
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };

  const call = (message: Record<string, unknown>) =>
    new Promise<string | undefined>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ensureWorker().postMessage({ ...message, id });
    });

  return {
    /** Feeds bytes [start, end) of `path` into the running hash of `key`. Calls must follow byte order. */
    update: (key: string, path: string, start: number, end: number) => call({ op: 'update', key, path, start, end }).then(() => undefined),
    /** Finishes the running hash of `key`. */
    digest: async (key: string) => (await call({ op: 'digest', key })) ?? '',
    drop: (key: string) => worker?.postMessage({ op: 'drop', key }),
    close: async () => {
      const current = worker;
      worker = null;
      await current?.terminate();
    },
  };
}

export type Md5Hasher = ReturnType<typeof createMd5Hasher>;

/** MD5 of a whole file on the calling thread (fallback when the worker failed). */
export function md5OfFile(path: string, start = 0, end?: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('md5');
    const stream = createReadStream(path, { start, ...(end !== undefined ? { end: end - 1 } : {}), highWaterMark: 1 << 20 });
    stream.on('data', (chunk) => hash.update(chunk));
    stream.on('error', reject);
    stream.on('end', () => resolve(hash.digest('hex')));
  });
}
