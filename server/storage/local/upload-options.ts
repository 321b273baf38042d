import { badRequest } from '../../errors.ts';
import { scalar, type ParamBag } from '../../http/param-bag.ts';
import { parseBool, parseContext, parseCoordinates, parseTags, parseWordList } from '../../http/param-values.ts';
import { DELIVERY_TYPES, type DeliveryType } from '../types.ts';
import type { UploadAuth } from './authenticate.ts';
import { normalizeFolder, normalizePublicId } from './public-id.ts';

/** Everything that decides how one upload is stored, after the preset and the request are merged. */
export interface UploadOptions {
  publicId: string | null;
  folder: string;
  assetFolder: string;
  useFilename: boolean;
  uniqueFilename: boolean;
  filenameOverride: string | null;
  displayName: string | null;
  tags: string[];
  context: Record<string, string>;
  overwrite: boolean;
  type: DeliveryType;
  notificationUrl: string | null;
  allowedFormats: string[] | null;
  maxFileSize: number | null;
  customCoordinates: string | null;
  faceCoordinates: string | null;
  returnDeleteToken: boolean;
  invalidate: boolean;
}

/** Request params an unsigned upload may set (Cloudinary's allow-list plus the widget's `source`). */
const UNSIGNED_ALLOWED = new Set([
  'public_id',
  'folder',
  'asset_folder',
  'tags',
  'context',
  'face_coordinates',
  'custom_coordinates',
  'filename_override',
  'display_name',
  'return_delete_token',
]);

/** Params an unsigned request must never carry: silently dropping them would hide an attack or a bug. */
const UNSIGNED_REFUSED = ['overwrite', 'notification_url', 'type', 'callback', 'eval', 'on_success'];

const MAX_TEXT = 255;

function text(bag: ParamBag, key: string): string | undefined {
  const value = scalar(bag, key);
  if (value === undefined) return undefined;
  if (value.length > MAX_TEXT * 8 || /[\u0000-\u001f\u007f]/.test(value)) throw badRequest('invalid_param', `Invalid ${key}`);
  return value;
}

function deliveryType(value: string | undefined): DeliveryType | undefined {
  if (value === undefined || value === '') return undefined;
  if (!(DELIVERY_TYPES as readonly string[]).includes(value)) throw badRequest('invalid_param', `Invalid type: expected ${DELIVERY_TYPES.join(', ')}`);
  return value as DeliveryType;
}

/**
 * Merges the preset and the request: in a signed call the request overrides the preset; in an unsigned
 * call only the allow-listed params may, and overwrite is always off.
 */
export function resolveUploadOptions(bag: ParamBag, auth: UploadAuth): UploadOptions {
  const preset = auth.preset?.settings ?? {};
  const unsigned = auth.mode === 'unsigned';
  if (unsigned) {
    for (const key of UNSIGNED_REFUSED) {
      const value = bag.get(key);
      const harmless = value === undefined || value === '' || (key === 'overwrite' && parseBool(key, scalar(bag, key)) === false);
      if (!harmless) throw badRequest('param_not_allowed', `Parameter ${key} is not allowed for unsigned uploads`);
    }
    if (auth.preset.settings.disallow_public_id && bag.has('public_id')) {
      throw badRequest('param_not_allowed', 'This upload preset does not allow a public_id');
    }
  }
  const may = (key: string) => !unsigned || UNSIGNED_ALLOWED.has(key);
  const pick = <V>(key: string, read: () => V | undefined, fallback: V): V => {
    const value = may(key) ? read() : undefined;
    return value !== undefined ? value : fallback;
  };

  const publicId = pick('public_id', () => {
    const value = scalar(bag, 'public_id');
    return value === undefined || value.trim() === '' ? undefined : normalizePublicId(value);
  }, null as string | null);
  const folder = pick('folder', () => (bag.has('folder') ? normalizeFolder(scalar(bag, 'folder') ?? '') : undefined), preset.folder ?? '');
  const assetFolder = pick(
    'asset_folder',
    () => (bag.has('asset_folder') ? normalizeFolder(scalar(bag, 'asset_folder') ?? '', 'asset_folder') : undefined),
    preset.asset_folder ?? folder,
  );

  return {
    publicId,
    folder,
    assetFolder,
    useFilename: pick('use_filename', () => parseBool('use_filename', scalar(bag, 'use_filename')), preset.use_filename ?? false),
    uniqueFilename: pick('unique_filename', () => parseBool('unique_filename', scalar(bag, 'unique_filename')), preset.unique_filename ?? true),
    filenameOverride: pick('filename_override', () => text(bag, 'filename_override'), null as string | null),
    displayName: pick('display_name', () => text(bag, 'display_name'), null as string | null),
    tags: pick('tags', () => parseTags('tags', bag.get('tags')), preset.tags ?? []),
    context: pick('context', () => parseContext('context', scalar(bag, 'context')), preset.context ?? {}),
    overwrite: unsigned ? false : pick('overwrite', () => parseBool('overwrite', scalar(bag, 'overwrite')), preset.overwrite ?? true),
    type: pick('type', () => deliveryType(scalar(bag, 'type')), preset.type ?? 'upload'),
    notificationUrl: pick('notification_url', () => text(bag, 'notification_url') || undefined, preset.notification_url ?? null),
    allowedFormats: pick('allowed_formats', () => parseWordList('allowed_formats', bag.get('allowed_formats')), preset.allowed_formats ?? null),
    maxFileSize: preset.max_file_size ?? null,
    customCoordinates: pick('custom_coordinates', () => parseCoordinates('custom_coordinates', scalar(bag, 'custom_coordinates')), null as string | null),
    faceCoordinates: pick('face_coordinates', () => parseCoordinates('face_coordinates', scalar(bag, 'face_coordinates')), null as string | null),
    returnDeleteToken: pick('return_delete_token', () => parseBool('return_delete_token', scalar(bag, 'return_delete_token')), preset.return_delete_token ?? false),
    invalidate: pick('invalidate', () => parseBool('invalidate', scalar(bag, 'invalidate')), false),
  };
}
