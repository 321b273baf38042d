import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { badRequest } from '../../errors.ts';
import type { ResolvedConfig } from '../../config.ts';
import type { ChunkHeaders } from '../../http/chunk-headers.ts';
import { scalar, type ParamBag } from '../../http/param-bag.ts';
import type { RemoteFetcher } from '../../services/remote-fetch.ts';
import type { WebhookQueue } from '../../services/webhook-dispatcher.ts';
import type { AssetRecord, RequestedResourceType, ResourceType, UploadResult } from '../types.ts';
import { toUploadResult, type AssetJsonContext } from './asset-json.ts';
import { createAssetStore } from './asset-store.ts';
import { createAuthenticator, type UploadAuth } from './authenticate.ts';
import { createChunkAssembler } from './chunk-assembler.ts';
import type { Db } from './database.ts';
import { createDeleteTokens } from './delete-tokens.ts';
import { createDerivativeStore } from './derivative-store.ts';
import type { JobLimiter } from '../../services/job-limiter.ts';
import { inspectFile } from './file-inspector.ts';
import type { Md5Hasher } from './md5-hasher.ts';
import { presetFromConfig } from './preset-settings.ts';
import { createPresetStore } from './preset-store.ts';
import { joinFolder, publicIdFromFilename, randomPublicId, splitFilename } from './public-id.ts';
import { createStaging, tooLarge, type StagedFile } from './staging.ts';
import { resolveUploadOptions, type UploadOptions } from './upload-options.ts';
import { uploadNotificationBody } from './upload-notification.ts';

export interface LocalCloudDeps {
  config: ResolvedConfig;
  db: Db;
  fetcher: RemoteFetcher;
  hasher: Md5Hasher;
  now: () => number;
  /** Where notification_url callbacks are queued (durably, with the asset). */
  webhooks: WebhookQueue;
  /** The process's image jobs (derivatives here, Web Address thumbnails elsewhere) share these slots. */
  imageJobs: JobLimiter;
}

/** A file ready to become an asset, wherever it came from. */
interface IncomingFile {
  path: string;
  bytes: number;
  md5: string;
  filename: string | undefined;
}

export interface WholeUpload {
  requested: RequestedResourceType;
  bag: ParamBag;
  auth: UploadAuth;
  /** The multipart file part, already staged; null when `file` is a data URI or URL param. */
  staged: StagedFile | null;
  /** Aborts a remote fetch when the client goes away. */
  signal?: AbortSignal;
}

export interface PartUpload {
  requested: RequestedResourceType;
  bag: ParamBag;
  auth: UploadAuth;
  range: ChunkHeaders;
  body: Readable;
}

/** Params that may change from part to part (the SDK re-signs every part with a fresh timestamp). */
const PER_PART_PARAMS = new Set(['timestamp', 'signature', 'file']);

/** The embedded Cloudinary-compatible cloud: stores, names, inspects and describes assets. */
export function createLocalCloud({ config, db, fetcher, hasher, now, webhooks, imageJobs }: LocalCloudDeps) {
  const durable = config.durability === 'fsync';
  // Image rendering is CPU- and memory-heavy: a few jobs at a time, a bounded queue, then 503.
  const derivatives = createDerivativeStore(join(config.dataDir, 'derived'), imageJobs);
  const assets = createAssetStore({
    db,
    assetsDir: join(config.dataDir, 'assets'),
    durable,
    onRemoved: (record) => derivatives.removeAsset(record.assetId),
    onReplaced: (previous) => derivatives.removeVersion(previous.assetId, previous.versionId),
  });
  const presets = createPresetStore(db);
  presets.syncFromConfig(config.presets, presetFromConfig);
  const staging = createStaging(join(config.dataDir, 'staging'));
  staging.sweep();
  const chunks = createChunkAssembler<UploadResult>({ db, dir: join(config.dataDir, 'chunks'), limits: config.limits, hasher, durable, now });
  const tokens = createDeleteTokens(db, now);
  const authenticator = createAuthenticator({ account: config.account, presets, algorithms: config.signatureAlgorithms, now });
  const jsonContext: AssetJsonContext = { account: config.account, publicUrl: config.publicUrl };

  const optionsFor = (bag: ParamBag, auth: UploadAuth): UploadOptions => {
    const options = resolveUploadOptions(bag, auth);
    if (options.notificationUrl) fetcher.check(options.notificationUrl);
    return options;
  };

  const maxBytesFor = (options: UploadOptions) => Math.min(options.maxFileSize ?? Infinity, config.limits.maxFileBytes);

  /** Inspects, names and publishes a complete file; `link` keeps the source (chunked uploads). */
  const publish = async (
    file: IncomingFile,
    requested: RequestedResourceType,
    options: UploadOptions,
    link: boolean,
    onResult?: (result: UploadResult) => void,
  ): Promise<UploadResult> => {
    if (file.bytes === 0) throw badRequest('empty_file', 'Empty file');
    const maxBytes = maxBytesFor(options);
    if (file.bytes > maxBytes) throw tooLarge(file.bytes, maxBytes);
    const inspection = await inspectFile(file.path, file.bytes, { requested, maxImagePixels: config.limits.maxImagePixels });
    const { base, extension } = splitFilename(options.filenameOverride ?? file.filename);
    checkFormat(options.allowedFormats, inspection.format ?? extension, inspection.resourceType);

    let name = options.publicId ?? (options.useFilename ? publicIdFromFilename(base, options.uniqueFilename) : randomPublicId());
    if (inspection.resourceType === 'raw' && !options.publicId && extension) name = `${name}.${extension}`;
    const publicId = joinFolder(options.folder, name);
    const at = now();
    const draft: Omit<AssetRecord, 'file' | 'assetId'> = {
      resourceType: inspection.resourceType,
      type: options.type,
      publicId,
      version: Math.floor(at / 1000),
      versionId: randomBytes(16).toString('hex'),
      format: inspection.format,
      mimeType: inspection.mimeType,
      bytes: file.bytes,
      width: inspection.width,
      height: inspection.height,
      pages: inspection.pages,
      etag: file.md5,
      createdAt: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      originalFilename: base || 'file',
      originalExtension: extension && inspection.format && extension !== inspection.format ? extension : null,
      folder: options.folder,
      assetFolder: options.assetFolder,
      displayName: options.displayName ?? publicId.split('/').pop()!,
      tags: options.tags,
      context: options.context,
      customCoordinates: options.customCoordinates,
      faceCoordinates: options.faceCoordinates,
    };
    let result: UploadResult | undefined;
    const notify = (published: UploadResult) => {
      if (options.notificationUrl) webhooks.enqueue(options.notificationUrl, uploadNotificationBody(published, at));
    };
    const outcome = await assets.commit(draft, file.path, {
      overwrite: options.overwrite,
      link,
      onCommit: (record) => {
        const deleteToken = options.returnDeleteToken ? tokens.issue(record.assetId, record.versionId) : undefined;
        result = toUploadResult(record, jsonContext, { deleteToken });
        // Inside the asset's transaction: the callback is queued if and only if the asset is published.
        notify(result);
        onResult?.(result);
      },
    });
    if (outcome.existing) {
      result = toUploadResult(outcome.record, jsonContext, { existing: true });
      notify(result);
      onResult?.(result);
    }
    return result!;
  };

  /** The `file` param given as text: a data: URI or an http(s) URL the server fetches (SSRF-guarded). */
  const stageFileParam = async (bag: ParamBag, maxBytes: number, signal?: AbortSignal): Promise<StagedFile> => {
    const value = scalar(bag, 'file');
    if (value === undefined || value === '') throw badRequest('missing_file', 'Missing required parameter - file');
    if (value.startsWith('data:')) return staging.fromDataUri(value, maxBytes);
    const remote = await fetcher.open(value, { maxBytes, signal });
    const leaf = decodeSafely(remote.url.pathname.split('/').pop() ?? '');
    return staging.fromStream(remote.body, maxBytes, leaf || undefined);
  };

  /** A single-request upload (multipart file part, data: URI or URL). */
  const uploadWhole = async ({ requested, bag, auth, staged, signal }: WholeUpload): Promise<UploadResult> => {
    let file = staged;
    try {
      const options = optionsFor(bag, auth);
      file ??= await stageFileParam(bag, maxBytesFor(options), signal);
      return await publish(file, requested, options, false);
    } finally {
      staging.discard(file);
    }
  };

  /** One part of a chunked upload; the part that completes the file answers with the upload result. */
  const uploadPart = async ({ requested, bag, auth, range, body }: PartUpload) => {
    const options = optionsFor(bag, auth);
    const maxBytes = maxBytesFor(options);
    if ((range.total ?? range.end + 1) > maxBytes) throw tooLarge(range.total ?? `more than ${range.end}`, maxBytes);
    const filename = scalar(bag, 'filename_override');
    return chunks.receivePart(
      { key: uploadKey(auth, requested, range.uploadId), resourceType: requested, boundParams: boundParams(bag), range, body },
      (file) => publish({ ...file, filename }, requested, options, true, file.markDone),
    );
  };

  const findAsset = (resourceType: ResourceType, type: AssetRecord['type'], publicId: string) => assets.find(resourceType, type, publicId);

  return {
    config,
    assets,
    derivatives,
    presets,
    tokens,
    staging,
    jsonContext,
    authenticate: authenticator.authenticate,
    requireAccount: authenticator.requireAccount,
    uploadWhole,
    uploadPart,
    findAsset,
    /** Removes expired chunked uploads and delete tokens. */
    sweep: () => ({ uploads: chunks.sweepExpired(), tokens: tokens.purgeExpired() }),
  };
}

export type LocalCloud = ReturnType<typeof createLocalCloud>;

function checkFormat(allowed: string[] | null, format: string | null, resourceType: ResourceType) {
  if (!allowed) return;
  const normalized = format === 'jpeg' ? 'jpg' : format;
  const accepted = allowed.map((entry) => (entry === 'jpeg' ? 'jpg' : entry));
  if (!normalized || !accepted.includes(normalized)) {
    throw badRequest('format_not_allowed', `${resourceType === 'image' ? 'Image' : 'File'} file format ${format ?? '(none)'} not allowed`);
  }
}

/** Upload ids are chosen by clients: namespace them by credentials so one client cannot touch another's upload. */
function uploadKey(auth: UploadAuth, requested: string, uploadId: string): string {
  return createHash('sha256').update(`${auth.identity}\n${requested}\n${uploadId}`).digest('hex').slice(0, 40);
}

function boundParams(bag: ParamBag): string {
  const entries = [...bag.entries()].filter(([key]) => !PER_PART_PARAMS.has(key)).sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify(entries);
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
