/**
 * `npm run example`: the example host app on http://127.0.0.1:4000 with Updraft mounted at /uploads (its local
 * cloud keeps files in ./data/example). Another port: `npm run example -- 4100`.
 */
import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { createUpdraft } from 'updraft';
import { createHostApp, UPDRAFT_PATH } from './app.tsx';

const port = Number(process.argv[2] ?? 4000);
const origin = `http://127.0.0.1:${port}`;

// Config in code has the same schema as Updraft's environment and config file; publicUrl includes the mount path.
const updraft = createUpdraft({
  publicUrl: `${origin}${UPDRAFT_PATH}`,
  dataDir: 'data/example',
  presets: [{ name: 'records', unsigned: true, settings: { folder: 'records', allowed_formats: 'jpg,png,gif,webp' } }],
});
const { app } = createHostApp({ updraftUrl: updraft.config.publicUrl, account: updraft.config.account, uploadPreset: 'records', mount: updraft });

const server = createServer(getRequestListener(app.fetch));
server.listen(port, '127.0.0.1', () => console.log(`Example host app on ${origin} (Updraft at ${updraft.config.publicUrl})`));

const stop = () => {
  server.close();
  server.closeAllConnections();
  void updraft.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
