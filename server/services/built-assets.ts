import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

/** Files the widget serves from public/ (an allow-list: nothing else under public/ is reachable). */
const FILES: Record<string, { path: string; type: string }> = {
  'loader.js': { path: 'build/loader.js', type: 'text/javascript; charset=utf-8' },
  'frame.js': { path: 'build/frame.js', type: 'text/javascript; charset=utf-8' },
  'frame.css': { path: 'build/frame.css', type: 'text/css; charset=utf-8' },
  'enhance.js': { path: 'build/enhance.js', type: 'text/javascript; charset=utf-8' },
  'crop.js': { path: 'build/crop.js', type: 'text/javascript; charset=utf-8' },
  'crop.css': { path: 'build/crop.css', type: 'text/css; charset=utf-8' },
  'video.svg': { path: 'icons/video.svg', type: 'image/svg+xml' },
};

export interface BuiltAsset {
  body: Buffer;
  type: string;
  /** Short content hash: the version in asset URLs and the ETag. */
  hash: string;
  mtimeMs: number;
}

/**
 * Reads built browser files (public/build, made by islands/build.ts) and keeps them in memory with a content
 * hash; re-reads a file when it changes on disk (a rebuild while the server runs).
 */
export function createBuiltAssets(basePath = '', dir = PUBLIC_DIR) {
  const cache = new Map<string, BuiltAsset>();

  const get = (name: string): BuiltAsset | null => {
    const file = FILES[name];
    if (!file) return null;
    const path = join(dir, file.path);
    let mtimeMs: number;
    try {
      mtimeMs = statSync(path).mtimeMs;
    } catch {
      return null;
    }
    const cached = cache.get(name);
    if (cached && cached.mtimeMs === mtimeMs) return cached;
    const body = readFileSync(path);
    const asset = { body, type: file.type, hash: createHash('sha256').update(body).digest('hex').slice(0, 16), mtimeMs };
    cache.set(name, asset);
    return asset;
  };

  return {
    /** Whether `name` is one of the files the widget serves (built or not). */
    knows: (name: string) => Object.hasOwn(FILES, name),
    get,
    /** A URL path for an asset that changes whenever its content does (so it can be cached forever). */
    url: (name: string) => `${basePath}/widget/assets/${name}?v=${get(name)?.hash ?? 'missing'}`,
  };
}

export type BuiltAssets = ReturnType<typeof createBuiltAssets>;
