import { describe, expect, it } from 'vitest';
import { DEFAULT_CHUNK_SIZE, MIN_CHUNK_SIZE, normalizeWidgetOptions } from '../../../server/services/widget-options.ts';

describe('normalizeWidgetOptions', () => {
  it('fills Cloudinary defaults', () => {
    const { options, ignored } = normalizeWidgetOptions({ cloudName: 'demo', uploadPreset: 'preset1' });
    expect(ignored).toEqual([]);
    expect(options).toMatchObject({
      cloudName: 'demo',
      uploadPreset: 'preset1',
      multiple: true,
      resourceType: 'auto',
      maxChunkSize: DEFAULT_CHUNK_SIZE,
      showUploadMoreButton: true,
      showCompletedButton: false,
      singleUploadAutoClose: true,
      queueViewPosition: 'right:35px',
      thumbnailTransformation: 'c_limit,h_60,w_90',
      tags: [],
      extraParams: {},
    });
  });

  it('coerces what it can and reports what it drops', () => {
    const { options, ignored } = normalizeWidgetOptions({ maxFiles: '3', multiple: 'false', tags: 'a, b', maxFileSize: -1, resourceType: 'pdf', cloudName: '"><script>', queueViewPosition: 'top' });
    expect(options).toMatchObject({ maxFiles: 3, multiple: false, tags: ['a', 'b'], maxFileSize: null, resourceType: 'auto', cloudName: null, queueViewPosition: 'right:35px' });
    expect(ignored.map((entry) => entry.name).sort()).toEqual(['cloudName', 'maxFileSize', 'queueViewPosition', 'resourceType']);
  });

  it('never sends a chunk under the Upload API minimum', () => {
    expect(normalizeWidgetOptions({ maxChunkSize: 1000 }).options.maxChunkSize).toBe(MIN_CHUNK_SIZE);
    expect(normalizeWidgetOptions({ maxChunkSize: 6_000_000 }).options.maxChunkSize).toBe(6_000_000);
  });

  it('turns thumbnailTransformation objects into Cloudinary syntax', () => {
    expect(normalizeWidgetOptions({ thumbnailTransformation: [{ width: 90, height: 60, crop: 'limit' }] }).options.thumbnailTransformation).toBe('c_limit,h_60,w_90');
    expect(normalizeWidgetOptions({ thumbnailTransformation: 'c_fill,w_100/e_grayscale' }).options.thumbnailTransformation).toBe('c_fill,w_100/e_grayscale');
    expect(normalizeWidgetOptions({ thumbnailTransformation: 'w_1"><' }).ignored[0]!.name).toBe('thumbnailTransformation');
  });

  it('forwards unknown scalar options as snake_case upload parameters, never reserved ones', () => {
    const { options, ignored } = normalizeWidgetOptions({ returnDeleteToken: true, eager: 'w_400|w_200', headers: { a: 1 }, apiSecret: 'x', file: 'http://x', timestamp: 1, callback: 'http://evil' });
    expect(options.extraParams).toEqual({ return_delete_token: 'true', eager: 'w_400|w_200', api_secret: 'x' });
    expect(ignored.map((entry) => entry.name).sort()).toEqual(['callback', 'file', 'headers', 'timestamp']);
    expect(normalizeWidgetOptions({ prepareUploadParams: 'x', getTags: 1 }).options.extraParams).toEqual({});
  });

  it('reads the cropping options with Cloudinary defaults, and refuses values out of range', () => {
    expect(normalizeWidgetOptions({}).options).toMatchObject({
      cropping: false,
      croppingAspectRatio: null,
      croppingDefaultSelectionRatio: 1,
      croppingShowDimensions: false,
      croppingCoordinatesMode: 'custom',
      croppingShowBackButton: true,
      croppingValidateDimensions: false,
      showSkipCropButton: true,
    });
    const good = normalizeWidgetOptions({ cropping: 'server', croppingAspectRatio: '1.7778', croppingDefaultSelectionRatio: 0.5, croppingCoordinatesMode: 'face', showSkipCropButton: false });
    expect(good.ignored).toEqual([]);
    expect(good.options).toMatchObject({ cropping: true, croppingAspectRatio: 1.7778, croppingDefaultSelectionRatio: 0.5, croppingCoordinatesMode: 'face', showSkipCropButton: false });
    const bad = normalizeWidgetOptions({ cropping: 'yes', croppingAspectRatio: -1, croppingDefaultSelectionRatio: 0.05, croppingCoordinatesMode: 'auto' });
    expect(bad.ignored.map((entry) => entry.name).sort()).toEqual(['cropping', 'croppingAspectRatio', 'croppingCoordinatesMode', 'croppingDefaultSelectionRatio']);
    expect(bad.options).toMatchObject({ cropping: false, croppingAspectRatio: null, croppingDefaultSelectionRatio: 1, croppingCoordinatesMode: 'custom' });
    // Widget options, never forwarded to the Upload API.
    expect(good.options.extraParams).toEqual({});
  });

  it('never throws on hostile input', () => {
    for (const input of [null, 'x', 42, [], { __proto__: { polluted: 1 } }, { context: { __proto__: 'x', a: { b: 1 } } }]) {
      expect(() => normalizeWidgetOptions(input)).not.toThrow();
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
