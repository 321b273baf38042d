/**
 * Option handling on the host page: Cloudinary's validation errors (spec §1.1, §1.3.9), snake_case → camelCase,
 * and the split between what crosses to the frame and what stays in the page.
 */
import type { HostCallback } from '../shared/protocol.ts';

/** Widget options after camelCasing; only the ones the loader itself reads are typed. */
export interface WidgetOptions {
  [key: string]: unknown;
  cloudName?: string;
  apiKey?: string;
  element?: unknown;
  inlineContainer?: unknown;
  form?: unknown;
  thumbnails?: unknown;
  fieldName?: string | null;
  buttonClass?: string;
  buttonCaption?: string;
  maxFileSize?: number;
  frameZIndex?: string | number;
  queueViewPosition?: string;
}

/** Prefix of every error the loader throws (the same text Cloudinary's loader uses). */
export const ERR = '[Cloudinary.UploadWidget]: ';

/** Host callback name on the wire → the option holding the host's function. */
export const CALLBACK_OPTIONS: Record<HostCallback, string> = {
  prepare: 'prepareUploadParams',
  signature: 'uploadSignature',
  prebatch: 'preBatch',
  tags: 'getTags',
  presets: 'getUploadPresets',
};

/** Options that name host-page things (elements, selectors): they never cross to the frame. */
const LOADER_ONLY = ['inlineContainer', 'form', 'thumbnails', 'element'];

/** Options `update()` may not change (spec §1.2). */
export const NOT_UPDATABLE = ['secure', 'uploadSignature', 'getTags', 'preBatch', 'inlineContainer', 'fieldName'];

/** `upload_preset` → `uploadPreset`; keys with `_` only at index 0 stay as they are (Cloudinary's rule). */
const camel = (key: string): string =>
  key.indexOf('_') > 0 ? key.replace(/_(.?)/g, (_m, c: string) => c.toUpperCase()) : key;

/** Validates and camelCases the options object a host passed (top-level keys only, like Cloudinary). */
export function normalizeOptions(raw: unknown): WidgetOptions {
  raw ??= {};
  if (Object.prototype.toString.call(raw) !== '[object Object]') throw new Error(`${ERR}widget options must be a valid Object`);
  const out: WidgetOptions = {};
  for (const [key, value] of Object.entries(raw as object)) out[camel(key)] = value;
  for (const key of ['keepWidgetOpen', 'stylesheet']) {
    if (out[key] !== undefined) console.warn(`Cloudinary.UploadWidget - '${key}' is no longer used in this version.`);
  }
  return out;
}

/** A selector, an element or a jQuery object → the element (or null); bad selectors throw like querySelector. */
export function resolveElement(value: unknown): Element | null {
  const v = (value as { jquery?: unknown } | null)?.jquery ? (value as ArrayLike<unknown>)[0] : value;
  if (typeof v === 'string') return document.querySelector(v);
  return v instanceof Element ? v : null;
}

/** `queueViewPosition` → [side, CSS offset]; throws Cloudinary's message for a bad value. */
export function barPosition(value: string | undefined): ['left' | 'right', string] {
  const match = /(left|right)(?::([0-9a-z]*))?$/.exec(value ?? 'right:35px');
  if (!match) throw new Error(`queueViewPosition param (${value ?? ''}) is invalid. (valid ex: "right:35px")`);
  const offset = match[2] || '0';
  return [match[1] as 'left' | 'right', /^\d+$/.test(offset) ? `${offset}px` : offset];
}

/** The host callbacks the page gave as functions (a string `uploadSignature` travels as an option instead). */
export function hostCallbacks(options: WidgetOptions): HostCallback[] {
  return (Object.keys(CALLBACK_OPTIONS) as HostCallback[]).filter((name) => typeof options[CALLBACK_OPTIONS[name]] === 'function');
}

/** The options that cross to the frame: JSON-safe, without functions, DOM nodes or loader-only keys. */
export function frameOptions(options: WidgetOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in options) if (!LOADER_ONLY.includes(key)) out[key] = options[key];
  return JSON.parse(JSON.stringify(out, (_key, value: unknown) => (value instanceof Node ? undefined : value))) as Record<string, unknown>;
}
