import type { IncomingMessage } from 'node:http';
import { AppError, badRequest } from '../errors.ts';
import { bagFromJson, bagFromSearchParams, type ParamBag } from './param-bag.ts';

export type BodyKind = 'multipart' | 'json' | 'form' | 'none';

/** Which of the Upload API's body formats a request uses. */
export function bodyKind(contentType: string | undefined): BodyKind {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'multipart/form-data') return 'multipart';
  if (type === 'application/json') return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type === '') return 'none';
  throw new AppError('unsupported_media_type', `Unsupported Content-Type ${type.slice(0, 80)}: use multipart/form-data, application/json or urlencoded`, 415);
}

/** Reads a bounded body fully (JSON and urlencoded only: they are small apart from data: URIs). */
export async function readBoundedBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLargeBody(maxBytes);
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > maxBytes) {
      request.destroy();
      throw tooLargeBody(maxBytes);
    }
    chunks.push(chunk);
  }
  if (!request.complete) throw badRequest('malformed_body', 'The request body was cut off');
  return Buffer.concat(chunks, received);
}

const tooLargeBody = (maxBytes: number) => new AppError('file_too_large', `Request body is too large (at most ${maxBytes} bytes)`, 413);

/** Params of a JSON or urlencoded body (plus the query string, which Cloudinary also reads). */
export async function readParamBody(request: IncomingMessage, kind: Exclude<BodyKind, 'multipart'>, maxBytes: number, query: URLSearchParams): Promise<ParamBag> {
  const bag = bagFromSearchParams(query);
  if (kind === 'none') {
    await readBoundedBody(request, 0).catch(() => {
      throw badRequest('malformed_body', 'A Content-Type is required with a body');
    });
    return bag;
  }
  const text = (await readBoundedBody(request, maxBytes)).toString('utf8');
  let body: ParamBag;
  if (kind === 'json') {
    let parsed: unknown;
    try {
      parsed = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      throw badRequest('malformed_body', 'The JSON body is not valid JSON');
    }
    body = bagFromJson(parsed);
  } else {
    body = bagFromSearchParams(new URLSearchParams(text));
  }
  for (const [key, value] of body) {
    if (bag.has(key)) throw badRequest('duplicate_param', `Parameter ${key} was sent more than once`);
    bag.set(key, value);
  }
  return bag;
}
