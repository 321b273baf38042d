import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { signParams } from '../../server/services/signing.ts';
import { TEST_ACCOUNT, type TestServer } from './test-server.ts';

export interface FilePart {
  filename?: string;
  data: Buffer;
  contentType?: string;
  field?: string;
}

/** Builds a multipart/form-data body by hand, so tests control every byte (fields first, then files). */
export function multipart(fields: [string, string][], files: FilePart[] = [], boundary = `----updraft${randomBytes(8).toString('hex')}`) {
  const parts: Buffer[] = [];
  for (const [name, value] of fields) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const file of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field ?? 'file'}"; filename="${file.filename ?? 'blob'}"\r\n` +
          `Content-Type: ${file.contentType ?? 'application/octet-stream'}\r\n\r\n`,
      ),
      file.data,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** One HTTP request with full control of headers and body (node:http, no fetch normalisation). */
export function request(url: string, options: { method?: string; headers?: Record<string, string | number>; body?: Buffer | string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'POST', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        let json: unknown = null;
        try {
          json = JSON.parse(body.toString('utf8'));
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** POSTs a multipart body built from fields and files. */
export function postMultipart(url: string, fields: [string, string][], files: FilePart[] = [], headers: Record<string, string> = {}) {
  const { body, contentType } = multipart(fields, files);
  return request(url, { headers: { 'content-type': contentType, 'content-length': body.length, ...headers }, body });
}

export function postJson(url: string, value: unknown, headers: Record<string, string> = {}) {
  const body = JSON.stringify(value);
  return request(url, { headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers }, body });
}

/** Adds api_key, timestamp and a signature (SHA-1, classic string) the way the SDKs do. */
export function signed(params: Record<string, string>, options: { timestamp?: number; secret?: string; algorithm?: 'sha1' | 'sha256' } = {}): [string, string][] {
  const withTime = { ...params, timestamp: String(options.timestamp ?? Math.floor(Date.now() / 1000)) };
  const signature = signParams(withTime, options.secret ?? TEST_ACCOUNT.apiSecret, options.algorithm ?? 'sha1');
  return [...Object.entries(withTime), ['api_key', TEST_ACCOUNT.apiKey], ['signature', signature]];
}

export const basicAuth = () => `Basic ${Buffer.from(`${TEST_ACCOUNT.apiKey}:${TEST_ACCOUNT.apiSecret}`).toString('base64')}`;

/** Every file under a directory (relative paths with sizes): to prove nothing was stored or changed. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (current: string) => {
    let names: string[];
    try {
      names = readdirSync(current);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(current, name);
      const info = statSync(path);
      if (info.isDirectory()) walk(path);
      else out.push(`${path.slice(dir.length + 1)}:${info.size}`);
    }
  };
  walk(dir);
  return out.sort();
}

/** Stored assets (files + rows) of a test server. */
export function storedState(server: TestServer) {
  const rows = server.updraft.cloud.assets.list({ maxResults: 10_000 }).records.map((r) => `${r.resourceType}/${r.type}/${r.publicId}@${r.versionId}`);
  return { files: listFiles(join(server.dataDir, 'assets')), rows: rows.sort(), staging: listFiles(join(server.dataDir, 'staging')) };
}
