import { badRequest } from '../errors.ts';
import { formatContext } from './param-values.ts';

/** Request parameters exactly as they arrived; `key[]` fields become arrays under `key`. */
export type ParamBag = Map<string, string | string[]>;

// Cloudinary's names are lowercase snake_case starting with a letter (which also rules out __proto__).
const PARAM_NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** Adds one wire field, refusing names outside the grammar and repeated scalar keys (signature smuggling). */
export function addParam(bag: ParamBag, rawName: string, value: string): void {
  const isArray = rawName.endsWith('[]');
  const name = isArray ? rawName.slice(0, -2) : rawName;
  if (!PARAM_NAME.test(name)) {
    throw badRequest('invalid_param_name', `Invalid parameter name ${JSON.stringify(rawName.slice(0, 80))}`);
  }
  const existing = bag.get(name);
  if (isArray) {
    if (typeof existing === 'string') throw duplicate(name);
    bag.set(name, [...(existing ?? []), value]);
    return;
  }
  if (existing !== undefined) throw duplicate(name);
  bag.set(name, value);
}

const duplicate = (name: string) => badRequest('duplicate_param', `Parameter ${name} was sent more than once`);

/** Converts a decoded JSON body into a bag (objects such as `context` become Cloudinary's `k=v|k2=v2`). */
export function bagFromJson(body: unknown): ParamBag {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('malformed_body', 'The JSON body must be an object');
  }
  const bag: ParamBag = new Map();
  for (const [key, value] of Object.entries(body)) {
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) {
      for (const item of value) addParam(bag, `${key}[]`, scalarText(key, item));
    } else if (typeof value === 'object') {
      addParam(bag, key, encodeKeyValues(key, value as Record<string, unknown>));
    } else {
      addParam(bag, key, scalarText(key, value));
    }
  }
  return bag;
}

function scalarText(key: string, value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw badRequest('invalid_param', `Parameter ${key} has an unsupported value`);
}

function encodeKeyValues(key: string, value: Record<string, unknown>): string {
  return formatContext(Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scalarText(key, v)])));
}

/** Converts a query string / urlencoded body into a bag with the same rules as multipart. */
export function bagFromSearchParams(search: URLSearchParams): ParamBag {
  const bag: ParamBag = new Map();
  for (const [key, value] of search) addParam(bag, key, value);
  return bag;
}

/** The bag as a plain record for signing (arrays stay arrays). */
export function bagToRecord(bag: ParamBag): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = Object.create(null);
  for (const [key, value] of bag) record[key] = value;
  return record;
}

/** A scalar parameter; an array where a scalar belongs is refused. */
export function scalar(bag: ParamBag, key: string): string | undefined {
  const value = bag.get(key);
  if (Array.isArray(value)) throw badRequest('invalid_param', `Parameter ${key} must be a single value`);
  return value;
}
