import { describe, expect, it } from 'vitest';
import { CameraCapture, CameraSource } from '../../../../views/components/camera-source.tsx';
import { lookupText } from '../../../../islands/shared/texts.ts';
import en from '../../../../locales/en.json' with { type: 'json' };

const t = (key: string, vars?: Record<string, string | number>) => lookupText(en, key, vars);
/** The opening tag of the element carrying `marker`. */
const tagWith = (html: string, marker: string) => new RegExp(`<[a-z0-9]+[^>]*${marker.replace(/[[\]"]/g, '\\$&')}[^>]*>`).exec(html)?.[0] ?? '';

describe('CameraSource', () => {
  const html = String(<CameraSource t={t} active={true} />);

  it('renders the tab panel with the live step shown and the review and error steps hidden', () => {
    expect(tagWith(html, 'data-camera')).toMatch(/^<section [^>]*role="tabpanel" id="uw-panel-camera" aria-labelledby="uw-tab-camera"/);
    expect(tagWith(html, 'data-camera')).not.toMatch(/ hidden/);
    expect(tagWith(html, 'data-camera-live')).not.toMatch(/ hidden/);
    expect(tagWith(html, 'data-camera-review')).toMatch(/ hidden/);
    expect(tagWith(html, 'data-camera-error')).toMatch(/ hidden/);
    expect(String(<CameraSource t={t} active={false} />)).toMatch(/<section [^>]* hidden/);
  });

  it('has a muted inline autoplaying preview, a labelled camera select, a status line and Capture (off until live)', () => {
    expect(html).toContain(en.camera.explanation);
    const video = tagWith(html, 'data-camera-video');
    for (const attribute of [' muted', ' playsinline', ' autoplay', `aria-label="${en.camera.preview}"`]) expect(video).toContain(attribute);
    expect(html).toMatch(new RegExp(`<label [^>]*data-camera-device-field="true" hidden=""><span>${en.camera.choose_camera}</span><select data-camera-device="true"></select></label>`));
    expect(tagWith(html, 'data-camera-status')).toContain('role="status"');
    expect(html).toMatch(new RegExp(`<button type="button" [^>]*disabled[^>]*data-camera-capture[^>]*>${en.camera.capture}</button>`));
  });

  it('offers Retake and Use for the photo, Retry and Back to My Files after an error (an alert)', () => {
    expect(tagWith(html, 'data-camera-photo')).toContain(`alt="${en.camera.photo}"`);
    for (const [marker, label] of [['data-camera-retake', en.camera.retake], ['data-camera-use', en.camera.use_photo], ['data-camera-retry', en.camera.retry], ['data-camera-leave', en.camera.back_to_files]]) {
      expect(html).toMatch(new RegExp(`<button type="button" [^>]*${marker}="true">${label}</button>`));
    }
    expect(tagWith(html, 'data-camera-error')).toContain('role="alert"');
    expect(tagWith(html, 'data-camera-error-message')).toContain('tabindex="-1"');
  });

  it('never writes inline styles (the frame’s CSP forbids them)', () => {
    expect(html).not.toMatch(/ style=/);
  });
});

describe('CameraCapture', () => {
  it('is a hidden, labelled image file input that opens the rear camera', () => {
    const html = String(<CameraCapture t={t} />);
    expect(tagWith(html, 'data-camera-capture-field')).toMatch(/ hidden/);
    expect(html).toContain(`<label class="uw-button" for="uw-camera-capture-input">${en.camera.take_pic}</label>`);
    const input = tagWith(html, 'data-camera-capture-input');
    for (const attribute of ['id="uw-camera-capture-input"', 'type="file"', 'accept="image/*"', 'capture="environment"']) expect(input).toContain(attribute);
    // Not My Files' own input: that one is found by data-file-input.
    expect(input).not.toContain('data-file-input');
  });
});
