import { describe, expect, it } from 'vitest';
import { canonicalTransformation, looksLikeTransformation, parseTransformation } from '../../../server/services/transformation.ts';

describe('parseTransformation', () => {
  it('reads chained components and their parameters', () => {
    expect(parseTransformation('c_limit,h_60,w_90')).toEqual([{ crop: 'limit', height: { value: 60, relative: false }, width: { value: 90, relative: false } }]);
    expect(parseTransformation('w_0.5/e_grayscale,q_auto,f_auto')).toEqual([
      { width: { value: 0.5, relative: true } },
      { grayscale: true, quality: 'auto', format: 'auto' },
    ]);
    expect(parseTransformation('c_crop,g_custom,x_-10,y_.25,b_rgb:ff000080,dpr_2.0,a_90')).toEqual([
      {
        crop: 'crop',
        gravity: 'custom',
        x: { value: -10, relative: false },
        y: { value: 0.25, relative: true },
        background: { r: 255, g: 0, b: 0, alpha: 128 / 255 },
        dpr: 2,
        angle: 90,
      },
    ]);
    expect(parseTransformation('b_white,a_auto,q_auto:good,f_jpeg')[0]).toMatchObject({ background: { r: 255, g: 255, b: 255, alpha: 1 }, angle: 'auto', quality: 'auto', format: 'jpg' });
  });

  it.each([
    ['zz_5', /unknown parameter zz_5/],
    ['w_100,w_200', /appears twice/],
    ['w_0', /must be positive/],
    ['w_10001', /at most 10000/],
    ['w_-5', /expected pixels/],
    ['w_1e3', /expected pixels/],
    ['c_stretch', /expected one of/],
    ['g_sky', /expected one of/],
    ['q_101', /1 to 100/],
    ['dpr_9', /0.1 to 5/],
    ['a_400', /degrees/],
    ['e_blur', /unsupported effect/],
    ['b_#fff', /colour/],
    ['f_bmp', /expected one of/],
    ['c_fill', /needs w_ or h_/],
    ['w_10//h_10', /empty component/],
    ['w', /not key_value/],
    ['w_', /not key_value/],
    ['w_1/'.repeat(11) + 'w_1', /more than 10/],
    ['w_1,'.repeat(300), /longer than/],
  ])('refuses %s', (text, message) => {
    expect(() => parseTransformation(text)).toThrow(message);
    try {
      parseTransformation(text);
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid_transformation', status: 400 });
    }
  });

  it('gives equal canonical forms to reordered parameters', () => {
    expect(canonicalTransformation(parseTransformation('w_90,c_limit,h_60'))).toBe(canonicalTransformation(parseTransformation('c_limit,h_60,w_90')));
    expect(canonicalTransformation(parseTransformation('w_90'))).not.toBe(canonicalTransformation(parseTransformation('w_91')));
  });

  it('tells transformation segments from folder names', () => {
    expect(looksLikeTransformation('c_limit,h_60,w_90')).toBe(true);
    expect(looksLikeTransformation('w_100')).toBe(true);
    expect(looksLikeTransformation('zz_5,w_1')).toBe(true);
    expect(looksLikeTransformation('gallery')).toBe(false);
    expect(looksLikeTransformation('my_folder')).toBe(false);
    expect(looksLikeTransformation('zz_5')).toBe(false);
  });
});
