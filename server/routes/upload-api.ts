import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import type { HttpBindings } from '@hono/node-server';
import { AppError, badRequest } from '../errors.ts';
import { apiError, UPLOAD_SDK_STATUSES } from '../http/api-error.ts';
import { parseChunkHeaders } from '../http/chunk-headers.ts';
import { readMultipart } from '../http/multipart.ts';
import { scalar, type ParamBag } from '../http/param-bag.ts';
import { bodyKind, readParamBody } from '../http/request-body.ts';
import { requireCloud } from '../middleware/require-cloud.ts';
import type { LocalCloud } from '../storage/local/local-cloud.ts';
import type { StagedFile } from '../storage/local/staging.ts';
import { DELIVERY_TYPES, RESOURCE_TYPES, type DeliveryType, type RequestedResourceType, type ResourceType } from '../storage/types.ts';

type Env = { Bindings: HttpBindings };

const REQUESTED_TYPES: readonly string[] = [...RESOURCE_TYPES, 'auto'];

function requestedType(value: string | undefined): RequestedResourceType {
  const type = value ?? 'auto';
  if (!REQUESTED_TYPES.includes(type)) throw new AppError('not_found', `Invalid resource type ${type.slice(0, 40)}`, 404);
  return type as RequestedResourceType;
}

function storedType(value: string | undefined): ResourceType {
  const type = requestedType(value);
  if (type === 'auto') throw badRequest('invalid_param', 'Resource type auto is not valid here: use image, video or raw');
  return type;
}

/** The embedded Upload API: upload (whole or chunked), destroy, delete_by_token (spec part 2). */
export function uploadApiRoutes(cloud: LocalCloud) {
  const { limits } = cloud.config;
  const app = new Hono<Env>();

  // Browsers upload from any page (as to api.cloudinary.com); auth is by signature or preset, never cookies.
  const corsForUploads = cors({
    origin: '*',
    allowMethods: ['POST', 'OPTIONS'],
    allowHeaders: ['Content-Type', 'Content-Range', 'X-Unique-Upload-Id', 'X-Requested-With', 'Authorization'],
    exposeHeaders: ['X-Cld-Error'],
    maxAge: 600,
  });
  for (const path of ['/:cloud/upload', '/:cloud/delete_by_token', '/:cloud/:resource_type/upload', '/:cloud/:resource_type/upload_chunked', '/:cloud/:resource_type/delete_by_token', '/:cloud/:resource_type/destroy']) {
    app.use(path, corsForUploads);
  }
  app.use('/:cloud/*', requireCloud(cloud.config.account.cloudName));
  app.onError((error, c) => apiError(c, error, UPLOAD_SDK_STATUSES));

  /** Params of a request without a file (multipart as the SDKs send it, JSON or urlencoded). */
  const readParams = async (c: Context<Env>): Promise<ParamBag> => {
    const kind = bodyKind(c.req.header('content-type'));
    const query = new URL(c.req.url).searchParams;
    if (kind !== 'multipart') return readParamBody(c.env.incoming, kind, 64 * 1024, query);
    const { bag } = await readMultipart(c.env.incoming, {
      maxFields: limits.maxFields,
      maxFieldBytes: limits.maxFieldBytes,
      maxFileBytes: 0,
      onFile: async () => {
        throw badRequest('invalid_param', 'This call takes no file');
      },
    });
    return bag;
  };

  const upload = async (c: Context<Env>) => {
    const requested = requestedType(c.req.param('resource_type'));
    const authorization = c.req.header('authorization');
    const range = parseChunkHeaders(c.req.header('x-unique-upload-id'), c.req.header('content-range'));
    const kind = bodyKind(c.req.header('content-type'));
    const request = c.env.incoming;
    const multipartLimits = { maxFields: limits.maxFields, maxFieldBytes: limits.maxFieldBytes };

    if (range) {
      if (kind !== 'multipart') throw badRequest('malformed_body', 'Chunked uploads send each part as the "file" field of a multipart body');
      const { file, fieldsAfterFile } = await readMultipart(request, {
        ...multipartLimits,
        // One byte more than the range so a longer body is seen as a length mismatch, not silently cut.
        maxFileBytes: range.end - range.start + 2,
        limitError: () => badRequest('length_mismatch', `Part is longer than its Content-Range (${range.end - range.start + 1} bytes)`),
        onFile: (body, info) =>
          cloud.uploadPart({ requested, bag: info.fieldsBefore, auth: cloud.authenticate({ bag: info.fieldsBefore, authorization }), range, body }),
      });
      if (!file) throw badRequest('missing_file', 'Missing required parameter - file');
      if (fieldsAfterFile.length) throw badRequest('malformed_body', 'In a chunked upload the parameters must come before the file part');
      if (file.kind === 'complete') return c.json(file.result);
      return c.json({
        done: false,
        bytes: file.bytes,
        kind: 'upload',
        upload_id: range.uploadId,
        ...(requested !== 'auto' ? { resource_type: requested } : {}),
      });
    }

    let bag: ParamBag;
    let staged: StagedFile | null = null;
    if (kind === 'multipart') {
      const parsed = await readMultipart(request, {
        ...multipartLimits,
        maxFileBytes: limits.maxFileBytes + 1,
        onFile: (body, info) => cloud.staging.fromStream(body, limits.maxFileBytes, info.filename),
        onDiscard: (staged) => cloud.staging.discard(staged),
      });
      bag = parsed.bag;
      staged = parsed.file;
    } else {
      bag = await readParamBody(request, kind, limits.maxJsonBodyBytes, new URL(c.req.url).searchParams);
    }
    try {
      if (staged && bag.has('file')) throw badRequest('too_many_files', 'Send the file either as a file part or as the file parameter, not both');
      const auth = cloud.authenticate({ bag, authorization });
      return c.json(await cloud.uploadWhole({ requested, bag, auth, staged, signal: c.req.raw.signal }));
    } finally {
      cloud.staging.discard(staged);
    }
  };

  app.post('/:cloud/:resource_type/upload', upload);
  app.post('/:cloud/:resource_type/upload_chunked', upload);
  app.post('/:cloud/upload', upload);

  app.post('/:cloud/:resource_type/destroy', async (c) => {
    const resourceType = storedType(c.req.param('resource_type'));
    const bag = await readParams(c);
    cloud.requireAccount({ bag, authorization: c.req.header('authorization') });
    const publicId = scalar(bag, 'public_id');
    if (!publicId) throw badRequest('invalid_param', 'Missing required parameter - public_id');
    const type = (scalar(bag, 'type') || 'upload') as DeliveryType;
    if (!DELIVERY_TYPES.includes(type)) throw badRequest('invalid_param', `Invalid type: expected ${DELIVERY_TYPES.join(', ')}`);
    const record = cloud.findAsset(resourceType, type, publicId);
    if (!record) return c.json({ result: 'not found' });
    await cloud.assets.remove(record);
    return c.json({ result: 'ok' });
  });

  const deleteByToken = async (c: Context<Env>) => {
    const token = scalar(await readParams(c), 'token');
    if (!token) throw badRequest('invalid_param', 'Missing required parameter - token');
    const { assetId, versionId } = cloud.tokens.redeem(token);
    const record = cloud.assets.findById(assetId);
    // The token deletes the upload it was issued for, not a later upload that replaced it.
    if (record && record.versionId === versionId) await cloud.assets.remove(record);
    return c.json({ result: 'ok' });
  };
  app.post('/:cloud/delete_by_token', deleteByToken);
  app.post('/:cloud/:resource_type/delete_by_token', deleteByToken);

  return app;
}
