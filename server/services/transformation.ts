import { badRequest } from '../errors.ts';

export const CROP_MODES = ['scale', 'fit', 'limit', 'mfit', 'fill', 'lfill', 'pad', 'crop', 'thumb'] as const;
export type CropMode = (typeof CROP_MODES)[number];

export const GRAVITIES = ['center', 'north', 'north_east', 'east', 'south_east', 'south', 'south_west', 'west', 'north_west', 'auto', 'custom', 'face', 'faces'] as const;
export type Gravity = (typeof GRAVITIES)[number];

export const OUTPUT_FORMATS = ['jpg', 'png', 'webp', 'avif', 'gif'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A length in pixels, or (relative) a fraction of the current image's size. */
export interface Length {
  value: number;
  relative: boolean;
}

export interface Rgba {
  r: number;
  g: number;
  b: number;
  alpha: number;
}

/** One `/`-separated component of a transformation: its `,`-separated parameters. */
export interface TransformStep {
  width?: Length;
  height?: Length;
  crop?: CropMode;
  gravity?: Gravity;
  x?: Length;
  y?: Length;
  background?: Rgba;
  quality?: number | 'auto';
  format?: OutputFormat | 'auto';
  dpr?: number;
  angle?: number | 'auto';
  grayscale?: boolean;
}

const MAX_LENGTH = 1024;
const MAX_STEPS = 10;
/** No side of a derived image may exceed this (also after dpr). */
export const MAX_SIDE = 10_000;

const NAMED_COLORS: Record<string, string> = {
  white: 'ffffff',
  black: '000000',
  red: 'ff0000',
  green: '008000',
  blue: '0000ff',
  yellow: 'ffff00',
  gray: '808080',
  grey: '808080',
  silver: 'c0c0c0',
  orange: 'ffa500',
  purple: '800080',
  pink: 'ffc0cb',
  brown: 'a52a2a',
  navy: '000080',
  teal: '008080',
  lightblue: 'add8e6',
  transparent: '00000000',
  none: '00000000',
};

const invalid = (message: string) => badRequest('invalid_transformation', `Invalid transformation: ${message}`);

function parseLength(key: string, text: string, allowNegative = false): Length {
  const match = (allowNegative ? /^-?(\d{1,5})$/ : /^(\d{1,5})$/).exec(text);
  if (match) {
    const value = Number(text);
    if (!allowNegative && value === 0) throw invalid(`${key}_${text}: must be positive`);
    if (Math.abs(value) > MAX_SIDE) throw invalid(`${key}_${text}: at most ${MAX_SIDE}`);
    return { value, relative: false };
  }
  if ((allowNegative ? /^-?\d?\.\d{1,4}$/ : /^\d?\.\d{1,4}$/).test(text)) {
    const value = Number(text);
    if (!allowNegative && value <= 0) throw invalid(`${key}_${text}: must be positive`);
    if (Math.abs(value) > 10) throw invalid(`${key}_${text}: a relative size is at most 10`);
    return { value, relative: true };
  }
  throw invalid(`${key}_${text}: expected pixels (e.g. 200) or a fraction (e.g. 0.5)`);
}

function parseColor(text: string): Rgba {
  const hex = text.startsWith('rgb:') ? text.slice(4) : NAMED_COLORS[text];
  if (hex === undefined || !/^([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(hex)) {
    throw invalid(`b_${text}: expected a colour name or rgb:RRGGBB`);
  }
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
  const byte = (i: number) => parseInt(full.slice(i, i + 2), 16);
  return { r: byte(0), g: byte(2), b: byte(4), alpha: full.length === 8 ? byte(6) / 255 : 1 };
}

function oneOf<T extends string>(key: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) throw invalid(`${key}_${text}: expected one of ${allowed.join(', ')}`);
  return text as T;
}

/** Reads one parameter into the step; each key may appear once per component. */
function applyParam(step: TransformStep, key: string, value: string): void {
  switch (key) {
    case 'w':
      step.width = parseLength(key, value);
      return;
    case 'h':
      step.height = parseLength(key, value);
      return;
    case 'c':
      step.crop = oneOf(key, value, CROP_MODES);
      return;
    case 'g':
      step.gravity = oneOf(key, value, GRAVITIES);
      return;
    case 'x':
      step.x = parseLength(key, value, true);
      return;
    case 'y':
      step.y = parseLength(key, value, true);
      return;
    case 'b':
      step.background = parseColor(value);
      return;
    case 'q':
      if (value === 'auto' || /^auto:(best|good|eco|low)$/.test(value)) step.quality = 'auto';
      else if (/^\d{1,3}$/.test(value) && Number(value) >= 1 && Number(value) <= 100) step.quality = Number(value);
      else throw invalid(`q_${value}: expected 1 to 100 or auto`);
      return;
    case 'f':
      step.format = value === 'auto' ? 'auto' : oneOf(key, value === 'jpeg' ? 'jpg' : value, OUTPUT_FORMATS);
      return;
    case 'dpr':
      if (value === 'auto') step.dpr = 1;
      else if (/^\d(\.\d{1,2})?$/.test(value) && Number(value) >= 0.1 && Number(value) <= 5) step.dpr = Number(value);
      else throw invalid(`dpr_${value}: expected 0.1 to 5`);
      return;
    case 'a':
      if (value === 'auto' || value === 'exif') step.angle = 'auto';
      else if (/^-?\d{1,3}$/.test(value) && Math.abs(Number(value)) <= 360) step.angle = Number(value);
      else throw invalid(`a_${value}: expected degrees (-360 to 360) or auto`);
      return;
    case 'e':
      if (value !== 'grayscale' && value !== 'greyscale') throw invalid(`e_${value}: unsupported effect (e_grayscale is)`);
      step.grayscale = true;
      return;
    default:
      throw invalid(`unknown parameter ${key}_${value}`);
  }
}

/** Parameter keys this server understands (also used to tell a transformation segment from a folder). */
export const TRANSFORM_KEYS: ReadonlySet<string> = new Set(['w', 'h', 'c', 'g', 'x', 'y', 'b', 'q', 'f', 'dpr', 'a', 'e']);

/** Whether a path segment reads as a transformation component rather than a folder name. */
export function looksLikeTransformation(segment: string): boolean {
  const items = segment.split(',');
  return items.every((item) => /^[a-z]{1,4}_[^/]+$/.test(item)) && items.some((item) => TRANSFORM_KEYS.has(item.slice(0, item.indexOf('_'))));
}

/** Parses Cloudinary's URL transformation syntax (`c_limit,h_60,w_90/e_grayscale`) or refuses it with a clear message. */
export function parseTransformation(text: string): TransformStep[] {
  if (text.length > MAX_LENGTH) throw invalid(`longer than ${MAX_LENGTH} characters`);
  const components = text.split('/');
  if (components.length > MAX_STEPS) throw invalid(`more than ${MAX_STEPS} chained components`);
  return components.map((component) => {
    if (component === '') throw invalid('empty component');
    const step: TransformStep = {};
    const seen = new Set<string>();
    for (const item of component.split(',')) {
      const underscore = item.indexOf('_');
      if (underscore <= 0 || underscore === item.length - 1) throw invalid(`"${item.slice(0, 40)}" is not key_value`);
      const key = item.slice(0, underscore);
      if (seen.has(key)) throw invalid(`${key}_ appears twice in one component`);
      seen.add(key);
      applyParam(step, key, item.slice(underscore + 1));
    }
    if ((step.crop === 'fill' || step.crop === 'lfill' || step.crop === 'pad' || step.crop === 'thumb') && !step.width && !step.height) {
      throw invalid(`c_${step.crop} needs w_ or h_`);
    }
    return step;
  });
}

/** A canonical text of the steps (keys sorted), so equal transformations share one cached derivative. */
export function canonicalTransformation(steps: TransformStep[]): string {
  return steps.map((step) => JSON.stringify(Object.entries(step).sort(([a], [b]) => (a < b ? -1 : 1)))).join('/');
}
