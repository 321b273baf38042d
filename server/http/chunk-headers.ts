import { AppError, badRequest } from '../errors.ts';

export interface ChunkHeaders {
  uploadId: string;
  start: number;
  /** Inclusive, as in Content-Range. */
  end: number;
  /** null when the client sent `/-1` (size not known yet). */
  total: number | null;
}

const UPLOAD_ID = /^[A-Za-z0-9_.-]{1,128}$/;
const CONTENT_RANGE = /^bytes (\d{1,15})-(\d{1,15})\/(\d{1,15}|-1)$/;

/**
 * Reads Cloudinary's chunk headers: `X-Unique-Upload-Id` and `Content-Range: bytes s-e/total`.
 * Returns null for an ordinary (single-request) upload.
 */
export function parseChunkHeaders(uploadId: string | undefined, contentRange: string | undefined): ChunkHeaders | null {
  if (uploadId === undefined && contentRange === undefined) return null;
  if (uploadId === undefined) throw badRequest('invalid_upload_id', 'Content-Range requires an X-Unique-Upload-Id header');
  if (!UPLOAD_ID.test(uploadId)) {
    throw badRequest('invalid_upload_id', 'Invalid X-Unique-Upload-Id: 1 to 128 letters, digits, ".", "_" or "-"');
  }
  if (contentRange === undefined) throw badRequest('bad_content_range', 'X-Unique-Upload-Id requires a Content-Range header');
  const match = contentRange.length <= 64 ? CONTENT_RANGE.exec(contentRange) : null;
  if (!match) throw badRequest('bad_content_range', 'Invalid Content-Range: expected "bytes <start>-<end>/<total>" (total may be -1)');
  const start = Number(match[1]);
  const end = Number(match[2]);
  const total = match[3] === '-1' ? null : Number(match[3]);
  if (![start, end, total ?? 0].every(Number.isSafeInteger)) throw badRequest('bad_content_range', 'Invalid Content-Range: numbers out of range');
  if (start > end) throw new AppError('range_out_of_bounds', 'Invalid Content-Range: start is after end', 416);
  if (total !== null && end >= total) throw new AppError('range_out_of_bounds', 'Invalid Content-Range: end is beyond the total size', 416);
  return { uploadId, start, end, total };
}
