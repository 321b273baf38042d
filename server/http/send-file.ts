import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { Context } from 'hono';

export interface FileToSend {
  path: string;
  size: number;
  contentType: string;
  /** Strong validator, without quotes. */
  etag: string;
  lastModified: Date;
  headers: Record<string, string>;
}

type ByteRange = { start: number; end: number };

/** Parses a single `Range: bytes=...` value; null = serve the whole file, 'unsatisfiable' = 416. */
export function parseRange(header: string | undefined, size: number): ByteRange | null | 'unsatisfiable' {
  if (!header) return null;
  const match = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  // Several ranges or another unit: RFC 9110 lets a server ignore Range and send the whole file.
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

function notModified(c: Context, etag: string, lastModified: Date): boolean {
  const ifNoneMatch = c.req.header('if-none-match');
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === `"${etag}"`);
  }
  const since = Date.parse(c.req.header('if-modified-since') ?? '');
  return Number.isFinite(since) && Math.floor(lastModified.getTime() / 1000) <= Math.floor(since / 1000);
}

/** If-Range: a range applies only while the representation is the one the client has part of. */
function rangeStillValid(c: Context, etag: string, lastModified: Date): boolean {
  const ifRange = c.req.header('if-range');
  if (ifRange === undefined) return true;
  if (ifRange.startsWith('"')) return ifRange === `"${etag}"`;
  return Date.parse(ifRange) === Math.floor(lastModified.getTime() / 1000) * 1000;
}

/** Sends a file with validators, conditional requests (304) and single byte ranges (206, 416). */
export function sendFile(c: Context, file: FileToSend): Response {
  const headers: Record<string, string> = {
    ...file.headers,
    'Content-Type': file.contentType,
    ETag: `"${file.etag}"`,
    'Last-Modified': file.lastModified.toUTCString(),
    'Accept-Ranges': 'bytes',
  };
  if (notModified(c, file.etag, file.lastModified)) return c.body(null, 304, headers);

  const range = rangeStillValid(c, file.etag, file.lastModified) ? parseRange(c.req.header('range'), file.size) : null;
  if (range === 'unsatisfiable') return c.body(null, 416, { ...headers, 'Content-Range': `bytes */${file.size}` });
  const { start, end } = range ?? { start: 0, end: file.size - 1 };
  const length = file.size === 0 ? 0 : end - start + 1;
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${file.size}`;
  headers['Content-Length'] = String(length);
  const status = range ? 206 : 200;
  if (c.req.method === 'HEAD' || length === 0) return c.body(null, status, headers);
  const body = Readable.toWeb(createReadStream(file.path, { start, end })) as ReadableStream;
  return c.body(body, status, headers);
}
