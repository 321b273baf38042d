import { badRequest } from '../errors.ts';

/** Cloudinary booleans arrive as true/false or 1/0. */
export function parseBool(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  const text = value.toLowerCase();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw badRequest('invalid_param', `Invalid value for ${name}: expected true or false`);
}

const MAX_TAGS = 100;
const MAX_TAG_LENGTH = 255;

/** Tags: a comma-separated string or repeated `tags[]` fields; trimmed, de-duplicated, no empties. */
export function parseTags(name: string, value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value.flatMap((v) => v.split(',')) : value.split(','))
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
  if (items.length > MAX_TAGS) throw badRequest('invalid_param', `Too many ${name}: at most ${MAX_TAGS}`);
  for (const tag of items) {
    if (tag.length > MAX_TAG_LENGTH || /[\u0000-\u001f\u007f]/.test(tag)) {
      throw badRequest('invalid_param', `Invalid ${name} entry: at most ${MAX_TAG_LENGTH} printable characters`);
    }
  }
  return [...new Set(items)];
}

/** A comma list of lowercase words (allowed_formats). */
export function parseWordList(name: string, value: string | string[] | undefined): string[] | undefined {
  const items = parseTags(name, value);
  if (!items) return undefined;
  const words = items.map((item) => item.toLowerCase());
  if (words.some((word) => !/^[a-z0-9]{1,16}$/.test(word))) throw badRequest('invalid_param', `Invalid ${name}: expected a comma-separated list of formats`);
  return words;
}

const MAX_CONTEXT_ENTRIES = 100;
const MAX_CONTEXT_TEXT = 1024;

/** Context: `key=value|key2=value2`, where `\` escapes `=`, `|`, `"` and itself. */
export function parseContext(name: string, value: string | undefined): Record<string, string> | undefined {
  if (value === undefined || value === '') return undefined;
  const entries: [string, string][] = [];
  let key = '';
  let text = '';
  let inValue = false;
  const push = () => {
    if (key !== '' || text !== '') {
      const entryKey = inValue ? key : text;
      const entryValue = inValue ? text : '';
      if (entryKey.trim() === '') throw badRequest('invalid_param', `Invalid ${name}: every entry needs a key`);
      entries.push([entryKey.trim(), entryValue]);
    }
    key = '';
    text = '';
    inValue = false;
  };
  for (let i = 0; i < value.length; i++) {
    const char = value[i]!;
    if (char === '\\' && i + 1 < value.length) {
      text += value[++i];
    } else if (char === '=' && !inValue) {
      key = text;
      text = '';
      inValue = true;
    } else if (char === '|') {
      push();
    } else {
      text += char;
    }
  }
  push();
  if (entries.length > MAX_CONTEXT_ENTRIES) throw badRequest('invalid_param', `Too many ${name} entries: at most ${MAX_CONTEXT_ENTRIES}`);
  const context: Record<string, string> = {};
  for (const [entryKey, entryValue] of entries) {
    if (entryKey.length > MAX_CONTEXT_TEXT || entryValue.length > MAX_CONTEXT_TEXT) {
      throw badRequest('invalid_param', `Invalid ${name}: keys and values are at most ${MAX_CONTEXT_TEXT} characters`);
    }
    if (entryKey === '__proto__' || entryKey === 'constructor' || entryKey === 'prototype') continue;
    context[entryKey] = entryValue;
  }
  return context;
}

/** Coordinates: `x,y,w,h` rectangles separated by `|` (custom_coordinates, face_coordinates). */
export function parseCoordinates(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const boxes = value.split('|');
  if (boxes.length > 100) throw badRequest('invalid_param', `Too many ${name} rectangles`);
  const normalized = boxes.map((box) => {
    const numbers = box.split(',').map((part) => part.trim());
    if (numbers.length !== 4 || numbers.some((n) => !/^\d{1,6}(\.\d{1,6})?$/.test(n))) {
      throw badRequest('invalid_param', `Invalid ${name}: expected x,y,width,height (non-negative numbers), rectangles separated by |`);
    }
    const [x, y, w, h] = numbers.map((n) => Math.round(Number(n)));
    if (!w || !h) throw badRequest('invalid_param', `Invalid ${name}: width and height must be positive`);
    return `${x},${y},${w},${h}`;
  });
  return normalized.join('|');
}

/** A positive integer (sizes, counts). */
export function parsePositiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,15}$/.test(value) || Number(value) <= 0) throw badRequest('invalid_param', `Invalid value for ${name}: expected a positive integer`);
  return Number(value);
}

/** Encodes a context object back to Cloudinary's wire form. */
export function formatContext(context: Record<string, string>): string {
  const escape = (text: string) => text.replace(/([=|\\"])/g, '\\$1');
  return Object.entries(context)
    .map(([k, v]) => `${escape(k)}=${escape(v)}`)
    .join('|');
}
