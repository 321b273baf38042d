import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { Busboy, type BusboyFileStream } from '@fastify/busboy';
import { AppError, badRequest } from '../errors.ts';
import { addParam, type ParamBag } from './param-bag.ts';

export interface FilePartInfo {
  filename: string | undefined;
  mimeType: string;
  /** The fields that arrived before the file part. */
  fieldsBefore: ParamBag;
}

export interface MultipartOptions<T> {
  maxFields: number;
  maxFieldBytes: number;
  /** Upper bound for a file part; busboy truncates beyond it and the handler's own meter reports it. */
  maxFileBytes: number;
  /** File parts accepted (default 1, the Upload API's single `file`); more is too_many_files. */
  maxFiles?: number;
  /** Consumes the one file part (stream it somewhere); its result is returned with the fields. */
  onFile(stream: Readable, info: FilePartInfo): Promise<T>;
  /** The error for a file part longer than maxFileBytes (default: file_too_large). */
  limitError?(): AppError;
  /** Undoes a file result when the rest of the body turns out bad (e.g. removes a staged file). */
  onDiscard?(result: T): void;
}

export interface MultipartResult<T> {
  bag: ParamBag;
  /** The first (usually only) file part's result. */
  file: T | null;
  /** Every file part's result, in order. */
  files: T[];
  /** Field names that came after the file part. */
  fieldsAfterFile: string[];
}

/**
 * Streams a multipart body with @fastify/busboy straight from the socket: fields into a bag (with the
 * same name rules as every other body), the single `file` part into `onFile`. Nothing is buffered whole.
 */
export function readMultipart<T>(request: IncomingMessage, options: MultipartOptions<T>): Promise<MultipartResult<T>> {
  return new Promise((resolve, reject) => {
    const bag: ParamBag = new Map();
    const fieldsAfterFile: string[] = [];
    let fileSeen = false;
    const fileResults: T[] = [];
    let fileCount = 0;
    let fileTask: Promise<void> = Promise.resolve();
    let fileStream: BusboyFileStream | null = null;
    let failed = false;

    let parser: ReturnType<typeof Busboy>;
    try {
      parser = Busboy({
        headers: request.headers as { 'content-type': string },
        limits: {
          fieldNameSize: 100,
          fieldSize: options.maxFieldBytes,
          fields: options.maxFields,
          files: options.maxFiles ?? 1,
          parts: options.maxFields + 1,
          headerPairs: 64,
          fileSize: options.maxFileBytes,
        },
      });
    } catch {
      reject(badRequest('malformed_body', 'Invalid multipart/form-data body: missing or bad boundary'));
      return;
    }

    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      request.unpipe(parser);
      fileStream?.destroy(error instanceof Error ? error : new Error(String(error)));
      // Settle only after the file handler has cleaned up (temp files removed, slots released).
      fileTask.finally(() => {
        for (const result of fileResults) options.onDiscard?.(result);
        reject(error);
      });
    };

    parser.on('field', (name, value, nameTruncated, valueTruncated) => {
      if (failed) return;
      try {
        if (nameTruncated) throw badRequest('invalid_param_name', 'Field name is too long');
        if (valueTruncated) throw new AppError('field_too_large', `Field ${name} is too large (at most ${options.maxFieldBytes} bytes)`, 413);
        addParam(bag, name, value);
        if (fileSeen) fieldsAfterFile.push(name);
      } catch (error) {
        fail(error);
      }
    });

    parser.on('file', (name, stream, filename, _encoding, mimeType) => {
      if (failed) return void stream.resume();
      if (name !== 'file') {
        stream.resume();
        return fail(badRequest('invalid_param', `Unexpected file field ${JSON.stringify(name.slice(0, 64))}: the file goes in "file"`));
      }
      fileSeen = true;
      fileStream = stream;
      // fail() destroys the stream with the cause; its consumer (if any) sees that through pipeline. Without a
      // listener an 'error' event would be thrown as an uncaught exception and take the process down.
      stream.on('error', () => undefined);
      stream.on('limit', () => stream.destroy(options.limitError?.() ?? new AppError('file_too_large', `File size too large. Maximum is ${options.maxFileBytes}.`, 413)));
      const index = fileCount++;
      // Through a promise so a handler that throws synchronously still ends up in fail().
      const task = Promise.resolve()
        .then(() => options.onFile(stream, { filename: filename || undefined, mimeType, fieldsBefore: new Map(bag) }))
        .then((result) => {
          fileResults[index] = result;
        })
        .catch((error) => {
          stream.resume();
          fail(error);
        });
      fileTask = Promise.all([fileTask, task]).then(() => undefined);
    });

    parser.on('filesLimit', () => fail(badRequest('too_many_files', `At most ${options.maxFiles ?? 1} file${(options.maxFiles ?? 1) > 1 ? 's' : ''} per request`)));
    parser.on('fieldsLimit', () => fail(new AppError('too_many_fields', `Too many fields (at most ${options.maxFields})`, 413)));
    parser.on('partsLimit', () => fail(new AppError('too_many_fields', 'Too many parts in the multipart body', 413)));
    parser.on('error', () => fail(badRequest('malformed_body', 'Malformed multipart/form-data body')));
    parser.on('finish', () => {
      if (failed) return;
      fileTask.then(() => {
        if (!failed) resolve({ bag, file: fileResults[0] ?? null, files: fileResults, fieldsAfterFile });
      });
    });

    request.on('error', () => fail(badRequest('malformed_body', 'The request body was cut off')));
    request.on('close', () => {
      if (!request.complete) fail(badRequest('malformed_body', 'The request body was cut off'));
    });
    request.pipe(parser);
  });
}
