/**
 * The widget options a frame works with, read from what the loader posted. Options are the host page's
 * (untrusted) input: each known option is checked and coerced on its own; a bad value is dropped with a
 * notice instead of breaking the widget; unknown scalar options become extra Upload API parameters, as
 * Cloudinary's widget forwards them.
 */

export const KNOWN_SOURCES = ['local', 'url', 'camera', 'image_search', 'google_drive', 'dropbox', 'facebook', 'instagram', 'shutterstock', 'getty', 'gettyimages', 'istock', 'unsplash'] as const;

export type ResourceTypeOption = 'auto' | 'image' | 'video' | 'raw';

export interface WidgetOptions {
  cloudName: string | null;
  uploadPreset: string | null;
  apiKey: string | null;
  sources: string[] | null;
  defaultSource: string | null;
  multiple: boolean;
  maxFiles: number | null;
  folder: string | null;
  publicId: string | null;
  tags: string[];
  context: Record<string, string>;
  useFilename: boolean | null;
  uniqueFilename: boolean | null;
  resourceType: ResourceTypeOption;
  clientAllowedFormats: string[] | null;
  maxFileSize: number | null;
  maxImageFileSize: number | null;
  maxVideoFileSize: number | null;
  maxRawFileSize: number | null;
  minImageWidth: number | null;
  minImageHeight: number | null;
  maxImageWidth: number | null;
  maxImageHeight: number | null;
  validateMaxWidthHeight: boolean;
  maxChunkSize: number;
  showCompletedButton: boolean;
  showUploadMoreButton: boolean;
  singleUploadAutoClose: boolean;
  autoMinimize: boolean;
  queueViewPosition: string;
  showAdvancedOptions: boolean;
  thumbnailTransformation: string;
  language: string;
  text: unknown;
  styles: unknown;
  theme: 'default' | 'white' | 'minimal' | 'purple';
  uploadSignature: string | null;
  uploadSignatureTimestamp: number | null;
  /** Interactive crop step for a single image (spec 1.3.3); the crop is sent as coordinates, never burned in. */
  cropping: boolean;
  /** Width/height ratio the crop box keeps, or null for a free box. */
  croppingAspectRatio: number | null;
  /** Initial crop box size relative to the image (0.1–1). */
  croppingDefaultSelectionRatio: number;
  croppingShowDimensions: boolean;
  croppingCoordinatesMode: 'custom' | 'face';
  croppingShowBackButton: boolean;
  croppingValidateDimensions: boolean;
  showSkipCropButton: boolean;
  /** Extra Upload API parameters (snake_case), e.g. eager or return_delete_token. */
  extraParams: Record<string, string>;
}

/** The options the frame's script receives (texts, styles and sources are rendered on the server). */
export type FrameScriptOptions = Omit<WidgetOptions, 'text' | 'styles' | 'theme' | 'language' | 'sources'>;

/** Drops what the frame's script does not need. */
export function frameScriptOptions(options: WidgetOptions): FrameScriptOptions {
  const { text: _text, styles: _styles, theme: _theme, language: _language, sources: _sources, ...rest } = options;
  return rest;
}

export interface NormalizedOptions {
  options: WidgetOptions;
  /** Options that were ignored, with why (shown to the developer in the frame). */
  ignored: { name: string; reason: string }[];
}

/** Smallest chunk the Upload API accepts for a non-final part ("larger than 5mb"). */
export const MIN_CHUNK_SIZE = 5 * 1024 * 1024;
export const DEFAULT_CHUNK_SIZE = 20_000_000;
export const DEFAULT_THUMBNAIL_TRANSFORMATION = 'c_limit,h_60,w_90';

/** Options the widget itself consumes (never forwarded as upload parameters). */
const WIDGET_ONLY = new Set([
  'cloudName', 'uploadPreset', 'apiKey', 'sources', 'defaultSource', 'multiple', 'maxFiles', 'folder', 'publicId', 'tags', 'context',
  'useFilename', 'uniqueFilename', 'resourceType', 'clientAllowedFormats', 'maxFileSize', 'maxImageFileSize', 'maxVideoFileSize',
  'maxRawFileSize', 'minImageWidth', 'minImageHeight', 'maxImageWidth', 'maxImageHeight', 'validateMaxWidthHeight', 'maxChunkSize',
  'showCompletedButton', 'showUploadMoreButton', 'singleUploadAutoClose', 'autoMinimize', 'queueViewPosition', 'showAdvancedOptions',
  'thumbnailTransformation', 'language', 'text', 'styles', 'theme', 'uploadSignature', 'uploadSignatureTimestamp', 'secure',
  'showPoweredBy', 'showInsecurePreview', 'cloudinaryAnalytics', 'encryption', 'cropping', 'croppingAspectRatio',
  'croppingDefaultSelectionRatio', 'croppingShowDimensions', 'croppingCoordinatesMode', 'croppingShowBackButton',
  'croppingValidateDimensions', 'showSkipCropButton', 'googleApiKey', 'searchBySites', 'searchByRights', 'dropboxAppKey',
  'facebookAppId', 'instagramClientId', 'googleDriveClientId', 'fieldName', 'form', 'thumbnails', 'buttonClass', 'buttonCaption',
  'inlineContainer', 'frameZIndex', 'controlVpMeta', 'keepWidgetOpen', 'stylesheet', 'uploadPrefix', 'uploadHost', 'widgetHost',
  'widgetBase', 'widgetVersion', 'deleteHost', 'dev', 'staging', 'debug', 'instagramServer', 'shutterstockServer', 'element',
  'getTags', 'getUploadPresets', 'preBatch', 'prepareUploadParams', 'getMetadataSchema',
]);

/** Upload parameters a host may never set through options: they are the widget's (or the server's) to send. */
const RESERVED_PARAMS = new Set(['file', 'api_key', 'signature', 'timestamp', 'cloud_name', 'resource_type', 'upload_preset', 'source', 'callback']);

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,127}$/;

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** Cloudinary's thumbnailTransformation may be an array of {width, height, crop, ...} objects. */
function transformationText(value: unknown): string | null {
  const keys: Record<string, string> = { width: 'w', height: 'h', crop: 'c', gravity: 'g', quality: 'q', fetch_format: 'f', fetchFormat: 'f', effect: 'e', angle: 'a', x: 'x', y: 'y', dpr: 'dpr', background: 'b' };
  const component = (object: Record<string, unknown>) =>
    Object.entries(object)
      .filter(([key, v]) => keys[key] && (typeof v === 'string' || typeof v === 'number'))
      .map(([key, v]) => `${keys[key]}_${String(v)}`)
      .sort()
      .join(',');
  if (typeof value === 'string') return /^[a-z0-9_.:,/-]{1,300}$/.test(value) ? value : null;
  if (Array.isArray(value)) return value.every((item) => typeof item === 'object' && item !== null) ? value.map((item) => component(item as Record<string, unknown>)).join('/') : null;
  if (typeof value === 'object' && value !== null) return component(value as Record<string, unknown>);
  return null;
}

/** Checks and coerces the posted options; never throws. */
export function normalizeWidgetOptions(raw: unknown): NormalizedOptions {
  const input: Record<string, unknown> = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const ignored: { name: string; reason: string }[] = [];
  const has = (name: string) => Object.hasOwn(input, name) && input[name] !== undefined && input[name] !== null;

  function read<T>(name: string, parse: (value: unknown) => T | undefined, reason: string, fallback: T): T {
    if (!has(name)) return fallback;
    const value = parse(input[name]);
    if (value === undefined) {
      ignored.push({ name, reason });
      return fallback;
    }
    return value;
  }

  const bool = (v: unknown) => (typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : undefined);
  const positive = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : typeof v === 'string' && /^\d{1,15}$/.test(v) && Number(v) > 0 ? Number(v) : undefined);
  const integer = (v: unknown) => {
    const n = positive(v);
    return n !== undefined && Number.isInteger(n) ? n : undefined;
  };
  const text = (max: number) => (v: unknown) => (typeof v === 'string' && v.length <= max && !/[\u0000-\u001f]/.test(v) ? v : undefined);
  const list = (v: unknown) => {
    const items = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v : undefined;
    if (!items || items.length > 100 || !items.every((item) => typeof item === 'string' && item.length <= 255)) return undefined;
    return (items as string[]).map((item) => item.trim()).filter(Boolean);
  };
  const record = (v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    const entries = Object.entries(v).filter(([k, value]) => k !== '__proto__' && k.length <= 255 && (typeof value === 'string' || typeof value === 'number'));
    return entries.length > 100 ? undefined : Object.fromEntries(entries.map(([k, value]) => [k, String(value)]));
  };

  const options: WidgetOptions = {
    cloudName: read('cloudName', (v) => (typeof v === 'string' && NAME.test(v) ? v : undefined), 'expected a cloud name', null),
    uploadPreset: read('uploadPreset', (v) => (typeof v === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(v) ? v : undefined), 'expected a preset name', null),
    apiKey: read('apiKey', (v) => (typeof v === 'string' || typeof v === 'number') && /^[A-Za-z0-9_-]{1,64}$/.test(String(v)) ? String(v) : undefined, 'expected an API key', null),
    sources: read('sources', (v) => {
      const items = list(v);
      return items?.every((item) => (KNOWN_SOURCES as readonly string[]).includes(item)) ? items : undefined;
    }, `expected a list of ${KNOWN_SOURCES.join(', ')}`, null),
    defaultSource: read('defaultSource', (v) => (typeof v === 'string' && (KNOWN_SOURCES as readonly string[]).includes(v) ? v : undefined), 'expected a source name', null),
    multiple: read('multiple', bool, 'expected true or false', true),
    maxFiles: read('maxFiles', integer, 'expected a positive whole number', null),
    folder: read('folder', text(255), 'expected a folder path', null),
    publicId: read('publicId', text(255), 'expected a public id', null),
    tags: read('tags', list, 'expected a list of tags', []),
    context: read('context', record, 'expected an object of texts', {}),
    useFilename: read('useFilename', bool, 'expected true or false', null),
    uniqueFilename: read('uniqueFilename', bool, 'expected true or false', null),
    resourceType: read('resourceType', (v) => (v === 'auto' || v === 'image' || v === 'video' || v === 'raw' ? v : undefined), 'expected auto, image, video or raw', 'auto'),
    clientAllowedFormats: read('clientAllowedFormats', (v) => list(v)?.map((f) => f.toLowerCase().replace(/^\./, '')), 'expected a list of formats', null),
    maxFileSize: read('maxFileSize', positive, 'expected a size in bytes', null),
    maxImageFileSize: read('maxImageFileSize', positive, 'expected a size in bytes', null),
    maxVideoFileSize: read('maxVideoFileSize', positive, 'expected a size in bytes', null),
    maxRawFileSize: read('maxRawFileSize', positive, 'expected a size in bytes', null),
    minImageWidth: read('minImageWidth', integer, 'expected pixels', null),
    minImageHeight: read('minImageHeight', integer, 'expected pixels', null),
    maxImageWidth: read('maxImageWidth', integer, 'expected pixels', null),
    maxImageHeight: read('maxImageHeight', integer, 'expected pixels', null),
    validateMaxWidthHeight: read('validateMaxWidthHeight', bool, 'expected true or false', false),
    maxChunkSize: Math.max(MIN_CHUNK_SIZE, read('maxChunkSize', integer, 'expected a size in bytes', DEFAULT_CHUNK_SIZE)),
    showCompletedButton: read('showCompletedButton', bool, 'expected true or false', false),
    showUploadMoreButton: read('showUploadMoreButton', bool, 'expected true or false', true),
    singleUploadAutoClose: read('singleUploadAutoClose', bool, 'expected true or false', true),
    autoMinimize: read('autoMinimize', bool, 'expected true or false', false),
    queueViewPosition: read('queueViewPosition', (v) => (typeof v === 'string' && /^(left|right)(?::([0-9a-z]{1,10}))?$/.test(v) ? v : undefined), 'expected e.g. "right:35px"', 'right:35px'),
    showAdvancedOptions: read('showAdvancedOptions', bool, 'expected true or false', false),
    thumbnailTransformation: read('thumbnailTransformation', (v) => transformationText(v) ?? undefined, 'expected a transformation', DEFAULT_THUMBNAIL_TRANSFORMATION),
    language: read('language', (v) => (typeof v === 'string' && /^[a-z]{2}(-[A-Z]{2})?$/.test(v) ? v : undefined), 'expected a language code such as "en"', 'en'),
    text: has('text') ? input.text : undefined,
    styles: has('styles') ? input.styles : undefined,
    theme: read('theme', (v) => (v === 'default' || v === 'white' || v === 'minimal' || v === 'purple' ? v : undefined), 'expected default, white, minimal or purple', 'default'),
    uploadSignature: read('uploadSignature', (v) => (typeof v === 'string' && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(v) ? v : undefined), 'expected a hex signature', null),
    uploadSignatureTimestamp: read('uploadSignatureTimestamp', integer, 'expected seconds since the epoch', null),
    // Legacy v1 value "server" meant the same as true.
    cropping: read('cropping', (v) => (v === 'server' ? true : bool(v)), 'expected true or false', false),
    croppingAspectRatio: read('croppingAspectRatio', (v) => {
      const n = positive(v) ?? (typeof v === 'string' && /^\d{0,6}\.\d{1,8}$/.test(v) ? Number(v) : undefined);
      return n !== undefined && n >= 0.01 && n <= 100 ? n : undefined;
    }, 'expected a width/height ratio such as 1 or 1.7778', null),
    croppingDefaultSelectionRatio: read('croppingDefaultSelectionRatio', (v) => {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{0,2}(\.\d{1,8})?$/.test(v) ? Number(v) : NaN;
      return n >= 0.1 && n <= 1 ? n : undefined;
    }, 'expected a number from 0.1 to 1', 1),
    croppingShowDimensions: read('croppingShowDimensions', bool, 'expected true or false', false),
    croppingCoordinatesMode: read('croppingCoordinatesMode', (v) => (v === 'custom' || v === 'face' ? v : undefined), 'expected custom or face', 'custom'),
    croppingShowBackButton: read('croppingShowBackButton', bool, 'expected true or false', true),
    croppingValidateDimensions: read('croppingValidateDimensions', bool, 'expected true or false', false),
    showSkipCropButton: read('showSkipCropButton', bool, 'expected true or false', true),
    extraParams: {},
  };

  for (const [name, value] of Object.entries(input)) {
    if (WIDGET_ONLY.has(name) || value === undefined || value === null) continue;
    const param = snakeCase(name);
    if (RESERVED_PARAMS.has(param) || !/^[a-z][a-z0-9_]{0,63}$/.test(param)) {
      ignored.push({ name, reason: 'not an option the widget may send' });
      continue;
    }
    const scalar = (v: unknown) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);
    const serialized = Array.isArray(value) ? (value.every((v) => scalar(v) !== undefined) ? value.map(scalar).join(',') : undefined) : scalar(value);
    if (serialized === undefined || serialized.length > 2048 || /[\u0000-\u001f]/.test(serialized)) ignored.push({ name, reason: 'expected text, a number or a list' });
    else options.extraParams[param] = serialized;
  }
  return { options, ignored };
}
