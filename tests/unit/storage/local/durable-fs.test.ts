import { open, writeFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRollingSync } from '../../../../server/storage/local/durable-fs.ts';
import { tempDir } from '../../../helpers/fixtures.ts';

const openDescriptors = () => readdirSync('/proc/self/fd').length;

/** Counts fdatasync calls made through FileHandle (the class is not exported, so take it from an instance). */
async function spyOnDatasync(path: string) {
  const probe = await open(path, 'r');
  const prototype = Object.getPrototypeOf(probe) as { datasync(): Promise<void> };
  await probe.close();
  return vi.spyOn(prototype, 'datasync');
}

afterEach(() => vi.restoreAllMocks());

describe('rolling sync', () => {
  it('flushes in the background once a step of new bytes is written, one flush at a time, then the rest', async () => {
    const path = join(tempDir(), 'data');
    await writeFile(path, Buffer.alloc(64));
    const datasync = await spyOnDatasync(path);
    let written = 0;
    const sync = createRollingSync(path, () => written, 100);
    sync.poke();
    written = 99;
    sync.poke();
    expect(datasync).not.toHaveBeenCalled();
    written = 100;
    sync.poke();
    written = 250;
    sync.poke(); // a flush is running: this one does not start another
    await vi.waitFor(() => expect(datasync).toHaveBeenCalledTimes(1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    sync.poke(); // 150 bytes since the last flush started
    await sync.finish();
    expect(datasync).toHaveBeenCalledTimes(3);
    await sync.release();
  });

  it('reports a failed background flush from finish() and releases the file', async () => {
    const before = openDescriptors();
    const sync = createRollingSync(join(tempDir(), 'missing'), () => 1000, 10);
    sync.poke();
    await expect(sync.finish()).rejects.toMatchObject({ code: 'ENOENT' });
    await sync.release();
    expect(openDescriptors()).toBe(before);
  });

  it('release() waits for a running flush and closes the descriptor', async () => {
    const path = join(tempDir(), 'data');
    await writeFile(path, Buffer.alloc(10));
    const before = openDescriptors();
    const sync = createRollingSync(path, () => 10, 1);
    sync.poke();
    await sync.release();
    expect(openDescriptors()).toBe(before);
  });
});
