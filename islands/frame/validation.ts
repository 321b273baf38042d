import type { FrameOptions } from './config.ts';
import { formatAllowed, kindOf, sizeLimitFor } from '../shared/file-kind.ts';
import { formatSize, type Translate } from './format.ts';
import type { RemoteFile } from './remote-file.ts';

export type CheckResult<T = File> = { ok: true; file: T } | { ok: false; message: string };

/** Formats a browser decodes into pixels here (others are neither measured nor resized). */
const RESIZABLE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);

async function dimensionsOf(file: File): Promise<ImageBitmap | null> {
  try {
    return await createImageBitmap(file);
  } catch {
    return null;
  }
}

/** Draws the image at most maxWidth×maxHeight (aspect kept) and encodes it in the same type. */
async function scaleDown(file: File, bitmap: ImageBitmap, maxWidth: number, maxHeight: number): Promise<File> {
  const scale = Math.min(maxWidth / bitmap.width, maxHeight / bitmap.height, 1);
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, width, height);
  const blob = await canvas.convertToBlob({ type: file.type, quality: 0.92 });
  return new File([blob], file.name, { type: blob.type, lastModified: file.lastModified });
}

/**
 * The checks Cloudinary's widget makes before any byte moves (spec 1.9): formats, sizes (overall and per
 * kind), minimum and maximum image dimensions — a too-large image is scaled down instead of refused unless
 * validateMaxWidthHeight is set.
 */
export async function checkFile(file: File, options: FrameOptions, t: Translate): Promise<CheckResult> {
  const problem = formatOrSizeProblem(file, options, t);
  if (problem) return { ok: false, message: problem };
  const kind = kindOf(file);
  const wantsDimensions = kind === 'image' && RESIZABLE_TYPES.has(file.type) && (options.minImageWidth || options.minImageHeight || options.maxImageWidth || options.maxImageHeight);
  if (!wantsDimensions) return { ok: true, file };
  const bitmap = await dimensionsOf(file);
  if (!bitmap) return { ok: true, file };
  try {
    const { width, height } = bitmap;
    if ((options.minImageWidth && width < options.minImageWidth) || (options.minImageHeight && height < options.minImageHeight)) {
      return { ok: false, message: t('uploader.errors.min_dimensions_validation', { width, height, minWidth: options.minImageWidth ?? 0, minHeight: options.minImageHeight ?? 0 }) };
    }
    const maxWidth = options.maxImageWidth ?? Infinity;
    const maxHeight = options.maxImageHeight ?? Infinity;
    if (width <= maxWidth && height <= maxHeight) return { ok: true, file };
    if (options.validateMaxWidthHeight) {
      return { ok: false, message: t('uploader.errors.max_dimensions_validation', { width, height, maxWidth: options.maxImageWidth ?? width, maxHeight: options.maxImageHeight ?? height }) };
    }
    return { ok: true, file: await scaleDown(file, bitmap, maxWidth, maxHeight) };
  } finally {
    bitmap.close();
  }
}

/** Format and size, the checks that need no decoding (a size of 0 means unknown and passes). */
function formatOrSizeProblem(file: { name: string; size: number; type: string }, options: FrameOptions, t: Translate): string | null {
  if (options.clientAllowedFormats && !formatAllowed(file, options.clientAllowedFormats)) return t('uploader.errors.allowed_formats');
  const limit = sizeLimitFor(kindOf(file), options);
  if (limit !== null && file.size > limit) return t('uploader.errors.file_too_large', { size: formatSize(file.size, t), allowed: formatSize(limit, t) });
  return null;
}

/** The same format and size checks for a file added by URL (its size counts only when known). */
export function checkRemoteFile(file: RemoteFile, options: FrameOptions, t: Translate): CheckResult<RemoteFile> {
  const problem = formatOrSizeProblem(file, options, t);
  return problem ? { ok: false, message: problem } : { ok: true, file };
}
