import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { JobLimiter } from '../../services/job-limiter.ts';

export interface Derivative {
  path: string;
  bytes: number;
  /** Content identity for ETag: stable for a given asset version, transformation and format. */
  tag: string;
}

/**
 * Derived images on disk, keyed by asset version + transformation + format. Each derivative is produced at
 * most once even under concurrent requests (one shared promise per key), through the job limiter, and
 * published with a rename so no reader sees a partial file.
 */
export function createDerivativeStore(dir: string, limiter: JobLimiter) {
  mkdirSync(dir, { recursive: true });
  const inProgress = new Map<string, Promise<Derivative>>();

  const locate = (assetId: string, versionId: string, variant: string, extension: string) => {
    const tag = createHash('sha1').update(`${versionId}\n${variant}\n${extension}`).digest('hex');
    return { path: join(dir, assetId.slice(0, 2), assetId, versionId, `${tag}.${extension}`), tag };
  };

  const produce = async (path: string, tag: string, render: () => Promise<Buffer>): Promise<Derivative> => {
    const bytes = await limiter.run(render);
    mkdirSync(dirname(path), { recursive: true });
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, bytes, { mode: 0o600 });
    await rename(temp, path);
    return { path, bytes: bytes.length, tag };
  };

  /** The cached derivative, rendering it first if needed. */
  const get = async (assetId: string, versionId: string, variant: string, extension: string, render: () => Promise<Buffer>): Promise<Derivative> => {
    const { path, tag } = locate(assetId, versionId, variant, extension);
    const cached = await stat(path).catch(() => null);
    if (cached) return { path, bytes: cached.size, tag };
    let pending = inProgress.get(path);
    if (!pending) {
      pending = produce(path, tag, render).finally(() => inProgress.delete(path));
      inProgress.set(path, pending);
    }
    return pending;
  };

  return {
    get,
    /** Removes every derivative of an asset (all versions). */
    removeAsset: (assetId: string) => rmSync(join(dir, assetId.slice(0, 2), assetId), { recursive: true, force: true }),
    /** Removes the derivatives of one replaced version. */
    removeVersion: (assetId: string, versionId: string) => rmSync(join(dir, assetId.slice(0, 2), assetId, versionId), { recursive: true, force: true }),
  };
}

export type DerivativeStore = ReturnType<typeof createDerivativeStore>;
