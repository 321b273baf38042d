import { open, readFile } from 'node:fs/promises';
import { fileTypeFromBuffer } from 'file-type';
import sharp, { type Metadata } from 'sharp';
import { AppError, badRequest } from '../../errors.ts';
import type { RequestedResourceType, ResourceType } from '../types.ts';

const HEAD_BYTES = 4100;
const MAX_SVG_BYTES = 10 * 1024 * 1024;

/** Raster formats we hand to sharp, by the MIME type their magic bytes give. */
const IMAGE_MIME_TO_FORMAT: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/avif': 'avif',
  'image/tiff': 'tiff',
};

export interface Inspection {
  resourceType: ResourceType;
  /** Delivery format (jpg, png, mp4, ...); null for raw. */
  format: string | null;
  mimeType: string;
  width: number | null;
  height: number | null;
  pages: number | null;
}

export interface InspectOptions {
  requested: RequestedResourceType;
  maxImagePixels: number;
}

/** Reads the first bytes of a file (magic-byte detection never needs more). */
export async function readHead(path: string, length = HEAD_BYTES): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Text that is an SVG document: optional BOM, XML declaration, comments and doctype, then `<svg`. */
export function looksLikeSvg(head: Buffer): boolean {
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  return /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/i.test(text);
}

/**
 * Decides what a stored file really is from its content (never its name): resource type, format and, for
 * images, dimensions read by sharp from the header with the pixel cap enforced.
 */
export async function inspectFile(path: string, bytes: number, options: InspectOptions): Promise<Inspection> {
  const head = await readHead(path);
  const detected = await fileTypeFromBuffer(head);
  const mime = detected?.mime;
  const rasterFormat = mime ? IMAGE_MIME_TO_FORMAT[mime] : undefined;
  // file-type calls any document starting with <?xml "application/xml"; an SVG may start that way.
  const isSvg = (!detected || mime === 'application/xml') && looksLikeSvg(head);
  const isVideo = !!mime && (mime.startsWith('video/') || mime.startsWith('audio/'));

  const wants = options.requested;
  if ((rasterFormat || isSvg) && (wants === 'image' || wants === 'auto')) {
    return inspectImage(path, bytes, isSvg ? 'svg' : rasterFormat!, options.maxImagePixels);
  }
  if (isVideo && (wants === 'video' || wants === 'auto')) {
    return { resourceType: 'video', format: detected!.ext, mimeType: mime!, width: null, height: null, pages: null };
  }
  if (wants === 'image') throw badRequest('invalid_image', 'Invalid image file');
  if (wants === 'video') throw badRequest('invalid_video', 'Invalid video file');
  return { resourceType: 'raw', format: null, mimeType: isSvg ? 'image/svg+xml' : (mime ?? 'application/octet-stream'), width: null, height: null, pages: null };
}

async function inspectImage(path: string, bytes: number, format: string, maxPixels: number): Promise<Inspection> {
  let metadata: Metadata;
  try {
    // SVG goes in as a buffer: librsvg reading a path has had traversal bugs (CVE-2023-38633).
    if (format === 'svg' && bytes > MAX_SVG_BYTES) throw new Error('too large');
    const input = format === 'svg' ? await readFile(path) : path;
    metadata = await sharp(input, { pages: -1, limitInputPixels: false }).metadata();
  } catch {
    throw badRequest('invalid_image', 'Invalid image file');
  }
  const width = metadata.autoOrient?.width ?? metadata.width;
  const height = metadata.autoOrient?.height ?? metadata.height;
  if (!width || !height) throw badRequest('invalid_image', 'Invalid image file');
  const frames = metadata.pages ?? 1;
  const pageHeight = metadata.pageHeight ?? height;
  if (width * pageHeight * frames > maxPixels) {
    throw new AppError('image_too_large', `Image is too large: ${width}x${pageHeight}${frames > 1 ? ` x ${frames} frames` : ''} exceeds ${maxPixels} pixels`, 422);
  }
  return {
    resourceType: 'image',
    format,
    mimeType: format === 'svg' ? 'image/svg+xml' : `image/${format === 'jpg' ? 'jpeg' : format}`,
    width,
    height: frames > 1 ? pageHeight : height,
    pages: frames,
  };
}
