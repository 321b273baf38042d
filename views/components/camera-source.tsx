import type { TextLookup } from './text-lookup.ts';

export interface CameraSourceProps {
  t: TextLookup;
  active: boolean;
}

/** Camera (desktop): the island fills in the live preview. (Scaffold: built in issue 6.) */
export function CameraSource({ t, active }: CameraSourceProps) {
  return (
    <section class="uw-panel" role="tabpanel" id="uw-panel-camera" aria-labelledby="uw-tab-camera" hidden={!active} data-camera>
      <p>{t('camera.explanation')}</p>
    </section>
  );
}

/** On touch devices, My Files offers the device camera through the file input's `capture` attribute. (Scaffold.) */
export function CameraCapture(_props: { t: TextLookup }) {
  return <></>;
}
