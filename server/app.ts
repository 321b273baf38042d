import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { Hono } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { ResolvedConfig } from './config.ts';
import { AppError } from './errors.ts';
import { apiError, UPLOAD_SDK_STATUSES } from './http/api-error.ts';
import { createInFlightTracker } from './middleware/in-flight.ts';
import { adminApiRoutes } from './routes/admin-api.ts';
import { deliveryRoutes } from './routes/delivery.ts';
import { homeRoutes } from './routes/home.tsx';
import { apiRoutes } from './routes/api.ts';
import { widgetRoutes } from './routes/widget.tsx';
import { embedRoutes } from './routes/embed.tsx';
import { createLocalBackend, createRemoteBackend } from './storage/upload-backend.ts';
import { createBuiltAssets } from './services/built-assets.ts';
import { createFrameTokens } from './services/frame-tokens.ts';
import { uploadApiRoutes } from './routes/upload-api.ts';
import { urlSourceRoutes } from './routes/url-source.tsx';
import { createJobLimiter } from './services/job-limiter.ts';
import { createRemoteFetcher, type RemoteFetcherDeps } from './services/remote-fetch.ts';
import { createWebhookDispatcher, type WebhookDispatcherDeps } from './services/webhook-dispatcher.ts';
import { openDatabase } from './storage/local/database.ts';
import { createLocalCloud } from './storage/local/local-cloud.ts';
import { createMd5Hasher } from './storage/local/md5-hasher.ts';

export interface AppDeps {
  now?: () => number;
  /** DNS resolver for outgoing fetches (tests map names to chosen addresses). */
  lookup?: RemoteFetcherDeps['lookup'];
  /** Webhook wake-up timers and jitter (tests drive deliveries with drain() and a fake clock). */
  webhooks?: Pick<WebhookDispatcherDeps, 'timers' | 'random'>;
}

const SWEEP_INTERVAL_MS = 15 * 60 * 1000;

/** Builds the whole server for a configuration: opens its storage, wires routes. No work at import time. */
export function createApp(config: ResolvedConfig, deps: AppDeps = {}) {
  const now = deps.now ?? Date.now;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const db = openDatabase(join(config.dataDir, 'updraft.db'));
  const hasher = createMd5Hasher();
  const fetcher = createRemoteFetcher(config.remoteFetch, { lookup: deps.lookup });
  const webhooks = createWebhookDispatcher({
    db,
    fetcher,
    account: config.account,
    // Cloudinary signs notifications with the account's algorithm; an account that refuses SHA-1 gets SHA-256.
    algorithm: config.signatureAlgorithms.includes('sha1') ? 'sha1' : 'sha256',
    config: config.webhooks,
    now,
    ...deps.webhooks,
  });
  // One limit for every sharp job in the process, whichever route asks.
  const imageJobs = createJobLimiter({ concurrency: config.limits.imageConcurrency, maxQueue: config.limits.imageQueue });
  const cloud = createLocalCloud({ config, db, fetcher, hasher, now, webhooks, imageJobs });
  webhooks.start();
  const sweep = () => {
    cloud.sweep();
    webhooks.purge();
  };
  sweep();
  const sweeper = setInterval(sweep, SWEEP_INTERVAL_MS);
  sweeper.unref();

  const inFlight = createInFlightTracker();
  const app = new Hono<{ Bindings: HttpBindings }>();
  app.use('*', async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
  });
  app.use('/v1_1/*', inFlight.middleware);
  const frameTokens = createFrameTokens(config.account.apiSecret, config.allowedOrigins, now);
  app.route('/', homeRoutes(config, now));
  const assets = createBuiltAssets(config.basePath);
  const backend = config.uploadTarget.kind === 'local' ? createLocalBackend(cloud) : createRemoteBackend({ apiBase: config.uploadTarget.apiBase, account: config.account });
  app.route('/', widgetRoutes({ config, assets, frameTokens }));
  app.route('/', urlSourceRoutes({ config, fetcher, frameTokens, imageJobs, now }));
  app.route('/', embedRoutes({ config, assets, backend, staging: cloud.staging, fetcher, now }));
  app.route('/api', apiRoutes({ config, frameTokens, now }));
  if (config.uploadTarget.kind === 'local') {
    app.route('/v1_1', uploadApiRoutes(cloud));
    app.route('/v1_1', adminApiRoutes(cloud));
    app.route('/res', deliveryRoutes(cloud));
  }
  // A host that mounts this app (createUpdraft) answers unmatched paths with its own notFound: API paths keep Cloudinary's shape.
  app.all('/v1_1/*', (c) => apiError(c, new AppError('not_found', 'Not found', 404), UPLOAD_SDK_STATUSES));
  app.notFound((c) => c.text('Not found', 404));
  app.onError((error, c) => apiError(c, error, UPLOAD_SDK_STATUSES));

  let closed = false;
  return {
    app,
    cloud,
    webhooks,
    /** Stops admitting upload requests and waits for those in progress (up to the grace period). */
    drain: () => inFlight.drain(config.shutdownGraceMs),
    /** Releases storage: call after the HTTP server stopped. */
    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(sweeper);
      await webhooks.close();
      await hasher.close();
      db.close();
    },
  };
}

export type UpdraftApp = ReturnType<typeof createApp>;
