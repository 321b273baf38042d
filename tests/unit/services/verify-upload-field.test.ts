import { describe, expect, it, vi } from 'vitest';
import { thrown } from '../../helpers/thrown.ts';
import { responseSignature } from '../../../server/services/signing.ts';
import { verifyUploadField } from '../../../server/services/verify-upload-field.ts';

// Counts the hashing verifyUploadField does, to show malformed values are refused before any of it.
const hashing = vi.hoisted(() => ({ calls: 0 }));
vi.mock('../../../server/services/signing.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../server/services/signing.ts')>();
  return {
    ...actual,
    responseSignature: (...args: Parameters<typeof actual.responseSignature>) => {
      hashing.calls++;
      return actual.responseSignature(...args);
    },
  };
});

const SECRET = 'host-secret-abcdefghijklmnop';
const VERSION = 1732451234;

/** The value the widget's hidden field carries for an upload. */
function field(publicId: string, options: { resourceType?: string; type?: string; version?: number; format?: string | null; algorithm?: 'sha1' | 'sha256'; secret?: string } = {}) {
  const version = options.version ?? VERSION;
  const format = options.format === undefined ? 'jpg' : options.format;
  const signature = responseSignature(publicId, version, options.secret ?? SECRET, options.algorithm ?? 'sha1');
  return `${options.resourceType ?? 'image'}/${options.type ?? 'upload'}/v${version}/${publicId}${format ? `.${format}` : ''}#${signature}`;
}

const code = (value: unknown, secret = SECRET) => thrown(() => verifyUploadField(value, secret)).code;

describe('verifyUploadField: valid values', () => {
  it('parses an image upload (SHA-1, as upload results and the widget carry it)', () => {
    expect(verifyUploadField(field('holiday/beach'), SECRET)).toEqual({ resourceType: 'image', type: 'upload', version: VERSION, publicId: 'holiday/beach', format: 'jpg' });
  });

  it('accepts the SHA-256 form of the response signature', () => {
    expect(verifyUploadField(field('sample', { algorithm: 'sha256' }), SECRET)).toMatchObject({ publicId: 'sample', format: 'jpg' });
  });

  it('keeps dots of the public id: only the last one starts the format', () => {
    expect(verifyUploadField(field('my.photo.final', { format: 'png' }), SECRET)).toMatchObject({ publicId: 'my.photo.final', format: 'png' });
  });

  it('raw files have no format: the public id keeps its extension', () => {
    expect(verifyUploadField(field('docs/report.pdf', { resourceType: 'raw', format: null }), SECRET)).toEqual({ resourceType: 'raw', type: 'upload', version: VERSION, publicId: 'docs/report.pdf', format: null });
    expect(verifyUploadField(field('README', { resourceType: 'raw', format: null }), SECRET)).toMatchObject({ publicId: 'README', format: null });
  });

  it('accepts videos and the private and authenticated types', () => {
    expect(verifyUploadField(field('clips/intro', { resourceType: 'video', format: 'mp4' }), SECRET)).toMatchObject({ resourceType: 'video', format: 'mp4' });
    expect(verifyUploadField(field('secret', { type: 'private' }), SECRET).type).toBe('private');
    expect(verifyUploadField(field('secret', { type: 'authenticated' }), SECRET).type).toBe('authenticated');
  });

  it('accepts unicode letters in public ids (as the Upload API stores them)', () => {
    expect(verifyUploadField(field('été/café'), SECRET).publicId).toBe('été/café');
  });

  it('matches what the official SDK signs (utils.api_sign_request over public_id and version)', async () => {
    const { v2: cloudinary } = await import('cloudinary');
    const signature = (cloudinary.utils.api_sign_request as (p: object, s: string, a: null, v: number) => string)({ public_id: 'sdk/check', version: VERSION }, SECRET, null, 1);
    expect(verifyUploadField(`image/upload/v${VERSION}/sdk/check.jpg#${signature}`, SECRET).publicId).toBe('sdk/check');
  });
});

describe('verifyUploadField: tampered values are refused (invalid_signature)', () => {
  const genuine = field('holiday/beach');
  const signature = genuine.split('#')[1]!;

  it('another public id with the genuine signature', () => {
    expect(code(`image/upload/v${VERSION}/holiday/other.jpg#${signature}`)).toBe('invalid_signature');
  });

  it('another version with the genuine signature', () => {
    expect(code(`image/upload/v${VERSION + 1}/holiday/beach.jpg#${signature}`)).toBe('invalid_signature');
  });

  it('an altered signature', () => {
    const flipped = signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0');
    expect(code(genuine.replace(signature, flipped))).toBe('invalid_signature');
  });

  it('a signature made with another secret', () => {
    expect(code(field('holiday/beach', { secret: 'someone-else' }))).toBe('invalid_signature');
  });

  it('a raw public id split differently (the extension is part of what was signed)', () => {
    const raw = field('docs/report.pdf', { resourceType: 'raw', format: null });
    expect(code(raw.replace('docs/report.pdf', 'docs/report'))).toBe('invalid_signature');
    // The same value claimed as an image would sign public id "docs/report" instead.
    expect(code(raw.replace(/^raw\//, 'image/'))).toBe('invalid_signature');
  });

  it('SHA-1 when only SHA-256 is accepted', () => {
    const error = thrown(() => verifyUploadField(genuine, SECRET, { algorithms: ['sha256'] }));
    expect(error.code).toBe('invalid_signature');
    expect(verifyUploadField(field('x', { algorithm: 'sha256' }), SECRET, { algorithms: ['sha256'] }).publicId).toBe('x');
  });

  it('a malformed format is refused before the signature is looked at', () => {
    expect(code(genuine.replace('.jpg#', '.j/pg#'))).toBe('invalid_upload_field');
    expect(code(genuine.replace('.jpg#', '.JPG#'))).toBe('invalid_upload_field');
    expect(code(genuine.replace('.jpg#', '.jpg?x#'))).toBe('invalid_upload_field');
  });

  it('format, resource type and type are not covered by Cloudinary\'s response signature', () => {
    // The signature covers public_id and version only (the rule every SDK verifies), so these pass: the value
    // still names the same uploaded asset version. Hosts that rely on them look the asset up (Admin API).
    expect(verifyUploadField(genuine.replace('.jpg#', '.png#'), SECRET).format).toBe('png');
    expect(verifyUploadField(genuine.replace(/^image\//, 'video/'), SECRET).resourceType).toBe('video');
  });
});

describe('verifyUploadField: malformed values (invalid_upload_field), checked before any hashing', () => {
  it.each([
    ['not a string', 42],
    ['null', null],
    ['empty', ''],
    ['no signature', `image/upload/v${VERSION}/a.jpg`],
    ['empty signature', `image/upload/v${VERSION}/a.jpg#`],
    ['uppercase hex', `image/upload/v${VERSION}/a.jpg#${'A'.repeat(40)}`],
    ['wrong signature length', `image/upload/v${VERSION}/a.jpg#${'a'.repeat(39)}`],
    ['unknown resource type', `file/upload/v${VERSION}/a.jpg#${'a'.repeat(40)}`],
    ['unknown type', `image/fetch/v${VERSION}/a.jpg#${'a'.repeat(40)}`],
    ['no version', `image/upload/a.jpg#${'a'.repeat(40)}`],
    ['version with leading zero', `image/upload/v0${VERSION}/a.jpg#${'a'.repeat(40)}`],
    ['version out of range', `image/upload/v9999999999999999/a.jpg#${'a'.repeat(40)}`],
    ['image without format', `image/upload/v${VERSION}/photo#${'a'.repeat(40)}`],
    ['uppercase format', `image/upload/v${VERSION}/photo.JPG#${'a'.repeat(40)}`],
    ['empty public id', `image/upload/v${VERSION}/.jpg#${'a'.repeat(40)}`],
    ['dot-dot segment', `image/upload/v${VERSION}/../etc/passwd.jpg#${'a'.repeat(40)}`],
    ['empty segment', `image/upload/v${VERSION}/a//b.jpg#${'a'.repeat(40)}`],
    ['forbidden character', `image/upload/v${VERSION}/a<b.jpg#${'a'.repeat(40)}`],
    ['control character', `image/upload/v${VERSION}/a\nb.jpg#${'a'.repeat(40)}`],
    ['two hashes', `image/upload/v${VERSION}/a.jpg#${'a'.repeat(40)}#${'a'.repeat(40)}`],
    ['leading space', ` image/upload/v${VERSION}/a.jpg#${'a'.repeat(40)}`],
    ['overlong', `raw/upload/v${VERSION}/${'a'.repeat(600)}#${'a'.repeat(40)}`],
  ])('%s', (_name, value) => {
    const before = hashing.calls;
    expect(code(value)).toBe('invalid_upload_field');
    expect(hashing.calls).toBe(before);
  });

  it('errors carry status 400 and a one-line message', () => {
    const error = thrown(() => verifyUploadField('nonsense', SECRET));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^Invalid upload field: [^\n]+$/);
  });

  it('refuses to verify without a secret (a configuration mistake, not a bad value)', () => {
    expect(code(field('a'), '')).toBe('invalid_config');
  });
});
