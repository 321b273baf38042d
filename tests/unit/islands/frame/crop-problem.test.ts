import { describe, expect, it } from 'vitest';
import { cropProblem } from '../../../../islands/frame/crop-step.ts';
import type { FrameOptions } from '../../../../islands/frame/config.ts';
import { translator } from '../../../../islands/frame/format.ts';
import en from '../../../../locales/en.json' with { type: 'json' };

const t = translator(en);
const options = (values: Partial<FrameOptions>) => ({ croppingValidateDimensions: true, minImageWidth: null, minImageHeight: null, maxImageWidth: null, maxImageHeight: null, ...values }) as FrameOptions;
const selection = (width: number, height: number) => ({ x: 0, y: 0, width, height });

describe('cropProblem (croppingValidateDimensions)', () => {
  it('refuses a crop under the minimum size with the widget message', () => {
    expect(cropProblem(selection(280, 300), options({ minImageWidth: 300, minImageHeight: 200 }), t)).toBe('Image dimensions (280X300) are smaller than the minimum required: (300X200)');
    expect(cropProblem(selection(300, 199), options({ minImageHeight: 200 }), t)).toBe('Image dimensions (300X199) are smaller than the minimum required: (0X200)');
  });

  it('refuses a crop over the maximum size', () => {
    expect(cropProblem(selection(500, 100), options({ maxImageWidth: 400, maxImageHeight: 300 }), t)).toBe('Image dimensions (500X100) are bigger than the maximum allowed: (400X300)');
  });

  it('accepts a crop within the limits, and anything when validation is off', () => {
    expect(cropProblem(selection(300, 200), options({ minImageWidth: 300, minImageHeight: 200, maxImageWidth: 300 }), t)).toBeNull();
    expect(cropProblem(selection(10, 10), options({ croppingValidateDimensions: false, minImageWidth: 300 }), t)).toBeNull();
  });
});
