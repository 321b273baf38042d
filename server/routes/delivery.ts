import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Hono, type Context } from 'hono';
import { AppError } from '../errors.ts';
import { sendFile } from '../http/send-file.ts';
import { canonicalTransformation, looksLikeTransformation, OUTPUT_FORMATS, parseTransformation, type OutputFormat, type TransformStep } from '../services/transformation.ts';
import { renderImage, type RenderSource } from '../storage/local/image-renderer.ts';
import type { LocalCloud } from '../storage/local/local-cloud.ts';
import { DELIVERY_TYPES, RESOURCE_TYPES, type AssetRecord, type DeliveryType, type ResourceType } from '../storage/types.ts';

/** Types a browser would run or render as a document: never served inline as themselves. */
const ACTIVE_TYPES = /^(text\/html|application\/xhtml\+xml|image\/svg\+xml|text\/xml|application\/xml|application\/javascript|text\/javascript)/;
const VIDEO_PLACEHOLDER = fileURLToPath(new URL('../../public/icons/video.svg', import.meta.url));
const OUTPUT_MIME: Record<OutputFormat, string> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp', avif: 'image/avif', gif: 'image/gif' };
const YEAR = 31_536_000;

const notFound = () => new AppError('not_found', 'Resource not found', 404);

interface DeliveryRequest {
  steps: TransformStep[];
  version: number | null;
  /** Public id plus, perhaps, a format extension. */
  rest: string;
}

/**
 * Splits `[transformations/][v<version>/]<public_id>.<ext>`. Segments before a version segment must be
 * transformations; without a version, leading segments that read as transformations are.
 */
export function parseDeliveryPath(raw: string): DeliveryRequest {
  let segments: string[];
  try {
    segments = raw.split('/').map(decodeURIComponent);
  } catch {
    throw notFound();
  }
  const versionAt = segments.findIndex((segment) => /^v\d{1,12}$/.test(segment));
  let transformationEnd = 0;
  if (versionAt >= 0 && versionAt < segments.length - 1) transformationEnd = versionAt;
  else while (transformationEnd < segments.length - 1 && looksLikeTransformation(segments[transformationEnd]!)) transformationEnd++;
  const transformation = segments.slice(0, transformationEnd).join('/');
  const hasVersion = versionAt >= 0 && versionAt === transformationEnd && versionAt < segments.length - 1;
  return {
    steps: transformation ? parseTransformation(transformation) : [],
    version: hasVersion ? Number(segments[versionAt]!.slice(1)) : null,
    rest: segments.slice(transformationEnd + (hasVersion ? 1 : 0)).join('/'),
  };
}

/** Safety headers for user content: no sniffing, and nothing active rendered as a document of this origin. */
export function contentSafetyHeaders(record: Pick<AssetRecord, 'mimeType' | 'resourceType' | 'publicId'>): Record<string, string> {
  const headers: Record<string, string> = {
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Resource-Policy': 'cross-origin',
    'Access-Control-Allow-Origin': '*',
  };
  const active = ACTIVE_TYPES.test(record.mimeType);
  if (active || record.resourceType === 'raw') {
    headers['Content-Security-Policy'] = "default-src 'none'; style-src 'unsafe-inline'; sandbox";
  }
  if (record.resourceType === 'raw' || (active && record.mimeType !== 'image/svg+xml')) {
    const name = record.publicId.split('/').pop()!.replace(/[^\w.-]/g, '_');
    headers['Content-Disposition'] = `attachment; filename="${name}"`;
  }
  return headers;
}

/** The asset a path names and the extension asked for (null: the stored format / raw). */
function locate(cloud: LocalCloud, resourceType: ResourceType, type: DeliveryType, rest: string): { record: AssetRecord; extension: string | null } | null {
  if (resourceType !== 'raw') {
    const dot = rest.lastIndexOf('.');
    if (dot > 0) {
      const record = cloud.findAsset(resourceType, type, rest.slice(0, dot));
      if (record) return { record, extension: rest.slice(dot + 1).toLowerCase() };
    }
  }
  const exact = cloud.findAsset(resourceType, type, rest);
  return exact ? { record: exact, extension: null } : null;
}

/** The output format: f_auto by the Accept header, else the extension, else the stored format. */
function outputFormat(steps: TransformStep[], extension: string | null, stored: string | null, accept: string): OutputFormat | null {
  const requested = steps.findLast((step) => step.format)?.format;
  if (requested === 'auto') {
    if (/image\/avif/.test(accept)) return 'avif';
    if (/image\/webp/.test(accept)) return 'webp';
  } else if (requested) {
    return requested;
  }
  const wanted = extension === 'jpeg' ? 'jpg' : (extension ?? stored);
  if (wanted && (OUTPUT_FORMATS as readonly string[]).includes(wanted)) return wanted as OutputFormat;
  if (requested === 'auto') return 'jpg';
  return null;
}

/** Delivery: `/res/:cloud/:resource_type/:type/[transformations/][v<version>/]<public_id>.<format>`. */
export function deliveryRoutes(cloud: LocalCloud) {
  const { limits } = cloud.config;
  const app = new Hono();
  const { derivatives } = cloud;
  const renderLimits = { maxInputPixels: limits.maxImagePixels, maxOutputPixels: limits.maxOutputPixels };

  const serve = async (c: Context) => {
    const { cloud: cloudName, resource_type: resourceType, type } = c.req.param() as Record<string, string>;
    if (cloudName !== cloud.config.account.cloudName) throw notFound();
    if (!(RESOURCE_TYPES as readonly string[]).includes(resourceType!) || !(DELIVERY_TYPES as readonly string[]).includes(type!)) throw notFound();
    const pathname = new URL(c.req.url).pathname;
    // Searched, not sliced from the start: a host may mount Updraft under a prefix (`/uploads/res/...`).
    const marker = `/res/${cloudName}/${resourceType}/${type}/`;
    const request = parseDeliveryPath(pathname.slice(pathname.indexOf(marker) + marker.length));
    const found = locate(cloud, resourceType as ResourceType, type as DeliveryType, request.rest);
    if (!found) throw notFound();
    const { record, extension } = found;
    const versioned = request.version === record.version;
    const cacheControl = versioned ? `public, max-age=${YEAR}, immutable` : 'public, max-age=60, must-revalidate';
    const accept = c.req.header('accept') ?? '';

    const original = async () => {
      const info = await stat(cloud.assets.pathOf(record)).catch(() => null);
      if (!info) throw notFound();
      return sendFile(c, {
        path: cloud.assets.pathOf(record),
        size: info.size,
        contentType: record.mimeType,
        etag: record.etag,
        lastModified: new Date(record.version * 1000),
        headers: { ...contentSafetyHeaders(record), 'Cache-Control': cacheControl },
      });
    };

    if (record.resourceType === 'raw') {
      if (request.steps.length) throw new AppError('invalid_transformation', 'Transformations are not supported for raw files', 400);
      return original();
    }
    const format = outputFormat(request.steps, extension, record.resourceType === 'image' ? record.format : null, accept);
    const isVideoFrame = record.resourceType === 'video' && format !== null && (extension !== null || request.steps.length > 0) && extension !== record.format;
    const sameAsStored = request.steps.length === 0 && (extension === null || extension === record.format || (extension === 'jpeg' && record.format === 'jpg'));
    if (sameAsStored) return original();
    if (record.resourceType === 'video' && !isVideoFrame) {
      throw new AppError('invalid_transformation', 'The local cloud delivers videos as stored: no video transformations', 400);
    }
    if (!format) throw new AppError('invalid_transformation', `Cannot deliver ${record.format ?? 'this file'} as ${extension ?? 'requested'}`, 400);

    // Videos get a generic placeholder frame (no video decoder here), sized like a real thumbnail would be.
    const source: RenderSource = isVideoFrame
      ? { path: VIDEO_PLACEHOLDER, format: 'svg', customCoordinates: null, faceCoordinates: null }
      : { path: cloud.assets.pathOf(record), format: record.format!, customCoordinates: record.customCoordinates, faceCoordinates: record.faceCoordinates };
    const variant = `${isVideoFrame ? 'video-placeholder|' : ''}${record.customCoordinates ?? ''}|${record.faceCoordinates ?? ''}|${canonicalTransformation(request.steps)}`;
    const derivative = await derivatives.get(record.assetId, record.versionId, variant, format, () => renderImage(source, request.steps, format, renderLimits));
    const usesAccept = request.steps.some((step) => step.format === 'auto');
    return sendFile(c, {
      path: derivative.path,
      size: derivative.bytes,
      contentType: OUTPUT_MIME[format],
      etag: derivative.tag,
      lastModified: new Date(record.version * 1000),
      headers: {
        ...contentSafetyHeaders({ ...record, mimeType: OUTPUT_MIME[format] }),
        'Cache-Control': cacheControl,
        ...(usesAccept ? { Vary: 'Accept' } : {}),
      },
    });
  };

  app.get('/:cloud/:resource_type/:type/*', serve);
  app.on('HEAD', '/:cloud/:resource_type/:type/*', serve);
  app.onError((error, c) => {
    const appError = error instanceof AppError ? error : null;
    if (!appError) console.error('[updraft] delivery error', error);
    const status = appError?.status ?? 500;
    const message = appError?.message ?? 'Internal error';
    const headers: Record<string, string> = { 'X-Cld-Error': message.replace(/[^\x20-\x7e]/g, '?').slice(0, 500) };
    if (status === 503) headers['Retry-After'] = '2';
    return c.text(message, status as 400, headers);
  });
  return app;
}
