import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, openSync, readdirSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, badRequest } from '../../errors.ts';

/** A file received in full and waiting in the staging directory to be published or discarded. */
export interface StagedFile {
  path: string;
  bytes: number;
  md5: string;
  /** The name the client gave (never used as a path). */
  filename: string | undefined;
}

export const tooLarge = (bytes: number | string, max: number) =>
  new AppError('file_too_large', `File size too large. Got ${bytes}. Maximum is ${max}.`, 413);

/** Where request bodies land before they are published: same filesystem as the assets, so publish is a rename. */
export function createStaging(dir: string) {
  mkdirSync(dir, { recursive: true });
  const newPath = () => join(dir, `${Date.now()}-${randomBytes(8).toString('hex')}.part`);

  /** Streams into a staging file, hashing as it goes; the file is removed if anything fails. */
  const fromStream = async (source: Readable, maxBytes: number, filename?: string): Promise<StagedFile> => {
    const path = newPath();
    const md5 = createHash('md5');
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        if (bytes > maxBytes) return callback(tooLarge(`more than ${maxBytes}`, maxBytes));
        md5.update(chunk);
        callback(null, chunk);
      },
    });
    // Opened synchronously so a failure can never race the stream's own (async) open and leave a file behind.
    const fd = openSync(path, 'wx', 0o600);
    try {
      await pipeline(source, meter, createWriteStream(path, { fd, highWaterMark: 1 << 20 }));
    } catch (error) {
      rmSync(path, { force: true });
      throw error;
    }
    return { path, bytes, md5: md5.digest('hex'), filename };
  };

  /** Decodes a `data:` URI (base64 or percent-encoded) into a staging file. */
  const fromDataUri = async (uri: string, maxBytes: number): Promise<StagedFile> => {
    const comma = uri.indexOf(',');
    const header = comma > 0 ? uri.slice(5, comma) : '';
    if (!uri.startsWith('data:') || comma < 0 || header.length > 256) throw badRequest('invalid_data_uri', 'Invalid data URI');
    const payload = uri.slice(comma + 1);
    let content: Buffer;
    if (/;base64$/i.test(header)) {
      const compact = payload.replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact) || compact.length % 4 === 1) throw badRequest('invalid_data_uri', 'Invalid data URI: the base64 payload is malformed');
      content = Buffer.from(compact, 'base64');
    } else {
      try {
        content = Buffer.from(decodeURIComponent(payload), 'utf8');
      } catch {
        throw badRequest('invalid_data_uri', 'Invalid data URI: bad percent-encoding');
      }
    }
    if (content.length > maxBytes) throw tooLarge(content.length, maxBytes);
    const path = newPath();
    await writeFile(path, content, { flag: 'wx', mode: 0o600 });
    return { path, bytes: content.length, md5: createHash('md5').update(content).digest('hex'), filename: undefined };
  };

  /** Removes leftovers of requests that were cut off by a crash. */
  const sweep = () => {
    for (const name of readdirSync(dir)) rmSync(join(dir, name), { force: true, recursive: true });
  };

  const discard = (file: StagedFile | null | undefined) => {
    if (file) rmSync(file.path, { force: true });
  };

  return { dir, fromStream, fromDataUri, sweep, discard };
}

export type Staging = ReturnType<typeof createStaging>;
