import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { Hono, type Context } from 'hono';
import { AppError } from '../errors.ts';
import type { LocalCloud } from '../storage/local/local-cloud.ts';
import { DELIVERY_TYPES, RESOURCE_TYPES, type AssetRecord, type DeliveryType, type ResourceType } from '../storage/types.ts';

/** Types a browser would run or render as a document: never served inline as themselves. */
const ACTIVE_TYPES = /^(text\/html|application\/xhtml\+xml|image\/svg\+xml|text\/xml|application\/xml|application\/javascript|text\/javascript)/;

interface DeliveryPath {
  version: number | null;
  /** The path after the optional version: a public id, perhaps with a format extension. */
  rest: string;
}

function parsePath(raw: string): DeliveryPath {
  let rest: string;
  try {
    rest = decodeURIComponent(raw);
  } catch {
    throw new AppError('not_found', 'Resource not found', 404);
  }
  const versioned = /^v(\d{1,12})\/(.+)$/.exec(rest);
  return versioned ? { version: Number(versioned[1]), rest: versioned[2]! } : { version: null, rest };
}

/** Finds the asset a delivery path names: `<public_id>.<format>` or, for raw files, the public id itself. */
function locate(cloud: LocalCloud, resourceType: ResourceType, type: DeliveryType, rest: string): AssetRecord | null {
  const exact = cloud.findAsset(resourceType, type, rest);
  if (exact && (exact.format === null || resourceType === 'raw')) return exact;
  const dot = rest.lastIndexOf('.');
  if (dot > 0) {
    const record = cloud.findAsset(resourceType, type, rest.slice(0, dot));
    if (record && record.format === rest.slice(dot + 1).toLowerCase()) return record;
  }
  return exact;
}

/** Safety headers for user content: no sniffing, and nothing active rendered as a document of this origin. */
export function contentSafetyHeaders(record: AssetRecord): Record<string, string> {
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

/** Delivery of stored originals: `/res/:cloud/:resource_type/:type/[v<version>/]<public_id>.<format>`. */
export function deliveryRoutes(cloud: LocalCloud) {
  const app = new Hono();

  const serve = async (c: Context) => {
    const { cloud: cloudName, resource_type: resourceType, type } = c.req.param() as Record<string, string>;
    if (cloudName !== cloud.config.account.cloudName) throw new AppError('unknown_cloud', 'Resource not found', 404);
    if (!(RESOURCE_TYPES as readonly string[]).includes(resourceType!) || !(DELIVERY_TYPES as readonly string[]).includes(type!)) {
      throw new AppError('not_found', 'Resource not found', 404);
    }
    const pathname = new URL(c.req.url).pathname;
    const prefix = `/res/${cloudName}/${resourceType}/${type}/`;
    const { version, rest } = parsePath(pathname.slice(prefix.length));
    const record = locate(cloud, resourceType as ResourceType, type as DeliveryType, rest);
    if (!record) throw new AppError('not_found', 'Resource not found', 404);

    const path = cloud.assets.pathOf(record);
    const info = await stat(path).catch(() => null);
    if (!info) throw new AppError('not_found', 'Resource not found', 404);
    const etag = `"${record.etag}"`;
    const headers: Record<string, string> = {
      ...contentSafetyHeaders(record),
      'Content-Type': record.mimeType,
      ETag: etag,
      'Last-Modified': new Date(record.version * 1000).toUTCString(),
      'Cache-Control': version === record.version ? 'public, max-age=31536000, immutable' : 'public, max-age=60, must-revalidate',
      'Accept-Ranges': 'bytes',
    };
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
    if (c.req.method === 'HEAD') return c.body(null, 200, { ...headers, 'Content-Length': String(info.size) });
    const body = Readable.toWeb(createReadStream(path)) as ReadableStream;
    return c.body(body, 200, { ...headers, 'Content-Length': String(info.size) });
  };

  app.get('/:cloud/:resource_type/:type/*', serve);
  app.on('HEAD', '/:cloud/:resource_type/:type/*', serve);
  app.onError((error, c) => {
    const status = error instanceof AppError ? error.status : 500;
    if (status >= 500) console.error('[updraft] delivery error', error);
    return c.text(error instanceof AppError ? error.message : 'Internal error', status as 404);
  });
  return app;
}
