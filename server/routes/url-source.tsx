import { Hono } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { ResolvedConfig } from '../config.ts';
import type { FrameTokens } from '../services/frame-tokens.ts';
import type { RemoteFetcher } from '../services/remote-fetch.ts';

type Env = { Bindings: HttpBindings };

export interface UrlSourceRouteDeps {
  config: ResolvedConfig;
  fetcher: RemoteFetcher;
  frameTokens: FrameTokens;
  now: () => number;
}

/** Web Address: `/widget/url/preview` and the proxied thumbnail. (Scaffold: built in issue 6.) */
export function urlSourceRoutes(_deps: UrlSourceRouteDeps) {
  return new Hono<Env>();
}
