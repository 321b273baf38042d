import { open, type FileHandle } from 'node:fs/promises';

/** Flushes a file's data to the device (used when durability is "fsync"). */
export async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** Flushes a directory entry so a rename survives power loss. */
export async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  } finally {
    await handle.close();
  }
}

const ROLLING_SYNC_STEP = 4 * 1024 * 1024;

/**
 * Flushes a file that is still being written, in the background: one fdatasync at a time, each started
 * once another `step` bytes are written. The flush that must precede an acknowledgement then only has
 * the last few megabytes left. fdatasync acts on the file, so the writes may use another descriptor.
 */
export function createRollingSync(path: string, bytesWritten: () => number, step = ROLLING_SYNC_STEP) {
  let handle: Promise<FileHandle> | null = null;
  let inflight: Promise<void> | null = null;
  let flushedThrough = 0;
  let failure: unknown = null;

  const flush = async () => {
    handle ??= open(path, 'r+');
    await (await handle).datasync();
  };
  const settled = async () => {
    while (inflight) await inflight;
  };

  return {
    /** Starts a background flush if enough new bytes were written and none is running. */
    poke() {
      const through = bytesWritten();
      if (inflight || failure || through - flushedThrough < step) return;
      inflight = flush()
        .then(
          () => void (flushedThrough = through),
          (error: unknown) => void (failure = error),
        )
        .finally(() => (inflight = null));
    },
    /** Flushes everything written so far (after the background flush, whose error it reports). */
    async finish() {
      await settled();
      if (failure) throw failure;
      await flush();
    },
    /** Waits for any background flush and closes the file; call once, whatever happened. */
    async release() {
      await settled();
      const opened = handle;
      handle = null;
      await opened?.then((file) => file.close()).catch(() => undefined);
    },
  };
}
