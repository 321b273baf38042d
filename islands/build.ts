/**
 * Builds the browser code (islands) into public/build/ with esbuild: the loader (`all.js`), the frame's
 * script and its stylesheet. Run by `npm start`, `npm test` and the benchmarks; output is git-ignored.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
export const BUILD_DIR = `${root}public/build`;

/** The bundles: entry file → output name in public/build/. */
export const BUNDLES = [
  { entry: 'islands/loader/index.ts', out: 'loader.js' },
  { entry: 'islands/frame/index.ts', out: 'frame.js' },
  { entry: 'islands/enhance/index.ts', out: 'enhance.js' },
  { entry: 'public/widget.css', out: 'frame.css' },
  { entry: 'islands/crop/index.ts', out: 'crop.js' },
  { entry: 'public/crop.css', out: 'crop.css' },
] as const;

export async function buildIslands(options: { minify?: boolean } = {}): Promise<void> {
  mkdirSync(BUILD_DIR, { recursive: true });
  await Promise.all(
    BUNDLES.map(({ entry, out }) =>
      build({
        entryPoints: [`${root}${entry}`],
        outfile: `${BUILD_DIR}/${out}`,
        bundle: true,
        minify: options.minify ?? true,
        format: entry.endsWith('.css') ? undefined : 'iife',
        target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
        legalComments: 'none',
        logLevel: 'warning',
      }),
    ),
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildIslands();
}
