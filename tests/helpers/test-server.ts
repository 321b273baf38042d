import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { createApp, type AppDeps, type UpdraftApp } from '../../server/app.ts';
import { loadConfig, parseFileConfig, type ResolvedConfig } from '../../server/config.ts';

export const TEST_ACCOUNT = { cloudName: 'demo', apiKey: '123456789012345', apiSecret: 'test-secret-abcdefghijklmnop' };

export interface TestServer {
  url: string;
  config: ResolvedConfig;
  updraft: UpdraftApp;
  dataDir: string;
  server: Server;
  close(): Promise<void>;
}

export interface TestServerOptions extends AppDeps {
  /** Config-file content (validated like the real file). */
  file?: Record<string, unknown>;
  dataDir?: string;
  /** Keep the data directory after close (restart tests). */
  keepData?: boolean;
  /** Upload to another Cloudinary-compatible API instead of the embedded local cloud. */
  uploadTarget?: ResolvedConfig['uploadTarget'];
  account?: ResolvedConfig['account'];
}

/** Starts the real app on a random loopback port with its own data directory. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'updraft-test-'));
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const env = {
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    CLOUDINARY_URL: `cloudinary://${TEST_ACCOUNT.apiKey}:${TEST_ACCOUNT.apiSecret}@${TEST_ACCOUNT.cloudName}`,
  };
  const base = loadConfig(env, { fileExists: () => false });
  const file = parseFileConfig({ durability: 'os', ...options.file }, 'test config');
  const config: ResolvedConfig = {
    ...base,
    ...file,
    presets: file.presets ?? base.presets,
    account: options.account ?? TEST_ACCOUNT,
    uploadTarget: options.uploadTarget ?? base.uploadTarget,
  };
  const updraft = createApp(config, options);
  server.on('request', getRequestListener(updraft.app.fetch));
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    config,
    updraft,
    dataDir,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await updraft.close();
      if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
