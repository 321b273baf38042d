import { describe, expect, it } from 'vitest';
import { thrown } from '../../helpers/thrown.ts';
import { AppError } from '../../../server/errors.ts';
import { parseChunkHeaders } from '../../../server/http/chunk-headers.ts';

/** The AppError `fn` throws (fails the test when it returns instead). */
const ID = 'uw-batch2-abc123';

describe('parseChunkHeaders: valid forms', () => {
  it('returns null for an ordinary upload (neither header)', () => {
    expect(parseChunkHeaders(undefined, undefined)).toBeNull();
  });

  it('reads a known total', () => {
    expect(parseChunkHeaders(ID, 'bytes 0-5242879/12000000')).toEqual({ uploadId: ID, start: 0, end: 5242879, total: 12000000 });
  });

  it('reads the last chunk ending one byte before the total', () => {
    expect(parseChunkHeaders(ID, 'bytes 10485760-11999999/12000000')).toEqual({ uploadId: ID, start: 10485760, end: 11999999, total: 12000000 });
  });

  it('reads "/-1" (total not known yet, as the Node SDK sends) as total null', () => {
    expect(parseChunkHeaders(ID, 'bytes 0-5999999/-1')).toEqual({ uploadId: ID, start: 0, end: 5999999, total: null });
    expect(parseChunkHeaders(ID, 'bytes 6000000-6000000/-1')).toEqual({ uploadId: ID, start: 6000000, end: 6000000, total: null });
  });

  it('accepts a one-byte range and the largest 15-digit numbers', () => {
    expect(parseChunkHeaders(ID, 'bytes 0-0/1')).toEqual({ uploadId: ID, start: 0, end: 0, total: 1 });
    expect(parseChunkHeaders(ID, 'bytes 0-999999999999998/999999999999999')?.total).toBe(999999999999999);
  });

  it('accepts upload ids of letters, digits, ".", "_" and "-", up to 128 characters', () => {
    for (const id of ['a', 'A-b_c.d', '0123456789', 'x'.repeat(128)]) {
      expect(parseChunkHeaders(id, 'bytes 0-9/10')?.uploadId).toBe(id);
    }
  });
});

describe('parseChunkHeaders: bad input (security-notes §4 B)', () => {
  it('B1: Content-Range without X-Unique-Upload-Id → 400 invalid_upload_id', () => {
    const error = thrown(() => parseChunkHeaders(undefined, 'bytes 0-9/10'));
    expect([error.status, error.code]).toEqual([400, 'invalid_upload_id']);
  });

  it('X-Unique-Upload-Id without Content-Range → 400 bad_content_range', () => {
    const error = thrown(() => parseChunkHeaders(ID, undefined));
    expect([error.status, error.code]).toEqual([400, 'bad_content_range']);
  });

  it.each([
    ['../', '../x'],
    ['"/"', 'a/b'],
    ['backslash', 'a\\b'],
    ['NUL', 'a\u0000b'],
    ['non-ASCII', 'caf\u00e9'],
    ['space', 'a b'],
    ['newline', 'abc\n'],
    ['empty', ''],
    ['129 chars', 'x'.repeat(129)],
    ['1 KB', 'x'.repeat(1024)],
  ])('B2: upload id with %s → 400 invalid_upload_id', (_name, id) => {
    const error = thrown(() => parseChunkHeaders(id, 'bytes 0-9/10'));
    expect([error.status, error.code]).toEqual([400, 'invalid_upload_id']);
  });

  it('B3: no "bytes " prefix → 400 bad_content_range', () => {
    const error = thrown(() => parseChunkHeaders(ID, '0-99/200'));
    expect([error.status, error.code]).toEqual([400, 'bad_content_range']);
  });

  it('B4: start after end → 416 range_out_of_bounds', () => {
    const error = thrown(() => parseChunkHeaders(ID, 'bytes 100-50/200'));
    expect([error.status, error.code]).toEqual([416, 'range_out_of_bounds']);
  });

  it.each(['bytes 0-200/200', 'bytes 150-250/200', 'bytes 0-0/0'])('B5: end ≥ total (%s) → 416 range_out_of_bounds', (range) => {
    const error = thrown(() => parseChunkHeaders(ID, range));
    expect([error.status, error.code]).toEqual([416, 'range_out_of_bounds']);
  });

  it('B6: "/*" never parses → 400 bad_content_range', () => {
    const error = thrown(() => parseChunkHeaders(ID, 'bytes 0-9/*'));
    expect([error.status, error.code]).toEqual([400, 'bad_content_range']);
  });

  it.each([
    'bytes -1-5/10',
    'bytes 0-1e9/2e9',
    'bytes 0x0-0xf/16',
    'bytes  0-9/10',
    'bytes 0-9/-2',
    'bytes 0-9007199254740993/9007199254740994',
    'bytes 0-1000000000000000/1000000000000001',
    'bytes 0-9/10 ',
    ' bytes 0-9/10',
    'bytes 0-9/10\n',
    'bytes 0 - 9/10',
    'bytes 0-9/+10',
    'bytes 0.0-9/10',
    'bytes \u0660-9/10',
    'bytes 0-9',
    'bytes 0-/10',
    'bytes -9/10',
    '',
  ])('B7: %j → 400 bad_content_range', (range) => {
    const error = thrown(() => parseChunkHeaders(ID, range));
    expect([error.status, error.code]).toEqual([400, 'bad_content_range']);
  });

  it.each(['bytes=0-5', 'bytes 0-5,10-15/20', 'bytes 0-5/20, 6-9/20', 'bytes=0-5/20', 'items 0-5/20'])(
    'B16: multi-range or Range-style %j → 400 bad_content_range',
    (range) => {
      const error = thrown(() => parseChunkHeaders(ID, range));
      expect([error.status, error.code]).toEqual([400, 'bad_content_range']);
    },
  );

  it('refuses an overlong Content-Range before matching it', () => {
    const error = thrown(() => parseChunkHeaders(ID, `bytes 0-9/10${' '.repeat(100)}`));
    expect([error.status, error.code]).toEqual([400, 'bad_content_range']);
  });
});
