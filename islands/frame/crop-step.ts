import type { FrameOptions } from './config.ts';
import type { Translate } from './format.ts';

/** How the crop step ended: a rectangle in the image's own pixels (`x,y,w,h`), skipped, or back to the sources. */
export type CropOutcome = { action: 'crop'; coordinates: string } | { action: 'skip' } | { action: 'back' };

/** Images the crop step can show. */
export function canCrop(file: File): boolean {
  return ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif', 'image/bmp'].includes(file.type);
}

/** The crop step for one image. (Scaffold: built in issue 6.) */
export async function cropStep(_file: File, _deps: { options: FrameOptions; t: Translate }): Promise<CropOutcome> {
  return { action: 'skip' };
}
