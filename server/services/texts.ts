/**
 * The widget's user-visible texts: Cloudinary's `language` + `text` options resolved against the locale
 * files in locales/ (en.json is the source of truth for the key structure). Everything here returns plain
 * text; escaping is the views' job (hono/jsx). The host's `text` overrides are untrusted input (security
 * notes §4F): only known keys and short strings are taken, nothing here throws on hostile shapes.
 */
import { readdirSync, readFileSync } from 'node:fs';

type EnJson = typeof import('../../locales/en.json', { with: { type: 'json' } });
type DeepReadonlyTexts<T> = { readonly [K in keyof T]: T[K] extends string ? string : DeepReadonlyTexts<T[K]> };
type LeafPaths<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : LeafPaths<T[K], `${P}${K}.`>;
}[keyof T & string];

/** The resolved, frozen text tree: same shape as locales/en.json. */
export type Texts = DeepReadonlyTexts<EnJson>;
/** Dotted path of every text in en.json, e.g. `queue.statuses.error`. */
export type TextKey = LeafPaths<EnJson>;
/** Variables for `{{name}}` placeholders. */
export type TextVars = Readonly<Record<string, unknown>>;

/** Where locale JSON comes from; injected in tests. `read` is only called for a name `list` returned. */
export interface LocaleSource {
  /** Language codes present (file names without `.json`); names outside the grammar are dropped. */
  list(): readonly string[];
  /** Raw JSON text of one language file. */
  read(language: string): string;
}

/** Why an override was not applied (`code` is stable for tests; `reason` is the developer-facing wording). */
export type IgnoredTextCode = 'unknown_key' | 'forbidden_key' | 'wrong_type' | 'too_long' | 'too_deep' | 'too_large' | 'unreadable';
/** One ignored override, named by its option path (`text.en.queue.titel`). */
export interface IgnoredText {
  readonly name: string;
  readonly reason: string;
  readonly code: IgnoredTextCode;
}

export interface ResolvedTexts {
  /** The language the texts are in: the requested one if built in or supplied through `text`, else a fallback. */
  readonly language: string;
  readonly texts: Texts;
  readonly ignored: readonly IgnoredText[];
}

export interface ResolveTextsInput {
  /** Cloudinary's `language` option (untrusted). */
  language?: unknown;
  /** Cloudinary's `text` option: `{ <lang>: { <section>: { <key>: "string" } } }` (untrusted). */
  text?: unknown;
}

/** Longest accepted override string; Cloudinary's longest default is about 110 characters. */
export const MAX_TEXT_LENGTH = 1000;
/** Deepest accepted override path below the language block (en.json is 4 deep). */
export const MAX_OVERRIDE_DEPTH = 6;
/** Accepted override content (key and value characters); a complete translation of en.json is about 23 K. */
export const MAX_OVERRIDE_CHARS = 64 * 1024;
/** Properties looked at in one override object before giving up; en.json has about 800 keys and sections. */
const MAX_OVERRIDE_ENTRIES = 5000;
const MAX_IGNORED_REPORTED = 100;
const MAX_REPORTED_NAME = 120;
const LANGUAGE_RE = /^[a-z]{2}(-[A-Z]{2})?$/;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const REASONS: Record<IgnoredTextCode, string> = {
  unknown_key: 'not a text key of the widget',
  forbidden_key: 'reserved key name',
  wrong_type: 'expected text (or an object of texts for a section)',
  too_long: `text longer than ${MAX_TEXT_LENGTH} characters`,
  too_deep: 'nested too deeply',
  too_large: 'text overrides too large; the rest were skipped',
  unreadable: 'value could not be read',
};

interface TextTree {
  [key: string]: string | TextTree;
}

function isObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return !Array.isArray(value);
  } catch {
    return false; // revoked Proxy
  }
}

const hasOwn = (value: object, key: string) => Object.prototype.hasOwnProperty.call(value, key);

/** Reads locales/<lang>.json next to the server sources. */
export function fileLocaleSource(dir: URL = new URL('../../locales/', import.meta.url)): LocaleSource {
  return {
    list: () =>
      readdirSync(dir)
        .filter((name) => name.endsWith('.json'))
        .map((name) => name.slice(0, -'.json'.length)),
    read: (language) => readFileSync(new URL(`${language}.json`, dir), 'utf8'),
  };
}

/** Turns `pt_br` / `PT-br` into `pt-BR`; anything that is not a language code gives undefined. */
export function normalizeLanguage(input: unknown): string | undefined {
  if (typeof input !== 'string' || input.length > 5) return undefined;
  const match = /^([a-zA-Z]{2})(?:[-_]([a-zA-Z]{2}))?$/.exec(input);
  if (!match) return undefined;
  const base = match[1]!.toLowerCase();
  return match[2] ? `${base}-${match[2].toUpperCase()}` : base;
}

function cloneTree(tree: TextTree): TextTree {
  const out: TextTree = {};
  for (const [key, value] of Object.entries(tree)) out[key] = typeof value === 'string' ? value : cloneTree(value);
  return out;
}

function deepFreeze<T extends object>(tree: T): T {
  for (const value of Object.values(tree)) if (typeof value === 'object' && value !== null) deepFreeze(value);
  return Object.freeze(tree);
}

/** Copies en.json's own structure, keeping only string leaves and object sections. */
function sanitizeDefaults(raw: unknown): TextTree {
  if (!isObject(raw)) throw new Error('locales/en.json must hold a JSON object');
  const out: TextTree = {};
  for (const [key, value] of Object.entries(raw)) {
    if (FORBIDDEN_KEYS.has(key)) continue;
    if (typeof value === 'string') out[key] = value;
    else if (isObject(value)) out[key] = sanitizeDefaults(value);
  }
  return out;
}

interface OverlayState {
  /** Name prefix for reports (`text.en`). */
  readonly root: string;
  readonly trusted: boolean;
  chars: number;
  entries: number;
  stopped: boolean;
  applied: number;
  readonly ignored: IgnoredText[];
}

function report(state: OverlayState, path: readonly string[], code: IgnoredTextCode): void {
  // The one "the rest was skipped" entry is always reported, even past the cap.
  if (state.trusted || (state.ignored.length >= MAX_IGNORED_REPORTED && code !== 'too_large')) return;
  let name = [state.root, ...path].join('.');
  if (name.length > MAX_REPORTED_NAME) name = `${name.slice(0, MAX_REPORTED_NAME)}…`;
  state.ignored.push(Object.freeze({ name, reason: REASONS[code], code }));
}

/**
 * Writes `input` onto `target` wherever the key exists in `shape` (en's structure). Walks only along
 * en's shape, so hostile nesting (cycles, 10,000 levels) stops at the first unknown key.
 */
function overlay(target: TextTree, shape: TextTree, input: Record<string, unknown>, path: readonly string[], state: OverlayState): void {
  let keys: string[];
  try {
    keys = Object.keys(input);
  } catch {
    report(state, path, 'unreadable');
    return;
  }
  for (const key of keys) {
    if (state.stopped) return;
    if (!state.trusted && ++state.entries > MAX_OVERRIDE_ENTRIES) {
      state.stopped = true;
      report(state, path, 'too_large');
      return;
    }
    let value: unknown;
    try {
      value = input[key];
    } catch {
      report(state, [...path, key], 'unreadable');
      continue;
    }
    // Cloudinary integrators sometimes write flat dotted keys ("queue.title"); each segment is checked.
    const segments = key.length > 200 ? [key] : key.split('.');
    applyAt(target, shape, segments, value, path, state);
  }
}

function applyAt(
  target: TextTree,
  shape: TextTree,
  segments: readonly string[],
  value: unknown,
  path: readonly string[],
  state: OverlayState,
): void {
  const full = [...path, ...segments];
  if (full.length > MAX_OVERRIDE_DEPTH) return report(state, full, 'too_deep');
  let node = target;
  let shapeNode = shape;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (FORBIDDEN_KEYS.has(segment)) return report(state, full, 'forbidden_key');
    if (!hasOwn(shapeNode, segment)) return report(state, full, 'unknown_key');
    const expected = shapeNode[segment]!;
    if (i === segments.length - 1) {
      if (typeof expected === 'string') {
        if (typeof value !== 'string') return report(state, full, 'wrong_type');
        if (!state.trusted) {
          if (value.length > MAX_TEXT_LENGTH) return report(state, full, 'too_long');
          const cost = value.length + full.join('.').length;
          if (state.chars + cost > MAX_OVERRIDE_CHARS) {
            state.stopped = true;
            return report(state, full, 'too_large');
          }
          state.chars += cost;
        }
        node[segment] = value;
        state.applied++;
        return;
      }
      if (!isObject(value)) return report(state, full, 'wrong_type');
      return overlay(node[segment] as TextTree, expected, value, full, state);
    }
    if (typeof expected === 'string') return report(state, full, 'unknown_key');
    shapeNode = expected;
    node = node[segment] as TextTree;
  }
}

function ownProperty(container: unknown, key: string): unknown {
  try {
    return isObject(container) && hasOwn(container, key) ? container[key] : undefined;
  } catch {
    return undefined;
  }
}

/** Texts of the built-in locales plus the host's overrides; one catalog per locale source. */
export function createTextCatalog(source: LocaleSource = fileLocaleSource()) {
  let languages: readonly string[] | undefined;
  let defaults: TextTree | undefined;
  const cache = new Map<string, Texts>();

  const availableLanguages = (): readonly string[] => {
    if (!languages) {
      const listed = source.list().filter((name) => LANGUAGE_RE.test(name));
      languages = Object.freeze([...new Set(['en', ...listed])].sort());
    }
    return languages;
  };

  const enDefaults = (): TextTree => {
    defaults ??= deepFreeze(sanitizeDefaults(JSON.parse(source.read('en'))));
    return defaults;
  };

  /** The built-in language to use for a request: exact match, else its base language, else `en`. */
  const pickLanguage = (language: unknown): string => {
    const wanted = normalizeLanguage(language);
    if (!wanted) return 'en';
    const available = availableLanguages();
    // Return the allow-list's own entry: no path is ever built from the caller's string.
    const exact = available.find((name) => name === wanted);
    if (exact) return exact;
    const base = available.find((name) => name === wanted.slice(0, 2));
    return base ?? 'en';
  };

  /** The complete texts of a built-in language (en defaults under it); unknown languages give `en`. */
  const loadLocale = (language: unknown): Texts => {
    const chosen = pickLanguage(language);
    const cached = cache.get(chosen);
    if (cached) return cached;
    const shape = enDefaults();
    let texts: TextTree = shape;
    if (chosen !== 'en') {
      texts = cloneTree(shape);
      try {
        const raw: unknown = JSON.parse(source.read(chosen));
        if (isObject(raw)) {
          const state: OverlayState = { root: chosen, trusted: true, chars: 0, entries: 0, stopped: false, applied: 0, ignored: [] };
          overlay(texts, shape, raw, [], state);
        }
      } catch {
        // A broken translation file must not take the widget down: its texts stay English.
      }
      deepFreeze(texts);
    }
    const frozen = texts as unknown as Texts;
    cache.set(chosen, frozen);
    return frozen;
  };

  /** en defaults ⊕ built-in language ⊕ the host's `text[language]` overrides, frozen. Never throws on input. */
  const resolveTexts = (input: ResolveTextsInput = {}): ResolvedTexts => {
    const requested = normalizeLanguage(input.language) ?? 'en';
    const builtIn = pickLanguage(requested);
    const ignored: IgnoredText[] = [];
    const text = input.text;
    let overrideLanguage: string | undefined;
    let overrides: unknown;
    if (text !== undefined && text !== null) {
      if (!isObject(text)) ignored.push({ name: 'text', reason: REASONS.wrong_type, code: 'wrong_type' });
      else {
        // A host may supply a whole language of its own through `text` (e.g. language "he" + text.he).
        for (const candidate of new Set([requested, requested.slice(0, 2), builtIn])) {
          const found = ownProperty(text, candidate);
          if (found !== undefined) {
            overrideLanguage = candidate;
            overrides = found;
            break;
          }
        }
      }
    }
    const base = loadLocale(builtIn);
    const language = overrideLanguage ?? builtIn;
    if (overrideLanguage === undefined) return Object.freeze({ language, texts: base, ignored: Object.freeze(ignored) });

    const root = `text.${overrideLanguage}`;
    if (!isObject(overrides)) {
      ignored.push({ name: root, reason: REASONS.wrong_type, code: 'wrong_type' });
      return Object.freeze({ language: builtIn, texts: base, ignored: Object.freeze(ignored) });
    }
    const target = cloneTree(base as unknown as TextTree);
    const state: OverlayState = { root, trusted: false, chars: 0, entries: 0, stopped: false, applied: 0, ignored };
    try {
      overlay(target, enDefaults(), overrides, [], state);
    } catch {
      // Defensive only: overlay guards each read; a surprise must still leave the defaults usable.
      report(state, [], 'unreadable');
    }
    const texts = state.applied === 0 ? base : (deepFreeze(target) as unknown as Texts);
    return Object.freeze({ language, texts, ignored: Object.freeze(ignored) });
  };

  return { availableLanguages, pickLanguage, loadLocale, resolveTexts };
}

export type TextCatalog = ReturnType<typeof createTextCatalog>;

let defaultCatalog: TextCatalog | undefined;
/** The catalog over locales/ on disk, created on first use (no I/O at import). */
const catalog = (): TextCatalog => (defaultCatalog ??= createTextCatalog());

/** Built-in languages (locales/*.json named like `en` or `pt-BR`), always including `en`. */
export const availableLanguages = (): readonly string[] => catalog().availableLanguages();
/** The built-in language used for a requested one (`en` when it is unknown or malformed). */
export const pickLanguage = (language: unknown): string => catalog().pickLanguage(language);
/** Complete frozen texts of a built-in language; anything not on the allow-list gives `en`. */
export const loadLocale = (language: unknown): Texts => catalog().loadLocale(language);
/** Resolves Cloudinary's `language` + `text` options into frozen texts plus the overrides that were ignored. */
export const resolveTexts = (input?: ResolveTextsInput): ResolvedTexts => catalog().resolveTexts(input);

function lookup(texts: unknown, key: string): string | undefined {
  let node: unknown = texts;
  for (const segment of key.split('.')) {
    if (typeof node !== 'object' || node === null || !hasOwn(node, segment)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return typeof node === 'string' ? node : undefined;
}

function stringify(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '';
  }
}

// i18next placeholders: `{{name}}` and the unescaped form `{{- name}}` (both plain text here: views escape).
// Only bare identifiers match, so `{{constructor.constructor('x')()}}` is never even a candidate.
const PLACEHOLDER_RE = /\{\{(-?)\s*([A-Za-z_$][\w$]*)\s*\}\}/g;

/** Fills `{{name}}` / `{{- name}}` placeholders from `vars`; placeholders without a variable stay as written. */
export function interpolate(template: string, vars?: TextVars): string {
  if (!vars || !template.includes('{{')) return template;
  // A replacement is never scanned again, so a file name containing "{{num}}" stays literal.
  return template.replace(PLACEHOLDER_RE, (match, _dash: string, name: string) =>
    hasOwn(vars, name) && vars[name] !== undefined ? stringify(vars[name]) : match,
  );
}

/** The text at a dotted key, interpolated; a missing key returns the key itself. */
export function t(texts: Texts, key: TextKey | (string & {}), vars?: TextVars): string {
  const template = lookup(texts, key);
  return template === undefined ? key : interpolate(template, vars);
}

const SIZE_UNITS = ['b', 'k', 'm', 'g', 't'] as const;
const numberFormats = new Map<string, Intl.NumberFormat>();

function formatNumber(value: number, fractionDigits: number, language: string): string {
  const cacheKey = `${language}|${fractionDigits}`;
  let format = numberFormats.get(cacheKey);
  if (!format) {
    const options: Intl.NumberFormatOptions = { maximumFractionDigits: fractionDigits, useGrouping: false };
    try {
      format = new Intl.NumberFormat(language, options);
    } catch {
      format = new Intl.NumberFormat('en', options);
    }
    if (numberFormats.size < 64) numberFormats.set(cacheKey, format);
  }
  return format.format(value);
}

/** Human file size, 1024-based like Cloudinary's widget: 1536 → "1.5 KB", 500 → "500 Bytes"; bad input → "N/A". */
export function formatFileSize(bytes: unknown, texts: Texts, language = 'en'): string {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0) return t(texts, 'uploader.filesize.na');
  let unit = 0;
  let value = bytes;
  while (value >= 1024 && unit < SIZE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // One decimal above bytes; a value that rounds up to 1024 moves to the next unit ("1 MB", not "1024 KB").
  let digits = unit === 0 ? 0 : 1;
  let rounded = Math.round(value * 10 ** digits) / 10 ** digits;
  if (rounded >= 1024 && unit < SIZE_UNITS.length - 1) {
    unit++;
    digits = 1;
    rounded = Math.round((rounded / 1024) * 10) / 10;
  }
  return t(texts, `uploader.filesize.${SIZE_UNITS[unit]!}`, { size: formatNumber(rounded, digits, language) });
}

/** Time-left style duration: "45 s", "2 min 5 s", "1 h 3 min" (seconds rounded up); bad input → "". */
export function formatDuration(seconds: unknown, texts: Texts): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return '';
  const total = Math.ceil(seconds);
  if (total < 60) return t(texts, 'updraft.duration.seconds', { s: total });
  if (total < 3600) return t(texts, 'updraft.duration.minutes', { m: Math.floor(total / 60), s: total % 60 });
  return t(texts, 'updraft.duration.hours', { h: Math.floor(total / 3600), m: Math.floor((total % 3600) / 60) });
}
