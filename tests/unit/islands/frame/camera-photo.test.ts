import { describe, expect, it } from 'vitest';
import { captureStamp } from '../../../../islands/frame/camera-photo.ts';
import { isTouchOnly } from '../../../../islands/frame/touch-capture.ts';

describe('captureStamp', () => {
  it('is the local capture time, zero-padded, safe in file names', () => {
    expect(captureStamp(new Date(2026, 10, 28, 12, 55, 1))).toBe('20261128_125501');
    expect(captureStamp(new Date(2027, 0, 2, 3, 4, 5))).toBe('20270102_030405');
    expect(captureStamp(new Date(2026, 11, 31, 23, 59, 59))).toMatch(/^[0-9_]+$/);
  });
});

describe('isTouchOnly', () => {
  const media = (matching: string[]) => ({ matchMedia: (query: string) => ({ matches: matching.includes(query) }) as MediaQueryList });
  it('is a coarse pointer with no fine pointer anywhere', () => {
    expect(isTouchOnly(media(['(pointer: coarse)']))).toBe(true);
    // A touch laptop or a tablet with a pen or mouse keeps the Camera tab.
    expect(isTouchOnly(media(['(pointer: coarse)', '(any-pointer: fine)']))).toBe(false);
    expect(isTouchOnly(media(['(any-pointer: fine)']))).toBe(false);
  });
});
