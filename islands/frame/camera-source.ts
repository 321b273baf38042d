import type { Translate } from './format.ts';
import type { SourceController } from './source-controller.ts';

export interface CameraSourceDeps {
  t: Translate;
  /** A captured photo the user chose to use. */
  onPhoto(file: File): void;
  /** Leave the camera for My Files (after an error). */
  onLeave(): void;
}

/** Camera: live preview, device choice, capture, retake or use. (Scaffold: built in issue 6.) */
export function attachCameraSource(_root: Document, _deps: CameraSourceDeps): SourceController {
  return { activate() {}, deactivate() {} };
}
