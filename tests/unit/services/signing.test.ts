import { createHash } from 'node:crypto';
import { v2 as cloudinary } from 'cloudinary';
import { describe, expect, it } from 'vitest';
import {
  UNSIGNED_KEYS,
  algorithmOf,
  digestHex,
  notificationSignature,
  responseSignature,
  safeEqual,
  signParams,
  stringToSign,
  verifySignature,
  type SignableParams,
  type SignatureAlgorithm,
} from '../../../server/services/signing.ts';

const SECRET = 'abcd';
const BOTH: SignatureAlgorithm[] = ['sha1', 'sha256'];

// The typings declare two parameters; the implementation takes (params, secret, algorithm, version).
const sdkSign = cloudinary.utils.api_sign_request as unknown as (
  params: Record<string, unknown>,
  secret: string,
  algorithm: SignatureAlgorithm,
  version: 1 | 2,
) => string;

const sha = (algorithm: SignatureAlgorithm, text: string) => createHash(algorithm).update(text, 'utf8').digest('hex');

const verify = (params: SignableParams, signature: string, allowed: readonly SignatureAlgorithm[] = BOTH, apiSecret = SECRET) =>
  verifySignature({ params, signature, apiSecret, allowed }).ok;

/** Replaces the hex digit at `index` with a different one. */
const flipHex = (signature: string, index: number) => {
  const at = index < 0 ? signature.length + index : index;
  const replacement = signature[at] === '0' ? '1' : '0';
  return signature.slice(0, at) + replacement + signature.slice(at + 1);
};

describe('published vectors', () => {
  it('signs public_id + timestamp with SHA-1 (docs introduction)', () => {
    const params = { public_id: 'sample_image', timestamp: 1315060510 };
    expect(stringToSign(params)).toBe('public_id=sample_image&timestamp=1315060510');
    expect(signParams(params, SECRET)).toBe('b4ad47fb4e25c7bf5f92a20089f9db59bc302313');
  });

  it('signs the eager example with SHA-1 and SHA-256', () => {
    const params = { timestamp: '1315060510', public_id: 'sample_image', eager: 'w_400,h_300,c_pad|w_260,h_200,c_crop' };
    expect(stringToSign(params) + SECRET).toBe('eager=w_400,h_300,c_pad|w_260,h_200,c_crop&public_id=sample_image&timestamp=1315060510abcd');
    expect(signParams(params, SECRET)).toBe('bfd09f95f331f558cbd1320e67aa8d488770583e');
    expect(signParams(params, SECRET, 'sha1')).toBe('bfd09f95f331f558cbd1320e67aa8d488770583e');
    expect(signParams(params, SECRET, 'sha256')).toBe('cc927e1290f9e3ae4c1a741eda21a4630b4ce80f9ce0bc0296337d25cf40f91e');
    expect(verify(params, 'bfd09f95f331f558cbd1320e67aa8d488770583e')).toBe(true);
    expect(verify(params, 'cc927e1290f9e3ae4c1a741eda21a4630b4ce80f9ce0bc0296337d25cf40f91e')).toBe(true);
  });

  it('signs the widget example', () => {
    const params = { upload_preset: 'my_preset', source: 'uw', timestamp: 1709830648 };
    expect(stringToSign(params)).toBe('source=uw&timestamp=1709830648&upload_preset=my_preset');
    expect(signParams(params, SECRET)).toBe('d3a67e768fcab55697a3cd5f52c344fd8be883bd');
  });

  it('produces the upload-result (response) signature', () => {
    expect(responseSignature('sample', 1312461204, SECRET)).toBe('7332b60d1da7033c332c59cb66dac31f72acc44c');
    expect(responseSignature('sample', 1312461204, SECRET, 'sha256')).toBe(sha('sha256', 'public_id=sample&version=1312461204abcd'));
  });

  it('keeps the response signature at version 1 even when the public id holds "&"', () => {
    expect(responseSignature('a&b', 1, SECRET)).toBe(sha('sha1', 'public_id=a&b&version=1abcd'));
  });

  it('produces the notification (webhook) signature', () => {
    const body = '{"notification_type":"upload","public_id":"sample"}';
    expect(notificationSignature(body, 1700000000, SECRET)).toBe('6739aae925cb229c5a4948b84c1db8a994a4caf1');
    expect(notificationSignature(body, 1700000000, SECRET, 'sha256')).toBe(sha('sha256', `${body}1700000000abcd`));
  });

  it('digestHex is lowercase hex of the UTF-8 bytes', () => {
    expect(digestHex('public_id=sample&version=1312461204abcd', 'sha1')).toBe('7332b60d1da7033c332c59cb66dac31f72acc44c');
    expect(digestHex('é', 'sha1')).toBe(sha('sha1', 'é'));
    expect(digestHex('x', 'sha256')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('stringToSign', () => {
  it('sorts by name regardless of insertion order', () => {
    expect(stringToSign({ timestamp: 1, b: 'x', a: 'y', a_b: 'z' })).toBe('a=y&a_b=z&b=x&timestamp=1');
  });

  it.each([...UNSIGNED_KEYS])('leaves out %s', (key) => {
    const base = { public_id: 'sample_image', timestamp: 1315060510 };
    expect(stringToSign({ ...base, [key]: 'anything' })).toBe(stringToSign(base));
    expect(signParams({ ...base, [key]: 'anything' }, SECRET)).toBe('b4ad47fb4e25c7bf5f92a20089f9db59bc302313');
  });

  it('excludes exactly file, cloud_name, resource_type, api_key and signature', () => {
    expect([...UNSIGNED_KEYS].sort()).toEqual(['api_key', 'cloud_name', 'file', 'resource_type', 'signature']);
  });

  it('drops empty, null and undefined values and empty arrays', () => {
    const withEmpties = { public_id: 'sample_image', timestamp: 1315060510, folder: '', tags: [], context: null, eager: undefined };
    expect(stringToSign(withEmpties)).toBe('public_id=sample_image&timestamp=1315060510');
    expect(signParams(withEmpties, SECRET)).toBe('b4ad47fb4e25c7bf5f92a20089f9db59bc302313');
  });

  it('keeps falsy but non-empty values (0, false)', () => {
    expect(stringToSign({ overwrite: false, timestamp: 0 })).toBe('overwrite=false&timestamp=0');
  });

  it('joins arrays with commas, equal to the comma string (C8)', () => {
    const asArray = { tags: ['cat', 'dog', 'lion'], timestamp: 1 };
    const asString = { tags: 'cat,dog,lion', timestamp: 1 };
    expect(stringToSign(asArray)).toBe('tags=cat,dog,lion&timestamp=1');
    expect(stringToSign(asArray)).toBe(stringToSign(asString));
    expect(signParams(asArray, SECRET)).toBe(signParams(asString, SECRET));
    expect(verify(asString, signParams(asArray, SECRET))).toBe(true);
    expect(verify(asArray, signParams(asString, SECRET))).toBe(true);
  });

  it('does not URL-encode values', () => {
    expect(stringToSign({ context: 'alt=a b|caption=ü', timestamp: 1 })).toBe('context=alt=a b|caption=ü&timestamp=1');
  });

  it('escapes "&" as %26 inside each pair in version 2 only', () => {
    const params = { tags: 'a&b', public_id: 'x&y', timestamp: 1 };
    expect(stringToSign(params, 1)).toBe('public_id=x&y&tags=a&b&timestamp=1');
    expect(stringToSign(params, 2)).toBe('public_id=x%26y&tags=a%26b&timestamp=1');
    expect(stringToSign({ public_id: 'plain', timestamp: 1 }, 2)).toBe(stringToSign({ public_id: 'plain', timestamp: 1 }, 1));
  });
});

describe('agreement with the official SDK (cloudinary.utils.api_sign_request)', () => {
  const smuggling = { public_id: 'x', tags: 'a&overwrite=true', timestamp: 1700000000 };
  const realistic = {
    timestamp: 1700000000,
    public_id: 'folder/my image',
    tags: ['cat', 'dog'],
    context: 'alt=a\\|b|caption=x',
    eager: 'w_400,h_300,c_pad|w_260,h_200,c_crop',
    upload_preset: 'ml_default',
    source: 'uw',
  };

  for (const algorithm of BOTH) {
    for (const version of [1, 2] as const) {
      it(`verifies an SDK ${algorithm} v${version} signature over a value containing "&"`, () => {
        const signature = sdkSign({ ...smuggling }, SECRET, algorithm, version);
        expect(signature).toBe(signParams(smuggling, SECRET, algorithm, version));
        expect(verify(smuggling, signature)).toBe(true);
        expect(verify(smuggling, signature, [algorithm])).toBe(true);
        // The same signature must not cover different params.
        expect(verify({ ...smuggling, timestamp: 1700000001 }, signature)).toBe(false);
        expect(verify(smuggling, signature, BOTH, 'other-secret')).toBe(false);
      });

      it(`matches the SDK for realistic params (${algorithm} v${version})`, () => {
        expect(signParams(realistic, SECRET, algorithm, version)).toBe(sdkSign({ ...realistic }, SECRET, algorithm, version));
        expect(verify(realistic, sdkSign({ ...realistic }, SECRET, algorithm, version))).toBe(true);
      });
    }
  }

  it('gives different v1 and v2 signatures when a value holds "&" (so both forms are really tried)', () => {
    expect(sdkSign({ ...smuggling }, SECRET, 'sha1', 1)).not.toBe(sdkSign({ ...smuggling }, SECRET, 'sha1', 2));
  });
});

describe('verifySignature', () => {
  const params = { eager: 'w_400,h_300,c_pad|w_260,h_200,c_crop', public_id: 'sample_image', timestamp: 1315060510 };
  const sha1 = 'bfd09f95f331f558cbd1320e67aa8d488770583e';
  const sha256 = 'cc927e1290f9e3ae4c1a741eda21a4630b4ce80f9ce0bc0296337d25cf40f91e';

  it('reports the classic string to sign (for the error message) whatever the outcome', () => {
    const expected = 'eager=w_400,h_300,c_pad|w_260,h_200,c_crop&public_id=sample_image&timestamp=1315060510';
    expect(verifySignature({ params, signature: sha1, apiSecret: SECRET, allowed: BOTH })).toEqual({ ok: true, stringToSign: expected });
    expect(verifySignature({ params, signature: 'nope', apiSecret: SECRET, allowed: BOTH })).toEqual({ ok: false, stringToSign: expected });
  });

  it('ignores the unsigned keys sent alongside (file, cloud_name, resource_type, api_key, signature)', () => {
    const sent = { ...params, file: 'data:...', cloud_name: 'demo', resource_type: 'image', api_key: '1234', signature: sha1 };
    expect(verify(sent, sha1)).toBe(true);
  });

  it('rejects a signature computed with the unsigned keys included (C9)', () => {
    const wrong = sha('sha1', `api_key=1234&${stringToSign(params)}&resource_type=image${SECRET}`);
    expect(verify({ ...params, api_key: '1234', resource_type: 'image' }, wrong)).toBe(false);
  });

  it.each([
    ['first', 0],
    ['last', -1],
  ])('rejects a SHA-1 signature wrong in the %s hex char (C2)', (_where, index) => {
    expect(verify(params, flipHex(sha1, index))).toBe(false);
  });

  it.each([
    ['first', 0],
    ['last', -1],
  ])('rejects a SHA-256 signature wrong in the %s hex char (C2)', (_where, index) => {
    expect(verify(params, flipHex(sha256, index))).toBe(false);
  });

  it.each([
    ['uppercase hex', sha1.toUpperCase()],
    ['39 chars', sha1.slice(0, 39)],
    ['41 chars', `${sha1}0`],
    ['63 chars', sha256.slice(0, 63)],
    ['65 chars', `${sha256}0`],
    ['leading space', ` ${sha1.slice(1)}`],
    ['trailing space', `${sha1} `],
    ['trailing newline', `${sha1}\n`],
    ['empty', ''],
    ['non-hex', 'g'.repeat(40)],
  ])('rejects a malformed signature: %s (C3)', (_name, signature) => {
    expect(verify(params, signature)).toBe(false);
  });

  it('refuses SHA-256 when only SHA-1 is allowed, and SHA-1 when only SHA-256 is (C3, C11)', () => {
    expect(verify(params, sha256, ['sha1'])).toBe(false);
    expect(verify(params, sha1, ['sha256'])).toBe(false);
    expect(verify(params, sha1, ['sha1'])).toBe(true);
    expect(verify(params, sha256, ['sha256'])).toBe(true);
  });

  it('refuses a downgrade even when the client declares signature_algorithm=sha1', () => {
    const declared = { ...params, signature_algorithm: 'sha1' };
    expect(verify(declared, signParams(declared, SECRET, 'sha1'), ['sha256'])).toBe(false);
  });

  it('rejects a signature_algorithm param that disagrees with the signature length', () => {
    const claimsSha256 = { ...params, signature_algorithm: 'sha256' };
    // Signed over the params with and without the declared algorithm: neither may pass.
    expect(verify(claimsSha256, signParams(claimsSha256, SECRET, 'sha1'))).toBe(false);
    expect(verify(claimsSha256, sha1)).toBe(false);
    const claimsSha1 = { ...params, signature_algorithm: 'sha1' };
    expect(verify(claimsSha1, signParams(claimsSha1, SECRET, 'sha256'))).toBe(false);
    expect(verify(claimsSha1, sha256)).toBe(false);
    expect(verify({ ...params, signature_algorithm: 'md5' }, sha1)).toBe(false);
  });

  it('accepts an agreeing signature_algorithm whether or not the client signed it', () => {
    const declared = { ...params, signature_algorithm: 'sha256' };
    expect(verify(declared, signParams(declared, SECRET, 'sha256'))).toBe(true);
    expect(verify(declared, sha256)).toBe(true);
  });

  it('rejects a param added after signing (C6)', () => {
    expect(verify({ ...params, overwrite: 'true' }, sha1)).toBe(false);
  });

  it('rejects a changed value and a wrong secret', () => {
    expect(verify({ ...params, public_id: 'sample_imagf' }, sha1)).toBe(false);
    expect(verify(params, sha1, BOTH, 'abce')).toBe(false);
  });

  it('does not let "&" smuggling turn one param into two', () => {
    // Signed: public_id=x and overwrite=true as separate params (v1 string "overwrite=true&public_id=x").
    const signed = signParams({ public_id: 'x', overwrite: 'true', timestamp: 1 }, SECRET);
    // Sent: one public_id whose value holds the delimiter; v2 escapes it and the sorted v1 string differs.
    expect(verify({ public_id: 'x&overwrite=true', timestamp: 1 }, signed)).toBe(false);
  });
});

describe('algorithmOf', () => {
  it('reads the algorithm from exact lowercase hex lengths only', () => {
    expect(algorithmOf('a'.repeat(40))).toBe('sha1');
    expect(algorithmOf('0'.repeat(64))).toBe('sha256');
    expect(algorithmOf('A'.repeat(40))).toBeNull();
    expect(algorithmOf('a'.repeat(39))).toBeNull();
    expect(algorithmOf('a'.repeat(41))).toBeNull();
    expect(algorithmOf('a'.repeat(128))).toBeNull();
    expect(algorithmOf('')).toBeNull();
  });
});

describe('safeEqual', () => {
  it('compares strings exactly', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
    expect(safeEqual('é', 'é')).toBe(true);
    // Same UTF-16 length, different UTF-8 length.
    expect(safeEqual('é', 'e')).toBe(false);
  });
});
