import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderImage, type RenderSource } from '../../../../server/storage/local/image-renderer.ts';
import { parseTransformation } from '../../../../server/services/transformation.ts';
import { writeTemp } from '../../../helpers/fixtures.ts';

// Region gravities (g_custom, g_face, g_faces) read the stored coordinates. The source image encodes each
// pixel's position in its colour (R = x, G = y), so a rendered crop tells exactly where it was taken from.

const WIDTH = 240;
const HEIGHT = 160;
const LIMITS = { maxInputPixels: 10_000_000, maxOutputPixels: 10_000_000 };
let path: string;

beforeAll(async () => {
  const raw = Buffer.alloc(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) raw.set([x, y, 99], (y * WIDTH + x) * 3);
  }
  path = writeTemp('positions.png', await sharp(raw, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } }).png().toBuffer());
});

const source = (coordinates: { custom?: string; faces?: string } = {}): RenderSource => ({
  path,
  format: 'png',
  customCoordinates: coordinates.custom ?? null,
  faceCoordinates: coordinates.faces ?? null,
});

/** Renders to PNG and returns its size and a pixel reader (first two channels: the source x and y). */
async function render(transformation: string, from: RenderSource) {
  const bytes = await renderImage(from, parseTransformation(transformation), 'png', LIMITS);
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number) => ({ x: data[(y * info.width + x) * info.channels]!, y: data[(y * info.width + x) * info.channels + 1]! });
  return { width: info.width, height: info.height, at };
}

describe('g_custom', () => {
  it('c_crop keeps exactly the first custom rectangle', async () => {
    const crop = await render('c_crop,g_custom', source({ custom: '30,40,100,50|0,0,10,10' }));
    expect([crop.width, crop.height]).toEqual([100, 50]);
    expect(crop.at(0, 0)).toEqual({ x: 30, y: 40 });
    expect(crop.at(99, 49)).toEqual({ x: 129, y: 89 });
  });

  it('c_crop with a size centres that size on the rectangle, inside the image', async () => {
    const crop = await render('c_crop,g_custom,w_40,h_20', source({ custom: '30,40,100,50' }));
    expect([crop.width, crop.height]).toEqual([40, 20]);
    expect(crop.at(0, 0)).toEqual({ x: 60, y: 55 });
    const edge = await render('c_crop,g_custom,w_60,h_60', source({ custom: '0,0,10,10' }));
    expect(edge.at(0, 0)).toEqual({ x: 0, y: 0 });
  });
});

describe('g_face and g_faces use the stored face_coordinates', () => {
  it('c_crop,g_face keeps the face rectangle (the largest of several)', async () => {
    const crop = await render('c_crop,g_face', source({ faces: '10,10,20,20|100,60,80,40' }));
    expect([crop.width, crop.height]).toEqual([80, 40]);
    expect(crop.at(0, 0)).toEqual({ x: 100, y: 60 });
    expect(crop.at(79, 39)).toEqual({ x: 179, y: 99 });
  });

  it('c_crop,g_faces keeps the box around all faces', async () => {
    const crop = await render('c_crop,g_faces', source({ faces: '10,10,20,20|100,60,80,40' }));
    expect([crop.width, crop.height]).toEqual([170, 90]);
    expect(crop.at(0, 0)).toEqual({ x: 10, y: 10 });
  });

  it('c_thumb,g_face scales the face region to the requested size', async () => {
    const thumb = await render('c_thumb,g_face,w_40,h_20', source({ faces: '100,60,80,40' }));
    expect([thumb.width, thumb.height]).toEqual([40, 20]);
    const corner = thumb.at(0, 0);
    expect(Math.abs(corner.x - 100)).toBeLessThanOrEqual(2);
    expect(Math.abs(corner.y - 60)).toBeLessThanOrEqual(2);
  });

  it('c_fill,g_face centres the fill on the face', async () => {
    const fill = await render('c_fill,g_face,w_40,h_160', source({ faces: '200,0,30,30' }));
    expect([fill.width, fill.height]).toEqual([40, 160]);
    expect(fill.at(20, 0).x).toBeGreaterThanOrEqual(195);
  });

  it('face coordinates beyond the image are clamped into it', async () => {
    const crop = await render('c_crop,g_face', source({ faces: '200,150,500,500' }));
    expect([crop.width, crop.height]).toEqual([40, 10]);
    expect(crop.at(0, 0)).toEqual({ x: 200, y: 150 });
  });

  it('without stored faces (no detector here) the gravity falls back to the centre', async () => {
    const whole = await render('c_crop,g_face', source({ custom: '0,0,10,10' }));
    expect([whole.width, whole.height]).toEqual([WIDTH, HEIGHT]);
    const centred = await render('c_crop,g_face,w_40,h_40', source());
    expect(centred.at(0, 0)).toEqual({ x: 100, y: 60 });
    const thumb = await render('c_thumb,g_faces,w_160,h_160', source());
    expect(thumb.at(80, 0).x).toBeGreaterThanOrEqual(110);
    expect(thumb.at(80, 0).x).toBeLessThanOrEqual(130);
  });

  it('only the first component reads the coordinates (they are in the original pixels)', async () => {
    const chained = await render('c_scale,w_120/c_crop,g_face', source({ faces: '100,60,80,40' }));
    expect([chained.width, chained.height]).toEqual([120, 80]);
  });
});
