/**
 * Sends one file to a Cloudinary-compatible Upload API: a single multipart request, or — above the chunk
 * size — Cloudinary's chunk protocol (one X-Unique-Upload-Id, Content-Range per part), parts read with
 * Blob.slice so a file is never held in memory. A part that fails for a transient reason (network error,
 * timeout, 5xx, 420/429) is sent again with exponential backoff; the upload goes on from the last part the
 * server acknowledged.
 */

export class UploadError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'UploadError';
  }
}

export interface TransportOptions {
  url: string;
  fields: Record<string, string>;
  /** The bytes, or a URL the Upload API fetches itself. */
  file: Blob | string;
  filename: string;
  chunkSize: number;
  signal: AbortSignal;
  onProgress(sent: number, total: number): void;
  /** Attempts per request before giving up (first try included). */
  attempts?: number;
  /** A request with no upload progress for this long is abandoned and retried. */
  stallTimeoutMs?: number;
  /** Backoff delay before retry `n` (1-based); injectable for tests. */
  backoff?: (attempt: number) => number;
}

const DEFAULT_ATTEMPTS = 6;

const defaultBackoff = (attempt: number) => Math.min(8000, 500 * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);

const abortError = () => new DOMException('Upload aborted', 'AbortError');

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** One POST with upload progress; resolves with the JSON answer or rejects with an UploadError. */
function post(url: string, body: FormData, headers: Record<string, string>, signal: AbortSignal, stallTimeoutMs: number, onSent: (bytes: number) => void): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError());
    const xhr = new XMLHttpRequest();
    let stall: ReturnType<typeof setTimeout>;
    const armStall = () => {
      clearTimeout(stall);
      stall = setTimeout(() => {
        xhr.abort();
        finish(() => reject(new UploadError('The connection stalled', 0, true)));
      }, stallTimeoutMs);
    };
    let settled = false;
    const finish = (done: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(stall);
      signal.removeEventListener('abort', onAbort);
      done();
    };
    const onAbort = () => {
      xhr.abort();
      finish(() => reject(abortError()));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    xhr.open('POST', url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      armStall();
      onSent(event.loaded);
    };
    xhr.onerror = () => finish(() => reject(new UploadError('Network error', 0, true)));
    xhr.onload = () =>
      finish(() => {
        let json: Record<string, unknown> | null = null;
        try {
          json = JSON.parse(xhr.responseText) as Record<string, unknown>;
        } catch {
          /* not JSON */
        }
        if (xhr.status >= 200 && xhr.status < 300 && json) return resolve(json);
        const error = (json?.error as { message?: string } | undefined)?.message ?? `HTTP ${xhr.status}`;
        const retryable = xhr.status >= 500 || xhr.status === 420 || xhr.status === 429 || xhr.status === 408;
        reject(new UploadError(error, xhr.status, retryable));
      });
    armStall();
    xhr.send(body);
  });
}

function formData(fields: Record<string, string>, part: Blob | string, filename: string): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  // Parameters first, file last: the chunk protocol needs the parameters before the bytes.
  if (typeof part === 'string') form.append('file', part);
  else form.append('file', part, filename);
  return form;
}

/** Retries a request while its failure is transient. */
async function withRetries<T>(run: () => Promise<T>, options: Required<Pick<TransportOptions, 'attempts' | 'backoff'>> & { signal: AbortSignal }): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const transient = error instanceof UploadError && error.retryable;
      if (!transient || attempt >= options.attempts || options.signal.aborted) throw error;
      await wait(options.backoff(attempt), options.signal);
    }
  }
}

/** A random upload id, like the SDKs': lowercase letters and digits. */
export function newUploadId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => 'abcdefghijklmnopqrstuvwxyz0123456789'[byte % 36]).join('');
}

/** Uploads a file (whole or in parts) and resolves with the Upload API's result. */
export async function uploadFile(options: TransportOptions): Promise<Record<string, unknown>> {
  const { file, chunkSize, signal, onProgress } = options;
  const retry = { attempts: options.attempts ?? DEFAULT_ATTEMPTS, backoff: options.backoff ?? defaultBackoff, signal };
  const stallTimeoutMs = options.stallTimeoutMs ?? 60_000;
  const total = typeof file === 'string' ? 0 : file.size;

  if (typeof file === 'string' || total <= chunkSize) {
    return withRetries(() => post(options.url, formData(options.fields, file, options.filename), {}, signal, stallTimeoutMs, (sent) => onProgress(Math.min(sent, total), total)), retry);
  }

  const uploadId = newUploadId();
  let result: Record<string, unknown> = {};
  for (let start = 0; start < total; start += chunkSize) {
    const end = Math.min(start + chunkSize, total) - 1;
    const headers = { 'X-Unique-Upload-Id': uploadId, 'Content-Range': `bytes ${start}-${end}/${total}` };
    const part = file.slice(start, end + 1);
    result = await withRetries(
      () => post(options.url, formData(options.fields, part, options.filename), headers, signal, stallTimeoutMs, (sent) => onProgress(Math.min(start + sent, total), total)),
      retry,
    );
    onProgress(end + 1, total);
  }
  return result;
}
