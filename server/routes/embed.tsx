import { randomBytes } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { Hono, type Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { ResolvedConfig } from '../config.ts';
import { AppError, isAppError } from '../errors.ts';
import { readMultipart } from '../http/multipart.ts';
import { scalar } from '../http/param-bag.ts';
import { bodyKind } from '../http/request-body.ts';
import type { BuiltAssets } from '../services/built-assets.ts';
import type { RemoteFetcher } from '../services/remote-fetch.ts';
import { createSealer } from '../services/sealed-data.ts';
import { formatFileSize, resolveTexts, t as translate, type Texts } from '../services/texts.ts';
import { createUrlProbe } from '../services/url-probe.ts';
import { urlProblem } from '../services/url-problem.ts';
import { frameScriptOptions, normalizeWidgetOptions, type WidgetOptions } from '../services/widget-options.ts';
import type { StagedFile, Staging } from '../storage/local/staging.ts';
import type { UploadBackend } from '../storage/upload-backend.ts';
import type { UploadResult } from '../storage/types.ts';
import { formatAllowed, kindOf, sizeLimitFor } from '../../islands/shared/file-kind.ts';
import { describeUpload, uploadIdentifier } from '../../islands/shared/upload-result.ts';
import { EmbedPage, type EmbedResult } from '../../views/pages/embed.tsx';
import type { TextLookup } from '../../views/components/text-lookup.ts';
import { acceptAttribute, apiBaseOf, scriptJson } from './widget.tsx';

type Env = { Bindings: HttpBindings };

const RESULTS_TTL_MS = 24 * 3600 * 1000;
const MAX_FILES_PER_POST = 20;

export interface EmbedRouteDeps {
  config: ResolvedConfig;
  assets: BuiltAssets;
  backend: UploadBackend;
  staging: Staging;
  /** The SSRF-guarded fetcher: a Web Address is probed (name, type, size) before it is uploaded. */
  fetcher: RemoteFetcher;
  now: () => number;
}

/** Query `?cloud_name=demo&maxFiles=3` → widget options (camelCase, checked like the widget's). */
function optionsFromQuery(query: URLSearchParams): WidgetOptions {
  const raw: Record<string, string> = {};
  for (const [key, value] of query) {
    if (key === 'r') continue;
    raw[key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase())] = value;
  }
  return normalizeWidgetOptions(raw).options;
}

type Received = { ok: true; file: StagedFile; name: string; type: string } | { ok: false; name: string; error: string };
type Outcome = { ok: true; result: EmbedResult } | { ok: false; error: string };

/**
 * The part's bytes up to `cap` + 1, then the rest drained: an oversized file is refused on its own while the
 * multipart parser goes on to the next part (destroying the part would stall the parser).
 */
function capped(source: Readable, cap: number): Readable {
  const out = new PassThrough();
  let passed = 0;
  source.on('data', (chunk: Buffer) => {
    if (passed > cap || out.destroyed) return;
    const piece = chunk.subarray(0, cap + 1 - passed);
    passed += piece.length;
    if (!out.write(piece)) source.pause();
    if (passed > cap) out.end();
  });
  out.on('drain', () => source.resume());
  out.on('close', () => source.resume());
  source.on('end', () => out.end());
  source.on('error', (error) => out.destroy(error));
  return out;
}

/**
 * `/widget/embed`: a hosted upload page configured by its query that works with JavaScript off — a multipart
 * form, validated and stored on the server through the configured backend, answered with POST-redirect-GET —
 * and shows the full widget when JavaScript runs.
 */
export function embedRoutes({ config, assets, backend, staging, fetcher, now }: EmbedRouteDeps) {
  const app = new Hono<Env>();
  const sealer = createSealer(config.account.apiSecret, 'embed results', now);
  const probe = createUrlProbe({ fetcher, maxBytes: config.limits.maxFileBytes });
  const loaderUrl = `${config.basePath}/latest/global/all.js`;

  /** A Web Address: probed through the guarded fetcher, checked like a file, then uploaded as `file=<url>`. */
  const uploadAddress = async (address: string, options: WidgetOptions, already: number, texts: Texts): Promise<Outcome> => {
    let found;
    try {
      found = await probe.probe(address);
    } catch (error) {
      return { ok: false, error: `${address}: ${urlProblem(error, address, texts).message}` };
    }
    const problem = checkCandidate({ name: found.name, type: found.type, bytes: found.size }, options, already, texts);
    if (problem) return { ok: false, error: `${found.name}: ${problem}` };
    try {
      return { ok: true, result: embedResult(found.name, await backend.uploadUrl(found.url, uploadParams(options)), options) };
    } catch (error) {
      return { ok: false, error: `${found.name}: ${isAppError(error) ? error.message : translate(texts, 'notifications.general_error')}` };
    }
  };

  const render = (c: Context<Env>, options: WidgetOptions, results: EmbedResult[], errors: string[], status: 200 | 400) => {
    const { texts, language } = resolveTexts({ language: options.language, text: options.text });
    const t: TextLookup = (key, vars) => translate(texts, key, vars);
    const query = new URL(c.req.url).searchParams;
    query.delete('r');
    const cloudName = options.cloudName ?? config.account.cloudName;
    const fatal =
      config.uploadTarget.kind === 'local' && cloudName !== config.account.cloudName
        ? t('updraft.unknown_cloud', { cloud: cloudName })
        : !options.uploadPreset
          ? t('updraft.missing_preset')
          : null;
    const nonce = randomBytes(16).toString('base64');
    const frameAncestors = config.allowedOrigins.includes('*') ? '*' : config.allowedOrigins.join(' ') || "'none'";
    c.header('Content-Security-Policy', `default-src 'self'; script-src 'self' 'nonce-${nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: ${new URL(apiBaseOf(config)).origin} https://res.cloudinary.com; frame-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors ${frameAncestors}`);
    c.header('Cache-Control', 'no-store');
    return c.html(
      <EmbedPage
        nonce={nonce}
        t={t}
        language={language}
        action={`${config.basePath}/widget/embed?${query}`}
        resultsToken={sealer.seal(results, RESULTS_TTL_MS)}
        results={results}
        errors={errors}
        multiple={options.multiple && options.maxFiles !== 1}
        webAddress={offersWebAddress(options)}
        accept={acceptAttribute(options.clientAllowedFormats)}
        fatal={fatal}
        loaderUrl={loaderUrl}
        widgetOptionsJson={scriptJson({ ...frameScriptOptions(options), cloudName, extraParams: undefined, ...options.extraParams })}
      />,
      status,
    );
  };

  app.get('/widget/embed', (c) => {
    const options = optionsFromQuery(new URL(c.req.url).searchParams);
    const results = sealer.open<EmbedResult[]>(c.req.query('r')) ?? [];
    return render(c, options, results, [], 200);
  });

  app.post('/widget/embed', async (c) => {
    const query = new URL(c.req.url).searchParams;
    const options = optionsFromQuery(query);
    const { texts } = resolveTexts({ language: options.language, text: options.text });
    if (bodyKind(c.req.header('content-type')) !== 'multipart') throw new AppError('unsupported_media_type', 'Expected a multipart form', 415);
    const hardLimit = config.limits.maxFileBytes;
    let parsed;
    try {
      parsed = await readMultipart<Received>(c.env.incoming, {
        maxFields: 10,
        maxFieldBytes: 64 * 1024,
        maxFiles: MAX_FILES_PER_POST,
        maxFileBytes: Number.MAX_SAFE_INTEGER,
        onFile: async (stream, info) => {
          const name = info.filename ?? 'file';
          try {
            return { ok: true, file: await staging.fromStream(capped(stream, hardLimit), hardLimit, name), name, type: info.mimeType };
          } catch (error) {
            return { ok: false, name, error: isAppError(error) ? error.message : 'The file could not be received' };
          }
        },
        onDiscard: (received) => received.ok && staging.discard(received.file),
      });
    } catch (error) {
      return render(c, options, [], [isAppError(error) ? error.message : translate(texts, 'notifications.general_error')], 400);
    }
    const results = sealer.open<EmbedResult[]>(scalar(parsed.bag, 'results')) ?? [];
    const errors: string[] = [];
    // A form sent with no file chosen still carries an empty, nameless file part.
    const received = parsed.files.filter((file) => {
      const empty = file.ok && file.file.bytes === 0 && file.name === 'file';
      if (empty) staging.discard(file.file);
      return !empty;
    });
    for (const file of received) {
      if (!file.ok) {
        errors.push(`${file.name}: ${file.error}`);
        continue;
      }
      const problem = checkCandidate({ name: file.name, type: file.type, bytes: file.file.bytes }, options, results.length, texts);
      if (problem) {
        staging.discard(file.file);
        errors.push(`${file.name}: ${problem}`);
        continue;
      }
      try {
        results.push(embedResult(file.name, await backend.upload(file.file, uploadParams(options)), options));
      } catch (error) {
        errors.push(`${file.name}: ${isAppError(error) ? error.message : translate(texts, 'notifications.general_error')}`);
      }
    }
    const address = offersWebAddress(options) ? (scalar(parsed.bag, 'url') ?? '').trim() : '';
    if (address) {
      const outcome = await uploadAddress(address, options, results.length, texts);
      if (outcome.ok) results.push(outcome.result);
      else errors.push(outcome.error);
    }
    if (received.length === 0 && !address) errors.push(translate(texts, 'updraft.embed_no_file'));
    if (errors.length) return render(c, options, results, errors, 400);
    query.set('r', sealer.seal(results, RESULTS_TTL_MS));
    return c.redirect(`${config.basePath}/widget/embed?${query}`, 303);
  });

  return app;
}

/** The widget's own checks, on the server: count, format, size (a Web Address of unknown size passes that one). */
function checkCandidate(file: { name: string; type: string; bytes: number | null }, options: WidgetOptions, already: number, texts: Texts): string | null {
  if (options.maxFiles !== null && already >= options.maxFiles) return translate(texts, 'uploader.errors.max_number_of_files');
  if (options.clientAllowedFormats && !formatAllowed(file, options.clientAllowedFormats)) return translate(texts, 'uploader.errors.allowed_formats');
  const limit = sizeLimitFor(kindOf(file), options);
  if (limit !== null && file.bytes !== null && file.bytes > limit) {
    return translate(texts, 'uploader.errors.file_too_large', { size: formatFileSize(file.bytes, texts), allowed: formatFileSize(limit, texts) });
  }
  return null;
}

/** The page offers a Web Address field when the `url` source is among its sources (all are, by default). */
const offersWebAddress = (options: WidgetOptions) => options.sources === null || options.sources.includes('url');

function embedResult(name: string, result: UploadResult, options: WidgetOptions): EmbedResult {
  return {
    name,
    publicId: result.public_id,
    identifier: uploadIdentifier(result),
    thumbnailUrl: describeUpload(result, options.thumbnailTransformation).thumbnail_url ?? null,
  };
}

function uploadParams(options: WidgetOptions): Record<string, string> {
  const params: Record<string, string> = { ...options.extraParams, source: 'uw', upload_preset: options.uploadPreset ?? '' };
  if (options.folder) params.folder = options.folder;
  if (options.tags.length) params.tags = options.tags.join(',');
  if (options.useFilename !== null) params.use_filename = String(options.useFilename);
  if (options.uniqueFilename !== null) params.unique_filename = String(options.uniqueFilename);
  return params;
}
