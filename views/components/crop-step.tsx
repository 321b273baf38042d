import type { TextLookup } from './text-lookup.ts';

export interface CropStepProps {
  t: TextLookup;
  showSkip: boolean;
  showBack: boolean;
  showDimensions: boolean;
}

/** The crop step shown after a single image is chosen (cropping: true). (Scaffold: built in issue 6.) */
export function CropStep({ t }: CropStepProps) {
  return (
    <section class="uw-crop" data-crop-step hidden aria-labelledby="uw-crop-title">
      <h2 id="uw-crop-title">{t('crop.title')}</h2>
    </section>
  );
}
