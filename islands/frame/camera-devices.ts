/** One camera the user may choose. */
export interface CameraChoice {
  id: string;
  label: string;
}

/** The camera list for the device select. */
export interface CameraChoices {
  choices: CameraChoice[];
  /** The camera to show as chosen: the one streaming, else the first. */
  selected: string | null;
  /** Whether to show the select at all (only with several cameras). */
  offer: boolean;
}

/**
 * The cameras among `devices` (video inputs with an id: browsers hide ids before permission), each labelled
 * with the browser's label or, when it hides labels, `numbered(n)`.
 */
export function cameraChoices(devices: readonly Pick<MediaDeviceInfo, 'kind' | 'deviceId' | 'label'>[], streamingId: string | undefined, numbered: (n: number) => string): CameraChoices {
  const choices: CameraChoice[] = [];
  for (const device of devices) {
    if (device.kind !== 'videoinput' || !device.deviceId || choices.some((choice) => choice.id === device.deviceId)) continue;
    choices.push({ id: device.deviceId, label: device.label.trim() || numbered(choices.length + 1) });
  }
  const selected = choices.find((choice) => choice.id === streamingId)?.id ?? choices[0]?.id ?? null;
  return { choices, selected, offer: choices.length > 1 };
}

/** getUserMedia constraints: video only, the chosen camera (Chromium ignores an `ideal` deviceId), photo-sized. */
export function cameraConstraints(chosenId: string | null): MediaStreamConstraints {
  // Without a size hint browsers open webcams at 640×480; a photo deserves the camera's better modes.
  const video: MediaTrackConstraints = { width: { ideal: 1920 }, height: { ideal: 1080 } };
  if (chosenId) video.deviceId = { exact: chosenId };
  return { video, audio: false };
}

/** The chosen camera's stream, or any camera's when the chosen one is gone (unplugged since it was remembered). */
export async function openCamera(media: Pick<MediaDevices, 'getUserMedia'>, chosenId: string | null): Promise<MediaStream> {
  try {
    return await media.getUserMedia(cameraConstraints(chosenId));
  } catch (error) {
    const name = (error as { name?: unknown } | null)?.name;
    if (!chosenId || (name !== 'OverconstrainedError' && name !== 'NotFoundError')) throw error;
    return media.getUserMedia(cameraConstraints(null));
  }
}
