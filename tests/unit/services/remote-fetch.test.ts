import dc from 'node:diagnostics_channel';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, LookupFunction, Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RemoteFetchConfig } from '../../../server/config.ts';
import { AppError } from '../../../server/errors.ts';
import { createRemoteFetcher } from '../../../server/services/remote-fetch.ts';
import { pseudoRandomBytes, sha256 } from '../../helpers/fixtures.ts';

// Every outgoing TCP connection attempt made in this file, by address. Private and public targets must be
// refused before connecting, so anything but 127.0.0.1 here is a failure (checked after every test).
const attempts: string[] = [];
const onClientSocket = (message: unknown) => {
  (message as { socket: Socket }).socket.on('connectionAttempt', (ip: string) => attempts.push(ip));
};
beforeAll(() => dc.subscribe('net.client.socket', onClientSocket));
afterAll(() => dc.unsubscribe('net.client.socket', onClientSocket));

/** Runs `action` and returns the connection attempts it made. */
async function attemptsDuring(action: () => Promise<unknown>): Promise<string[]> {
  const before = attempts.length;
  await action();
  return attempts.slice(before);
}

interface LocalServer {
  port: number;
  origin: string;
  /** TCP connections accepted. */
  connections: number;
  /** Requests received (method, url, headers). */
  requests: http.IncomingMessage[];
  /** Connections currently open. */
  open: number;
  close(): Promise<void>;
}

const servers: LocalServer[] = [];

/** A real HTTP(S) server on 127.0.0.1 that counts what reaches it; closed after each test. */
async function serve(handler: http.RequestListener = (_req, res) => res.end('probe'), tls?: { key: string; cert: string }): Promise<LocalServer> {
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  const sockets = new Set<Socket>();
  const state: LocalServer = {
    port: 0,
    origin: '',
    connections: 0,
    requests: [],
    open: 0,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on('connection', (socket: Socket) => {
    state.connections++;
    state.open++;
    sockets.add(socket);
    socket.on('close', () => {
      state.open--;
      sockets.delete(socket);
    });
  });
  server.on('request', (req: http.IncomingMessage) => state.requests.push(req));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.origin = `${tls ? 'https' : 'http'}://127.0.0.1:${state.port}`;
  servers.push(state);
  return state;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  expect(attempts.splice(0).filter((ip) => ip !== '127.0.0.1')).toEqual([]);
});

const config = (overrides: Partial<RemoteFetchConfig> = {}): RemoteFetchConfig => ({
  allowAddresses: [],
  allowedPorts: [80, 443, 8080, 8443],
  timeoutMs: 5_000,
  idleTimeoutMs: 2_000,
  maxRedirects: 3,
  ...overrides,
});

/** A resolver stub: `answer` gets the host name and the call number (1-based) and returns addresses. */
function stubLookup(answer: (hostname: string, call: number, all: boolean) => string | string[]) {
  const calls: string[] = [];
  const lookup = ((hostname, options, callback) => {
    calls.push(hostname);
    const result = answer(hostname, calls.length, options.all === true);
    const list = (Array.isArray(result) ? result : [result]).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    setImmediate(() => (options.all ? callback(null, list) : callback(null, list[0]!.address, list[0]!.family)));
  }) as LookupFunction;
  return { lookup, calls };
}

/** A lookup that must never be used (URL refused before any name resolution). */
const forbiddenLookup = () => stubLookup(() => '127.0.0.1');

function caught(action: () => unknown): AppError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected an error');
}

async function rejected(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String((error as Error)?.stack ?? error)}`);
    return error;
  }
  throw new Error('expected a rejection');
}

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const waitFor = async (condition: () => boolean, ms = 2_000) => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const timeouts = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('check(): refused without any network access', () => {
  const refuse = (url: string, code: 'forbidden_url' | 'unsupported_scheme' = 'forbidden_url', cfg = config()) => {
    const { lookup, calls } = forbiddenLookup();
    const error = caught(() => createRemoteFetcher(cfg, { lookup }).check(url));
    expect(error.code, url).toBe(code);
    expect(error.status).toBe(400);
    expect(calls).toEqual([]);
    return error;
  };

  it('D2: localhost names, ::1, 0 and 0.0.0.0', () => {
    for (const url of ['http://localhost/', 'http://localhost./', 'http://LOCALHOST/', 'http://LocalHost:8080/x', 'http://foo.localhost/', 'http://foo.localhost./', 'http://[::1]/', 'http://0/', 'http://0.0.0.0/', 'http://[::]/']) {
      refuse(url);
    }
  });

  it('D3: WHATWG-normalized loopback spellings, IPv4-mapped and NAT64 forms', () => {
    for (const host of ['2130706433', '0x7f.1', '0177.0.0.1', '127.1', '127.0.0.1.', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[64:ff9b::7f00:1]', '[::127.0.0.1]', '[2002:7f00:1::1]']) {
      refuse(`http://${host}/`);
      refuse(`https://${host}:8443/latest`);
    }
  });

  it('D4: private, link-local, CGNAT, benchmarking, multicast, ULA and cloud metadata addresses', () => {
    for (const host of ['10.0.0.1', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '198.18.0.1', '224.0.0.1', '255.255.255.255', '[fc00::1]', '[fe80::1]', '[fd00:ec2::254]', '[::ffff:10.0.0.1]', '[::ffff:169.254.169.254]']) {
      refuse(`http://${host}/`);
    }
    refuse('http://metadata.google.internal/computeMetadata/v1/');
    refuse('http://metadata.google.internal./computeMetadata/v1/');
  });

  it('accepts public addresses and names on allowed ports (the policy is not a blanket refusal)', () => {
    const fetcher = createRemoteFetcher(config());
    expect(fetcher.check('http://93.184.216.34/a.jpg').href).toBe('http://93.184.216.34/a.jpg');
    expect(fetcher.check('https://EXAMPLE.com:443/x?y=1').href).toBe('https://example.com/x?y=1');
    expect(fetcher.check(new URL('http://example.com:8080/')).port).toBe('8080');
  });

  it('D8: schemes other than http and https', () => {
    for (const url of ['file:///etc/passwd', 'gopher://127.0.0.1:70/_x', 'ftp://example.com/a.jpg', 'dict://example.com:11211/stat', 'data:image/png;base64,AAAA', 'javascript:alert(1)', 'ws://example.com/', 'wss://example.com/', 'HTTPX://example.com/', 'blob:http://example.com/1']) {
      refuse(url, 'unsupported_scheme');
    }
    // Not a URL at all.
    refuse('/etc/passwd');
    refuse('http://');
    refuse('');
  });

  it('D9: decided on the WHATWG host name; any credentials are refused', () => {
    const fetcher = createRemoteFetcher(config());
    // The backslash is a path separator for special schemes: the host is evil.com, not 127.0.0.1.
    expect(fetcher.check('http://evil.com\\@127.0.0.1/').hostname).toBe('evil.com');
    refuse('http://127.0.0.1#@evil.com');
    refuse('http://127.0.0.1?@evil.com/');
    refuse('http://a@127.0.0.1:80@evil.com/');
    refuse('http://user:pass@example.com/');
    refuse('http://user@example.com/');
    refuse('http://:pass@example.com/');
    expect(refuse('http://user:pass@example.com/').message).toMatch(/credentials/);
  });

  it('D10: ports outside the policy (public hosts)', () => {
    for (const url of ['http://example.com:22/', 'http://example.com:6379/', 'http://example.com:0/', 'http://example.com:65536/', 'https://example.com:25/', 'http://93.184.216.34:6379/']) {
      refuse(url);
    }
    expect(createRemoteFetcher(config({ allowedPorts: [443] })).check('https://example.com/').port).toBe('');
    refuse('http://example.com/', 'forbidden_url', config({ allowedPorts: [443] }));
  });

  it('D16: over-long URLs; CR/LF never survive parsing; IDN hosts become punycode', () => {
    expect(refuse(`http://example.com/${'a'.repeat(100 * 1024)}`).message).toMatch(/too long/);
    const fetcher = createRemoteFetcher(config());
    expect(() => fetcher.check(`http://example.com/${'a'.repeat(2048 - 'http://example.com/'.length)}`)).not.toThrow();
    refuse(`http://example.com/${'a'.repeat(2049 - 'http://example.com/'.length)}`);
    const raw = fetcher.check('http://example.com/a\r\nSet-Cookie: x=1?q=\r\nX: y');
    expect(raw.href).not.toMatch(/[\r\n]/);
    expect(fetcher.check('http://example.com/%0d%0aSet-Cookie:x=1').href).toBe('http://example.com/%0d%0aSet-Cookie:x=1');
    expect(fetcher.check('http://bücher.example/').hostname).toBe('xn--bcher-kva.example');
  });
});

describe('open(): refusals make no connection', () => {
  it('D1–D3: loopback probe reached through any spelling gets 0 connections', async () => {
    const probe = await serve();
    const { lookup, calls } = forbiddenLookup();
    const fetcher = createRemoteFetcher(config({ allowedPorts: [probe.port] }), { lookup });
    const spellings = ['127.0.0.1', 'localhost', 'LOCALHOST', 'localhost.', '2130706433', '0x7f.1', '0177.0.0.1', '127.1', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[64:ff9b::7f00:1]', '[::1]', '0'];
    const made = await attemptsDuring(async () => {
      for (const host of spellings) {
        const error = await rejected(fetcher.open(`http://${host}:${probe.port}/`, { maxBytes: 1024 }));
        expect(error.code, host).toBe('forbidden_url');
      }
    });
    expect(made).toEqual([]);
    expect(calls).toEqual([]);
    expect(probe.connections).toBe(0);
  });

  it('D4: private literal addresses are refused before any lookup or connect', async () => {
    const { lookup, calls } = forbiddenLookup();
    const fetcher = createRemoteFetcher(config(), { lookup });
    const made = await attemptsDuring(async () => {
      for (const host of ['10.0.0.1', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '198.18.0.1', '224.0.0.1', '[fc00::1]', '[fe80::1]', '[fd00:ec2::254]']) {
        expect((await rejected(fetcher.open(`http://${host}/latest/meta-data/`, { maxBytes: 1024 }))).code, host).toBe('forbidden_url');
      }
    });
    expect(made).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('a refused URL leaves no timer behind', async () => {
    const fetcher = createRemoteFetcher(config({ timeoutMs: 60_000 }));
    const before = timeouts();
    for (let i = 0; i < 5; i++) await rejected(fetcher.open('http://10.0.0.1/', { maxBytes: 1 }));
    expect(timeouts()).toBe(before);
  });

  it('a signal that is already aborted makes no connection', async () => {
    const probe = await serve();
    const fetcher = createRemoteFetcher(config({ allowAddresses: ['127.0.0.1'] }));
    expect((await rejected(fetcher.open(`${probe.origin}/`, { maxBytes: 1024, signal: AbortSignal.abort() }))).code).toBe('remote_error');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(probe.connections).toBe(0);
  });
});

describe('open(): D5/D6 names are checked on the address actually dialed', () => {
  it('D5: a name that resolves to 10.0.0.5 is refused after lookup, without connecting', async () => {
    const { lookup, calls } = stubLookup(() => '10.0.0.5');
    const fetcher = createRemoteFetcher(config(), { lookup });
    expect(fetcher.check('http://internal.example.test/x').hostname).toBe('internal.example.test');
    expect(calls).toEqual([]); // check() never resolves: only the connect-time lookup decides.
    let error: AppError | undefined;
    const made = await attemptsDuring(async () => {
      error = await rejected(fetcher.open('http://internal.example.test/x', { maxBytes: 1024 }));
    });
    expect(error?.code).toBe('forbidden_url');
    expect(error?.status).toBe(400);
    expect(calls).toEqual(['internal.example.test']);
    expect(made).toEqual([]);
  });

  it('D5: a name that resolves to 127.0.0.1 (loopback not allow-listed) never reaches the probe', async () => {
    const probe = await serve();
    const { lookup, calls } = stubLookup(() => '127.0.0.1');
    const fetcher = createRemoteFetcher(config({ allowedPorts: [probe.port] }), { lookup });
    const made = await attemptsDuring(async () => {
      expect((await rejected(fetcher.open(`http://loopback.example.test:${probe.port}/`, { maxBytes: 1024 }))).code).toBe('forbidden_url');
    });
    expect(calls).toEqual(['loopback.example.test']);
    expect(made).toEqual([]);
    expect(probe.connections).toBe(0);
  });

  it('D5: answers in embedded-IPv4 forms (::ffff:127.0.0.1, ::127.0.0.1, NAT64, 6to4) are refused at connect time', async () => {
    const probe = await serve();
    for (const answer of ['::ffff:7f00:1', '::7f00:1', '64:ff9b::7f00:1', '2002:7f00:1::1', 'fe80::1', '0.0.0.0', '::']) {
      const { lookup, calls } = stubLookup(() => answer);
      const fetcher = createRemoteFetcher(config({ allowedPorts: [probe.port] }), { lookup });
      const made = await attemptsDuring(async () => {
        expect((await rejected(fetcher.open(`http://mapped.example.test:${probe.port}/`, { maxBytes: 1024 }))).code, answer).toBe('forbidden_url');
      });
      expect(calls).toEqual(['mapped.example.test']);
      expect(made).toEqual([]);
    }
    expect(probe.connections).toBe(0);
  });

  it('control: the same name resolving to an allow-listed address is fetched through the stub', async () => {
    const probe = await serve((_req, res) => res.end('hello'));
    const { lookup, calls } = stubLookup(() => '127.0.0.1');
    const fetcher = createRemoteFetcher(config({ allowAddresses: ['127.0.0.1'], allowedPorts: [probe.port] }), { lookup });
    const response = await fetcher.open(`http://assets.example.test:${probe.port}/a`, { maxBytes: 1024 });
    expect((await readAll(response.body)).toString()).toBe('hello');
    expect(calls).toEqual(['assets.example.test']);
    expect(probe.requests[0]?.headers.host).toBe(`assets.example.test:${probe.port}`);
  });

  it('D6: an answer mixing a public address and 127.0.0.1 is refused as a whole, nothing dialed', async () => {
    const probe = await serve();
    // Never hand out the public address alone (it must not be dialed even if a bug made it the only answer).
    const { lookup } = stubLookup((_host, _call, all) => (all ? ['93.184.216.34', '127.0.0.1'] : '127.0.0.1'));
    const fetcher = createRemoteFetcher(config({ allowedPorts: [probe.port] }), { lookup });
    const made = await attemptsDuring(async () => {
      expect((await rejected(fetcher.open(`http://rebind.example.test:${probe.port}/`, { maxBytes: 1024 }))).code).toBe('forbidden_url');
    });
    expect(made).toEqual([]);
    expect(probe.connections).toBe(0);
  });

  it('D6: rebinding — public at validation time, 127.0.0.1 at connect time — is blocked', async () => {
    const probe = await serve();
    const { lookup, calls } = stubLookup((_host, call) => (call === 1 ? '93.184.216.34' : '127.0.0.1'));
    const fetcher = createRemoteFetcher(config({ allowedPorts: [probe.port] }), { lookup });
    const url = `http://rebind.example.test:${probe.port}/`;
    // A validator that resolves first (the classic bug) would see the public answer here ...
    const early = await new Promise<string>((resolve) => lookup('rebind.example.test', {}, (_err, address) => resolve(address as string)));
    expect(early).toBe('93.184.216.34');
    fetcher.check(url);
    expect(calls).toHaveLength(1);
    // ... but only the connect-time answer counts, and it is checked before connecting.
    const made = await attemptsDuring(async () => {
      expect((await rejected(fetcher.open(url, { maxBytes: 1024 }))).code).toBe('forbidden_url');
    });
    expect(calls).toHaveLength(2);
    expect(made).toEqual([]);
    expect(probe.connections).toBe(0);
  });

  it('D6: each connection resolves once and dials exactly what it validated', async () => {
    const probe = await serve((_req, res) => res.end('ok'));
    const { lookup, calls } = stubLookup((_host, call) => (call % 2 === 1 ? '127.0.0.1' : '10.0.0.5'));
    const fetcher = createRemoteFetcher(config({ allowAddresses: ['127.0.0.1'], allowedPorts: [probe.port] }), { lookup });
    const url = `http://flip.example.test:${probe.port}/`;
    const first = await fetcher.open(url, { maxBytes: 1024 });
    expect((await readAll(first.body)).toString()).toBe('ok');
    expect(calls).toHaveLength(1);
    const made = await attemptsDuring(async () => {
      expect((await rejected(fetcher.open(url, { maxBytes: 1024 }))).code).toBe('forbidden_url');
    });
    expect(calls).toHaveLength(2);
    expect(made).toEqual([]);
    expect(probe.connections).toBe(1);
  });
});

describe('open(): responses from an allow-listed local server', () => {
  const fetcherFor = (overrides: Partial<RemoteFetchConfig> = {}, lookup?: LookupFunction) =>
    createRemoteFetcher(config({ allowAddresses: ['127.0.0.1'], ...overrides }), lookup ? { lookup } : {});

  it('streams a 200 body exactly, on any port of an allow-listed address', async () => {
    const data = pseudoRandomBytes(777_777, 3);
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': data.length });
      res.end(data);
    });
    const response = await fetcherFor().open(`${server.origin}/files/a.bin?x=1`, { maxBytes: data.length });
    expect(response.status).toBe(200);
    expect(response.contentLength).toBe(data.length);
    expect(response.url.href).toBe(`${server.origin}/files/a.bin?x=1`);
    expect(sha256(await readAll(response.body))).toBe(sha256(data));
    // No client headers are invented beyond ours; no compression is negotiated.
    expect(server.requests[0]?.headers['accept-encoding']).toBe('identity');
    expect(server.requests[0]?.headers.cookie).toBeUndefined();
  });

  it('streams a chunked body of unknown length', async () => {
    const data = pseudoRandomBytes(200_000, 9);
    const server = await serve((_req, res) => {
      res.write(data.subarray(0, 100_000));
      setTimeout(() => res.end(data.subarray(100_000)), 20);
    });
    const response = await fetcherFor().open(server.origin, { maxBytes: data.length });
    expect(response.contentLength).toBeNull();
    expect(sha256(await readAll(response.body))).toBe(sha256(data));
  });

  it('D13: 404 and 500 are remote_error with the status in the message', async () => {
    const server = await serve((req, res) => {
      res.statusCode = req.url === '/missing' ? 404 : 500;
      res.end('nope');
    });
    const notFound = await rejected(fetcherFor().open(`${server.origin}/missing`, { maxBytes: 1024 }));
    expect(notFound).toMatchObject({ code: 'remote_error', status: 502 });
    expect(notFound.message).toMatch(/404/);
    const broken = await rejected(fetcherFor().open(`${server.origin}/broken`, { maxBytes: 1024 }));
    expect(broken).toMatchObject({ code: 'remote_error', status: 502 });
    expect(broken.message).toMatch(/500/);
  });

  it('an error response with an endless body is not drained forever', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(404);
      const timer = setInterval(() => res.write(Buffer.alloc(16 * 1024)), 5);
      res.on('close', () => clearInterval(timer));
    });
    expect((await rejected(fetcherFor({ timeoutMs: 10_000 }).open(server.origin, { maxBytes: 1024 }))).code).toBe('remote_error');
    await waitFor(() => server.open === 0, 1_000);
  });

  it('a closed connection is remote_error', async () => {
    const server = await serve((req) => req.socket.destroy());
    expect((await rejected(fetcherFor().open(server.origin, { maxBytes: 1024 }))).code).toBe('remote_error');
  });

  it('D11: a declared Content-Length over the cap is refused before reading the body', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(10 * 1024 ** 3) });
      res.write(Buffer.alloc(1024));
      // then never finishes
    });
    const started = Date.now();
    const error = await rejected(fetcherFor().open(server.origin, { maxBytes: 1_000_000 }));
    expect(error).toMatchObject({ code: 'remote_too_large', status: 413 });
    expect(Date.now() - started).toBeLessThan(1_000);
    await waitFor(() => server.open === 0, 1_000);
  });

  it('D11: an endless chunked body fails with remote_too_large once past the cap', async () => {
    let sent = 0;
    const server = await serve((_req, res) => {
      const timer = setInterval(() => {
        const chunk = Buffer.alloc(64 * 1024, 1);
        sent += chunk.length;
        res.write(chunk);
      }, 1);
      res.on('close', () => clearInterval(timer));
    });
    const response = await fetcherFor().open(server.origin, { maxBytes: 300_000 });
    let received = 0;
    const error = await rejected(
      (async () => {
        for await (const chunk of response.body) received += (chunk as Buffer).length;
      })(),
    );
    expect(error).toMatchObject({ code: 'remote_too_large', status: 413 });
    expect(received).toBeLessThanOrEqual(300_000);
    await waitFor(() => server.open === 0, 1_000);
    expect(sent).toBeLessThan(50 * 1024 * 1024);
  });

  it('D12: headers never sent → remote_timeout after the idle timeout', async () => {
    const server = await serve(() => undefined);
    const started = Date.now();
    const error = await rejected(fetcherFor({ idleTimeoutMs: 300, timeoutMs: 5_000 }).open(server.origin, { maxBytes: 1024 }));
    expect(error).toMatchObject({ code: 'remote_timeout', status: 504 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(2_000);
    await waitFor(() => server.open === 0, 1_000);
  });

  const dripServer = () =>
    serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.flushHeaders();
      const timer = setInterval(() => res.write('x'), 1_000);
      res.on('close', () => clearInterval(timer));
    });

  it('D12: 1 byte/s after the headers → remote_timeout from the body after the idle timeout', async () => {
    const server = await dripServer();
    const started = Date.now();
    const response = await fetcherFor({ idleTimeoutMs: 300, timeoutMs: 10_000 }).open(server.origin, { maxBytes: 1024 });
    const error = await rejected(readAll(response.body));
    expect(error).toMatchObject({ code: 'remote_timeout', status: 504 });
    expect(Date.now() - started).toBeLessThan(2_000);
    await waitFor(() => server.open === 0, 1_000);
  });

  it('D12: a drip that beats the idle timeout is stopped by the total timeout', async () => {
    const server = await dripServer();
    const started = Date.now();
    const response = await fetcherFor({ idleTimeoutMs: 5_000, timeoutMs: 800 }).open(server.origin, { maxBytes: 1024 });
    const error = await rejected(readAll(response.body));
    expect(error).toMatchObject({ code: 'remote_timeout', status: 504 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(Date.now() - started).toBeLessThan(3_000);
    await waitFor(() => server.open === 0, 1_000);
  });

  it('a caller signal aborted mid-body ends the body with remote_error and closes the connection', async () => {
    const server = await dripServer();
    const controller = new AbortController();
    const response = await fetcherFor({ idleTimeoutMs: 5_000 }).open(server.origin, { maxBytes: 1024, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await rejected(readAll(response.body));
    expect(error.code).toBe('remote_error');
    expect(error.message).toMatch(/cancelled/);
    await waitFor(() => server.open === 0, 1_000);
  });

  it('abort() closes the connection', async () => {
    const server = await dripServer();
    const response = await fetcherFor().open(server.origin, { maxBytes: 1024 });
    response.abort();
    await waitFor(() => server.open === 0, 1_000);
  });

  describe('D7: redirects', () => {
    /** /hop/N redirects to /hop/N-1 (relative Location); /hop/0 answers "landed". */
    const chain = () =>
      serve((req, res) => {
        const n = Number(/^\/hop\/(\d+)$/.exec(req.url ?? '')?.[1] ?? 0);
        if (n === 0) return void res.end('landed');
        res.writeHead([301, 302, 303, 307, 308][n % 5]!, { location: `/hop/${n - 1}` });
        res.end();
      });

    it('follows up to maxRedirects and reports the final URL', async () => {
      const server = await chain();
      const response = await fetcherFor({ maxRedirects: 3 }).open(`${server.origin}/hop/3`, { maxBytes: 1024 });
      expect((await readAll(response.body)).toString()).toBe('landed');
      expect(response.url.pathname).toBe('/hop/0');
      expect(server.requests.map((r) => r.url)).toEqual(['/hop/3', '/hop/2', '/hop/1', '/hop/0']);
    });

    it('one more than maxRedirects → too_many_redirects', async () => {
      const server = await chain();
      expect((await rejected(fetcherFor({ maxRedirects: 3 }).open(`${server.origin}/hop/4`, { maxBytes: 1024 }))).code).toBe('too_many_redirects');
      expect(server.requests).toHaveLength(4);
      expect((await rejected(fetcherFor({ maxRedirects: 0 }).open(`${server.origin}/hop/1`, { maxBytes: 1024 }))).code).toBe('too_many_redirects');
    });

    it('a redirect to a non-allow-listed or forbidden target → forbidden_redirect, target never reached', async () => {
      const probe = await serve();
      let target = '';
      const server = await serve((_req, res) => {
        res.writeHead(302, { location: target });
        res.end();
      });
      const { lookup, calls } = stubLookup(() => '10.0.0.5');
      const fetcher = fetcherFor({ allowedPorts: [80, probe.port] }, lookup);
      const targets = [
        `http://localhost:${probe.port}/`,
        `http://127.0.0.2:${probe.port}/`,
        `http://[::1]:${probe.port}/`,
        `http://[::ffff:127.0.0.1]:${probe.port}/`,
        `http://[::127.0.0.1]:${probe.port}/`,
        'http://169.254.169.254/latest/meta-data/',
        'http://10.0.0.5/',
        'http://[fd00:ec2::254]/',
        'http://user:pass@example.test/',
        'http://internal.example.test/', // resolves (stub) to 10.0.0.5: refused at connect time
        'file:///etc/passwd',
        'data:text/plain,hello',
        'gopher://127.0.0.1:70/_x',
        'ftp://example.test/x',
        'http://example.test:22/',
        'http://[::1',
      ];
      const made = await attemptsDuring(async () => {
        for (target of targets) {
          const error = await rejected(fetcher.open(`${server.origin}/start`, { maxBytes: 1024 }));
          expect(error.code, target).toBe('forbidden_redirect');
          expect(error.status).toBe(400);
        }
      });
      expect(probe.connections).toBe(0);
      expect(made.every((ip) => ip === '127.0.0.1')).toBe(true);
      expect(calls).toEqual(['internal.example.test']);
    });

    it('a redirect without a Location is remote_error', async () => {
      const server = await serve((_req, res) => {
        res.writeHead(302);
        res.end();
      });
      expect((await rejected(fetcherFor().open(server.origin, { maxBytes: 1024 }))).code).toBe('remote_error');
    });

    it('a redirect with an endless body does not keep its connection open', async () => {
      let redirectClosed = false;
      const server = await serve((req, res) => {
        if (req.url === '/end') return void res.end('end');
        res.writeHead(302, { location: '/end' });
        const timer = setInterval(() => res.write(Buffer.alloc(16 * 1024)), 5);
        res.on('close', () => {
          clearInterval(timer);
          redirectClosed = true;
        });
      });
      const response = await fetcherFor({ timeoutMs: 10_000 }).open(`${server.origin}/start`, { maxBytes: 1024 });
      expect((await readAll(response.body)).toString()).toBe('end');
      await waitFor(() => redirectClosed, 1_000);
    });

    it('D17: credentials headers are not forwarded to another origin', async () => {
      const other = await serve((_req, res) => res.end('other'));
      const server = await serve((req, res) => {
        if (req.url === '/same') return void res.end('same');
        res.writeHead(302, { location: req.url === '/to-same' ? '/same' : `${other.origin}/x` });
        res.end();
      });
      const headers = { authorization: 'Bearer provider-token', Cookie: 'session=1', 'x-trace': 'keep' };
      const same = await fetcherFor().open(`${server.origin}/to-same`, { maxBytes: 1024, headers });
      await readAll(same.body);
      expect(server.requests[1]?.headers.authorization).toBe('Bearer provider-token');
      const cross = await fetcherFor().open(`${server.origin}/to-other`, { maxBytes: 1024, headers });
      expect((await readAll(cross.body)).toString()).toBe('other');
      expect(server.requests[2]?.headers.authorization).toBe('Bearer provider-token');
      expect(other.requests[0]?.headers.authorization).toBeUndefined();
      expect(other.requests[0]?.headers.cookie).toBeUndefined();
      expect(other.requests[0]?.headers['x-trace']).toBe('keep');
    });

    describe('over TLS (self-signed certificate for 127.0.0.1, verification off for these tests only)', () => {
      let previous: string | undefined;
      beforeAll(() => {
        previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
        process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
      });
      afterAll(() => {
        if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
        else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
      });

      it('https → https is followed; https → http is refused and the http target is never reached', async () => {
        const probe = await serve((_req, res) => res.end('plain'));
        const secureEnd = await serve((_req, res) => res.end('secure'), TEST_TLS);
        const secure = await serve((req, res) => {
          res.writeHead(302, { location: req.url === '/up' ? `${secureEnd.origin}/x` : `${probe.origin}/x` });
          res.end();
        }, TEST_TLS);
        const response = await fetcherFor().open(`${secure.origin}/up`, { maxBytes: 1024 });
        expect((await readAll(response.body)).toString()).toBe('secure');
        const error = await rejected(fetcherFor().open(`${secure.origin}/down`, { maxBytes: 1024 }));
        expect(error.code).toBe('forbidden_redirect');
        expect(error.message).toMatch(/https to http/);
        expect(probe.connections).toBe(0);
      });
    });
  });

  it('D16: percent-encoded CR/LF stays in the request line; no header is injected', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    const response = await fetcherFor().open(`${server.origin}/a%0d%0aX-Injected:%20yes?q=%0d%0aX-Other:%201`, { maxBytes: 1024 });
    await readAll(response.body);
    const request = server.requests[0]!;
    expect(request.url).toBe('/a%0d%0aX-Injected:%20yes?q=%0d%0aX-Other:%201');
    expect(request.headers['x-injected']).toBeUndefined();
    expect(request.headers['x-other']).toBeUndefined();
  });
});

describe("open() with redirect: 'manual' (webhooks)", () => {
  const fetcher = () => createRemoteFetcher(config({ allowAddresses: ['127.0.0.1'] }));

  it('POSTs the body with its length and returns the response whatever its status', async () => {
    const received: string[] = [];
    const server = await serve((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk));
      req.on('end', () => {
        received.push(text);
        res.statusCode = 500;
        res.end('boom');
      });
    });
    const body = '{"a":"é"}';
    const response = await fetcher().open(server.origin, { method: 'POST', body, redirect: 'manual', maxBytes: 1024, headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(500);
    expect((await readAll(response.body)).toString()).toBe('boom');
    expect(received).toEqual([body]);
    expect(server.requests[0]?.method).toBe('POST');
    expect(server.requests[0]?.headers['content-length']).toBe(String(Buffer.byteLength(body)));
  });

  it('returns a 3xx as is: the Location is never requested', async () => {
    const probe = await serve();
    const server = await serve((_req, res) => {
      res.writeHead(302, { location: `${probe.origin}/elsewhere` });
      res.end();
    });
    const response = await fetcher().open(server.origin, { method: 'POST', body: '{}', redirect: 'manual', maxBytes: 1024 });
    response.abort();
    expect(response.status).toBe(302);
    expect(probe.connections).toBe(0);
  });

  it('keeps the address checks (refused before connecting) and honours its own timeoutMs', async () => {
    const guarded = createRemoteFetcher(config());
    const probe = await serve();
    expect((await rejected(guarded.open(probe.origin, { method: 'POST', body: '{}', redirect: 'manual', maxBytes: 1024 }))).code).toBe('forbidden_url');
    expect(probe.connections).toBe(0);
    const silent = await serve(() => undefined);
    const started = Date.now();
    const error = await rejected(fetcher().open(silent.origin, { method: 'POST', body: '{}', redirect: 'manual', maxBytes: 1024, timeoutMs: 200 }));
    expect(error.code).toBe('remote_timeout');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('timeoutMs also lifts the idle limit: a receiver may think longer than idleTimeoutMs before answering', async () => {
    const thinking = await serve((_req, res) => void setTimeout(() => res.end('ok'), 300));
    const patient = createRemoteFetcher(config({ allowAddresses: ['127.0.0.1'], idleTimeoutMs: 100 }));
    const response = await patient.open(thinking.origin, { method: 'POST', body: '{}', redirect: 'manual', maxBytes: 1024, timeoutMs: 2_000 });
    expect(response.status).toBe(200);
    response.abort();
  });

  it('a body without redirect: manual is a programming error', async () => {
    await expect(fetcher().open('http://127.0.0.1:9/', { method: 'POST', body: '{}', maxBytes: 1 })).rejects.toThrow(/manual/);
  });
});

// A throwaway self-signed certificate for 127.0.0.1 (test fixture only; protects nothing).
const TEST_TLS = {
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg0kMHnfi+v9MBFtyb
aqAFnXTEV7rlrO/hbrCq3vW9nY6hRANCAATMQGVWK9CCg30h5mxdHnxLRssc9Yje
KPEvAn1/tmJmrtF5C93c/gnvy1ouAL7Z5rGSKxN+YigzswTvT4+UfhIl
-----END PRIVATE KEY-----
`,
  cert: `-----BEGIN CERTIFICATE-----
MIIBkDCCATagAwIBAgIUdEyzrE0SBHb9AApPWn/Ln3STsD8wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyODExMTgwNloYDzIxMjYxMTA0
MTExODA2WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATMQGVWK9CCg30h5mxdHnxLRssc9YjeKPEvAn1/tmJmrtF5C93c/gnv
y1ouAL7Z5rGSKxN+YigzswTvT4+UfhIlo2QwYjAdBgNVHQ4EFgQUep3KceAWsF8b
j2wUnw+i6Y2+YCMwHwYDVR0jBBgwFoAUep3KceAWsF8bj2wUnw+i6Y2+YCMwDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0gAMEUC
IQCvQT5H9sXPNfoeKhyNFqH12hn+QkEz0jhjPeo7PeqlkwIgJyOWk9r9u9jtPuJY
gmYJCra07HgOP3e6ozQyJCJ4RuI=
-----END CERTIFICATE-----
`,
};
