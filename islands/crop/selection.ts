/** A crop selection in the image's own (natural, EXIF-oriented) pixels: integers, inside the image. */
export interface Selection {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ImageSize {
  width: number;
  height: number;
}

/** A keyboard press moves or resizes the selection by this share of the image's side (at least one pixel). */
export const KEYBOARD_STEP = 0.01;

const clamp = (value: number, min: number, max: number) => Math.min(Math.max(value, min), max);

/** The largest box of `aspectRatio` (width/height) that fits the image, or the image itself when the ratio is free. */
function largestBox(image: ImageSize, aspectRatio: number | null): ImageSize {
  if (!aspectRatio) return image;
  return image.width / image.height > aspectRatio ? { width: image.height * aspectRatio, height: image.height } : { width: image.width, height: image.width / aspectRatio };
}

/** The first selection: `share` (croppingDefaultSelectionRatio) of the largest fitting box, centred. */
export function initialSelection(image: ImageSize, aspectRatio: number | null, share: number): Selection {
  const box = largestBox(image, aspectRatio);
  const width = clamp(Math.round(box.width * share), 1, image.width);
  const height = clamp(Math.round(box.height * share), 1, image.height);
  return { x: Math.round((image.width - width) / 2), y: Math.round((image.height - height) / 2), width, height };
}

/**
 * Whole pixels from the cropper's fractional rectangle: the size is rounded on its own (so moving the box
 * never changes its size by a rounding), then the position, kept inside the image.
 */
export function snapSelection(raw: { x: number; y: number; width: number; height: number }, image: ImageSize): Selection {
  const width = clamp(Math.round(raw.width), 1, image.width);
  const height = clamp(Math.round(raw.height), 1, image.height);
  return { x: clamp(Math.round(raw.x), 0, image.width - width), y: clamp(Math.round(raw.y), 0, image.height - height), width, height };
}

/** Width and height after a resize along one axis, the aspect ratio kept when locked, within the image. */
function resized(selection: Selection, axis: 'x' | 'y', delta: number, image: ImageSize, aspectRatio: number | null): ImageSize {
  if (!aspectRatio) {
    return axis === 'x'
      ? { width: clamp(selection.width + delta, 1, image.width), height: selection.height }
      : { width: selection.width, height: clamp(selection.height + delta, 1, image.height) };
  }
  const limit = largestBox(image, aspectRatio);
  const minWidth = Math.max(1, aspectRatio);
  let width = axis === 'x' ? selection.width + delta : (selection.height + delta) * aspectRatio;
  width = clamp(width, minWidth, Math.floor(limit.width));
  const height = clamp(Math.round(width / aspectRatio), 1, image.height);
  return { width: Math.round(width), height };
}

const MOVES: Record<string, { axis: 'x' | 'y'; sign: 1 | -1 }> = {
  ArrowLeft: { axis: 'x', sign: -1 },
  ArrowRight: { axis: 'x', sign: 1 },
  ArrowUp: { axis: 'y', sign: -1 },
  ArrowDown: { axis: 'y', sign: 1 },
};

/**
 * The selection after an arrow key: alone it moves the selection, with Shift it resizes it (Right/Down
 * grow the width/height, Left/Up shrink them, from the top-left corner; the box slides back in when it
 * would leave the image). One press is KEYBOARD_STEP of the image's side. Null for other keys.
 */
export function keyboardSelection(selection: Selection, key: string, shift: boolean, image: ImageSize, aspectRatio: number | null): Selection | null {
  const move = MOVES[key];
  if (!move) return null;
  const side = move.axis === 'x' ? image.width : image.height;
  const delta = move.sign * Math.max(1, Math.round(side * KEYBOARD_STEP));
  if (!shift) {
    return move.axis === 'x'
      ? { ...selection, x: clamp(selection.x + delta, 0, image.width - selection.width) }
      : { ...selection, y: clamp(selection.y + delta, 0, image.height - selection.height) };
  }
  const { width, height } = resized(selection, move.axis, delta, image, aspectRatio);
  return { x: Math.min(selection.x, image.width - width), y: Math.min(selection.y, image.height - height), width, height };
}
