import { responseSignature } from '../../services/signing.ts';
import type { Account } from '../../config.ts';
import type { AssetRecord, UploadResult } from '../types.ts';

export interface AssetJsonContext {
  account: Account;
  publicUrl: string;
}

/** Path segments of a public id, each percent-encoded, slashes kept. */
export const encodePublicId = (publicId: string) => publicId.split('/').map(encodeURIComponent).join('/');

/** This server's delivery URL for an asset (design.md URL map). */
export function deliveryUrl(record: AssetRecord, { account, publicUrl }: AssetJsonContext): string {
  const extension = record.format ? `.${record.format}` : '';
  return `${publicUrl}/res/${account.cloudName}/${record.resourceType}/${record.type}/v${record.version}/${encodePublicId(record.publicId)}${extension}`;
}

/** The fields shared by upload results and Admin API resources. */
function describe(record: AssetRecord, context: AssetJsonContext) {
  const url = deliveryUrl(record, context);
  return {
    asset_id: record.assetId,
    public_id: record.publicId,
    version: record.version,
    version_id: record.versionId,
    ...(record.width !== null && record.height !== null ? { width: record.width, height: record.height } : {}),
    ...(record.format ? { format: record.format } : {}),
    resource_type: record.resourceType,
    created_at: record.createdAt,
    tags: record.tags,
    ...(Object.keys(record.context).length ? { context: { custom: record.context } } : {}),
    ...(record.pages !== null && record.pages > 1 ? { pages: record.pages } : {}),
    bytes: record.bytes,
    type: record.type,
    etag: record.etag,
    placeholder: false,
    url,
    // The local cloud serves whatever scheme PUBLIC_URL has; an https PUBLIC_URL makes both https.
    secure_url: url,
    folder: record.folder,
    asset_folder: record.assetFolder,
    display_name: record.displayName,
    access_mode: 'public',
  };
}

/** The Upload API's answer for a stored asset (spec 2.5). */
export function toUploadResult(
  record: AssetRecord,
  context: AssetJsonContext,
  extra: { existing?: boolean; deleteToken?: string } = {},
): UploadResult {
  return {
    ...describe(record, context),
    signature: responseSignature(record.publicId, record.version, context.account.apiSecret),
    ...(record.originalFilename !== null ? { original_filename: record.originalFilename } : {}),
    ...(record.originalExtension ? { original_extension: record.originalExtension } : {}),
    existing: extra.existing ?? false,
    ...(extra.deleteToken ? { delete_token: extra.deleteToken } : {}),
    api_key: context.account.apiKey,
  };
}

/** The Admin API's resource JSON. */
export function toResourceJson(record: AssetRecord, context: AssetJsonContext) {
  return {
    ...describe(record, context),
    ...(record.customCoordinates || record.faceCoordinates
      ? { coordinates: { ...(record.customCoordinates ? { custom: parseBoxes(record.customCoordinates) } : {}), ...(record.faceCoordinates ? { faces: parseBoxes(record.faceCoordinates) } : {}) } }
      : {}),
    derived: [],
  };
}

const parseBoxes = (value: string) => value.split('|').map((box) => box.split(',').map(Number));
