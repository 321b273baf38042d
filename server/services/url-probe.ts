import { parse as parseDisposition } from 'content-disposition';
import { AppError } from '../errors.ts';
import type { RemoteFetcher, RemoteResponse } from './remote-fetch.ts';

/** What a Web Address points at, as far as the server can tell without downloading it. */
export interface UrlProbeResult {
  /** The URL as checked (WHATWG-normalized): what the upload fetches. */
  url: string;
  name: string;
  /** MIME type without parameters, lower case; '' when the server sent none. */
  type: string;
  /** Bytes; null when the server did not say. */
  size: number | null;
}

export interface UrlProbeDeps {
  fetcher: RemoteFetcher;
  /** Larger files are refused (remote_too_large, details {size, max}). */
  maxBytes: number;
}

const MIME_TYPE = /^[a-z0-9!#$&^_.+-]{1,64}\/[a-z0-9!#$&^_.+-]{1,128}$/;
const MAX_NAME_LENGTH = 200;
/** HEAD has no body and the ranged GET is cut after its headers: the cap of the fetcher has nothing to limit. */
const HEADERS_ONLY = Number.MAX_SAFE_INTEGER;

/**
 * Looks at a URL before anyone uploads it: HEAD through the SSRF-guarded fetcher, or — when HEAD is refused or
 * names no size — a one-byte ranged GET whose Content-Range gives the total. Name from Content-Disposition or
 * the last path segment, type from Content-Type. Failures are the fetcher's AppErrors (forbidden_url,
 * remote_error with details.status, remote_timeout, ...) plus remote_too_large.
 */
export function createUrlProbe({ fetcher, maxBytes }: UrlProbeDeps) {
  const head = async (url: URL): Promise<RemoteResponse | null> => {
    try {
      return await fetcher.open(url, { method: 'HEAD', maxBytes: HEADERS_ONLY });
    } catch (error) {
      // An HTTP status (405, or 403 from URLs signed for GET only) may be HEAD's alone: the GET decides.
      if (error instanceof AppError && error.code === 'remote_error' && typeof error.details?.status === 'number') return null;
      throw error;
    }
  };

  const rangedGet = (url: URL) => fetcher.open(url, { method: 'GET', headers: { range: 'bytes=0-0' }, maxBytes: HEADERS_ONLY });

  const describe = (url: URL, response: RemoteResponse, size: number | null): UrlProbeResult => {
    if (size !== null && size > maxBytes) {
      throw new AppError('remote_too_large', `Remote file is too large: ${size} bytes, at most ${maxBytes}`, 413, { size, max: maxBytes });
    }
    return { url: url.href, name: nameOf(response), type: typeOf(response), size };
  };

  return {
    async probe(input: string): Promise<UrlProbeResult> {
      const url = fetcher.check(input);
      const byHead = await head(url);
      byHead?.abort();
      if (byHead && byHead.contentLength) return describe(url, byHead, byHead.contentLength);
      const byGet = await rangedGet(url);
      byGet.abort();
      return describe(url, byGet, byGet.status === 206 ? totalOf(byGet.headers['content-range']) : byGet.contentLength);
    },
  };
}

export type UrlProbe = ReturnType<typeof createUrlProbe>;

/** `bytes 0-0/12345` → 12345; `*` or garbage → null. */
function totalOf(contentRange: string | undefined): number | null {
  const total = /\/\s*(\d{1,16})\s*$/.exec(contentRange ?? '')?.[1];
  return total === undefined ? null : Number(total);
}

function typeOf(response: RemoteResponse): string {
  const type = String(response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return MIME_TYPE.test(type) ? type : '';
}

function nameOf(response: RemoteResponse): string {
  return cleanName(dispositionName(response.headers['content-disposition']) ?? lastSegment(response.url)) || response.url.hostname;
}

function dispositionName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  try {
    return parseDisposition(header).parameters.filename;
  } catch {
    // A malformed header names nothing; the URL still does.
    return undefined;
  }
}

function lastSegment(url: URL): string {
  const segment = url.pathname.split('/').pop() ?? '';
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** A file name as a name only: no directories, no control characters, bounded. */
function cleanName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  return base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, MAX_NAME_LENGTH);
}
