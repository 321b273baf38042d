import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { pipeline, Transform, type Readable } from 'node:stream';
import ipaddr from 'ipaddr.js';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import { AppError } from '../errors.ts';
import type { RemoteFetchConfig } from '../config.ts';

const MAX_URL_LENGTH = 2048;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface RemoteResponse {
  url: URL;
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Declared length, when the server sent one. */
  contentLength: number | null;
  body: Readable;
  /** Cancels the transfer (and the timers). */
  abort(): void;
}

export interface RemoteFetcherDeps {
  /** DNS resolver; tests inject one to map names to chosen addresses. */
  lookup?: LookupFunction;
}

export interface OpenOptions {
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  /** Refuse a body larger than this (declared or streamed). */
  maxBytes: number;
  signal?: AbortSignal;
}

const fail = (code: ConstructorParameters<typeof AppError>[0], message: string, status: number) => new AppError(code, message, status);

/**
 * The one way Updraft fetches a URL someone else chose (file=<url>, Web Address, webhooks): http(s) only,
 * no credentials, every address checked at connect time by request-filtering-agent (so DNS rebinding and
 * literal IPs are covered), redirects followed by hand and re-checked, time and size capped.
 */
export function createRemoteFetcher(config: RemoteFetchConfig, deps: RemoteFetcherDeps = {}) {
  const filter = { allowIPAddressList: config.allowAddresses, keepAlive: false };
  const agents = { 'http:': new RequestFilteringHttpAgent(filter), 'https:': new RequestFilteringHttpsAgent(filter) };

  const isAllowListed = (host: string): boolean => {
    if (!ipaddr.isValid(host)) return false;
    const address = ipaddr.process(host);
    return config.allowAddresses.some((entry) => {
      try {
        if (entry.includes('/')) {
          const [range, bits] = ipaddr.parseCIDR(entry);
          return address.kind() === range.kind() && address.match([range, bits]);
        }
        return ipaddr.process(entry).toString() === address.toString();
      } catch {
        return false;
      }
    });
  };

  /** Validates a URL's syntax and policy without any network access. */
  const check = (input: string | URL): URL => {
    const text = String(input);
    if (text.length > MAX_URL_LENGTH) throw fail('forbidden_url', `URL is too long (at most ${MAX_URL_LENGTH} characters)`, 400);
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw fail('forbidden_url', 'Invalid URL', 400);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw fail('unsupported_scheme', `URL scheme ${url.protocol.replace(':', '')} is not supported (http or https only)`, 400);
    }
    if (url.username || url.password) throw fail('forbidden_url', 'URLs with credentials are not allowed', 400);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const allowListed = isAllowListed(host);
    if (!allowListed) {
      if (ipaddr.isValid(host) && ipaddr.process(host).range() !== 'unicast') {
        throw fail('forbidden_url', `Address ${host} is not allowed: private, loopback, link-local or reserved`, 400);
      }
      if (host === 'localhost' || host.endsWith('.localhost') || host === 'localhost.' || host === 'metadata.google.internal') {
        throw fail('forbidden_url', `Host ${host} is not allowed`, 400);
      }
      const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
      if (!config.allowedPorts.includes(port)) throw fail('forbidden_url', `Port ${port} is not allowed`, 400);
    }
    return url;
  };

  const requestOnce = (url: URL, options: OpenOptions, signal: AbortSignal) =>
    new Promise<http.IncomingMessage>((resolve, reject) => {
      const transport = url.protocol === 'https:' ? https : http;
      const request = transport.request(url, {
        method: options.method ?? 'GET',
        agent: agents[url.protocol as 'http:' | 'https:'],
        headers: { 'user-agent': 'Updraft/1 (+remote fetch)', 'accept-encoding': 'identity', ...options.headers },
        signal,
        ...(deps.lookup ? { lookup: deps.lookup } : {}),
      });
      request.setTimeout(config.idleTimeoutMs, () => request.destroy(fail('remote_timeout', `Timed out loading ${url.href}`, 504)));
      request.on('response', resolve);
      request.on('error', reject);
      request.end();
    });

  const mapError = (error: unknown, url: URL): AppError => {
    if (error instanceof AppError) return error;
    const err = error as NodeJS.ErrnoException;
    if (/is not allowed/.test(err.message ?? '')) return fail('forbidden_url', `Address of ${url.hostname} is not allowed: private, loopback, link-local or reserved`, 400);
    if (err.name === 'AbortError' || err.name === 'TimeoutError' || err.code === 'ABORT_ERR') return fail('remote_timeout', `Timed out loading ${url.href}`, 504);
    const reason = err.code === 'ENOTFOUND' ? 'host not found' : err.code === 'ECONNREFUSED' ? 'connection refused' : (err.code ?? err.message);
    return fail('remote_error', `Error in loading ${url.href} - ${reason}`, 502);
  };

  /** Opens a URL and returns its (size-capped, time-capped) body stream after redirects. */
  const openUrl = async (input: string | URL, options: OpenOptions): Promise<RemoteResponse> => {
    const controller = new AbortController();
    const total = setTimeout(() => controller.abort(fail('remote_timeout', 'Timed out loading the URL', 504)), config.timeoutMs);
    const onOuterAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });
    const cleanup = () => {
      clearTimeout(total);
      options.signal?.removeEventListener('abort', onOuterAbort);
    };
    let url = check(input);
    try {
      for (let hop = 0; ; hop++) {
        let response: http.IncomingMessage;
        try {
          response = await requestOnce(url, options, controller.signal);
        } catch (error) {
          throw mapError(controller.signal.aborted && controller.signal.reason instanceof AppError ? controller.signal.reason : error, url);
        }
        const status = response.statusCode ?? 0;
        if (REDIRECT_STATUSES.has(status)) {
          response.resume();
          if (hop >= config.maxRedirects) throw fail('too_many_redirects', `Too many redirects loading ${String(input)}`, 400);
          const location = response.headers.location;
          if (!location) throw fail('remote_error', `Redirect without a Location from ${url.href}`, 502);
          const next = checkRedirect(url, location);
          url = next;
          continue;
        }
        if (status >= 400) {
          response.resume();
          throw fail('remote_error', `Error in loading ${url.href} - ${status} ${response.statusMessage ?? ''}`.trim(), 502);
        }
        const declared = Number(response.headers['content-length']);
        const contentLength = Number.isSafeInteger(declared) && declared >= 0 ? declared : null;
        if (contentLength !== null && contentLength > options.maxBytes) {
          response.destroy();
          throw fail('remote_too_large', `Remote file is too large: ${contentLength} bytes, at most ${options.maxBytes}`, 413);
        }
        const body = sizeLimited(response, options.maxBytes);
        body.once('close', cleanup);
        return {
          url,
          status,
          headers: response.headers,
          contentLength,
          body,
          abort: () => {
            body.destroy();
            cleanup();
          },
        };
      }
    } catch (error) {
      cleanup();
      throw error;
    }
  };

  const checkRedirect = (from: URL, location: string): URL => {
    let next: URL;
    try {
      next = new URL(location, from);
    } catch {
      throw fail('forbidden_redirect', 'Redirect to an invalid URL', 400);
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') throw fail('forbidden_redirect', `Redirect to a ${next.protocol} URL is not allowed`, 400);
    if (from.protocol === 'https:' && next.protocol === 'http:') throw fail('forbidden_redirect', 'Redirect from https to http is not allowed', 400);
    try {
      return check(next);
    } catch (error) {
      throw error instanceof AppError ? fail('forbidden_redirect', `Redirect refused: ${error.message}`, 400) : error;
    }
  };

  return { check, open: openUrl };
}

/** The response body, failing with remote_too_large once more than `maxBytes` arrive. */
function sizeLimited(response: http.IncomingMessage, maxBytes: number): Readable {
  let received = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > maxBytes) callback(fail('remote_too_large', `Remote file is too large: more than ${maxBytes} bytes`, 413));
      else callback(null, chunk);
    },
  });
  pipeline(response, limiter, () => undefined);
  return limiter;
}

export type RemoteFetcher = ReturnType<typeof createRemoteFetcher>;
