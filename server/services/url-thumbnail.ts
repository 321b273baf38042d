import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import { AppError } from '../errors.ts';
import type { JobLimiter } from './job-limiter.ts';
import type { RemoteFetcher } from './remote-fetch.ts';
import { createSealer } from './sealed-data.ts';

/** Raster formats previewed (by magic bytes, never by the remote's Content-Type); SVG is never rendered here. */
const RASTER_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif', 'image/tiff']);
/** The thumbnail fits a square of this many pixels. */
export const THUMBNAIL_BOX = 240;
const TTL_MS = 10 * 60 * 1000;

export interface UrlThumbnailsDeps {
  fetcher: RemoteFetcher;
  /** Bounds how many remote images are decoded at once. */
  limiter: JobLimiter;
  apiSecret: string;
  now: () => number;
  /** Larger remote images get no thumbnail (remote_too_large). */
  maxSourceBytes: number;
  /** sharp's limitInputPixels: decompression bombs are refused before decoding. */
  maxInputPixels: number;
}

/**
 * Thumbnails of previewed Web Addresses. The URL travels sealed (HMAC, own purpose, short expiry), so the
 * endpoint only fetches what the preview checked and is no open proxy; the remote bytes are decoded and
 * re-encoded, never passed through.
 */
export function createUrlThumbnails({ fetcher, limiter, apiSecret, now, maxSourceBytes, maxInputPixels }: UrlThumbnailsDeps) {
  const sealer = createSealer(apiSecret, 'web address thumbnail', now);

  const decode = async (bytes: Buffer): Promise<Buffer> => {
    const detected = await fileTypeFromBuffer(bytes);
    if (!detected || !RASTER_TYPES.has(detected.mime)) throw new AppError('unsupported_media_type', 'Not an image that can be previewed', 415);
    try {
      return await sharp(bytes, { autoOrient: true, limitInputPixels: maxInputPixels })
        .resize(THUMBNAIL_BOX, THUMBNAIL_BOX, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 80 })
        .toBuffer();
    } catch {
      throw new AppError('invalid_image', 'The image could not be decoded', 422);
    }
  };

  return {
    /** How long a sealed thumbnail link (and the browser's copy of the image) stays valid. */
    maxAgeSeconds: TTL_MS / 1000,
    /** A token naming the URL: the only way to ask for its thumbnail. */
    seal: (url: string): string => sealer.seal(url, TTL_MS),
    /** The thumbnail (WebP) of a sealed URL; AppErrors for forged/expired tokens, remote failures, non-images. */
    render(token: string | undefined): Promise<Buffer> {
      const url = sealer.open<unknown>(token, 4096);
      if (typeof url !== 'string') return Promise.reject(new AppError('invalid_token', 'Invalid or expired thumbnail link', 403));
      return limiter.run(async () => {
        const remote = await fetcher.open(url, { maxBytes: maxSourceBytes });
        return decode(Buffer.concat(await remote.body.toArray()));
      });
    },
  };
}

export type UrlThumbnails = ReturnType<typeof createUrlThumbnails>;
