import { Hono, type Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { AppError, badRequest } from '../errors.ts';
import { apiError, ADMIN_SDK_STATUSES } from '../http/api-error.ts';
import { scalar, type ParamBag } from '../http/param-bag.ts';
import { parseBool } from '../http/param-values.ts';
import { bodyKind, readParamBody } from '../http/request-body.ts';
import { requireCloud } from '../middleware/require-cloud.ts';
import { toResourceJson } from '../storage/local/asset-json.ts';
import type { LocalCloud } from '../storage/local/local-cloud.ts';
import { presetFromBag } from '../storage/local/preset-settings.ts';
import type { Preset } from '../storage/local/preset-store.ts';
import { DELIVERY_TYPES, RESOURCE_TYPES, type AssetRecord, type DeliveryType, type ResourceType } from '../storage/types.ts';

type Env = { Bindings: HttpBindings };

const MAX_BODY = 256 * 1024;

function maxResults(bag: ParamBag, fallback: number): number {
  const raw = scalar(bag, 'max_results');
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > 500) throw badRequest('invalid_param', 'max_results must be between 1 and 500');
  return Number(raw);
}

function resourceTypeParam(value: string | undefined): ResourceType {
  if (!value || !(RESOURCE_TYPES as readonly string[]).includes(value)) throw new AppError('not_found', `Invalid resource type ${String(value).slice(0, 40)}`, 404);
  return value as ResourceType;
}

function deliveryTypeParam(value: string | undefined): DeliveryType {
  if (!value || !(DELIVERY_TYPES as readonly string[]).includes(value)) throw new AppError('not_found', `Invalid type ${String(value).slice(0, 40)}`, 404);
  return value as DeliveryType;
}

/** The part of Cloudinary's Admin API that the widget and the SDKs use, behind HTTP Basic api_key:api_secret. */
export function adminApiRoutes(cloud: LocalCloud) {
  const app = new Hono<Env>();
  app.onError((error, c) => apiError(c, error, ADMIN_SDK_STATUSES));
  app.use('/:cloud/*', requireCloud(cloud.config.account.cloudName));

  const params = async (c: Context<Env>): Promise<ParamBag> => {
    const query = new URL(c.req.url).searchParams;
    const kind = bodyKind(c.req.header('content-type'));
    if (kind === 'multipart') throw new AppError('unsupported_media_type', 'The Admin API takes JSON or urlencoded bodies', 415);
    return readParamBody(c.env.incoming, kind, MAX_BODY, query);
  };

  /** Authenticated params of an Admin API call. */
  const adminParams = async (c: Context<Env>): Promise<ParamBag> => {
    const authorization = c.req.header('authorization');
    if (!authorization || !/^basic /i.test(authorization)) {
      c.header('WWW-Authenticate', 'Basic realm="Updraft Admin API"');
      throw new AppError('unauthorized', 'Must supply api_key', 401);
    }
    const bag = await params(c);
    cloud.requireAccount({ bag, authorization });
    return bag;
  };

  const presetJson = (preset: Preset) => ({ name: preset.name, unsigned: preset.unsigned, external_id: preset.externalId, settings: preset.settings });
  const resourceJson = (record: AssetRecord) => toResourceJson(record, cloud.jsonContext);

  app.get('/:cloud/upload_presets', async (c) => {
    const bag = await adminParams(c);
    const page = cloud.presets.list(maxResults(bag, 10), scalar(bag, 'next_cursor'));
    return c.json({ presets: page.presets.map(presetJson), next_cursor: page.nextCursor });
  });

  app.get('/:cloud/upload_presets/:name', async (c) => {
    await adminParams(c);
    const preset = cloud.presets.get(c.req.param('name'));
    if (!preset) throw new AppError('not_found', `Can't find upload preset ${c.req.param('name')}`, 404);
    return c.json(presetJson(preset));
  });

  app.post('/:cloud/upload_presets', async (c) => {
    const { name, unsigned, settings } = presetFromBag(await adminParams(c));
    const presetName = name ?? `preset_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const created = cloud.presets.create(presetName, unsigned ?? false, settings);
    if (!created) throw new AppError('preset_exists', `Upload preset ${presetName} already exists`, 409);
    return c.json({ message: 'created', name: created.name, external_id: created.externalId });
  });

  app.put('/:cloud/upload_presets/:name', async (c) => {
    const { unsigned, settings } = presetFromBag(await adminParams(c));
    const existing = cloud.presets.get(c.req.param('name'));
    if (!existing) throw new AppError('not_found', `Can't find upload preset ${c.req.param('name')}`, 404);
    const saved = cloud.presets.save(existing.name, unsigned ?? existing.unsigned, { ...existing.settings, ...settings })!;
    return c.json({ message: 'updated', external_id: saved.externalId });
  });

  app.delete('/:cloud/upload_presets/:name', async (c) => {
    await adminParams(c);
    const removed = cloud.presets.delete(c.req.param('name'));
    if (!removed) throw new AppError('not_found', `Can't find upload preset ${c.req.param('name')}`, 404);
    return c.json({ message: 'deleted', external_id: removed.externalId });
  });

  const listResources = async (c: Context<Env>, filter: { resourceType: ResourceType; type?: DeliveryType; tag?: string }) => {
    const bag = await adminParams(c);
    const publicIds = bag.get('public_ids');
    const page = cloud.assets.list({
      ...filter,
      prefix: scalar(bag, 'prefix') || undefined,
      publicIds: publicIds === undefined ? undefined : Array.isArray(publicIds) ? publicIds : [publicIds],
      maxResults: maxResults(bag, 10),
      cursor: scalar(bag, 'next_cursor'),
    });
    const withTags = parseBool('tags', scalar(bag, 'tags')) ?? true;
    const withContext = parseBool('context', scalar(bag, 'context')) ?? true;
    const resources = page.records.map((record) => {
      const json: Record<string, unknown> = resourceJson(record);
      if (!withTags) delete json.tags;
      if (!withContext) delete json.context;
      return json;
    });
    return c.json({ resources, ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}) });
  };

  app.get('/:cloud/resources/:resource_type', (c) => listResources(c, { resourceType: resourceTypeParam(c.req.param('resource_type')) }));
  app.get('/:cloud/resources/:resource_type/tags/:tag', (c) =>
    listResources(c, { resourceType: resourceTypeParam(c.req.param('resource_type')), tag: c.req.param('tag') }),
  );
  app.get('/:cloud/resources/:resource_type/:type', (c) =>
    listResources(c, { resourceType: resourceTypeParam(c.req.param('resource_type')), type: deliveryTypeParam(c.req.param('type')) }),
  );

  /** The public id after `/resources/<rt>/<type>/`, which SDKs send percent-encoded (slashes as %2F). */
  const publicIdFromPath = (c: Context<Env>) => {
    const path = new URL(c.req.url).pathname;
    const marker = `/resources/${c.req.param('resource_type')}/${c.req.param('type')}/`;
    const raw = path.slice(path.indexOf(marker) + marker.length);
    try {
      return decodeURIComponent(raw);
    } catch {
      throw badRequest('invalid_public_id', 'Invalid public_id encoding');
    }
  };

  app.get('/:cloud/resources/:resource_type/:type/*', async (c) => {
    await adminParams(c);
    const resourceType = resourceTypeParam(c.req.param('resource_type'));
    const type = deliveryTypeParam(c.req.param('type'));
    const publicId = publicIdFromPath(c);
    const record = cloud.findAsset(resourceType, type, publicId);
    if (!record) throw new AppError('not_found', `Resource not found - ${publicId}`, 404);
    return c.json(resourceJson(record));
  });

  app.delete('/:cloud/resources/:resource_type/:type', async (c) => {
    const bag = await adminParams(c);
    const resourceType = resourceTypeParam(c.req.param('resource_type'));
    const type = deliveryTypeParam(c.req.param('type'));
    const requested = bag.get('public_ids');
    const prefix = scalar(bag, 'prefix');
    const deleted: Record<string, string> = {};
    if (requested !== undefined) {
      const ids = Array.isArray(requested) ? requested : requested.split(',');
      if (ids.length > 100) throw badRequest('invalid_param', 'At most 100 public_ids per call');
      for (const id of ids) {
        const record = cloud.findAsset(resourceType, type, id);
        if (record) await cloud.assets.remove(record);
        deleted[id] = record ? 'deleted' : 'not_found';
      }
    } else if (prefix) {
      const page = cloud.assets.list({ resourceType, type, prefix, maxResults: 1000 });
      for (const record of page.records) {
        await cloud.assets.remove(record);
        deleted[record.publicId] = 'deleted';
      }
      return c.json({ deleted, partial: page.nextCursor !== null });
    } else {
      throw badRequest('invalid_param', 'Missing required parameter - public_ids');
    }
    return c.json({ deleted, partial: false });
  });

  app.get('/:cloud/tags/:resource_type', async (c) => {
    const bag = await adminParams(c);
    const resourceType = resourceTypeParam(c.req.param('resource_type'));
    const page = cloud.assets.listTags(resourceType, scalar(bag, 'prefix'), maxResults(bag, 10), scalar(bag, 'next_cursor'));
    return c.json({ tags: page.tags, ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}) });
  });

  return app;
}
