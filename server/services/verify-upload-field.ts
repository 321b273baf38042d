import { AppError } from '../errors.ts';
import { algorithmOf, responseSignature, safeEqual, type SignatureAlgorithm } from './signing.ts';

/** What a verified upload field names: enough to build delivery URLs or call the Admin API. */
export interface UploadFieldValue {
  resourceType: 'image' | 'video' | 'raw';
  /** Delivery type the asset was stored with. */
  type: 'upload' | 'private' | 'authenticated';
  version: number;
  publicId: string;
  /** Extension of the stored format; null for raw files (their public id keeps its extension). */
  format: string | null;
}

export interface VerifyUploadFieldOptions {
  /** Signature algorithms accepted (default both); `['sha256']` refuses SHA-1 signatures. */
  algorithms?: readonly SignatureAlgorithm[];
}

/** Longer values are refused before any parsing (a public id is at most 255 characters). */
const MAX_LENGTH = 512;
// `<resource_type>/<type>/v<version>/<public_id>[.<format>]#<hex signature>` as the widget's hidden field writes it.
const FIELD = /^(image|video|raw)\/(upload|private|authenticated)\/v([1-9][0-9]{0,14})\/([^#]+)#([0-9a-f]+)$/;
const FORMAT = /^[a-z0-9]{1,10}$/;
// Public id rules of the Upload API: none of ? & # \ % < > + or control characters; no empty, "." or ".." segments.
const FORBIDDEN = /[?&#\\%<>+\u0000-\u001f\u007f]/u;

const malformed = (why: string) => new AppError('invalid_upload_field', `Invalid upload field: ${why}`, 400);

function checkPublicId(publicId: string): void {
  if (publicId.length === 0 || publicId.length > 255) throw malformed('the public id must have 1 to 255 characters');
  if (FORBIDDEN.test(publicId) || publicId.trim() !== publicId) throw malformed('the public id holds characters an upload never returns');
  if (publicId.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) throw malformed('the public id has an empty, "." or ".." segment');
}

/**
 * Parses and verifies the value the widget posts for an uploaded file
 * (`image/upload/v<version>/<public_id>.<format>#<signature>`): the signature must be the upload response's,
 * hex(SHA-1 or SHA-256 of `public_id=<id>&version=<version>` + api_secret), compared in constant time.
 * The grammar is checked before any hashing. Throws AppError `invalid_upload_field` for a malformed value and
 * `invalid_signature` when the value was not issued for this account (or was altered).
 */
export function verifyUploadField(value: unknown, apiSecret: string, options: VerifyUploadFieldOptions = {}): UploadFieldValue {
  if (typeof apiSecret !== 'string' || apiSecret === '') throw new AppError('invalid_config', 'verifyUploadField needs the account\'s api secret', 500);
  if (typeof value !== 'string') throw malformed('expected a string');
  if (value.length > MAX_LENGTH) throw malformed(`longer than ${MAX_LENGTH} characters`);
  const match = FIELD.exec(value);
  if (!match) throw malformed('expected <resource_type>/<type>/v<version>/<public_id>.<format>#<signature>');
  const [, resourceType, type, versionText, path, signature] = match as unknown as [string, UploadFieldValue['resourceType'], UploadFieldValue['type'], string, string, string];

  const version = Number(versionText);
  if (!Number.isSafeInteger(version)) throw malformed('the version is out of range');
  let publicId = path;
  let format: string | null = null;
  if (resourceType !== 'raw') {
    // Images and videos always carry their format after the last dot; a public id may hold dots of its own.
    const dot = path.lastIndexOf('.');
    format = dot > 0 ? path.slice(dot + 1) : '';
    if (!FORMAT.test(format)) throw malformed('an image or video needs its format (lowercase letters and digits) after the public id');
    publicId = path.slice(0, dot);
  }
  checkPublicId(publicId);

  const algorithm = algorithmOf(signature);
  const allowed = options.algorithms ?? ['sha1', 'sha256'];
  if (!algorithm) throw malformed('the signature must be 40 (SHA-1) or 64 (SHA-256) lowercase hex digits');
  if (!allowed.includes(algorithm)) throw new AppError('invalid_signature', `Invalid upload field signature: ${algorithm} signatures are not accepted`, 400);
  if (!safeEqual(responseSignature(publicId, version, apiSecret, algorithm), signature)) {
    throw new AppError('invalid_signature', 'Invalid upload field signature: the value was altered or not issued for this account', 400);
  }
  return { resourceType, type, version, publicId, format };
}
