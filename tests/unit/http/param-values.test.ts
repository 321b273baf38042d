import { describe, expect, it } from 'vitest';
import { thrown } from '../../helpers/thrown.ts';
import {
  formatContext,
  parseBool,
  parseContext,
  parseCoordinates,
  parsePositiveInt,
  parseTags,
  parseWordList,
} from '../../../server/http/param-values.ts';

const expectInvalid = (fn: () => unknown, name: string) => {
  const error = thrown(fn);
  expect([error.status, error.code]).toEqual([400, 'invalid_param']);
  expect(error.message).toContain(name);
};

describe('parseBool', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['false', false],
    ['False', false],
    ['0', false],
  ])('reads %j as %s', (input, expected) => {
    expect(parseBool('overwrite', input)).toBe(expected);
  });

  it('treats absent and empty as not given', () => {
    expect(parseBool('overwrite', undefined)).toBeUndefined();
    expect(parseBool('overwrite', '')).toBeUndefined();
  });

  it.each(['yes', 'no', '2', ' true', 'true ', 'on', 'null'])('refuses %j', (input) => {
    expectInvalid(() => parseBool('overwrite', input), 'overwrite');
  });
});

describe('parseTags', () => {
  it('splits a comma string, trims, drops empties and duplicates', () => {
    expect(parseTags('tags', ' cat, dog ,,cat, lion ')).toEqual(['cat', 'dog', 'lion']);
  });

  it('accepts repeated tags[] fields, each of which may hold commas', () => {
    expect(parseTags('tags', ['a,b', 'c', 'a'])).toEqual(['a', 'b', 'c']);
  });

  it('keeps spaces inside a tag and non-ASCII text', () => {
    expect(parseTags('tags', 'summer holiday,été,日本')).toEqual(['summer holiday', 'été', '日本']);
  });

  it('returns undefined when absent and [] for an empty string', () => {
    expect(parseTags('tags', undefined)).toBeUndefined();
    expect(parseTags('tags', '')).toEqual([]);
  });

  it('allows 100 tags and refuses 101', () => {
    const tags = Array.from({ length: 100 }, (_, i) => `t${i}`);
    expect(parseTags('tags', tags.join(','))).toHaveLength(100);
    expectInvalid(() => parseTags('tags', [...tags, 't100'].join(',')), 'tags');
    expectInvalid(() => parseTags('tags', [...tags, 't100']), 'tags');
  });

  it('allows a 255-character tag and refuses 256', () => {
    expect(parseTags('tags', 'x'.repeat(255))).toEqual(['x'.repeat(255)]);
    expectInvalid(() => parseTags('tags', 'x'.repeat(256)), 'tags');
  });

  it.each(['a\u0000b', 'a\nb', 'a\u007fb', 'a\tb'])('refuses control characters (%j)', (tag) => {
    expectInvalid(() => parseTags('tags', `ok,${tag}`), 'tags');
  });
});

describe('parseWordList', () => {
  it('lower-cases a format list', () => {
    expect(parseWordList('allowed_formats', 'JPG, png,webp')).toEqual(['jpg', 'png', 'webp']);
    expect(parseWordList('allowed_formats', ['gif', 'mp4'])).toEqual(['gif', 'mp4']);
    expect(parseWordList('allowed_formats', undefined)).toBeUndefined();
  });

  it.each(['jp g', 'png;jpg', '.png', 'x'.repeat(17), 'jpg,<svg>'])('refuses %j', (value) => {
    expectInvalid(() => parseWordList('allowed_formats', value), 'allowed_formats');
  });
});

describe('parseContext', () => {
  it('parses key=value pairs separated by "|"', () => {
    expect(parseContext('context', 'alt=My image|caption=Hello world')).toEqual({ alt: 'My image', caption: 'Hello world' });
  });

  it('honours "\\" escapes of "|" and "=" (a=b\\|c|d=e\\=f)', () => {
    expect(parseContext('context', 'a=b\\|c|d=e\\=f')).toEqual({ a: 'b|c', d: 'e=f' });
  });

  it('unescapes "\\"" and "\\\\", and escaped characters in keys', () => {
    expect(parseContext('context', 'q=say \\"hi\\"|path=c:\\\\temp|k\\=ey=v')).toEqual({ q: 'say "hi"', path: 'c:\\temp', 'k=ey': 'v' });
  });

  it('keeps a trailing lone backslash literally', () => {
    expect(parseContext('context', 'a=b\\')).toEqual({ a: 'b\\' });
  });

  it('reads an entry without "=" as a key with an empty value, and "k=" likewise', () => {
    expect(parseContext('context', 'flag|k=')).toEqual({ flag: '', k: '' });
  });

  it('keeps "=" inside a value after the first one', () => {
    expect(parseContext('context', 'expr=a=b')).toEqual({ expr: 'a=b' });
  });

  it('trims keys but not values, skips empty entries, last duplicate wins', () => {
    expect(parseContext('context', ' key = v ||key2=x|key2=y')).toEqual({ key: ' v ', key2: 'y' });
  });

  it('returns undefined for absent or empty input', () => {
    expect(parseContext('context', undefined)).toBeUndefined();
    expect(parseContext('context', '')).toBeUndefined();
  });

  it.each(['=value', 'a=b| =c'])('refuses an entry without a key (%j)', (value) => {
    expectInvalid(() => parseContext('context', value), 'context');
  });

  it('allows 100 entries and refuses 101', () => {
    const entries = (n: number) => Array.from({ length: n }, (_, i) => `k${i}=v`).join('|');
    expect(Object.keys(parseContext('context', entries(100))!)).toHaveLength(100);
    expectInvalid(() => parseContext('context', entries(101)), 'context');
  });

  it('allows 1024-character keys and values and refuses longer', () => {
    expect(parseContext('context', `${'k'.repeat(1024)}=${'v'.repeat(1024)}`)).toEqual({ ['k'.repeat(1024)]: 'v'.repeat(1024) });
    expectInvalid(() => parseContext('context', `k=${'v'.repeat(1025)}`), 'context');
    expectInvalid(() => parseContext('context', `${'k'.repeat(1025)}=v`), 'context');
  });

  it('drops __proto__, constructor and prototype keys without touching any prototype (A26)', () => {
    const context = parseContext('custom_context', '__proto__=polluted|constructor=x|prototype=y|x=1|ok=yes')!;
    expect(context).toEqual({ x: '1', ok: 'yes' });
    expect(Object.getPrototypeOf(context)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'x')).toBe(false);
  });
});

describe('formatContext', () => {
  it('escapes "=", "|", "\\" and "\\"" and round-trips through parseContext', () => {
    const context = { 'a=b': 'c|d', quote: 'say "hi"', slash: 'c:\\temp', plain: 'text', empty: '' };
    const wire = formatContext(context);
    expect(wire).toBe('a\\=b=c\\|d|quote=say \\"hi\\"|slash=c:\\\\temp|plain=text|empty=');
    expect(parseContext('context', wire)).toEqual(context);
  });

  it('formats an empty object as an empty string', () => {
    expect(formatContext({})).toBe('');
  });
});

describe('parseCoordinates', () => {
  it('normalizes one or more x,y,w,h rectangles', () => {
    expect(parseCoordinates('custom_coordinates', '10,20,30,40')).toBe('10,20,30,40');
    expect(parseCoordinates('face_coordinates', ' 1, 2 ,3,4|5,6,7,8')).toBe('1,2,3,4|5,6,7,8');
  });

  it('rounds fractional values', () => {
    expect(parseCoordinates('custom_coordinates', '1.4,2.6,3.5,4.0')).toBe('1,3,4,4');
  });

  it('returns undefined for absent or empty input', () => {
    expect(parseCoordinates('custom_coordinates', undefined)).toBeUndefined();
    expect(parseCoordinates('custom_coordinates', '')).toBeUndefined();
  });

  it.each([
    '1,2,3',
    '1,2,3,4,5',
    '-1,0,10,10',
    '0,0,0,10',
    '0,0,10,0.4',
    'a,b,c,d',
    '1e3,0,1,1',
    '0x1,0,1,1',
    '1,2,3,4|',
    '1,2,3,4||5,6,7,8',
    '1234567,0,1,1',
    '1,2,3,4;5,6,7,8',
  ])('refuses %j', (value) => {
    expectInvalid(() => parseCoordinates('custom_coordinates', value), 'custom_coordinates');
  });

  it('allows 100 rectangles and refuses 101', () => {
    const boxes = (n: number) => Array.from({ length: n }, () => '0,0,1,1').join('|');
    expect(parseCoordinates('face_coordinates', boxes(100))?.split('|')).toHaveLength(100);
    expectInvalid(() => parseCoordinates('face_coordinates', boxes(101)), 'face_coordinates');
  });
});

describe('parsePositiveInt', () => {
  it('reads positive integers', () => {
    expect(parsePositiveInt('max_file_size', '10485760')).toBe(10485760);
    expect(parsePositiveInt('max_file_size', '007')).toBe(7);
    expect(parsePositiveInt('max_file_size', '999999999999999')).toBe(999999999999999);
  });

  it('returns undefined for absent or empty input', () => {
    expect(parsePositiveInt('max_file_size', undefined)).toBeUndefined();
    expect(parsePositiveInt('max_file_size', '')).toBeUndefined();
  });

  it.each(['0', '-1', '1.5', '1e3', ' 1', '0x10', 'ten', '9'.repeat(16)])('refuses %j', (value) => {
    expectInvalid(() => parsePositiveInt('max_file_size', value), 'max_file_size');
  });
});
