/** A file's kind and format by name and MIME type, as the widget judges them before upload. */
export type FileKind = 'image' | 'video' | 'raw';

const IMAGE_EXTENSIONS = new Set(['jpg', 'jpeg', 'png', 'gif', 'webp', 'avif', 'bmp', 'tif', 'tiff', 'svg', 'heic', 'heif', 'ico']);
const VIDEO_EXTENSIONS = new Set(['mp4', 'mov', 'webm', 'mkv', 'avi', 'm4v', 'ogv', 'mp3', 'wav', 'ogg', 'm4a', 'flac', 'aac']);

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
export function formatAllowed(file: { name: string; type: string }, allowed: string[]): boolean {
  const extension = extensionOf(file.name);
  const kind = kindOf(file);
  return allowed.some((entry) => entry === extension || entry === kind || (entry === 'jpg' && extension === 'jpeg') || (entry === 'jpeg' && extension === 'jpg'));
}

/** The size limit that applies to a file: the smallest of maxFileSize and its kind's own. */
export function sizeLimitFor(kind: FileKind, limits: { maxFileSize: number | null; maxImageFileSize: number | null; maxVideoFileSize: number | null; maxRawFileSize: number | null }): number | null {
  const own = kind === 'image' ? limits.maxImageFileSize : kind === 'video' ? limits.maxVideoFileSize : limits.maxRawFileSize;
  const candidates = [limits.maxFileSize, own].filter((limit): limit is number => limit !== null);
  return candidates.length ? Math.min(...candidates) : null;
}
