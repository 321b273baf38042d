import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { pipeline, Transform, type Readable } from 'node:stream';
import ipaddr from 'ipaddr.js';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import { AppError } from '../errors.ts';
import type { RemoteFetchConfig } from '../config.ts';

export const MAX_URL_LENGTH = 2048;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Caller headers that carry credentials or name a host: never sent on to another origin (as browsers and undici do). */
const ORIGIN_BOUND_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'host']);

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
  method?: 'GET' | 'HEAD' | 'POST';
  headers?: Record<string, string>;
  /** Request body (POST); needs `redirect: 'manual'`, since following a redirect would mean re-sending it. */
  body?: string | Buffer;
  /**
   * 'follow' (default): redirects are followed and re-checked, an error status throws. 'manual': the first
   * response is returned whatever its status, 3xx included, for callers that judge it themselves (webhooks).
   */
  redirect?: 'follow' | 'manual';
  /** Refuse a body larger than this (declared or streamed). */
  maxBytes: number;
  /**
   * Overrides the configured time limits: the whole exchange must end within it, and silence is allowed up to
   * it (a webhook receiver may think before answering).
   */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** One HTTP exchange, as openUrl makes it for each hop. */
interface RequestOnce {
  method: string;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
  signal: AbortSignal;
  idleMs: number;
  onIdle: () => AppError;
}

const fail = (code: ConstructorParameters<typeof AppError>[0], message: string, status: number) => new AppError(code, message, status);

/**
 * Public unicast per ipaddr.js, minus ::/96 (IPv4-compatible IPv6, deprecated by RFC 4291 2.5.5.1): ipaddr.js
 * calls `::7f00:1` (what WHATWG makes of `[::127.0.0.1]`) unicast although it embeds 127.0.0.1.
 */
function isPublic(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  if (address.range() !== 'unicast') return false;
  return !(address instanceof ipaddr.IPv6 && address.parts.slice(0, 6).every((part) => part === 0));
}

/**
 * The one way Updraft fetches a URL someone else chose (file=<url>, Web Address, webhooks): http(s) only,
 * no credentials, every address checked at connect time by our resolver wrapper and again by
 * request-filtering-agent (so DNS rebinding and literal IPs are covered), redirects followed by hand and
 * re-checked (credentials headers dropped across origins), time and size capped, failures always AppErrors.
 */
export function createRemoteFetcher(config: RemoteFetchConfig, deps: RemoteFetcherDeps = {}) {
  const filter = { allowIPAddressList: config.allowAddresses, keepAlive: false };
  const agents = { 'http:': new RequestFilteringHttpAgent(filter), 'https:': new RequestFilteringHttpsAgent(filter) };

  const isAllowListed = (address: ipaddr.IPv4 | ipaddr.IPv6): boolean =>
    config.allowAddresses.some((entry) => {
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

  /** Whether an IP address (text) may be dialed: allow-listed, or public. */
  const mayDial = (text: string): boolean => {
    if (!ipaddr.isValid(text)) return false;
    const address = ipaddr.process(text);
    return isAllowListed(address) || isPublic(address);
  };

  /**
   * The resolver every connection uses: it refuses a name if ANY answer may not be dialed, with the same
   * rules as check(). The agent wraps it and filters again (second wall), so what is checked is what is dialed.
   */
  const resolve: LookupFunction = deps.lookup ?? (dns.lookup as LookupFunction);
  const guardedLookup: LookupFunction = (hostname, options, callback) => {
    resolve(hostname, options, (error, address, family) => {
      if (error) return callback(error, address, family);
      const answers = Array.isArray(address) ? address.map((entry) => entry.address) : [address];
      const refused = answers.find((answer) => !mayDial(answer));
      if (refused !== undefined) return callback(fail('forbidden_url', `Address of ${hostname} is not allowed: private, loopback, link-local or reserved`, 400), address, family);
      callback(null, address, family);
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
    const literal = ipaddr.isValid(host) ? ipaddr.process(host) : null;
    if (!(literal && isAllowListed(literal))) {
      if (literal && !isPublic(literal)) {
        throw fail('forbidden_url', `Address ${host} is not allowed: private, loopback, link-local or reserved`, 400);
      }
      // A trailing dot is the same name, fully qualified ("localhost." is localhost).
      const name = host.replace(/\.$/, '');
      if (name === 'localhost' || name.endsWith('.localhost') || name === 'metadata.google.internal') {
        throw fail('forbidden_url', `Host ${host} is not allowed`, 400);
      }
      const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
      if (!config.allowedPorts.includes(port)) throw fail('forbidden_url', `Port ${port} is not allowed`, 400);
    }
    return url;
  };

  const requestOnce = (url: URL, { method, headers, body, signal, idleMs, onIdle }: RequestOnce) =>
    new Promise<http.IncomingMessage>((resolve, reject) => {
      const transport = url.protocol === 'https:' ? https : http;
      const request = transport.request(url, {
        method,
        agent: agents[url.protocol as 'http:' | 'https:'],
        headers: { 'user-agent': 'Updraft/1 (+remote fetch)', 'accept-encoding': 'identity', ...headers },
        signal,
        lookup: guardedLookup,
      });
      // The socket's idle timer stays armed while the body streams, so it also catches a drip after the headers.
      request.setTimeout(idleMs, () => request.destroy(onIdle()));
      request.on('response', resolve);
      request.on('error', reject);
      request.end(body);
    });

  const mapError = (error: unknown, url: URL): AppError => {
    if (error instanceof AppError) return error;
    const err = error as NodeJS.ErrnoException;
    if (/is not allowed/.test(err.message ?? '')) return fail('forbidden_url', `Address of ${url.hostname} is not allowed: private, loopback, link-local or reserved`, 400);
    if (err.name === 'AbortError' || err.name === 'TimeoutError' || err.code === 'ABORT_ERR') return fail('remote_timeout', `Timed out loading ${url.href}`, 504);
    const reason = err.code === 'ENOTFOUND' ? 'host not found' : err.code === 'ECONNREFUSED' ? 'connection refused' : (err.code ?? err.message);
    return fail('remote_error', `Error in loading ${url.href} - ${reason}`, 502);
  };

  const cancelled = (signal: AbortSignal) => (signal.reason instanceof AppError ? signal.reason : fail('remote_error', 'Loading the URL was cancelled', 502));

  /** Opens a URL and returns its (size-capped, time-capped) body stream after redirects. */
  const openUrl = async (input: string | URL, options: OpenOptions): Promise<RemoteResponse> => {
    // Refusals happen before any timer or listener exists, so they leave nothing behind.
    let url = check(input);
    if (options.signal?.aborted) throw cancelled(options.signal);
    const manual = options.redirect === 'manual';
    if (options.body !== undefined && !manual) throw new Error("A request body needs redirect: 'manual'");
    const timeoutMs = options.timeoutMs ?? config.timeoutMs;
    const idleMs = options.timeoutMs ?? config.idleTimeoutMs;
    const controller = new AbortController();
    // Set before the request is destroyed, so whatever error the socket then reports (also mid-body) reads as a timeout.
    let timedOut: AppError | null = null;
    const timeout = (message: string) => (timedOut ??= fail('remote_timeout', message, 504));
    const total = setTimeout(() => controller.abort(timeout(`Timed out loading ${String(input)} (more than ${timeoutMs} ms)`)), timeoutMs);
    const onOuterAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });
    const cleanup = () => {
      clearTimeout(total);
      options.signal?.removeEventListener('abort', onOuterAbort);
    };
    /** What went wrong, whichever stream reported it. */
    const explain = (error: unknown): AppError => {
      if (timedOut) return timedOut;
      if (options.signal?.aborted) return cancelled(options.signal);
      return error instanceof AppError ? error : mapError(error, url);
    };
    let headers = { ...options.headers };
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    try {
      for (let hop = 0; ; hop++) {
        let response: http.IncomingMessage;
        try {
          response = await requestOnce(url, {
            method: options.method ?? 'GET',
            headers,
            body: options.body,
            signal: controller.signal,
            idleMs,
            onIdle: () => timeout(`Timed out loading ${url.href} (idle for ${idleMs} ms)`),
          });
        } catch (error) {
          const reason = explain(error);
          // An address refused at connect time after a redirect is a refused redirect (D7), as when check() refuses it.
          throw hop > 0 && reason.code === 'forbidden_url' ? fail('forbidden_redirect', `Redirect refused: ${reason.message}`, 400) : reason;
        }
        const status = response.statusCode ?? 0;
        if (!manual && REDIRECT_STATUSES.has(status)) {
          // Never drain a body nobody reads: it may be endless (keep-alive is off, so nothing is lost).
          response.destroy();
          if (hop >= config.maxRedirects) throw fail('too_many_redirects', `Too many redirects loading ${String(input)}`, 400);
          const location = response.headers.location;
          if (!location) throw fail('remote_error', `Redirect without a Location from ${url.href}`, 502);
          const next = checkRedirect(url, location);
          if (next.origin !== url.origin) headers = withoutOriginBoundHeaders(headers);
          url = next;
          continue;
        }
        if (!manual && status >= 400) {
          response.destroy();
          throw new AppError('remote_error', `Error in loading ${url.href} - ${status} ${response.statusMessage ?? ''}`.trim(), 502, { status });
        }
        const declared = Number(response.headers['content-length']);
        const contentLength = Number.isSafeInteger(declared) && declared >= 0 ? declared : null;
        if (contentLength !== null && contentLength > options.maxBytes) {
          response.destroy();
          throw fail('remote_too_large', `Remote file is too large: ${contentLength} bytes, at most ${options.maxBytes}`, 413);
        }
        const body = sizeLimited(response, options.maxBytes, explain);
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

function withoutOriginBoundHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !ORIGIN_BOUND_HEADERS.has(name.toLowerCase())));
}

/**
 * The response body, failing with remote_too_large once more than `maxBytes` arrive. Any other failure while
 * streaming (a timeout destroys the socket: Node reports "aborted"/ECONNRESET) goes through `explain`, so
 * consumers only ever see an AppError with a stable code.
 */
function sizeLimited(response: http.IncomingMessage, maxBytes: number, explain: (error: unknown) => AppError): Readable {
  let received = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > maxBytes) callback(fail('remote_too_large', `Remote file is too large: more than ${maxBytes} bytes`, 413));
      else callback(null, chunk);
    },
    destroy(error, callback) {
      callback(error ? explain(error) : null);
    },
  });
  pipeline(response, limiter, () => undefined);
  return limiter;
}

export type RemoteFetcher = ReturnType<typeof createRemoteFetcher>;
