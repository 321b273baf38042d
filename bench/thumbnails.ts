/**
 * Thumbnail benchmark (`npm run bench:thumbnails`): derivatives per second for the widget's default thumbnail
 * transformation `c_limit,h_60,w_90` on a 12-megapixel JPEG, cold (rendered) and cached (served from disk),
 * and the cached/cold ratio. The server runs as a child process (`node --import tsx server/main.ts`) on
 * 127.0.0.1 with a fresh data directory; cold requests each hit a different copy of the photo so every one is
 * rendered, cached requests repeat URLs already rendered.
 *
 * Usage: npx tsx bench/thumbnails.ts [--copies <n>] [--cached <n>] [--concurrency <n>]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { signParams } from '../server/services/signing.ts';

const ACCOUNT = { apiKey: '614335564976464', apiSecret: 'bench-thumbnails-secret' };
const TRANSFORMATION = 'c_limit,h_60,w_90';

const { values } = parseArgs({ options: { copies: { type: 'string', default: '16' }, cached: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '2' } } });
const copies = Number(values.copies);
const cachedRequests = Number(values.cached);
const concurrency = Number(values.concurrency);

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function request(port: number, path: string, body?: { data: Buffer; contentType: string }): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: body ? 'POST' : 'GET', agent, headers: body ? { 'content-type': body.contentType, 'content-length': body.data.length } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(body?.data);
  });
}

function multipart(fields: Record<string, string>, file: Buffer) {
  const boundary = `bench${Date.now()}`;
  const head = Object.entries(fields)
    .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
    .join('');
  const data = Buffer.concat([
    Buffer.from(`${head}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { data, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Runs `total` requests with `parallel` in flight; returns seconds elapsed. */
async function timed(total: number, parallel: number, path: (i: number) => string, port: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const response = await request(port, path(i));
      if (response.status !== 200) throw new Error(`GET ${path(i)} answered ${response.status}: ${response.body.toString().slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return (performance.now() - started) / 1000;
}

async function main() {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'updraft-bench-thumbs-'));
  const configPath = join(dataDir, 'config.json');
  writeFileSync(configPath, JSON.stringify({ durability: 'os', limits: { imageQueue: 1000 } }));
  const port = await freePort();
  const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: join(dataDir, 'data'), UPDRAFT_CONFIG: configPath, CLOUDINARY_URL: `cloudinary://${ACCOUNT.apiKey}:${ACCOUNT.apiSecret}@demo` },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('Updraft listening') && resolve());
      server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });

    // A 12-megapixel photo-like JPEG (smooth noise compresses like a photo, not like a flat colour).
    const photo = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
      .blur(1.2)
      .jpeg({ quality: 85 })
      .toBuffer();
    const versions: number[] = [];
    for (let i = 0; i < copies; i++) {
      const params = { public_id: `bench/photo-${i}`, timestamp: String(Math.floor(Date.now() / 1000)) };
      const body = multipart({ ...params, api_key: ACCOUNT.apiKey, signature: signParams(params, ACCOUNT.apiSecret) }, photo);
      const response = await request(port, '/v1_1/demo/image/upload', body);
      if (response.status !== 200) throw new Error(`upload failed: ${response.body.toString()}`);
      versions.push(JSON.parse(response.body.toString()).version as number);
    }
    const url = (i: number) => `/res/demo/image/upload/${TRANSFORMATION}/v${versions[i % copies]}/bench/photo-${i % copies}.jpg`;

    const coldSeconds = await timed(copies, concurrency, url, port);
    const cachedSeconds = await timed(cachedRequests, 8, url, port);
    const cold = copies / coldSeconds;
    const cached = cachedRequests / cachedSeconds;

    console.log(`Updraft thumbnails: ${TRANSFORMATION} of a 4000x3000 (12 MP) JPEG of ${(photo.length / 1e6).toFixed(1)} MB`);
    console.log(`machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`);
    console.log('');
    console.log(`cold   (rendered, ${copies} different photos, ${concurrency} at a time)   ${cold.toFixed(1).padStart(8)} derivatives/s   (${((coldSeconds / copies) * 1000).toFixed(0)} ms each)`);
    console.log(`cached (from disk, ${cachedRequests} requests, 8 at a time)        ${cached.toFixed(0).padStart(8)} derivatives/s`);
    console.log(`cached / cold ratio                                     ${(cached / cold).toFixed(1).padStart(8)} x`);
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    agent.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
