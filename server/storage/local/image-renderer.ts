import { readFile } from 'node:fs/promises';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { AppError, badRequest } from '../../errors.ts';
import { MAX_SIDE, type Gravity, type Length, type OutputFormat, type Rgba, type TransformStep } from '../../services/transformation.ts';

// A small libvips cache: derivatives are cached on disk, and memory must stay bounded under load.
sharp.cache({ memory: 64, files: 0, items: 50 });

export interface RenderSource {
  path: string;
  /** Stored format (svg is read from a buffer, never a path). */
  format: string;
  /** `x,y,w,h` rectangles in the (oriented) original's pixels, for g_custom. */
  customCoordinates: string | null;
  /** Face rectangles (face_coordinates, same format), for g_face and g_faces. */
  faceCoordinates: string | null;
}

export interface RenderLimits {
  maxInputPixels: number;
  maxOutputPixels: number;
}

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

const ALPHA_FORMATS: ReadonlySet<OutputFormat> = new Set(['png', 'webp', 'avif', 'gif']);

const tooLarge = (width: number, height: number, max: number) =>
  new AppError('image_too_large', `Requested image is too large: ${width}x${height} exceeds ${max} pixels`, 400);

/** Pixels for a length: relative lengths are fractions of `base`; dpr multiplies the result. */
function pixels(length: Length | undefined, base: number, dpr: number): number | undefined {
  if (!length) return undefined;
  return Math.max(1, Math.round((length.relative ? length.value * base : length.value) * dpr));
}

function offset(length: Length | undefined, base: number): number {
  if (!length) return 0;
  return Math.round(length.relative ? length.value * base : length.value);
}

/** The `x,y,w,h` rectangles of a coordinates value, clamped into the image. */
function boxesOf(coordinates: string | null, width: number, height: number): Box[] {
  if (!coordinates) return [];
  return coordinates.split('|').map((text) => {
    const [x = 0, y = 0, w = 0, h = 0] = text.split(',').map(Number);
    const left = Math.min(Math.max(0, x), width - 1);
    const top = Math.min(Math.max(0, y), height - 1);
    return { left, top, width: Math.max(1, Math.min(w, width - left)), height: Math.max(1, Math.min(h, height - top)) };
  });
}

/** The smallest box holding all of `boxes`. */
function boundingBox(boxes: Box[]): Box {
  const left = Math.min(...boxes.map((box) => box.left));
  const top = Math.min(...boxes.map((box) => box.top));
  const right = Math.max(...boxes.map((box) => box.left + box.width));
  const bottom = Math.max(...boxes.map((box) => box.top + box.height));
  return { left, top, width: right - left, height: bottom - top };
}

/**
 * The region a gravity focuses on, from the stored coordinates: g_custom the first custom rectangle, g_face
 * the largest face (Cloudinary: "the largest face"), g_faces the box around all faces. The local cloud has
 * no face detector, so the faces are only those stored as face_coordinates (the widget's croppingCoordinatesMode
 * 'face'); without them there is no region and the gravity falls back to the centre.
 */
function focusRegion(gravity: Gravity | undefined, source: RenderSource, width: number, height: number): Box | null {
  if (gravity === 'custom') return boxesOf(source.customCoordinates, width, height)[0] ?? null;
  if (gravity !== 'face' && gravity !== 'faces') return null;
  const faces = boxesOf(source.faceCoordinates, width, height);
  if (faces.length === 0) return null;
  if (gravity === 'faces') return boundingBox(faces);
  return faces.reduce((largest, box) => (box.width * box.height > largest.width * largest.height ? box : largest));
}

/** A compass gravity for placing a box: region gravities without a region (and auto) place it in the centre. */
const compass = (gravity: Gravity | undefined): Gravity | undefined => (gravity === 'auto' || gravity === 'custom' || gravity === 'face' || gravity === 'faces' ? 'center' : gravity);

/** Where a `width`×`height` region sits inside `outer` for a compass gravity (plus x/y offsets). */
function anchor(gravity: Gravity | undefined, outer: { width: number; height: number }, width: number, height: number, dx: number, dy: number): Box {
  const g = gravity ?? (dx || dy ? 'north_west' : 'center');
  const horizontal = g.includes('west') ? 0 : g.includes('east') ? outer.width - width : (outer.width - width) / 2;
  const vertical = g.startsWith('north') ? 0 : g.startsWith('south') ? outer.height - height : (outer.height - height) / 2;
  const left = Math.round(Math.min(Math.max(0, horizontal + dx), outer.width - width));
  const top = Math.round(Math.min(Math.max(0, vertical + dy), outer.height - height));
  return { left, top, width, height };
}

/** Focus point for fill/thumb: the centre of the gravity's region, or of the compass side. */
function focusPoint(gravity: Gravity | undefined, width: number, height: number, region: Box | null): { x: number; y: number } {
  if (region) return { x: region.left + region.width / 2, y: region.top + region.height / 2 };
  const g = compass(gravity) ?? 'center';
  return {
    x: g.includes('west') ? 0 : g.includes('east') ? width : width / 2,
    y: g.startsWith('north') ? 0 : g.startsWith('south') ? height : height / 2,
  };
}

/** A `width`×`height` box centred on `region`, kept inside `outer` (c_crop with a size and a region gravity). */
function around(region: Box, outer: { width: number; height: number }, width: number, height: number): Box {
  const left = Math.round(Math.min(Math.max(0, region.left + region.width / 2 - width / 2), outer.width - width));
  const top = Math.round(Math.min(Math.max(0, region.top + region.height / 2 - height / 2), outer.height - height));
  return { left, top, width, height };
}

interface Stage {
  image: Sharp;
  width: number;
  height: number;
}

/** Scales to cover `w`×`h` and crops around the focus (Cloudinary's fill, and thumb without a region). */
function cover(stage: Stage, w: number, h: number, gravity: Gravity | undefined, region: Box | null): Stage {
  if (gravity === 'auto') {
    return { image: stage.image.resize(w, h, { fit: 'cover', position: sharp.strategy.attention }), width: w, height: h };
  }
  const scale = Math.max(w / stage.width, h / stage.height);
  const scaledWidth = Math.max(w, Math.round(stage.width * scale));
  const scaledHeight = Math.max(h, Math.round(stage.height * scale));
  const focus = focusPoint(gravity, stage.width, stage.height, region);
  const left = Math.round(Math.min(Math.max(0, focus.x * scale - w / 2), scaledWidth - w));
  const top = Math.round(Math.min(Math.max(0, focus.y * scale - h / 2), scaledHeight - h));
  const image = stage.image.resize(scaledWidth, scaledHeight, { fit: 'fill' }).extract({ left, top, width: w, height: h });
  return { image, width: w, height: h };
}

function fitInside(stage: Stage, w: number | undefined, h: number | undefined, only: 'down' | 'up' | 'both'): Stage {
  const scales = [w ? w / stage.width : Infinity, h ? h / stage.height : Infinity];
  let scale = Math.min(...scales);
  if ((only === 'down' && scale > 1) || (only === 'up' && scale < 1)) scale = 1;
  const width = Math.max(1, Math.round(stage.width * scale));
  const height = Math.max(1, Math.round(stage.height * scale));
  if (width === stage.width && height === stage.height) return stage;
  return { image: stage.image.resize(width, height, { fit: 'fill' }), width, height };
}

/**
 * Applies one component's resize/crop to the stage (geometry computed here, not left to sharp's defaults).
 * `region` is the gravity's focus region (custom or face coordinates) when the step has one.
 */
function resizeStep(stage: Stage, step: TransformStep, region: Box | null, background: Rgba): Stage {
  const dpr = step.dpr ?? 1;
  let w = pixels(step.width, stage.width, dpr);
  let h = pixels(step.height, stage.height, dpr);
  const mode = step.crop ?? (w || h ? 'scale' : undefined);
  if (mode === 'crop' && region && !w && !h) {
    return { image: stage.image.extract(region), width: region.width, height: region.height };
  }
  if (!mode || (!w && !h)) return stage;

  switch (mode) {
    case 'scale':
      if (w && h) return { image: stage.image.resize(w, h, { fit: 'fill' }), width: w, height: h };
      return fitInside(stage, w, h, 'both');
    case 'fit':
      return fitInside(stage, w, h, 'both');
    case 'limit':
      return fitInside(stage, w, h, 'down');
    case 'mfit':
      return fitInside(stage, w, h, 'up');
    case 'pad': {
      if (!w || !h) return fitInside(stage, w, h, 'both');
      const fitted = fitInside(stage, w, h, 'both');
      const box = anchor(compass(step.gravity), { width: w, height: h }, fitted.width, fitted.height, 0, 0);
      const image = fitted.image.extend({
        left: box.left,
        top: box.top,
        right: w - fitted.width - box.left,
        bottom: h - fitted.height - box.top,
        background,
      });
      return { image, width: w, height: h };
    }
    case 'crop': {
      w = Math.min(w ?? stage.width, stage.width);
      h = Math.min(h ?? stage.height, stage.height);
      const box = region ? around(region, stage, w, h) : anchor(compass(step.gravity), stage, w, h, offset(step.x, stage.width), offset(step.y, stage.height));
      return { image: stage.image.extract(box), width: box.width, height: box.height };
    }
    case 'thumb':
    case 'fill':
    case 'lfill': {
      let source = stage;
      if (mode === 'thumb' && region) {
        source = { image: stage.image.extract(region), width: region.width, height: region.height };
      }
      w ??= Math.round((h! * source.width) / source.height);
      h ??= Math.round((w * source.height) / source.width);
      if (mode === 'lfill') {
        // Never upscale: keep the requested aspect ratio at the largest size the original allows.
        const shrink = Math.min(1, source.width / w, source.height / h);
        w = Math.max(1, Math.floor(w * shrink));
        h = Math.max(1, Math.floor(h * shrink));
      }
      return cover(source, w, h, source === stage ? step.gravity : 'center', source === stage ? region : null);
    }
  }
}

/** Sharp pipeline for one input (file, or an intermediate raw buffer). */
async function open(source: RenderSource | { raw: Buffer; width: number; height: number; channels: 1 | 2 | 3 | 4 }, maxInputPixels: number): Promise<Sharp> {
  if ('raw' in source) return sharp(source.raw, { raw: { width: source.width, height: source.height, channels: source.channels } });
  const input = source.format === 'svg' ? await readFile(source.path) : source.path;
  return sharp(input, { autoOrient: true, limitInputPixels: maxInputPixels, sequentialRead: true });
}

function encode(image: Sharp, format: OutputFormat, quality: number | 'auto' | undefined, hasAlpha: boolean): Sharp {
  const q = (fallback: number) => (typeof quality === 'number' ? quality : fallback);
  switch (format) {
    case 'jpg':
      return (hasAlpha ? image.flatten({ background: '#ffffff' }) : image).jpeg({ quality: q(80) });
    case 'png':
      return image.png();
    case 'webp':
      return image.webp({ quality: q(80) });
    case 'avif':
      return image.avif({ quality: q(55), effort: 2 });
    case 'gif':
      return image.gif();
  }
}

/**
 * Renders a derivative: auto-orients, applies each component in order (rotation, resize/crop, grayscale),
 * and encodes without metadata (EXIF and GPS are dropped; sharp keeps none unless asked).
 */
export async function renderImage(source: RenderSource, steps: TransformStep[], format: OutputFormat, limits: RenderLimits): Promise<Buffer> {
  let image: Sharp;
  let meta: Metadata;
  try {
    image = await open(source, limits.maxInputPixels);
    meta = await image.metadata();
  } catch {
    throw badRequest('invalid_image', 'The stored image cannot be decoded');
  }
  let stage: Stage = { image, width: meta.autoOrient?.width ?? meta.width ?? 1, height: meta.autoOrient?.height ?? meta.height ?? 1 };
  const background = steps.findLast((step) => step.background)?.background ?? (ALPHA_FORMATS.has(format) ? { r: 255, g: 255, b: 255, alpha: 0 } : { r: 255, g: 255, b: 255, alpha: 1 });
  const quality = steps.findLast((step) => step.quality !== undefined)?.quality;

  for (const [index, step] of steps.entries()) {
    if (typeof step.angle === 'number' && step.angle % 360 !== 0) {
      stage = await materialize({ ...stage, image: stage.image.rotate(step.angle, { background }) }, limits);
    }
    // Stored coordinates are in the original's pixels: only the first component can use them.
    const region = index === 0 ? focusRegion(step.gravity, source, stage.width, stage.height) : null;
    stage = resizeStep(stage, step, region, step.background ?? background);
    if (stage.width > MAX_SIDE || stage.height > MAX_SIDE || stage.width * stage.height > limits.maxOutputPixels) {
      throw tooLarge(stage.width, stage.height, limits.maxOutputPixels);
    }
    if (step.grayscale) stage.image = stage.image.grayscale();
    if (index < steps.length - 1) stage = await materialize(stage, limits);
  }
  try {
    return await encode(stage.image, format, quality, meta.hasAlpha ?? false).toBuffer();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw badRequest('invalid_image', `The image cannot be rendered: ${(error as Error).message.slice(0, 120)}`);
  }
}

/** Ends a pipeline in a raw buffer and starts a new one from it (sharp allows one resize per pipeline). */
async function materialize(stage: Stage, limits: RenderLimits): Promise<Stage> {
  const { data, info } = await stage.image.raw().toBuffer({ resolveWithObject: true });
  const image = await open({ raw: data, width: info.width, height: info.height, channels: info.channels as 1 | 2 | 3 | 4 }, limits.maxInputPixels);
  return { image, width: info.width, height: info.height };
}
