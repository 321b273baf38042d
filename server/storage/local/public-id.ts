import { randomInt } from 'node:crypto';
import { AppError, type ErrorCode } from '../../errors.ts';

const MAX_PUBLIC_ID = 255;
const FORBIDDEN = /[?&#\\%<>+\u0000-\u001f\u007f]/u;
const OTHER_SPECIAL = /[^\p{L}\p{M}\p{N}_.\-/]/gu;
const VERSION_LIKE = /^v\d+$/;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

const invalid = (code: ErrorCode, field: string, why: string) => new AppError(code, `Invalid ${field}: ${why}`, 400);

/**
 * Validates a public id or folder path (Cloudinary naming rules): 1–255 characters, no `? & # \ % < > +` or
 * control characters, no empty, `.` or `..` segments, no leading or trailing slash, no folder named like a
 * version (`v123`). Other special characters become `_`, as Cloudinary does.
 */
function normalizePath(value: string, field: string, code: ErrorCode, lastSegmentMayLookLikeVersion: boolean): string {
  const text = value.trim();
  if (text.length > MAX_PUBLIC_ID) throw invalid(code, field, `at most ${MAX_PUBLIC_ID} characters`);
  if (FORBIDDEN.test(text)) throw invalid(code, field, 'the characters ? & # \\ % < > + and control characters are not allowed');
  if (text.startsWith('/') || text.endsWith('/')) throw invalid(code, field, 'it may not start or end with "/"');
  const segments = text.split('/');
  segments.forEach((segment, index) => {
    if (segment === '' || segment === '.' || segment === '..') throw invalid(code, field, 'empty, "." and ".." path segments are not allowed');
    const isLast = index === segments.length - 1;
    if (VERSION_LIKE.test(segment) && !(isLast && lastSegmentMayLookLikeVersion)) {
      throw invalid(code, field, `a folder may not be named like a version ("${segment}")`);
    }
  });
  return text.replace(OTHER_SPECIAL, '_');
}

export function normalizePublicId(value: string): string {
  if (value.trim() === '') throw invalid('invalid_public_id', 'public_id', 'it is empty');
  return normalizePath(value, 'public_id', 'invalid_public_id', true);
}

/** A folder path; empty means the root. */
export function normalizeFolder(value: string, field = 'folder'): string {
  if (value.trim() === '') return '';
  return normalizePath(value, field, 'invalid_folder', false);
}

export function joinFolder(folder: string, name: string): string {
  const id = folder ? `${folder}/${name}` : name;
  if (id.length > MAX_PUBLIC_ID) throw invalid('invalid_public_id', 'public_id', `folder and name together exceed ${MAX_PUBLIC_ID} characters`);
  return id;
}

export function randomAlphanumeric(length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += ALPHABET[randomInt(ALPHABET.length)];
  return text;
}

/** Cloudinary's generated ids: 20 lowercase letters and digits. */
export const randomPublicId = () => randomAlphanumeric(20);

/** The first `max` UTF-16 units, without leaving half a surrogate pair at the end. */
const cap = (text: string, max: number) => text.slice(0, max).replace(/[\uD800-\uDBFF]$/, '');

/** Splits an uploaded file's name into a safe base name and extension (never used as a path). */
export function splitFilename(name: string | undefined): { base: string; extension: string | null } {
  const leaf = (name ?? '').split(/[\\/]/).pop() ?? '';
  // C0/C1 controls and every bidi control (LRM/RLM/ALM too, not only overrides and isolates).
  const clean = leaf.replace(/[\p{Cc}\p{Bidi_Control}]/gu, '').trim();
  const dot = clean.lastIndexOf('.');
  const hasExtension = dot > 0 && dot < clean.length - 1 && /^[A-Za-z0-9]{1,10}$/.test(clean.slice(dot + 1));
  const base = cap(hasExtension ? clean.slice(0, dot) : clean, 200);
  return { base, extension: hasExtension ? clean.slice(dot + 1).toLowerCase() : null };
}

/** The public id `use_filename` derives: the base name with specials as `_`, plus `_xxxxxx` when unique. */
export function publicIdFromFilename(base: string, unique: boolean): string {
  const replaced = base.replace(/[?&#\\%<>+/]/g, '_').replace(OTHER_SPECIAL, '_').replace(/^\.+/, '_');
  const stem = cap(replaced, 200);
  if (stem === '') return randomPublicId();
  return unique ? `${stem}_${randomAlphanumeric(6)}` : stem;
}
