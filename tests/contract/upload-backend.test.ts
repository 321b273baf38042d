import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { startPageServer, type PageServer } from '../helpers/browser.ts';
import { makePng, md5, sha256 } from '../helpers/fixtures.ts';
import { createLocalBackend, createRemoteBackend, type UploadBackend } from '../../server/storage/upload-backend.ts';
import type { Staging } from '../../server/storage/local/staging.ts';
import { Readable } from 'node:stream';

// One suite, run by every UploadBackend: the embedded local cloud in-process, and a Cloudinary-compatible API
// over HTTP (here a second Updraft, as the tests have no internet). Files "on the web" come from a loopback
// page server, allow-listed for the cloud that fetches them (the local one, or the remote API).

let local: TestServer;
let remoteApi: TestServer;
let remoteClient: TestServer;
let web: PageServer;
let webPng: Buffer;

beforeAll(async () => {
  const fetchesLoopback = { file: { remoteFetch: { allowAddresses: ['127.0.0.1'] } } };
  local = await startTestServer(fetchesLoopback);
  remoteApi = await startTestServer(fetchesLoopback);
  remoteClient = await startTestServer();
  web = await startPageServer();
  webPng = await makePng(40, 24);
  web.set('/images/web%20cat.png', webPng, 'image/png');
});
afterAll(async () => {
  await local.close();
  await remoteApi.close();
  await remoteClient.close();
  await web.close();
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

  it('uploads the file at a URL (file=<url>): the stored bytes are the served bytes', async () => {
    const { backend, deliveryHost } = make();
    const result = await backend.uploadUrl(`${web.url}/images/web%20cat.png`, { upload_preset: 'preset1', tags: 'by-url', source: 'uw' });
    expect(result).toMatchObject({ resource_type: 'image', width: 40, height: 24, format: 'png', bytes: webPng.length, etag: md5(webPng), tags: ['by-url'], original_filename: 'web cat' });
    expect(result.secure_url.startsWith(deliveryHost)).toBe(true);
    expect(sha256(Buffer.from(await (await fetch(result.secure_url)).arrayBuffer()))).toBe(sha256(webPng));
  });

  it('refuses a URL the fetcher may not reach, and one that is not there, with clear errors', async () => {
    const { backend } = make();
    const before = web.requests.length;
    await expect(backend.uploadUrl('http://10.0.0.1/secret.png', { upload_preset: 'preset1' })).rejects.toMatchObject({ message: expect.stringMatching(/^Address 10\.0\.0\.1 is not allowed/) });
    expect(web.requests.length).toBe(before);
    await expect(backend.uploadUrl(`${web.url}/images/missing.png`, { upload_preset: 'preset1' })).rejects.toMatchObject({ message: expect.stringMatching(/^Error in loading .*missing\.png - 404/) });
  });
});
