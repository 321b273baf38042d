import { badRequest } from '../../errors.ts';
import { scalar, type ParamBag } from '../../http/param-bag.ts';
import { parseBool, parseContext, parsePositiveInt, parseTags, parseWordList } from '../../http/param-values.ts';
import type { PresetConfig } from '../../config.ts';
import { DELIVERY_TYPES, type DeliveryType } from '../types.ts';
import { normalizeFolder } from './public-id.ts';

/** The preset settings the local cloud applies (see README: presets). */
export interface PresetSettings {
  folder?: string;
  asset_folder?: string;
  tags?: string[];
  context?: Record<string, string>;
  allowed_formats?: string[];
  unique_filename?: boolean;
  use_filename?: boolean;
  overwrite?: boolean;
  notification_url?: string;
  type?: DeliveryType;
  /** Our addition: refuse files larger than this many bytes. */
  max_file_size?: number;
  disallow_public_id?: boolean;
  return_delete_token?: boolean;
}

const BOOLEAN_KEYS = ['unique_filename', 'use_filename', 'overwrite', 'disallow_public_id', 'return_delete_token'] as const;

function checkUrl(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.length > 2048 || !/^https?:\/\/[^\s]+$/i.test(value)) throw badRequest('invalid_param', 'Invalid notification_url: expected an http(s) URL');
  return value;
}

function checkType(value: string | undefined): DeliveryType | undefined {
  if (value === undefined || value === '') return undefined;
  if (!(DELIVERY_TYPES as readonly string[]).includes(value)) throw badRequest('invalid_param', `Invalid type: expected ${DELIVERY_TYPES.join(', ')}`);
  return value as DeliveryType;
}

const compact = (settings: PresetSettings): PresetSettings =>
  Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as PresetSettings;

/** Settings sent to the Admin API (form or JSON fields, as the SDKs send them). */
export function presetFromBag(bag: ParamBag): { name?: string; unsigned?: boolean; settings: PresetSettings } {
  const settings: PresetSettings = {
    folder: optionalFolder(scalar(bag, 'folder'), 'folder'),
    asset_folder: optionalFolder(scalar(bag, 'asset_folder'), 'asset_folder'),
    tags: parseTags('tags', bag.get('tags')),
    context: parseContext('context', scalar(bag, 'context')),
    allowed_formats: parseWordList('allowed_formats', bag.get('allowed_formats')),
    notification_url: checkUrl(scalar(bag, 'notification_url')),
    type: checkType(scalar(bag, 'type')),
    max_file_size: parsePositiveInt('max_file_size', scalar(bag, 'max_file_size')),
  };
  for (const key of BOOLEAN_KEYS) settings[key] = parseBool(key, scalar(bag, key));
  const name = scalar(bag, 'name');
  if (name !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw badRequest('invalid_param', 'Invalid preset name: letters, digits, "_" or "-", at most 64');
  return { name, unsigned: parseBool('unsigned', scalar(bag, 'unsigned')), settings: compact(settings) };
}

function optionalFolder(value: string | undefined, field: string): string | undefined {
  return value === undefined ? undefined : normalizeFolder(value, field);
}

/** Settings from the configuration file (already typed by zod; same normalization). */
export function presetFromConfig(settings: PresetConfig['settings']): PresetSettings {
  const list = (value: string | string[] | undefined) => (value === undefined ? undefined : Array.isArray(value) ? value : value.split(','));
  return compact({
    ...settings,
    folder: optionalFolder(settings.folder, 'folder'),
    asset_folder: optionalFolder(settings.asset_folder, 'asset_folder'),
    tags: parseTags('tags', list(settings.tags)),
    context: typeof settings.context === 'string' ? parseContext('context', settings.context) : settings.context,
    allowed_formats: parseWordList('allowed_formats', list(settings.allowed_formats)),
  });
}
