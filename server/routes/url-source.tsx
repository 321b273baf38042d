import { Hono, type Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { Child } from 'hono/jsx';
import type { ResolvedConfig } from '../config.ts';
import { AppError } from '../errors.ts';
import { readBoundedBody } from '../http/request-body.ts';
import type { FrameTokens } from '../services/frame-tokens.ts';
import type { JobLimiter } from '../services/job-limiter.ts';
import { createRateLimiter } from '../services/rate-limiter.ts';
import type { RemoteFetcher } from '../services/remote-fetch.ts';
import { formatFileSize, resolveTexts, t as translate } from '../services/texts.ts';
import { createUrlProbe, type UrlProbeResult } from '../services/url-probe.ts';
import { urlProblem, type UrlProblem } from '../services/url-problem.ts';
import { createUrlThumbnails } from '../services/url-thumbnail.ts';
import { UrlPreview, UrlProblemNote } from '../../views/components/url-source.tsx';
import type { TextLookup } from '../../views/components/text-lookup.ts';
import { UrlPreviewPage } from '../../views/pages/url-preview.tsx';

type Env = { Bindings: HttpBindings };

export interface UrlSourceRouteDeps {
  config: ResolvedConfig;
  fetcher: RemoteFetcher;
  frameTokens: FrameTokens;
  /** Shared with delivery: thumbnails take the same image-job slots. */
  imageJobs: JobLimiter;
  now: () => number;
}

/** The form carries a URL (at most 2 KB), a token and a language. */
const MAX_FORM_BYTES = 16 * 1024;
/** Previews per client address per minute: each one makes the server dial out. */
const PREVIEWS_PER_MINUTE = 30;
/** Remote images larger than this get no thumbnail (the preview still shows name, type and size). */
const MAX_THUMBNAIL_SOURCE_BYTES = 25 * 1024 * 1024;
/** Types the preview offers a thumbnail for (the thumbnail route checks the bytes themselves). */
const PREVIEWABLE = /^image\/(jpeg|png|gif|webp|avif|tiff)$/;

/**
 * Web Address: `POST /widget/url/preview` checks and probes a URL for a frame this server rendered and answers
 * with a preview (or a plain-words problem) — a fragment for the island (`HX-Request: true`), a minimal page
 * for a plain form POST — and `GET /widget/url/thumbnail` renders the previewed image small.
 */
export function urlSourceRoutes({ config, fetcher, frameTokens, imageJobs, now }: UrlSourceRouteDeps) {
  const app = new Hono<Env>();
  const probe = createUrlProbe({ fetcher, maxBytes: config.limits.maxFileBytes });
  const thumbnails = createUrlThumbnails({
    fetcher,
    limiter: imageJobs,
    apiSecret: config.account.apiSecret,
    now,
    maxSourceBytes: Math.min(MAX_THUMBNAIL_SOURCE_BYTES, config.limits.maxFileBytes),
    maxInputPixels: config.limits.maxImagePixels,
  });
  const perAddress = createRateLimiter({ limit: PREVIEWS_PER_MINUTE, windowMs: 60_000, now });
  const previewAction = `${config.basePath}/widget/url/preview`;

  app.post('/widget/url/preview', async (c) => {
    const body = await readBoundedBody(c.env.incoming, MAX_FORM_BYTES).catch(() => null);
    const isForm = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase() === 'application/x-www-form-urlencoded';
    const fields = new URLSearchParams(body && isForm ? body.toString('utf8') : '');
    const { texts, language } = resolveTexts({ language: fields.get('language') ?? undefined });
    const t: TextLookup = (key, vars) => translate(texts, key, vars);
    const input = (fields.get('url') ?? '').trim();
    const hostOrigin = frameTokens.verify(fields.get('token') ?? undefined);
    const token = hostOrigin ? fields.get('token')! : null;

    const respond = (fragment: Child, status: number) => {
      c.header('Vary', 'HX-Request');
      c.header('Cache-Control', 'no-store');
      if (c.req.header('hx-request') === 'true') return c.html(<>{fragment}</>, status as 200);
      // The plain POST replaced the frame's document: it may be framed by the page the token names.
      c.header('Content-Security-Policy', `default-src 'none'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors ${token ? hostOrigin : "'none'"}`);
      c.header('Referrer-Policy', 'no-referrer');
      return c.html(
        <UrlPreviewPage t={t} language={language} form={{ action: previewAction, token: token ?? '', value: input }}>
          {fragment}
        </UrlPreviewPage>,
        status as 200,
      );
    };
    const refuse = (problem: UrlProblem) => respond(<UrlProblemNote code={problem.code} message={problem.message} />, problem.status);

    if (!body) return refuse({ code: 'field_too_large', message: t('url.errors.too_long', { max: MAX_FORM_BYTES }), status: 413 });
    if (!token) return refuse({ code: 'invalid_token', message: t('url.errors.expired'), status: 403 });
    const wait = perAddress.hit(c.env.incoming.socket.remoteAddress ?? 'unknown');
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      return refuse({ code: 'rate_limited', message: t('url.errors.rate_limited', { seconds: wait }), status: 429 });
    }
    if (!input) return refuse({ code: 'missing_file', message: t('url.errors.empty'), status: 400 });
    let found: UrlProbeResult;
    try {
      found = await probe.probe(input);
    } catch (error) {
      return refuse(urlProblem(error, input, texts));
    }
    const thumbnailUrl = PREVIEWABLE.test(found.type) ? `${config.basePath}/widget/url/thumbnail?u=${encodeURIComponent(thumbnails.seal(found.url))}` : null;
    const sizeLabel = found.size === null ? t('uploader.filesize.na') : formatFileSize(found.size, texts, language);
    return respond(<UrlPreview t={t} file={found} sizeLabel={sizeLabel} thumbnailUrl={thumbnailUrl} />, 200);
  });

  app.get('/widget/url/thumbnail', async (c) => {
    try {
      const image = await thumbnails.render(c.req.query('u'));
      return c.body(new Uint8Array(image), 200, {
        'Content-Type': 'image/webp',
        'Cache-Control': `private, max-age=${thumbnails.maxAgeSeconds}`,
        'Cross-Origin-Resource-Policy': 'same-origin',
        'Content-Security-Policy': "default-src 'none'",
      });
    } catch (error) {
      const status = error instanceof AppError ? error.status : 500;
      // A remote failure is the remote's (502), not this server's; the preview then shows no thumbnail.
      const answer = status >= 500 && status !== 503 ? 502 : status;
      return c.text(error instanceof AppError ? error.message : 'The thumbnail could not be made', answer as 400, { 'Cache-Control': 'no-store' });
    }
  });

  return app;
}
