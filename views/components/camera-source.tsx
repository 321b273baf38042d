import type { TextLookup } from './text-lookup.ts';

export interface CameraSourceProps {
  t: TextLookup;
  active: boolean;
}

/**
 * Camera (desktop): the live preview with a camera choice and Capture, the photo with Retake and Use, and the
 * error with Retry and a way back to My Files. The island switches between the three and runs the stream.
 */
export function CameraSource({ t, active }: CameraSourceProps) {
  return (
    <section class="uw-panel uw-camera" role="tabpanel" id="uw-panel-camera" aria-labelledby="uw-tab-camera" hidden={!active} data-camera>
      <div class="uw-camera-step" data-camera-live>
        <p class="uw-camera-explanation">{t('camera.explanation')}</p>
        <label class="uw-camera-device" data-camera-device-field hidden>
          <span>{t('camera.choose_camera')}</span>
          <select data-camera-device></select>
        </label>
        <video class="uw-camera-video" muted playsinline autoplay aria-label={t('camera.preview')} data-camera-video></video>
        <p class="uw-camera-status" role="status" data-camera-status></p>
        <button type="button" class="uw-button uw-button-primary" disabled data-camera-capture>
          {t('camera.capture')}
        </button>
      </div>
      <div class="uw-camera-step" data-camera-review hidden>
        <img class="uw-camera-photo" alt={t('camera.photo')} data-camera-photo />
        <div class="uw-camera-actions">
          <button type="button" class="uw-button" data-camera-retake>
            {t('camera.retake')}
          </button>
          <button type="button" class="uw-button uw-button-primary" data-camera-use>
            {t('camera.use_photo')}
          </button>
        </div>
      </div>
      <div class="uw-camera-step uw-camera-error" role="alert" data-camera-error hidden>
        <p class="uw-camera-error-title">{t('camera.camera_error')}</p>
        <p class="uw-camera-error-message" tabindex={-1} data-camera-error-message></p>
        <div class="uw-camera-actions">
          <button type="button" class="uw-button uw-button-primary" data-camera-retry>
            {t('camera.retry')}
          </button>
          {/* The island hides it when the widget has no My Files tab. */}
          <button type="button" class="uw-button" data-camera-leave>
            {t('camera.back_to_files')}
          </button>
        </div>
      </div>
    </section>
  );
}

/**
 * Inside My Files: the device camera through the file input's `capture` attribute, hidden until the island
 * finds a touch-only device (where it replaces the Camera tab, as the seed describes for mobile).
 */
export function CameraCapture({ t }: { t: TextLookup }) {
  return (
    <p class="uw-camera-capture" data-camera-capture-field hidden>
      <label class="uw-button" for="uw-camera-capture-input">
        {t('camera.take_pic')}
      </label>
      <input id="uw-camera-capture-input" class="uw-file-input" type="file" accept="image/*" capture="environment" data-camera-capture-input />
    </p>
  );
}
