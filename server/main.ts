import { createServer } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { getRequestListener } from '@hono/node-server';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { resolveAccount } from './credentials.ts';
import { isAppError } from './errors.ts';

// Every socket read of an upload body is a fresh 64 KiB buffer. With incremental marking, the buffers created
// while a collection is marking survive it, so external memory keeps growing and V8 can fall into back-to-back
// full collections: about 50 per GiB uploaded instead of none, halving throughput (seen with --trace-gc in
// bench/upload-throughput). Atomic collections of this small heap (about 20 MB, about 15 ms each) avoid that.
setFlagsFromString('--no-incremental-marking');

/** Entry point of `npm start`: environment → config → storage → HTTP server, with graceful shutdown. */
async function main() {
  const { config, generated, credentialsPath } = resolveAccount(loadConfig());
  const updraft = createApp(config);
  const server = createServer({ requestTimeout: 0, headersTimeout: 30_000, keepAliveTimeout: 5_000 }, getRequestListener(updraft.app.fetch));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const { cloudName, apiKey } = config.account;
  console.log(`Updraft listening on ${config.publicUrl} (local cloud: ${config.uploadTarget.kind === 'local' ? 'on' : 'off'})`);
  console.log(`cloud name: ${cloudName}   api key: ${apiKey}   api secret: ${credentialsPath ? `in ${credentialsPath}${generated ? ' (generated now)' : ''}` : 'from CLOUDINARY_URL'}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received: finishing requests in progress...`);
    server.close();
    server.closeIdleConnections();
    await updraft.drain();
    server.closeAllConnections();
    await updraft.close();
    console.log('Updraft stopped.');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  console.error(isAppError(error) ? error.message : error);
  process.exit(1);
});
