import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { postMultipart, signed, storedState } from '../helpers/http.ts';
import { md5, pseudoRandomBytes, sha256 } from '../helpers/fixtures.ts';

// Cloudinary's chunk protocol (spec 2.6) and security notes §4 B. Parts are small here: the test server
// lowers the 5 MB floor to 1,000 bytes (the floor itself is tested against the default below).

const PART = 4000;
let server: TestServer;
let clock = Date.now();

beforeAll(async () => {
  server = await startTestServer({ file: { limits: { minPartBytes: 1000, maxFileBytes: 1024 * 1024 } }, now: () => clock });
});
afterAll(() => server.close());

let counter = 0;
const newId = () => `upload${Date.now().toString(36)}${(counter++).toString(36)}`;

interface PartOptions {
  id: string;
  data: Buffer;
  start: number;
  end?: number;
  total?: number | null;
  params?: Record<string, string>;
  fields?: [string, string][];
  contentRange?: string;
  resourceType?: string;
}

/** Sends bytes [start, end] of `data` as one part (signed with the same params unless `fields` is given). */
function sendPart({ id, data, start, end = Math.min(start + PART, data.length) - 1, total = data.length, params = { public_id: `chunked/${id}` }, fields, contentRange, resourceType = 'raw' }: PartOptions) {
  return postMultipart(`${server.url}/v1_1/demo/${resourceType}/upload`, fields ?? signed(params), [{ filename: 'big.bin', data: data.subarray(start, end + 1) }], {
    'x-unique-upload-id': id,
    'content-range': contentRange ?? `bytes ${start}-${end}/${total ?? -1}`,
  });
}

const download = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());

describe('chunked uploads: the happy paths', () => {
  it('assembles parts sent out of order (first first, last last) into the exact bytes', async () => {
    const data = pseudoRandomBytes(PART * 4 + 123, 11);
    const id = newId();
    expect((await sendPart({ id, data, start: 0, total: null })).json).toMatchObject({ done: false, bytes: PART });
    expect((await sendPart({ id, data, start: PART * 2, total: null })).json).toMatchObject({ done: false, bytes: PART * 2 });
    expect((await sendPart({ id, data, start: PART, total: null })).json).toMatchObject({ done: false, bytes: PART * 3 });
    const last = await sendPart({ id, data, start: PART * 3, end: data.length - 1 });
    expect(last.status).toBe(200);
    expect(last.json).toMatchObject({ public_id: `chunked/${id}`, bytes: data.length, etag: md5(data), resource_type: 'raw' });
    expect(sha256(await download(last.json.secure_url))).toBe(sha256(data));
    expect(storedState(server).staging).toEqual([]);
  });

  it('accepts unsigned parts through an unsigned preset', async () => {
    const data = pseudoRandomBytes(PART + 10, 12);
    const id = newId();
    const fields: [string, string][] = [['upload_preset', 'preset1']];
    expect((await sendPart({ id, data, start: 0, fields })).json).toMatchObject({ done: false });
    const last = await sendPart({ id, data, start: PART, end: data.length - 1, fields });
    expect(last.json).toMatchObject({ bytes: data.length, etag: md5(data) });
  });

  it('takes middle parts in parallel', async () => {
    const data = pseudoRandomBytes(PART * 6, 13);
    const id = newId();
    await sendPart({ id, data, start: 0 });
    const middle = await Promise.all([1, 2, 3, 4].map((i) => sendPart({ id, data, start: PART * i })));
    for (const response of middle) expect(response.status).toBe(200);
    const last = await sendPart({ id, data, start: PART * 5 });
    expect(last.json.etag).toBe(md5(data));
  });
});

describe('B. chunk headers and ranges', () => {
  const data = pseudoRandomBytes(PART * 3, 21);

  it('B1/B2: upload ids are required with Content-Range and must be safe', async () => {
    const noId = await postMultipart(`${server.url}/v1_1/demo/raw/upload`, signed({}), [{ data: data.subarray(0, PART) }], { 'content-range': `bytes 0-${PART - 1}/-1` });
    expect(noId.json.error.code).toBe('invalid_upload_id');
    for (const id of ['../x', 'a/b', 'x'.repeat(1024), 'sp ace']) {
      const response = await sendPart({ id, data, start: 0 });
      expect([response.status, response.json.error.code]).toEqual([400, 'invalid_upload_id']);
    }
  });

  it('B3–B7, B16: malformed or impossible Content-Range values', async () => {
    const cases: [string, string][] = [
      [`0-${PART - 1}/${PART * 3}`, 'bad_content_range'],
      ['bytes 100-50/200', 'range_out_of_bounds'],
      ['bytes 0-200/200', 'range_out_of_bounds'],
      ['bytes -1-5/10', 'bad_content_range'],
      ['bytes 0-1e9/2e9', 'bad_content_range'],
      ['bytes 0x0-0xf/16', 'bad_content_range'],
      ['bytes  0-9/10', 'bad_content_range'],
      ['bytes 0-9/-2', 'bad_content_range'],
      ['bytes 0-9/*', 'bad_content_range'],
      ['bytes 0-9007199254740993/9007199254740994', 'bad_content_range'],
      ['bytes=0-5', 'bad_content_range'],
      ['bytes 0-5/10, 6-9/10', 'bad_content_range'],
    ];
    for (const [contentRange, code] of cases) {
      const response = await sendPart({ id: newId(), data, start: 0, contentRange });
      expect([contentRange, response.status, response.json.error.code]).toEqual([contentRange, 400, code]);
    }
  });

  it('B6: a total that changes is refused and earlier parts stay intact', async () => {
    const id = newId();
    await sendPart({ id, data, start: 0, total: data.length });
    const other = await sendPart({ id, data, start: PART, total: data.length + 1 });
    expect(other.json.error.code).toBe('total_mismatch');
    const unknown = await sendPart({ id, data, start: PART, total: null });
    expect(unknown.json.error.code).toBe('total_mismatch');
    await sendPart({ id, data, start: PART });
    expect((await sendPart({ id, data, start: PART * 2 })).json.etag).toBe(md5(data));
  });

  it('B8: a body that does not match its range is dropped and can be sent again', async () => {
    const id = newId();
    await sendPart({ id, data, start: 0 });
    const short = await postMultipart(`${server.url}/v1_1/demo/raw/upload`, signed({ public_id: `chunked/${id}` }), [{ data: data.subarray(PART, PART * 2 - 10) }], {
      'x-unique-upload-id': id,
      'content-range': `bytes ${PART}-${PART * 2 - 1}/${data.length}`,
    });
    expect(short.json.error.code).toBe('length_mismatch');
    const long = await postMultipart(`${server.url}/v1_1/demo/raw/upload`, signed({ public_id: `chunked/${id}` }), [{ data: data.subarray(PART, PART * 2 + 10) }], {
      'x-unique-upload-id': id,
      'content-range': `bytes ${PART}-${PART * 2 - 1}/${data.length}`,
    });
    expect(long.json.error.code).toBe('length_mismatch');
    expect((await sendPart({ id, data, start: PART })).json).toMatchObject({ done: false, bytes: PART * 2 });
    expect((await sendPart({ id, data, start: PART * 2 })).json.etag).toBe(md5(data));
  });

  it('B10: a declared size over the limit is refused before anything is written', async () => {
    const before = storedState(server);
    const huge = await sendPart({ id: newId(), data, start: 0, total: 1024 ** 4 });
    expect([huge.status, huge.json.error.code]).toEqual([400, 'file_too_large']);
    expect(storedState(server)).toEqual(before);
  });

  it('B11: an overlapping range is refused and the stored bytes do not change', async () => {
    const id = newId();
    await sendPart({ id, data, start: 0 });
    const overlap = await sendPart({ id, data: Buffer.alloc(data.length, 0), start: PART / 2, end: PART / 2 + PART - 1 });
    expect([overlap.status, overlap.json.error.code]).toEqual([400, 'range_overlap']);
    const sameRangeOtherBytes = await sendPart({ id, data: Buffer.alloc(data.length, 1), start: 0 });
    expect(sameRangeOtherBytes.json.error.code).toBe('range_overlap');
    await sendPart({ id, data, start: PART });
    expect((await sendPart({ id, data, start: PART * 2 })).json.etag).toBe(md5(data));
  });

  it('B12: an identical part sent twice, in a row or at once, counts once and finalizes once', async () => {
    const id = newId();
    await sendPart({ id, data, start: 0 });
    expect((await sendPart({ id, data, start: 0 })).json).toMatchObject({ done: false, bytes: PART });
    const together = await Promise.all([sendPart({ id, data, start: PART }), sendPart({ id, data, start: PART })]);
    for (const response of together) expect(response.json).toMatchObject({ done: false, bytes: PART * 2 });
    const finals = await Promise.all([sendPart({ id, data, start: PART * 2 }), sendPart({ id, data, start: PART * 2 }), sendPart({ id, data, start: PART * 2 })]);
    const assetIds = new Set(finals.map((response) => `${response.json.asset_id}@${response.json.version_id}`));
    expect(assetIds.size).toBe(1);
    for (const response of finals) expect(response.json.etag).toBe(md5(data));
    const stored = server.updraft.cloud.assets.list({ prefix: `chunked/${id}`, maxResults: 10 }).records;
    expect(stored).toHaveLength(1);
  });

  it('B13: a last part that arrives before a middle part waits for it', async () => {
    const id = newId();
    await sendPart({ id, data, start: 0 });
    const early = await sendPart({ id, data, start: PART * 2 });
    expect([early.status, early.json.error.code]).toEqual([400, 'incomplete']);
    expect(early.json.error.details.missing).toEqual([`${PART}-${PART * 2 - 1}`]);
    const middle = await sendPart({ id, data, start: PART });
    expect(middle.json).toMatchObject({ bytes: data.length, etag: md5(data) });
  });

  it('B14: replaying the final part returns the original result; other parts are refused', async () => {
    const id = newId();
    await sendPart({ id, data, start: 0 });
    await sendPart({ id, data, start: PART });
    const done = await sendPart({ id, data, start: PART * 2 });
    const replay = await sendPart({ id, data, start: PART * 2 });
    expect(replay.json).toEqual(done.json);
    const late = await sendPart({ id, data, start: PART });
    expect([late.status, late.json.error.code]).toEqual([400, 'upload_completed']);
  });

  it('B15: an abandoned upload expires and its parts are removed', async () => {
    const id = newId();
    await sendPart({ id, data, start: 0 });
    const chunksDir = join(server.dataDir, 'chunks');
    expect(readdirSync(chunksDir).length).toBeGreaterThanOrEqual(1);
    clock += 25 * 3600 * 1000;
    try {
      expect(server.updraft.cloud.sweep().uploads).toBeGreaterThanOrEqual(1);
      // Every upload of this server is now past its expiry. Folders are moved aside at once, removed in the background.
      await vi.waitFor(() => expect(readdirSync(chunksDir)).toEqual([]));
      const next = await sendPart({ id, data, start: PART, fields: signed({ public_id: `chunked/${id}` }, { timestamp: Math.floor(clock / 1000) }) });
      expect([next.status, next.json.error.code]).toEqual([404, 'upload_not_found']);
    } finally {
      clock = Date.now();
    }
  });

  it('B17: parts must carry the same signed params; a fresh timestamp alone is fine', async () => {
    const id = newId();
    await sendPart({ id, data, start: 0, params: { public_id: 'b17/a' } });
    const other = await sendPart({ id, data, start: PART, params: { public_id: 'b17/b' } });
    expect(other.json.error.code).toBe('params_mismatch');
    const resigned = await sendPart({ id, data, start: PART, params: { public_id: 'b17/a' }, fields: signed({ public_id: 'b17/a' }, { timestamp: Math.floor(Date.now() / 1000) + 30 }) });
    expect(resigned.json).toMatchObject({ done: false, bytes: PART * 2 });
  });

  it('G9: an upload id is bound to its credentials: another preset cannot continue it', async () => {
    const id = newId();
    await sendPart({ id, data, start: 0, fields: [['upload_preset', 'preset1']] });
    const stranger = await sendPart({ id, data, start: PART, fields: signed({}) });
    expect(stranger.json.error.code).toBe('upload_not_found');
  });

  it('two uploads finishing onto one public id: the later one wins whole, never a mix', async () => {
    const a = pseudoRandomBytes(PART * 2, 31);
    const b = pseudoRandomBytes(PART * 2, 32);
    const [idA, idB] = [newId(), newId()];
    const params = { public_id: 'race/target' };
    await Promise.all([sendPart({ id: idA, data: a, start: 0, params }), sendPart({ id: idB, data: b, start: 0, params })]);
    await Promise.all([sendPart({ id: idA, data: a, start: PART, params }), sendPart({ id: idB, data: b, start: PART, params })]);
    const record = server.updraft.cloud.findAsset('raw', 'upload', 'race/target')!;
    const stored = await download(`${server.url}/res/demo/raw/upload/race/target`);
    expect([sha256(a), sha256(b)]).toContain(sha256(stored));
    expect(record.etag).toBe(md5(stored));
  });
});

describe('the 5 MB floor of non-final parts (default limits)', () => {
  it('B9: refuses a small non-final part, accepts a small last part', async () => {
    const strict = await startTestServer();
    try {
      const data = pseudoRandomBytes(5_000_000 + 100, 41);
      const url = `${strict.url}/v1_1/demo/raw/upload`;
      const small = await postMultipart(url, signed({}), [{ data: data.subarray(0, 1000) }], { 'x-unique-upload-id': 'floor1', 'content-range': 'bytes 0-999/-1' });
      expect([small.status, small.json.error.code, small.json.error.message]).toEqual([400, 'chunk_too_small', 'All parts except EOF-chunk must be larger than 5mb']);
      const first = await postMultipart(url, signed({}), [{ data: data.subarray(0, 5_000_000) }], { 'x-unique-upload-id': 'floor2', 'content-range': 'bytes 0-4999999/-1' });
      expect(first.json).toMatchObject({ done: false, bytes: 5_000_000 });
      const last = await postMultipart(url, signed({}), [{ data: data.subarray(5_000_000) }], {
        'x-unique-upload-id': 'floor2',
        'content-range': `bytes 5000000-${data.length - 1}/${data.length}`,
      });
      expect(last.json).toMatchObject({ bytes: data.length, etag: md5(data) });
    } finally {
      await strict.close();
    }
  });
});
