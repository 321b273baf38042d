import { describe, expect, it } from 'vitest';
import { initialSelection, keyboardSelection, snapSelection, type Selection } from '../../../../islands/crop/selection.ts';

const image = { width: 800, height: 600 };
const presses = (start: Selection, keys: [string, boolean, number][], aspectRatio: number | null = null) =>
  keys.reduce((selection, [key, shift, times]) => {
    for (let i = 0; i < times; i++) selection = keyboardSelection(selection, key, shift, image, aspectRatio)!;
    return selection;
  }, start);

describe('initialSelection', () => {
  it('is the given share of the image, centred, in whole pixels', () => {
    expect(initialSelection(image, null, 1)).toEqual({ x: 0, y: 0, width: 800, height: 600 });
    expect(initialSelection(image, null, 0.5)).toEqual({ x: 200, y: 150, width: 400, height: 300 });
    expect(initialSelection({ width: 333, height: 101 }, null, 0.3)).toEqual({ x: 117, y: 36, width: 100, height: 30 });
  });

  it('with an aspect ratio, is that share of the largest box of the ratio', () => {
    expect(initialSelection(image, 1, 1)).toEqual({ x: 100, y: 0, width: 600, height: 600 });
    expect(initialSelection(image, 2, 0.5)).toEqual({ x: 200, y: 200, width: 400, height: 200 });
    expect(initialSelection(image, 16 / 9, 1)).toEqual({ x: 0, y: 75, width: 800, height: 450 });
  });
});

describe('snapSelection', () => {
  it('rounds to whole pixels and keeps the box inside the image', () => {
    expect(snapSelection({ x: 10.4, y: 20.6, width: 99.5, height: 50.2 }, image)).toEqual({ x: 10, y: 21, width: 100, height: 50 });
    expect(snapSelection({ x: 700.6, y: -0.3, width: 99.7, height: 600.4 }, image)).toEqual({ x: 700, y: 0, width: 100, height: 600 });
    expect(snapSelection({ x: 5, y: 5, width: 0.2, height: 0 }, image)).toEqual({ x: 5, y: 5, width: 1, height: 1 });
  });

  it('the same box moved keeps its size', () => {
    const sizes = [0, 0.25, 0.5, 0.75].map((shift) => snapSelection({ x: 100 + shift, y: 7 + shift, width: 300.5, height: 200.49 }, image));
    expect(new Set(sizes.map((s) => `${s.width}x${s.height}`))).toEqual(new Set(['301x200']));
  });
});

describe('keyboardSelection', () => {
  const start = { x: 200, y: 150, width: 400, height: 300 };

  it('arrows move by 1% of the side, Shift+arrows resize from the top-left corner', () => {
    expect(keyboardSelection(start, 'ArrowRight', false, image, null)).toEqual({ ...start, x: 208 });
    expect(keyboardSelection(start, 'ArrowUp', false, image, null)).toEqual({ ...start, y: 144 });
    expect(keyboardSelection(start, 'ArrowRight', true, image, null)).toEqual({ ...start, width: 408 });
    expect(keyboardSelection(start, 'ArrowUp', true, image, null)).toEqual({ ...start, height: 294 });
    expect(presses(start, [['ArrowLeft', true, 10], ['ArrowUp', true, 5], ['ArrowRight', false, 3], ['ArrowDown', false, 2]])).toEqual({ x: 224, y: 162, width: 320, height: 270 });
  });

  it('ignores other keys', () => {
    expect(keyboardSelection(start, 'Enter', false, image, null)).toBeNull();
    expect(keyboardSelection(start, 'a', true, image, null)).toBeNull();
  });

  it('never leaves the image: moves stop at the edge, growth slides the box back in', () => {
    expect(presses(start, [['ArrowLeft', false, 100]])).toEqual({ ...start, x: 0 });
    expect(presses(start, [['ArrowDown', false, 100]])).toEqual({ ...start, y: 300 });
    expect(presses(start, [['ArrowRight', true, 100]])).toEqual({ ...start, x: 0, width: 800 });
    expect(presses(start, [['ArrowDown', true, 100]])).toEqual({ ...start, y: 0, height: 600 });
    expect(presses(start, [['ArrowLeft', true, 100]])).toEqual({ ...start, width: 1 });
  });

  it('keeps a locked aspect ratio while resizing either way', () => {
    const square = initialSelection(image, 1, 1);
    expect(presses(square, [['ArrowLeft', true, 5]], 1)).toEqual({ x: 100, y: 0, width: 560, height: 560 });
    expect(presses(square, [['ArrowUp', true, 5]], 1)).toEqual({ x: 100, y: 0, width: 570, height: 570 });
    expect(presses(square, [['ArrowRight', true, 3]], 1)).toEqual(square);
    const wide = initialSelection(image, 16 / 9, 0.5);
    for (const key of ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown']) {
      const next = presses(wide, [[key, true, 7]], 16 / 9);
      expect(Math.abs(next.width / next.height - 16 / 9)).toBeLessThan(0.02);
      expect(next.x + next.width).toBeLessThanOrEqual(800);
      expect(next.y + next.height).toBeLessThanOrEqual(600);
    }
  });
});
