import { openAsBlob } from 'node:fs';
import { rmSync } from 'node:fs';
import { AppError } from '../errors.ts';
import type { Account } from '../config.ts';
import type { LocalCloud } from './local/local-cloud.ts';
import type { StagedFile } from './local/staging.ts';
import type { UploadResult } from './types.ts';

/**
 * Where the server stores a file it received itself (the no-JS form, and later Web Address and the cloud
 * sources): the embedded local cloud, or a Cloudinary-compatible Upload API. Both take the same Upload API
 * parameters (an unsigned preset, or signed by the backend) and answer with the same upload result; the staged
 * file is consumed either way.
 */
export interface UploadBackend {
  upload(file: StagedFile, params: Record<string, string>): Promise<UploadResult>;
  /**
   * Uploads the file at an http(s) URL, sent as `file=<url>`: the local cloud fetches it through its
   * SSRF-guarded fetcher, a remote API (Cloudinary) fetches it itself.
   */
  uploadUrl(url: string, params: Record<string, string>): Promise<UploadResult>;
}

/** The embedded local cloud, called in-process with the same authentication rules as its HTTP API. */
export function createLocalBackend(cloud: LocalCloud): UploadBackend {
  return {
    async upload(file, params) {
      const bag = new Map(Object.entries(params));
      try {
        const auth = cloud.authenticate({ bag, authorization: undefined });
        return await cloud.uploadWhole({ requested: 'auto', bag, auth, staged: file });
      } finally {
        cloud.staging.discard(file);
      }
    },
    async uploadUrl(url, params) {
      const bag = new Map(Object.entries({ ...params, file: url }));
      const auth = cloud.authenticate({ bag, authorization: undefined });
      return cloud.uploadWhole({ requested: 'auto', bag, auth, staged: null });
    },
  };
}

export interface RemoteBackendOptions {
  /** e.g. https://api.cloudinary.com, or another Updraft. */
  apiBase: string;
  account: Account;
  fetch?: typeof fetch;
}

/** A Cloudinary-compatible Upload API over HTTP; the file is streamed from disk, never read whole. */
export function createRemoteBackend({ apiBase, account, fetch: fetcher = fetch }: RemoteBackendOptions): UploadBackend {
  const url = `${apiBase}/v1_1/${encodeURIComponent(account.cloudName)}/auto/upload`;

  /** One Upload API call; the API's refusal becomes an AppError with its own message. */
  const post = async (form: FormData): Promise<UploadResult> => {
    let response: Response;
    try {
      response = await fetcher(url, { method: 'POST', body: form, signal: AbortSignal.timeout(10 * 60_000) });
    } catch (error) {
      throw new AppError('remote_error', `The upload service could not be reached (${(error as Error).message})`, 502);
    }
    const body = (await response.json().catch(() => ({}))) as UploadResult & { error?: { message?: string } };
    if (!response.ok || body.error) {
      const message = body.error?.message ?? `The upload service answered ${response.status}`;
      throw new AppError('remote_error', message, response.status >= 500 ? 502 : 400);
    }
    return body;
  };

  const formOf = (params: Record<string, string>) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(params)) form.append(name, value);
    return form;
  };

  return {
    async upload(file, params) {
      try {
        const form = formOf(params);
        form.append('file', await openAsBlob(file.path), file.filename ?? 'file');
        return await post(form);
      } finally {
        rmSync(file.path, { force: true });
      }
    },
    uploadUrl(fileUrl, params) {
      const form = formOf(params);
      form.append('file', fileUrl);
      return post(form);
    },
  };
}
