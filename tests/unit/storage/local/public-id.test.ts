import { describe, expect, it } from 'vitest';
import { thrown } from '../../../helpers/thrown.ts';
import {
  joinFolder,
  normalizeFolder,
  normalizePublicId,
  publicIdFromFilename,
  randomAlphanumeric,
  randomPublicId,
  splitFilename,
} from '../../../../server/storage/local/public-id.ts';

const LONE_SURROGATE = /\p{Cs}/u;
// C0/C1 controls and the Unicode Bidi_Control characters.
const CONTROL_OR_BIDI = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** A19: hostile upload file names. */
const HOSTILE_NAMES = [
  '../../etc/passwd',
  '..\\..\\win.ini',
  '%2e%2e%2f',
  '%2e%2e%2fetc%2fpasswd.jpg',
  'a.jpg\u0000.php',
  'x'.repeat(300),
  `${'x'.repeat(300)}.jpg`,
  '\u202Egpj.exe',
  'photo\u200F\u061C\u2066.png',
  '<img src=x onerror=alert(1)>.jpg',
  'CON',
  'trailing.',
  'trailing ',
  'line\r\nbreak.png',
  'c1\u0085\u009bcontrol.png',
  '..',
  '.',
  '/',
  '',
  'C:\\Users\\me\\photo.JPG',
  `a${'𝒜'.repeat(150)}.png`,
];

/** A20: hostile public ids (also A21 as folders). */
const HOSTILE_PATHS: [string, string][] = [
  ['../x', '../x'],
  ['/abs', '/abs'],
  ['a//b', 'a//b'],
  ['a/./b', 'a/./b'],
  ['a/../b', 'a/../b'],
  ['..', '..'],
  ['.', '.'],
  ['trailing slash', 'a/'],
  ['backslash', 'x\\y'],
  ['NUL', 'a\u0000b'],
  ['newline', 'a\nb'],
  ['DEL', 'a\u007fb'],
  ['1,000 chars', 'a'.repeat(1000)],
  ['256 chars', 'a'.repeat(256)],
  ['%2F', '%2F'],
  ['%2e%2e', 'a/%2e%2e/b'],
  ['?', 'a?b'],
  ['#', 'a#b'],
  ['&', 'a&b'],
  ['<', '<script>'],
  ['+', 'a+b'],
  ['version-like folder', 'v1/a'],
  ['version-like middle folder', 'a/v12/b'],
];

describe('normalizePublicId', () => {
  it.each([
    ['sample', 'sample'],
    ['folder/sub/name', 'folder/sub/name'],
    ['  padded  ', 'padded'],
    ['dots.and-dashes_ok', 'dots.and-dashes_ok'],
    ['.hidden/x..y', '.hidden/x..y'],
    ['héllo/日本語', 'héllo/日本語'],
    ['v1', 'v1'],
    ['a/v123', 'a/v123'],
    ['version1/v1a/V1', 'version1/v1a/V1'],
  ])('accepts %j as %j', (input, expected) => {
    expect(normalizePublicId(input)).toBe(expected);
  });

  it.each([
    ['my image', 'my_image'],
    ['a b/c!d', 'a_b/c_d'],
    ['quote"s\'', 'quote_s_'],
    ['tab-free emoji 😀', 'tab-free_emoji__'],
    ['rlo\u202Eexe', 'rlo_exe'],
    ['a:b*c|d', 'a_b_c_d'],
  ])('replaces other special characters in %j with "_"', (input, expected) => {
    expect(normalizePublicId(input)).toBe(expected);
  });

  it('accepts exactly 255 characters', () => {
    expect(normalizePublicId('a'.repeat(255))).toHaveLength(255);
  });

  it.each(['', '   '])('refuses an empty public id %j', (input) => {
    const error = thrown(() => normalizePublicId(input));
    expect([error.status, error.code]).toEqual([400, 'invalid_public_id']);
  });

  it.each(HOSTILE_PATHS)('A20: refuses %s → 400 invalid_public_id', (_name, input) => {
    const error = thrown(() => normalizePublicId(input));
    expect([error.status, error.code]).toEqual([400, 'invalid_public_id']);
    expect(error.message).toMatch(/^Invalid public_id: /);
  });
});

describe('normalizeFolder', () => {
  it('treats empty and blank as the root', () => {
    expect(normalizeFolder('')).toBe('');
    expect(normalizeFolder('   ')).toBe('');
  });

  it('accepts nested folders and replaces special characters', () => {
    expect(normalizeFolder('products/2024 summer')).toBe('products/2024_summer');
    expect(normalizeFolder('version1/v1a')).toBe('version1/v1a');
  });

  it.each(HOSTILE_PATHS)('A21: refuses %s → 400 invalid_folder', (_name, input) => {
    const error = thrown(() => normalizeFolder(input));
    expect([error.status, error.code]).toEqual([400, 'invalid_folder']);
    expect(error.message).toMatch(/^Invalid folder: /);
  });

  it.each(['v1', 'a/v1', 'v0/x'])('refuses a version-like folder name anywhere, even last (%j)', (input) => {
    const error = thrown(() => normalizeFolder(input));
    expect(error.code).toBe('invalid_folder');
    expect(error.message).toContain('version');
  });

  it('names the field it validates (asset_folder)', () => {
    const error = thrown(() => normalizeFolder('../x', 'asset_folder'));
    expect(error.code).toBe('invalid_folder');
    expect(error.message).toMatch(/^Invalid asset_folder: /);
  });
});

describe('joinFolder', () => {
  it('joins a folder and a name, or returns the name at the root', () => {
    expect(joinFolder('', 'x')).toBe('x');
    expect(joinFolder('a/b', 'x')).toBe('a/b/x');
  });

  it('refuses a combination longer than 255 characters', () => {
    expect(joinFolder('f'.repeat(100), 'n'.repeat(154))).toHaveLength(255);
    const error = thrown(() => joinFolder('f'.repeat(100), 'n'.repeat(155)));
    expect([error.status, error.code]).toEqual([400, 'invalid_public_id']);
  });
});

describe('random ids', () => {
  it('randomPublicId is 20 lowercase letters and digits, and varies', () => {
    const ids = new Set(Array.from({ length: 200 }, () => randomPublicId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]{20}$/);
  });

  it('randomAlphanumeric has the requested length and uses the whole alphabet', () => {
    expect(randomAlphanumeric(0)).toBe('');
    const sample = randomAlphanumeric(5000);
    expect(sample).toMatch(/^[a-z0-9]{5000}$/);
    expect(new Set(sample).size).toBe(36);
  });
});

describe('splitFilename', () => {
  it.each([
    ['photo.jpg', 'photo', 'jpg'],
    ['PHOTO.JPG', 'PHOTO', 'jpg'],
    ['archive.tar.gz', 'archive.tar', 'gz'],
    ['.bashrc', '.bashrc', null],
    ['noext', 'noext', null],
    ['name.', 'name.', null],
    ['name.verylongext', 'name.verylongext', null],
    ['name.jp g', 'name.jp g', null],
    ['  spaced.png  ', 'spaced', 'png'],
  ])('splits %j into base %j and extension %j', (name, base, extension) => {
    expect(splitFilename(name)).toEqual({ base, extension });
  });

  it('handles a missing name', () => {
    expect(splitFilename(undefined)).toEqual({ base: '', extension: null });
  });

  it.each([
    ['../../etc/passwd', 'passwd', null],
    ['..\\..\\win.ini', 'win', 'ini'],
    ['C:\\Users\\me\\photo.JPG', 'photo', 'jpg'],
    ['%2e%2e%2f', '%2e%2e%2f', null],
    ['a.jpg\u0000.php', 'a.jpg', 'php'],
    ['\u202Egpj.exe', 'gpj', 'exe'],
    ['photo\u200F\u061C\u2066.png', 'photo', 'png'],
    ['c1\u0085\u009bcontrol.png', 'c1control', 'png'],
    ['line\r\nbreak.png', 'linebreak', 'png'],
  ])('A19: %j → base %j, extension %j', (name, base, extension) => {
    expect(splitFilename(name)).toEqual({ base, extension });
  });

  it.each(HOSTILE_NAMES)('A19: %j never yields a path separator, control/bidi character or over-long base', (name) => {
    const { base, extension } = splitFilename(name);
    expect(base).not.toMatch(/[\\/]/);
    expect(base).not.toMatch(CONTROL_OR_BIDI);
    expect(base).not.toMatch(LONE_SURROGATE);
    expect(base.length).toBeLessThanOrEqual(200);
    if (extension !== null) expect(extension).toMatch(/^[a-z0-9]{1,10}$/);
  });

  it('caps the base at 200 characters without splitting a surrogate pair', () => {
    expect(splitFilename(`${'x'.repeat(300)}.jpg`)).toEqual({ base: 'x'.repeat(200), extension: 'jpg' });
    const { base } = splitFilename(`a${'𝒜'.repeat(150)}.png`);
    expect(base).toBe(`a${'𝒜'.repeat(99)}`);
  });
});

describe('publicIdFromFilename', () => {
  it('replaces special characters with "_"', () => {
    expect(publicIdFromFilename('my photo (1)', false)).toBe('my_photo__1_');
    expect(publicIdFromFilename('a/b\\c?d&e#f%g<h>i+j', false)).toBe('a_b_c_d_e_f_g_h_i_j');
    expect(publicIdFromFilename('<img src=x onerror=alert(1)>', false)).toBe('_img_src_x_onerror_alert_1__');
    expect(publicIdFromFilename('été-2024_v2', false)).toBe('été-2024_v2');
  });

  it('never starts with a dot', () => {
    expect(publicIdFromFilename('..', false)).toBe('_');
    expect(publicIdFromFilename('.env', false)).toBe('_env');
    expect(publicIdFromFilename('...x', false)).toBe('_x');
  });

  it('adds a "_xxxxxx" suffix of 6 lowercase letters/digits when unique', () => {
    const id = publicIdFromFilename('my photo', true);
    expect(id).toMatch(/^my_photo_[a-z0-9]{6}$/);
    expect(new Set(Array.from({ length: 50 }, () => publicIdFromFilename('x', true))).size).toBeGreaterThan(45);
  });

  it('falls back to a random id for an empty base', () => {
    expect(publicIdFromFilename('', false)).toMatch(/^[a-z0-9]{20}$/);
    expect(publicIdFromFilename('', true)).toMatch(/^[a-z0-9]{20}$/);
  });

  it('caps the stem at 200 characters (plus the unique suffix)', () => {
    expect(publicIdFromFilename('x'.repeat(300), false)).toBe('x'.repeat(200));
    expect(publicIdFromFilename('x'.repeat(300), true)).toMatch(/^x{200}_[a-z0-9]{6}$/);
  });

  it('does not split a surrogate pair at the cap (the stored id must equal the returned one)', () => {
    const id = publicIdFromFilename(`a${'𝒜'.repeat(150)}`, false);
    expect(id).toBe(`a${'𝒜'.repeat(99)}`);
    expect(normalizePublicId(id)).toBe(id);
  });

  it.each(HOSTILE_NAMES)('A19: the id derived from %j is a valid, stable public id without "/"', (name) => {
    for (const unique of [false, true]) {
      const id = publicIdFromFilename(splitFilename(name).base, unique);
      expect(id).not.toContain('/');
      expect(id).not.toMatch(LONE_SURROGATE);
      // Already normal: validating it again changes nothing (what is stored is what is returned).
      expect(normalizePublicId(id)).toBe(id);
    }
  });
});
