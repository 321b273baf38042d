import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Hit {
  /** The app's clock when the request arrived (tests pass their fake clock). */
  at: number;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The raw body text, exactly as received. */
  body: string;
}

/** Answers a delivery; return nothing and never call res.end() to hold the request open. */
export type Respond = (hit: Hit, res: http.ServerResponse) => void;

export interface Receiver {
  port: number;
  url: string;
  hits: Hit[];
  /** TCP connections accepted. */
  connections: number;
  /** Requests received and not yet answered (or dropped). */
  holding: number;
  /** The most requests held at once. */
  maxHolding: number;
  respond: Respond;
  close(): Promise<void>;
}

const ok: Respond = (_hit, res) => res.end('ok');

/** A webhook receiver on 127.0.0.1 that records every request's raw body and headers. */
export async function startReceiver(options: { respond?: Respond; port?: number; clock?: () => number } = {}): Promise<Receiver> {
  const clock = options.clock ?? Date.now;
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const hit: Hit = { at: clock(), path: req.url ?? '/', headers: req.headers, body };
      receiver.hits.push(hit);
      receiver.holding++;
      receiver.maxHolding = Math.max(receiver.maxHolding, receiver.holding);
      res.on('close', () => receiver.holding--);
      receiver.respond(hit, res);
    });
  });
  server.on('connection', (socket: Socket) => {
    receiver.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const receiver: Receiver = {
    port,
    url: `http://127.0.0.1:${port}/hook`,
    hits: [],
    connections: 0,
    holding: 0,
    maxHolding: 0,
    respond: options.respond ?? ok,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}

/** Polls until `condition` holds (bounded). */
export async function waitFor(condition: () => boolean, ms = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Timers that never fire on their own: the test drives deliveries with drain(). Records each armed delay. */
export function manualTimers() {
  const armed: number[] = [];
  return {
    armed,
    timers: {
      set: (_callback: () => void, ms: number) => armed.push(ms),
      clear: () => undefined,
    },
  };
}
