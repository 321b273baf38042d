import type { TextLookup } from './text-lookup.ts';

export interface CropStepProps {
  t: TextLookup;
  showSkip: boolean;
  showBack: boolean;
  showDimensions: boolean;
}

/**
 * The crop step shown after a single image is chosen (cropping: true): the image area the cropper fills, the
 * keyboard help, the selection's size (shown when croppingShowDimensions, always announced politely), an
 * alert for problems, and the actions. Skip and Back are rendered hidden when turned off, because the island
 * offers Back anyway when the image cannot be shown.
 */
export function CropStep({ t, showSkip, showBack, showDimensions }: CropStepProps) {
  return (
    <section class="uw-crop" data-crop-step hidden aria-labelledby="uw-crop-title">
      <h2 id="uw-crop-title" class="uw-crop-title">
        {t('crop.title')}
      </h2>
      {/* The padding leaves room for the handles, which stick out of the image's edges. */}
      <div class="uw-crop-area">
        <div class="uw-crop-holder" data-crop-area></div>
      </div>
      <p id="uw-crop-help" class="uw-crop-help">
        {t('crop.keyboard_help')}
      </p>
      {showDimensions && <p class="uw-crop-dimensions" data-crop-dimensions></p>}
      <p class="uw-visually-hidden" aria-live="polite" data-crop-live></p>
      <p class="uw-crop-error" role="alert" data-crop-error hidden></p>
      <div class="uw-crop-actions">
        <button type="button" class="uw-button uw-crop-back" data-crop-action="back" hidden={!showBack}>
          {t('back')}
        </button>
        <button type="button" class="uw-button" data-crop-action="reset">
          {t('crop.reset_btn')}
        </button>
        <button type="button" class="uw-button" data-crop-action="skip" hidden={!showSkip}>
          {t('crop.skip_btn')}
        </button>
        <button type="button" class="uw-button uw-button-primary" data-crop-action="crop">
          {t('crop.crop_btn')}
        </button>
      </div>
    </section>
  );
}
