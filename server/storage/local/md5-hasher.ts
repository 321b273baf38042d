import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Worker } from 'node:worker_threads';

/**
 * How many nice levels the hasher thread asks to run above the thread that starts it (Linux only: needs root,
 * CAP_SYS_NICE or RLIMIT_NICE; otherwise it keeps the same priority). Five levels give it about three times
 * the weight of a normal thread; it can only ever use one core.
 */
const HASHER_PRIORITY_BOOST = 5;

// Runs in a worker thread: one running MD5 per upload, so a chunked upload's etag is ready when its last
// part lands without hashing on the request path. It is fed either copies of the bytes as they arrive
// (slot buffers, transferred back and forth) or ranges of the file to read back. Every message says at
// which byte it starts, so bytes lost with an earlier worker, or sent out of order, fail loudly instead of
// giving a wrong etag.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const os = require('node:os');
// The hash is the one serial step before a chunked upload's last answer: when the OS allows it, this thread
// runs a little ahead of the event loop and the file I/O threads, so it keeps up instead of sharing a core with them.
// Only on Linux, where a nice value belongs to a thread; elsewhere it would apply to the whole process.
if (process.platform === 'linux') try { os.setPriority(Math.max(-20, os.getPriority() - ${HASHER_PRIORITY_BOOST})); } catch {}
const { openSync, readSync, closeSync } = require('node:fs');
const states = new Map();
const buffer = Buffer.allocUnsafe(8 << 20);
/** The running hash of key, which must have taken exactly \`from\` bytes so far. */
const stateAt = (key, from) => {
  let state = states.get(key);
  if (!state && from === 0) { state = { hash: createHash('md5'), bytes: 0 }; states.set(key, state); }
  if (!state || state.bytes !== from) throw new Error('the running hash does not end at byte ' + from);
  return state;
};
// A mark is the hash as it was before a run of bytes; rewinding to it undoes a run that was not kept.
const marks = new Map();
const copyOf = (state) => state && { hash: state.hash.copy(), bytes: state.bytes };
parentPort.on('message', ({ id, op, key, path, start, end, slot, length, total }) => {
  try {
    if (op === 'nice') { parentPort.postMessage({ id, nice: os.getPriority() }); return; }
    if (op === 'drop') { states.delete(key); marks.delete(key); return; }
    if (op === 'mark') { marks.set(key, copyOf(states.get(key))); return; }
    if (op === 'rewind') {
      if (marks.get(key)) states.set(key, marks.get(key));
      else if (marks.has(key)) states.delete(key);
      marks.delete(key);
      return;
    }
    if (op === 'slot') {
      const state = stateAt(key, start);
      state.hash.update(new Uint8Array(slot, 0, length));
      state.bytes += length;
      parentPort.postMessage({ id, slot }, [slot]);
      return;
    }
    if (op === 'digest') {
      const state = stateAt(key, total);
      states.delete(key);
      marks.delete(key);
      parentPort.postMessage({ id, digest: state.hash.digest('hex') });
      return;
    }
    const state = stateAt(key, start);
    const fd = openSync(path, 'r');
    try {
      for (let position = start; position < end; ) {
        const read = readSync(fd, buffer, 0, Math.min(buffer.length, end - position), position);
        if (read === 0) throw new Error('file shorter than expected');
        state.hash.update(buffer.subarray(0, read));
        state.bytes += read;
        position += read;
      }
    } finally { closeSync(fd); }
    parentPort.postMessage({ id });
  } catch (error) {
    states.delete(key);
    parentPort.postMessage({ id, slot, error: String(error && error.message || error) }, slot ? [slot] : []);
  }
});
`;

/** Bytes in flight to the worker are bounded: SLOT_COUNT buffers of SLOT_BYTES, reused. */
const SLOT_BYTES = 2 * 1024 * 1024;
const SLOT_COUNT = 8;

/** Feeds one run of bytes, in order, into the running hash of an upload. */
export interface Md5Feed {
  /**
   * Copies `chunk` into the feed as far as free slots allow and returns how many bytes it took. Once it
   * took less than a whole chunk, the hash is behind: the caller hashes the rest of its run from the file.
   */
  write(chunk: Uint8Array): number;
  /** Sends what is left; settles once every byte written to this feed is hashed. */
  end(): Promise<void>;
  /**
   * Undoes the feed before end(): the running hash goes back to where it was when the feed began. Rejects
   * when bytes sent were lost with the worker (the running hash is then gone too).
   */
  abandon(): Promise<void>;
}

interface Pending {
  /** With the digest, the thread's nice value, or nothing, as the request asked. */
  resolve(value: string | number | undefined): void;
  reject(error: Error): void;
}

/** MD5 of bytes appended in order (from memory or from ranges of a file), computed off the event loop. */
export function createMd5Hasher() {
  let worker: Worker | null = null;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  // Slots are created lazily; one in the worker's hands comes back with its reply, or is replaced if the worker dies.
  const freeSlots: ArrayBuffer[] = [];
  let slotsCreated = 0;
  let slotsAway = 0;

  const releaseSlot = (slot: ArrayBuffer) => void freeSlots.push(slot);
  const takeSlot = (): ArrayBuffer | null => {
    if (!freeSlots.length && slotsCreated < SLOT_COUNT) {
      slotsCreated++;
      return new ArrayBuffer(SLOT_BYTES);
    }
    return freeSlots.pop() ?? null;
  };

  const ensureWorker = (): Worker => {
    if (worker) return worker;
    const created = new Worker(WORKER_SOURCE, { eval: true });
    created.unref();
    created.on('message', ({ id, digest, nice, error, slot }: { id: number; digest?: string; nice?: number; error?: string; slot?: ArrayBuffer }) => {
      if (slot) {
        slotsAway--;
        releaseSlot(slot);
      }
      const waiter = pending.get(id);
      pending.delete(id);
      if (error) waiter?.reject(new Error(error));
      else waiter?.resolve(digest ?? nice);
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
    // Slots that were in the dead worker's hands are gone: let new ones be created in their place.
    slotsCreated -= slotsAway;
    slotsAway = 0;
  };

  const call = (message: Record<string, unknown>, transfer: ArrayBuffer[] = []) =>
    new Promise<string | number | undefined>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ensureWorker().postMessage({ ...message, id }, transfer);
    });

  const sendSlot = (key: string, start: number, slot: ArrayBuffer, length: number) => {
    slotsAway++;
    return call({ op: 'slot', key, start, slot, length }, [slot]).then(() => undefined);
  };

  /** A feed of the bytes from offset `from` of `key`'s file on (everything before it already hashed). */
  const feed = (key: string, from: number): Md5Feed => {
    let slot: ArrayBuffer | null = null;
    let filled = 0;
    let position = from;
    const sent: Promise<void>[] = [];
    ensureWorker().postMessage({ op: 'mark', key });
    const send = () => {
      if (slot && filled) sent.push(sendSlot(key, position, slot, filled));
      else if (slot) releaseSlot(slot);
      position += filled;
      slot = null;
      filled = 0;
    };
    /** Copies from `offset` on while slots are free; returns how far it got. */
    const copy = (chunk: Uint8Array, offset: number): number => {
      while (offset < chunk.length) {
        slot ??= takeSlot();
        if (!slot) return offset;
        const count = Math.min(chunk.length - offset, SLOT_BYTES - filled);
        new Uint8Array(slot, filled, count).set(chunk.subarray(offset, offset + count));
        filled += count;
        offset += count;
        if (filled === SLOT_BYTES) send();
      }
      return offset;
    };
    return {
      write: (chunk) => copy(chunk, 0),
      async end() {
        send();
        await Promise.all(sent);
      },
      async abandon() {
        if (slot) releaseSlot(slot);
        slot = null;
        filled = 0;
        // The worker takes messages in order: what was sent is hashed, then undone.
        worker?.postMessage({ op: 'rewind', key });
        await Promise.all(sent);
      },
    };
  };

  return {
    /** Feeds bytes [start, end) of `path` into the running hash of `key`. Calls must follow byte order. */
    update: (key: string, path: string, start: number, end: number) => call({ op: 'update', key, path, start, end }).then(() => undefined),
    /** Feeds bytes that follow everything hashed so far for `key`, straight from memory (no read back). */
    feed,
    /** Finishes the running hash of `key`, which must have taken exactly `total` bytes. */
    digest: async (key: string, total: number) => String((await call({ op: 'digest', key, total })) ?? ''),
    /** The nice value its thread runs at (lower runs first): see HASHER_PRIORITY_BOOST. */
    threadNice: async () => Number(await call({ op: 'nice' })),
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
