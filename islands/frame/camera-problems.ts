/** Why the camera (or a photo from it) failed; each is a text key of the `camera` section. */
export type CameraProblem = 'permission_denied' | 'no_camera' | 'camera_in_use' | 'insecure_context' | 'camera_stopped' | 'capture_failed' | 'camera_failed';

// getUserMedia's rejections by name (Media Capture and Streams, §getUserMedia): SecurityError is what some
// browsers throw when a permissions policy (e.g. an iframe without allow="camera") blocks the camera.
const BY_ERROR_NAME: Record<string, CameraProblem> = {
  NotAllowedError: 'permission_denied',
  SecurityError: 'permission_denied',
  NotFoundError: 'no_camera',
  OverconstrainedError: 'no_camera',
  NotReadableError: 'camera_in_use',
};

/** The problem a getUserMedia rejection means (OverconstrainedError is no DOMException, so by `name`). */
export function cameraProblem(error: unknown): CameraProblem {
  const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
  return BY_ERROR_NAME[name] ?? 'camera_failed';
}

/** What the page needs to reach a camera at all. */
export interface CameraEnvironment {
  isSecureContext: boolean;
  navigator: { mediaDevices?: { getUserMedia?: unknown } };
}

/** `insecure_context` when the camera cannot even be asked for (browsers hide mediaDevices outside https), else null. */
export function missingCameraSupport(env: CameraEnvironment): CameraProblem | null {
  return env.isSecureContext && typeof env.navigator.mediaDevices?.getUserMedia === 'function' ? null : 'insecure_context';
}
