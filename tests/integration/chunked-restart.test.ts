import http from 'node:http';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '../helpers/child-server.ts';
import { multipart, postMultipart, signed } from '../helpers/http.ts';
import { md5, pseudoRandomBytes, sha256 } from '../helpers/fixtures.ts';
import { startTestServer, TEST_ACCOUNT } from '../helpers/test-server.ts';

// Part state lives on disk: a server killed with SIGKILL in the middle of a part comes back, and the client
// finishes the upload with exact bytes (security notes §5 F2).

const dataDir = mkdtempSync(join(tmpdir(), 'updraft-restart-'));
const env = { DATA_DIR: dataDir, CLOUDINARY_URL: `cloudinary://${TEST_ACCOUNT.apiKey}:${TEST_ACCOUNT.apiSecret}@demo` };
const PART = 5_000_000;
const data = pseudoRandomBytes(PART * 3 + 77_777, 99);
const id = 'restart1a2b3c';
const params = { public_id: 'restart/big.bin' };
const rangeOf = (start: number) => {
  const end = Math.min(start + PART, data.length) - 1;
  return { end, header: `bytes ${start}-${end}/${end === data.length - 1 ? data.length : -1}` };
};

let child: ChildServer | null = null;
afterAll(() => {
  child?.process.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const sendPart = (server: ChildServer, start: number) =>
  postMultipart(`${server.url}/v1_1/demo/raw/upload`, signed(params), [{ data: data.subarray(start, rangeOf(start).end + 1) }], {
    'x-unique-upload-id': id,
    'content-range': rangeOf(start).header,
  });

/** Starts a part, streams about half of it, then kills the server with SIGKILL mid-body. */
async function killDuringPart(server: ChildServer, start: number) {
  const { body, contentType } = multipart(signed(params), [{ data: data.subarray(start, rangeOf(start).end + 1) }]);
  const request = http.request(`${server.url}/v1_1/demo/raw/upload`, {
    method: 'POST',
    headers: { 'content-type': contentType, 'content-length': body.length, 'x-unique-upload-id': id, 'content-range': rangeOf(start).header },
  });
  request.on('error', () => undefined);
  request.write(body.subarray(0, body.length / 2));
  await new Promise((resolve) => setTimeout(resolve, 300));
  server.process.kill('SIGKILL');
  expect(await server.exited).toBe('SIGKILL');
  request.destroy();
}

describe('kill -9 in the middle of a chunked upload', () => {
  it('keeps acknowledged parts, drops the half part, and completes with exact bytes after a restart', async () => {
    child = await startChildServer(env);
    expect((await sendPart(child, 0)).json).toMatchObject({ done: false, bytes: PART });
    await killDuringPart(child, PART);

    child = await startChildServer(env);
    // The cut-off part was never acknowledged: the first part is all the server has.
    expect((await sendPart(child, 0)).json).toMatchObject({ done: false, bytes: PART });
    expect((await sendPart(child, PART)).json).toMatchObject({ done: false, bytes: PART * 2 });
    child.process.kill('SIGKILL');
    await child.exited;

    child = await startChildServer(env);
    expect((await sendPart(child, PART * 2)).json).toMatchObject({ done: false, bytes: PART * 3 });
    const last = await sendPart(child, PART * 3);
    expect(last.status).toBe(200);
    expect(last.json).toMatchObject({ public_id: 'restart/big.bin', bytes: data.length, etag: md5(data) });
    const stored = Buffer.from(await (await fetch(last.json.secure_url)).arrayBuffer());
    expect(sha256(stored)).toBe(sha256(data));
  });
});

describe('upload folders moved aside for removal', () => {
  it('are removed at the next start, and live uploads are kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'updraft-trash-'));
    const chunks = join(dir, 'chunks');
    mkdirSync(join(chunks, '.trash-0123456789abcdef'), { recursive: true });
    writeFileSync(join(chunks, '.trash-0123456789abcdef', 'data'), Buffer.alloc(1000));
    mkdirSync(join(chunks, 'a'.repeat(40)));
    const server = await startTestServer({ dataDir: dir });
    try {
      expect(readdirSync(chunks)).toEqual(['a'.repeat(40)]);
    } finally {
      await server.close();
    }
  });
});
