import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createMd5Hasher, type Md5Hasher } from '../../../../server/storage/local/md5-hasher.ts';
import { md5, pseudoRandomBytes, tempDir } from '../../../helpers/fixtures.ts';

const MiB = 1024 * 1024;
let hasher: Md5Hasher;
afterEach(() => hasher?.close());

/** Writes `data` to a feed in irregular chunks; returns how many bytes the feed took before it fell behind. */
function feedAll(feed: ReturnType<Md5Hasher['feed']>, data: Buffer, chunkSizes = [65_536, 1, 300_001, 2 * MiB + 7]): number {
  let offset = 0;
  for (let i = 0; offset < data.length; i++) {
    const chunk = data.subarray(offset, offset + chunkSizes[i % chunkSizes.length]!);
    const taken = feed.write(chunk);
    offset += taken;
    if (taken < chunk.length) break;
  }
  return offset;
}

describe('md5 hasher: bytes fed from memory', () => {
  it('hashes fed bytes and file ranges, in the order they were given, across slot boundaries', async () => {
    hasher = createMd5Hasher();
    const data = pseudoRandomBytes(9 * MiB + 123, 3);
    const path = join(tempDir(), 'data');
    writeFileSync(path, data);
    const first = hasher.feed('k', 0);
    expect(feedAll(first, data.subarray(0, 5 * MiB + 5))).toBe(5 * MiB + 5);
    await first.end();
    await hasher.update('k', path, 5 * MiB + 5, 7 * MiB);
    const second = hasher.feed('k', 7 * MiB);
    expect(feedAll(second, data.subarray(7 * MiB))).toBe(data.length - 7 * MiB);
    await second.end();
    expect(await hasher.digest('k', data.length)).toBe(md5(data));
  });

  it('takes only what free slots hold when the worker is behind; the rest comes from the file', async () => {
    hasher = createMd5Hasher();
    const data = pseudoRandomBytes(40 * MiB, 4);
    const path = join(tempDir(), 'data');
    writeFileSync(path, data);
    const feed = hasher.feed('k', 0);
    // Written synchronously, so no slot can come back in between: the feed stops at its memory bound.
    const fed = feedAll(feed, data);
    expect(fed).toBe(16 * MiB);
    await feed.end();
    await hasher.update('k', path, fed, data.length);
    expect(await hasher.digest('k', data.length)).toBe(md5(data));
  });

  it('abandon() undoes a feed: the hash goes back to where that feed began', async () => {
    hasher = createMd5Hasher();
    const kept = pseudoRandomBytes(3 * MiB, 5);
    const cutOff = pseudoRandomBytes(3 * MiB, 6);
    const next = pseudoRandomBytes(1 * MiB + 9, 7);
    const first = hasher.feed('k', 0);
    feedAll(first, kept);
    await first.end();
    const abandoned = hasher.feed('k', kept.length);
    feedAll(abandoned, cutOff);
    await abandoned.abandon();
    const third = hasher.feed('k', kept.length);
    feedAll(third, next);
    await third.end();
    expect(await hasher.digest('k', kept.length + next.length)).toBe(md5(Buffer.concat([kept, next])));
  });

  it('keeps uploads apart', async () => {
    hasher = createMd5Hasher();
    const a = pseudoRandomBytes(3 * MiB, 8);
    const b = pseudoRandomBytes(2 * MiB + 1, 9);
    const feedA = hasher.feed('a', 0);
    const feedB = hasher.feed('b', 0);
    feedAll(feedA, a.subarray(0, MiB));
    feedAll(feedB, b);
    feedAll(feedA, a.subarray(MiB));
    await Promise.all([feedA.end(), feedB.end()]);
    expect(await hasher.digest('a', a.length)).toBe(md5(a));
    expect(await hasher.digest('b', b.length)).toBe(md5(b));
  });

  it('a feed whose worker died rejects, and the memory it held is available again', async () => {
    hasher = createMd5Hasher();
    const data = pseudoRandomBytes(16 * MiB, 10);
    const feed = hasher.feed('k', 0);
    expect(feedAll(feed, data)).toBe(16 * MiB);
    const ended = feed.end();
    await hasher.close();
    await expect(ended).rejects.toThrow(/worker exited/);
    const again = hasher.feed('k2', 0);
    expect(feedAll(again, data)).toBe(16 * MiB);
    await again.end();
    expect(await hasher.digest('k2', data.length)).toBe(md5(data));
  });

  it('bytes lost with a worker, or missing, are an error, never a wrong digest', async () => {
    hasher = createMd5Hasher();
    const data = pseudoRandomBytes(3 * MiB, 11);
    const path = join(tempDir(), 'data');
    writeFileSync(path, data);
    await hasher.update('k', path, 0, MiB);
    await hasher.close();
    // The next worker has no running hash for k: continuing at byte 1 MiB is refused, as is its digest.
    await expect(hasher.update('k', path, MiB, 2 * MiB)).rejects.toThrow(/does not end at byte/);
    await expect(hasher.digest('k', 2 * MiB)).rejects.toThrow(/does not end at byte/);
    await hasher.update('k2', path, 0, MiB);
    await expect(hasher.digest('k2', data.length)).rejects.toThrow(/does not end at byte/);
    const lost = hasher.feed('k3', MiB);
    feedAll(lost, data.subarray(0, 2 * MiB));
    await expect(lost.end()).rejects.toThrow(/does not end at byte/);
  });
});

describe('md5 hasher: scheduling', () => {
  /** Whether this process may run a thread 5 nice levels above its creator (root, CAP_SYS_NICE, RLIMIT_NICE). */
  async function mayRaisePriority(): Promise<boolean> {
    const probe = new Worker(
      `const os = require('node:os'); const { parentPort } = require('node:worker_threads');
       try { os.setPriority(Math.max(-20, os.getPriority() - 5)); parentPort.postMessage(true); } catch { parentPort.postMessage(false); }`,
      { eval: true },
    );
    const [allowed] = (await once(probe, 'message')) as [boolean];
    await probe.terminate();
    return allowed;
  }

  it('runs its thread 5 nice levels ahead of the event loop when Linux allows it, else at the same level', async () => {
    hasher = createMd5Hasher();
    const base = os.getPriority();
    const raised = process.platform === 'linux' && (await mayRaisePriority());
    const expected = raised ? Math.max(-20, base - 5) : base;
    expect(await hasher.threadNice()).toBe(expected);
    expect(os.getPriority()).toBe(base);
  });
});
