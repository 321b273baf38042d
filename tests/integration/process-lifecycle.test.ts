import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startChildServer } from '../helpers/child-server.ts';
import { multipart, signed } from '../helpers/http.ts';
import { md5, pseudoRandomBytes } from '../helpers/fixtures.ts';
import { signParams } from '../../server/services/signing.ts';

const dirs: string[] = [];
const tempData = () => {
  const dir = mkdtempSync(join(tmpdir(), 'updraft-life-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('npm start (server/main.ts)', () => {
  it('generates local credentials once, prints where they are, and keeps them across restarts', async () => {
    const dataDir = tempData();
    const first = await startChildServer({ DATA_DIR: dataDir });
    const home = await fetch(`${first.url}/`);
    expect(home.status).toBe(200);
    const credentialsPath = join(dataDir, 'credentials.json');
    const credentials = JSON.parse(readFileSync(credentialsPath, 'utf8')) as { apiKey: string; apiSecret: string };
    expect(statSync(credentialsPath).mode & 0o777).toBe(0o600);
    expect(first.output()).toContain('cloud name: demo');
    expect(first.output()).toContain(`api key: ${credentials.apiKey}`);
    expect(first.output()).toContain(credentialsPath);
    expect(first.output()).not.toContain(credentials.apiSecret);
    first.process.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await startChildServer({ DATA_DIR: dataDir });
    expect(JSON.parse(readFileSync(credentialsPath, 'utf8'))).toEqual(credentials);
    // The persisted secret signs uploads to the restarted server.
    const timestamp = String(Math.floor(Date.now() / 1000));
    const form = new FormData();
    form.set('timestamp', timestamp);
    form.set('api_key', credentials.apiKey);
    form.set('signature', signParams({ timestamp }, credentials.apiSecret));
    form.set('file', new Blob([Buffer.from('hello')]), 'hello.txt');
    const uploaded = await fetch(`${second.url}/v1_1/demo/raw/upload`, { method: 'POST', body: form });
    expect(uploaded.status).toBe(200);
    second.process.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('stops with a one-line message naming a bad variable', async () => {
    for (const [name, value] of [['PORT', 'abc'], ['PUBLIC_URL', 'ftp://x'], ['UPLOAD_TARGET', 'nowhere'], ['CLOUDINARY_URL', 'nonsense']] as const) {
      const server = await startChildServer({ DATA_DIR: tempData(), [name]: value }, { waitForListening: false, port: 1 });
      expect(await server.exited).toBe(1);
      const lines = server.output().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(name);
      expect(lines[0]).toMatch(/must be/);
    }
  });

  it('finishes an upload in progress on SIGTERM, then exits cleanly', async () => {
    const server = await startChildServer({ DATA_DIR: tempData(), CLOUDINARY_URL: 'cloudinary://123456789012345:secret-for-lifecycle@demo' });
    const data = pseudoRandomBytes(3_000_000, 5);
    const fields = signed({ public_id: 'in-flight' }, { secret: 'secret-for-lifecycle' });
    const { body, contentType } = multipart(fields, [{ filename: 'x.bin', data }]);
    const response = new Promise<{ status: number; json: { etag?: string } }>((resolve, reject) => {
      const request = http.request(`${server.url}/v1_1/demo/raw/upload`, { method: 'POST', headers: { 'content-type': contentType, 'content-length': body.length } }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      });
      request.on('error', reject);
      // Half now, the rest after the signal: the request is in flight when shutdown begins.
      request.write(body.subarray(0, body.length / 2));
      setTimeout(() => {
        server.process.kill('SIGTERM');
        setTimeout(() => request.end(body.subarray(body.length / 2)), 300);
      }, 300);
    });
    const result = await response.catch((error) => { console.log(server.output()); throw error; });
    expect(result.status).toBe(200);
    expect(result.json.etag).toBe(md5(data));
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('Updraft stopped.');
  });
});
