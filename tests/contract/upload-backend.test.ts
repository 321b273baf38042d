import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { makePng, md5 } from '../helpers/fixtures.ts';
import { createLocalBackend, createRemoteBackend, type UploadBackend } from '../../server/storage/upload-backend.ts';
import type { Staging } from '../../server/storage/local/staging.ts';
import { Readable } from 'node:stream';

// One suite, run by every UploadBackend: the embedded local cloud in-process, and a Cloudinary-compatible API
// over HTTP (here a second Updraft, as the tests have no internet).

let local: TestServer;
let remoteApi: TestServer;
let remoteClient: TestServer;

beforeAll(async () => {
  local = await startTestServer();
  remoteApi = await startTestServer();
  remoteClient = await startTestServer();
});
afterAll(async () => {
  await local.close();
  await remoteApi.close();
  await remoteClient.close();
});

const implementations: [string, () => { backend: UploadBackend; staging: Staging; deliveryHost: string }][] = [
  ['local cloud', () => ({ backend: createLocalBackend(local.updraft.cloud), staging: local.updraft.cloud.staging, deliveryHost: local.url })],
  [
    'Cloudinary-compatible API over HTTP',
    () => ({ backend: createRemoteBackend({ apiBase: remoteApi.url, account: remoteApi.config.account }), staging: remoteClient.updraft.cloud.staging, deliveryHost: remoteApi.url }),
  ],
];

describe.each(implementations)('UploadBackend: %s', (_name, make) => {
  it('stores a file with an unsigned preset and answers with the upload result', async () => {
    const { backend, staging, deliveryHost } = make();
    const png = await makePng(30, 20);
    const staged = await staging.fromStream(Readable.from([png]), 1_000_000, 'cat.png');
    const result = await backend.upload(staged, { upload_preset: 'preset1', tags: 'contract', source: 'uw' });
    expect(result).toMatchObject({ resource_type: 'image', width: 30, height: 20, format: 'png', bytes: png.length, etag: md5(png), tags: ['contract'], original_filename: 'cat' });
    expect(result.secure_url.startsWith(deliveryHost)).toBe(true);
    expect((await fetch(result.secure_url)).status).toBe(200);
    expect(existsSync(staged.path)).toBe(false);
  });

  it('reports the API\'s refusal as a clear error and still removes the staged file', async () => {
    const { backend, staging } = make();
    const staged = await staging.fromStream(Readable.from([await makePng(4, 4)]), 1_000_000, 'x.png');
    await expect(backend.upload(staged, { upload_preset: 'no_such_preset' })).rejects.toMatchObject({ message: 'Upload preset not found' });
    expect(existsSync(staged.path)).toBe(false);
  });
});
