import { afterEach, describe, expect, it } from 'vitest';
import { thrown } from '../../helpers/thrown.ts';
import { AppError } from '../../../server/errors.ts';
import { addParam, bagFromJson, bagFromSearchParams, bagToRecord, scalar, type ParamBag } from '../../../server/http/param-bag.ts';
import { parseContext } from '../../../server/http/param-values.ts';

const expectCode = (fn: () => unknown, code: string) => {
  const error = thrown(fn);
  expect([error.status, error.code]).toEqual([400, code]);
  return error;
};

const fromQuery = (query: string) => bagFromSearchParams(new URLSearchParams(query));

/** True when nothing has been written onto Object.prototype. */
const prototypeClean = () => {
  const probe = {} as Record<string, unknown>;
  return probe.x === undefined && probe.polluted === undefined && Object.keys(Object.prototype).length === 0;
};

afterEach(() => {
  // A polluted prototype would leak into every later test: fail loudly here instead.
  expect(prototypeClean()).toBe(true);
});

describe('addParam', () => {
  it('stores scalars and key[] arrays', () => {
    const bag: ParamBag = new Map();
    addParam(bag, 'public_id', 'sample');
    addParam(bag, 'tags[]', 'a');
    addParam(bag, 'tags[]', 'b');
    addParam(bag, 'folder', '');
    expect([...bag]).toEqual([
      ['public_id', 'sample'],
      ['tags', ['a', 'b']],
      ['folder', ''],
    ]);
  });

  it.each([
    ['__proto__[x]'],
    ['constructor[prototype][x]'],
    ['__proto__'],
    ['Public_Id'],
    ['public-id'],
    ['public.id'],
    ['public id'],
    [''],
    ['[]'],
    ['tags[][]'],
    ['tags[0]'],
    ['_leading'],
    ['x'.repeat(65)],
    ['ünïcode'],
  ])('A26: refuses the name %j (invalid_param_name)', (name) => {
    const bag: ParamBag = new Map();
    expectCode(() => addParam(bag, name, '1'), 'invalid_param_name');
    expect(bag.size).toBe(0);
  });

  it('accepts a 64-character name', () => {
    const bag: ParamBag = new Map();
    addParam(bag, 'x'.repeat(64), '1');
    expect(bag.get('x'.repeat(64))).toBe('1');
  });

  it('quotes the refused name, cut to 80 characters, in the message', () => {
    const error = expectCode(() => addParam(new Map(), `${'A'.repeat(200)}`, '1'), 'invalid_param_name');
    expect(error.message).toContain(JSON.stringify('A'.repeat(80)));
    expect(error.message).not.toContain('A'.repeat(81));
  });

  it('A27: refuses a repeated scalar (duplicate_param)', () => {
    const bag: ParamBag = new Map();
    addParam(bag, 'public_id', 'a');
    expectCode(() => addParam(bag, 'public_id', 'b'), 'duplicate_param');
    expect(bag.get('public_id')).toBe('a');
  });

  it('refuses mixing key and key[]', () => {
    const scalarFirst: ParamBag = new Map();
    addParam(scalarFirst, 'tags', 'a');
    expectCode(() => addParam(scalarFirst, 'tags[]', 'b'), 'duplicate_param');
    const arrayFirst: ParamBag = new Map();
    addParam(arrayFirst, 'tags[]', 'a');
    expectCode(() => addParam(arrayFirst, 'tags', 'b'), 'duplicate_param');
  });
});

describe('bagFromSearchParams', () => {
  it('reads ordinary fields', () => {
    expect(fromQuery('public_id=sample&timestamp=1315060510&upload_preset=ml_default')).toEqual(
      new Map([
        ['public_id', 'sample'],
        ['timestamp', '1315060510'],
        ['upload_preset', 'ml_default'],
      ]),
    );
  });

  it('allows repeated tags[]', () => {
    expect(fromQuery('tags[]=cat&tags[]=dog&tags[]=cat').get('tags')).toEqual(['cat', 'dog', 'cat']);
    expect(fromQuery('tags%5B%5D=a&tags%5B%5D=b').get('tags')).toEqual(['a', 'b']);
  });

  it.each(['public_id=a&public_id=b', 'public_id=a&public_id=a', 'timestamp=1&timestamp=', 'tags=a&tags[]=b'])(
    'A27: %j → duplicate_param',
    (query) => {
      expectCode(() => fromQuery(query), 'duplicate_param');
    },
  );

  it.each(['__proto__[x]=1', 'constructor[prototype][x]=1', '__proto__[polluted]=1&public_id=a', 'public_id=a&constructor%5Bprototype%5D%5Bx%5D=1'])(
    'A26: %j is refused and nothing is polluted',
    (query) => {
      expectCode(() => fromQuery(query), 'invalid_param_name');
      expect(({} as Record<string, unknown>).x).toBeUndefined();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );
});

describe('bagFromJson', () => {
  it('converts scalars to strings and skips nulls', () => {
    const bag = bagFromJson({ public_id: 'a', timestamp: 1315060510, overwrite: true, invalidate: false, folder: null, eager: undefined });
    expect(bag).toEqual(
      new Map([
        ['public_id', 'a'],
        ['timestamp', '1315060510'],
        ['overwrite', 'true'],
        ['invalidate', 'false'],
      ]),
    );
  });

  it('turns arrays into key[] fields', () => {
    expect(bagFromJson({ tags: ['cat', 'dog', 3] }).get('tags')).toEqual(['cat', 'dog', '3']);
    expect(bagFromJson({ tags: [] }).has('tags')).toBe(false);
  });

  it('turns objects into Cloudinary key=value|key2=value2 with escaping', () => {
    const bag = bagFromJson({ context: { alt: 'a|b', caption: 'x=y', n: 2 } });
    expect(bag.get('context')).toBe('alt=a\\|b|caption=x\\=y|n=2');
    expect(parseContext('context', scalar(bag, 'context'))).toEqual({ alt: 'a|b', caption: 'x=y', n: '2' });
  });

  it.each([null, [], 'text', 42, true])('refuses a non-object body %j (malformed_body)', (body) => {
    expectCode(() => bagFromJson(body), 'malformed_body');
  });

  it.each([
    ['a nested object', { context: { alt: { deep: 'x' } } }],
    ['an object inside an array', { tags: [{ a: 1 }] }],
    ['a nested array', { tags: [['a']] }],
    ['null inside an array', { tags: [null] }],
  ])('refuses %s (invalid_param)', (_name, body) => {
    expectCode(() => bagFromJson(body), 'invalid_param');
  });

  it('applies the name grammar to JSON keys', () => {
    expectCode(() => bagFromJson({ 'Bad Key': 'x' }), 'invalid_param_name');
  });

  it.each([
    '{"__proto__": {"x": "1"}}',
    '{"__proto__": "x=1"}',
    '{"constructor": {"prototype": {"x": "1"}}}',
    '{"__proto__[x]": "1"}',
  ])('A26: JSON %s is refused and nothing is polluted', (json) => {
    expect(() => bagFromJson(JSON.parse(json))).toThrow(AppError);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('bagToRecord and scalar', () => {
  it('copies the bag into a prototype-less record, arrays kept', () => {
    const record = bagToRecord(fromQuery('public_id=a&tags[]=x&tags[]=y'));
    expect(Object.getPrototypeOf(record)).toBeNull();
    expect({ ...record }).toEqual({ public_id: 'a', tags: ['x', 'y'] });
  });

  it('reads scalars and refuses arrays where a scalar belongs', () => {
    const bag = fromQuery('public_id=a&tags[]=x');
    expect(scalar(bag, 'public_id')).toBe('a');
    expect(scalar(bag, 'missing')).toBeUndefined();
    expectCode(() => scalar(bag, 'tags'), 'invalid_param');
  });
});
