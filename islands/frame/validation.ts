import type { FrameOptions } from './config.ts';
import { formatSize, type Translate } from './format.ts';

export type FileKind = 'image' | 'video' | 'raw';

export type CheckResult = { ok: true; file: File } | { ok: false; message: string };

const IMAGE_EXTENSIONS = new Set(['jpg', 'jpeg', 'png', 'gif', 'webp', 'avif', 'bmp', 'tif', 'tiff', 'svg', 'heic', 'heif', 'ico']);
const VIDEO_EXTENSIONS = new Set(['mp4', 'mov', 'webm', 'mkv', 'avi', 'm4v', 'ogv', 'mp3', 'wav', 'ogg', 'm4a', 'flac', 'aac']);
/** Formats a browser decodes into pixels here (others are neither measured nor resized). */
const RESIZABLE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export function kindOf(file: { name: string; type: string }): FileKind {
  const extension = extensionOf(file.name);
  if (file.type.startsWith('image/') || IMAGE_EXTENSIONS.has(extension)) return 'image';
  if (file.type.startsWith('video/') || file.type.startsWith('audio/') || VIDEO_EXTENSIONS.has(extension)) return 'video';
  return 'raw';
}

/** clientAllowedFormats accepts extensions ("png", "jpeg") and type words ("image", "video"). */
function formatAllowed(file: File, allowed: string[]): boolean {
  const extension = extensionOf(file.name);
  const kind = kindOf(file);
  return allowed.some((entry) => entry === extension || entry === kind || (entry === 'jpg' && extension === 'jpeg') || (entry === 'jpeg' && extension === 'jpg'));
}

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
  if (options.clientAllowedFormats && !formatAllowed(file, options.clientAllowedFormats)) {
    return { ok: false, message: t('uploader.errors.allowed_formats') };
  }
  const kind = kindOf(file);
  const kindLimit = kind === 'image' ? options.maxImageFileSize : kind === 'video' ? options.maxVideoFileSize : options.maxRawFileSize;
  for (const limit of [options.maxFileSize, kindLimit]) {
    if (limit !== null && file.size > limit) {
      return { ok: false, message: t('uploader.errors.file_too_large', { size: formatSize(file.size, t), allowed: formatSize(limit, t) }) };
    }
  }
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
