import { Hono } from 'hono';
import { HomePage } from '../../views/pages/home.tsx';
import type { ResolvedConfig } from '../config.ts';

/** `/`: the start page. */
export function homeRoutes(config: ResolvedConfig) {
  const app = new Hono();
  app.get('/', (c) => c.html(<HomePage cloudName={config.account.cloudName} apiBase={config.publicUrl} />));
  return app;
}
