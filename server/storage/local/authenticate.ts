import { AppError, badRequest } from '../../errors.ts';
import { bagToRecord, scalar, type ParamBag } from '../../http/param-bag.ts';
import { safeEqual, verifySignature, type SignatureAlgorithm } from '../../services/signing.ts';
import type { Account } from '../../config.ts';
import type { Preset, PresetStore } from './preset-store.ts';

/** Who is uploading: the account (signed or Basic auth) or anyone holding an unsigned preset's name. */
export type UploadAuth =
  | { mode: 'signed'; identity: string; preset: Preset | null }
  | { mode: 'unsigned'; identity: string; preset: Preset };

export interface AuthenticateInput {
  bag: ParamBag;
  authorization: string | undefined;
}

export interface AuthenticatorOptions {
  account: Account;
  presets: PresetStore;
  algorithms: readonly SignatureAlgorithm[];
  now: () => number;
}

const SIGNATURE_WINDOW_SECONDS = 3600;
const FUTURE_SKEW_SECONDS = 300;

const unauthorized = (code: ConstructorParameters<typeof AppError>[0], message: string) => new AppError(code, message, 401);

/** `2015-06-20 12:59:41 +0000`, the format of Cloudinary's stale-request message. */
const cloudinaryTime = (seconds: number) => `${new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} +0000`;

/** Checks a request's credentials the way Cloudinary's Upload API does (spec 2.3–2.4). */
export function createAuthenticator({ account, presets, algorithms, now }: AuthenticatorOptions) {
  const basicAuth = (header: string): boolean => {
    const match = /^Basic ([A-Za-z0-9+/=]{1,1024})$/.exec(header.trim());
    if (!match) return false;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const keyOk = safeEqual(decoded.slice(0, colon), account.apiKey);
    const secretOk = safeEqual(decoded.slice(colon + 1), account.apiSecret);
    return keyOk && secretOk;
  };

  const presetNamed = (bag: ParamBag): Preset | null => {
    const name = scalar(bag, 'upload_preset');
    if (name === undefined || name === '') return null;
    const preset = presets.get(name);
    if (!preset) throw badRequest('preset_not_found', 'Upload preset not found');
    return preset;
  };

  const checkTimestamp = (raw: string | undefined) => {
    if (raw === undefined || raw === '') throw unauthorized('invalid_signature', 'Missing required parameter - timestamp');
    if (!/^\d{1,12}$/.test(raw)) throw badRequest('invalid_param', 'Invalid timestamp: expected whole seconds since the epoch');
    const timestamp = Number(raw);
    const current = Math.floor(now() / 1000);
    if (current - timestamp > SIGNATURE_WINDOW_SECONDS) {
      throw unauthorized('stale_request', `Stale request - reported time is ${cloudinaryTime(timestamp)} which is more than 1 hour ago`);
    }
    if (timestamp - current > FUTURE_SKEW_SECONDS) {
      throw unauthorized('stale_request', `Stale request - reported time is ${cloudinaryTime(timestamp)} which is in the future`);
    }
  };

  /** Authenticates a request whose params are in `bag`, or throws with Cloudinary's message. */
  const authenticate = ({ bag, authorization }: AuthenticateInput): UploadAuth => {
    if (authorization !== undefined && /^basic /i.test(authorization)) {
      if (!basicAuth(authorization)) throw unauthorized('unauthorized', 'Invalid credentials');
      return { mode: 'signed', identity: `key:${account.apiKey}`, preset: presetNamed(bag) };
    }
    const signature = scalar(bag, 'signature');
    if (signature !== undefined && signature !== '') {
      const apiKey = scalar(bag, 'api_key');
      if (apiKey === undefined || apiKey === '') throw unauthorized('missing_api_key', 'Must supply api_key');
      if (!safeEqual(apiKey, account.apiKey)) throw unauthorized('unknown_api_key', `Unknown API key ${apiKey.slice(0, 64)}`);
      checkTimestamp(scalar(bag, 'timestamp'));
      const verdict = verifySignature({ params: bagToRecord(bag), signature, apiSecret: account.apiSecret, allowed: algorithms });
      if (!verdict.ok) {
        throw unauthorized('invalid_signature', `Invalid Signature ${signature.slice(0, 128)}. String to sign - '${verdict.stringToSign}'.`);
      }
      return { mode: 'signed', identity: `key:${apiKey}`, preset: presetNamed(bag) };
    }
    const preset = presetNamed(bag);
    if (!preset) throw badRequest('preset_required', 'Upload preset must be specified when using unsigned upload');
    if (!preset.unsigned) throw badRequest('preset_not_unsigned', 'Upload preset must be whitelisted for unsigned uploads');
    return { mode: 'unsigned', identity: `preset:${preset.name}`, preset };
  };

  /** Admin API and other account-only calls: HTTP Basic or a signed request. */
  const requireAccount = (input: AuthenticateInput): void => {
    if (input.authorization !== undefined && /^basic /i.test(input.authorization)) {
      if (!basicAuth(input.authorization)) throw unauthorized('unauthorized', 'Invalid credentials');
      return;
    }
    const signature = scalar(input.bag, 'signature');
    if (signature === undefined || signature === '') throw unauthorized('missing_api_key', 'Must supply api_key');
    authenticate(input);
  };

  return { authenticate, requireAccount };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;
