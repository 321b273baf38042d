import type { Hono } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { createApp, type AppDeps } from './app.ts';
import { configFromOptions, type ResolvedConfig, type UpdraftOptions } from './config.ts';
import { resolveAccount } from './credentials.ts';

/** The Hono app a host mounts (`app.route('/uploads', updraft)`), with its configuration and lifecycle. */
export type Updraft = Hono<{ Bindings: HttpBindings }> & {
  /** The resolved configuration: `config.account` holds the credentials (generated ones too) for SDKs and verifyUploadField. */
  readonly config: ResolvedConfig;
  /** Stops admitting upload requests and waits for those in progress (up to `shutdownGraceMs`). */
  drain(): Promise<void>;
  /** Releases storage (database, workers, timers): call after the HTTP server stopped. */
  close(): Promise<void>;
};

/**
 * Updraft as a Hono app for a host application (served by @hono/node-server, which the streaming upload API
 * needs). `options.publicUrl` must include the path the host mounts it under: links, upload results and the
 * widget's own requests are built from it. Without an account, credentials are generated once and kept in
 * `dataDir` (as `npm start` does).
 */
export function createUpdraft(options: UpdraftOptions, deps: AppDeps = {}): Updraft {
  const { config } = resolveAccount(configFromOptions(options));
  const updraft = createApp(config, deps);
  return Object.assign(updraft.app, { config, drain: updraft.drain, close: updraft.close });
}
