import type { Translate } from './format.ts';
import type { SourceController } from './source-controller.ts';
import { cameraChoices, openCamera } from './camera-devices.ts';
import { cameraProblem, missingCameraSupport, type CameraProblem } from './camera-problems.ts';
import { captureStamp, encodeJpeg, grabFrame } from './camera-photo.ts';
import { attachTouchCapture } from './touch-capture.ts';

export interface CameraSourceDeps {
  t: Translate;
  /** A captured photo the user chose to use. */
  onPhoto(file: File): void;
  /** Leave the camera for My Files (after an error). */
  onLeave(): void;
}

interface CameraElements {
  live: HTMLElement;
  deviceField: HTMLElement;
  device: HTMLSelectElement;
  video: HTMLVideoElement;
  status: HTMLElement;
  capture: HTMLButtonElement;
  review: HTMLElement;
  photo: HTMLImageElement;
  retake: HTMLButtonElement;
  use: HTMLButtonElement;
  error: HTMLElement;
  errorMessage: HTMLElement;
  retry: HTMLButtonElement;
  leave: HTMLButtonElement | null;
}

interface Photo {
  blob: Blob;
  url: string;
  takenAt: Date;
  /** Handed to the widget: dropped once the widget moves on (the next visit starts live again). */
  used: boolean;
}

const CHOICE_KEY = 'updraft.camera.device';

/**
 * Camera: live preview, device choice, capture, retake or use. Touch-only devices get My Files' capture input
 * instead. The stream runs only while the tab is shown: `deactivate` stops every track.
 */
export function attachCameraSource(root: Document, deps: CameraSourceDeps): SourceController {
  if (attachTouchCapture(root, (file) => deps.onPhoto(file), () => deps.onLeave())) return { activate: () => deps.onLeave(), deactivate() {} };
  const ui = findElements(root);
  return ui && root.defaultView ? desktopCamera(root.defaultView, ui, deps) : { activate() {}, deactivate() {} };
}

function findElements(root: Document): CameraElements | null {
  const panel = root.querySelector<HTMLElement>('[data-camera]');
  const one = <T extends HTMLElement>(name: string) => panel?.querySelector<T>(`[data-camera-${name}]`) ?? null;
  const found = {
    live: one('live'),
    deviceField: one('device-field'),
    device: one<HTMLSelectElement>('device'),
    video: one<HTMLVideoElement>('video'),
    status: one('status'),
    capture: one<HTMLButtonElement>('capture'),
    review: one('review'),
    photo: one<HTMLImageElement>('photo'),
    retake: one<HTMLButtonElement>('retake'),
    use: one<HTMLButtonElement>('use'),
    error: one('error'),
    errorMessage: one('error-message'),
    retry: one<HTMLButtonElement>('retry'),
  };
  if (Object.values(found).some((element) => element === null)) return null;
  const leave = one<HTMLButtonElement>('leave');
  // Without a My Files tab there is nowhere to go back to.
  if (leave && !root.getElementById('uw-tab-local')) leave.hidden = true;
  return { ...(found as { [K in keyof typeof found]: NonNullable<(typeof found)[K]> }), leave };
}

function desktopCamera(win: Window, ui: CameraElements, deps: CameraSourceDeps): SourceController {
  const { t } = deps;
  let active = false;
  // Bumped whenever a stream is stopped or requested: a getUserMedia answer for an older request is stale.
  let attempt = 0;
  let stream: MediaStream | null = null;
  let photo: Photo | null = null;
  let chosenId = readChoice(win);
  let focusCaptureWhenReady = false;

  const show = (step: 'live' | 'review' | 'error') => {
    ui.live.hidden = step !== 'live';
    ui.review.hidden = step !== 'review';
    ui.error.hidden = step !== 'error';
  };

  const stopStream = () => {
    attempt++;
    stopTracks(stream);
    stream = null;
    ui.video.srcObject = null;
    ui.capture.disabled = true;
    ui.status.textContent = '';
  };

  const fail = (problem: CameraProblem) => {
    stopStream();
    show('error');
    // Retrying cannot make a page secure.
    ui.retry.hidden = problem === 'insecure_context';
    // Filled after the alert is shown, so screen readers announce it.
    ui.errorMessage.textContent = t(`camera.${problem}`);
    ui.errorMessage.focus();
  };

  const dropPhoto = () => {
    if (photo) URL.revokeObjectURL(photo.url);
    photo = null;
    ui.photo.removeAttribute('src');
  };

  const listCameras = async (current: MediaStream) => {
    const devices = await win.navigator.mediaDevices.enumerateDevices().catch(() => []);
    if (stream !== current) return;
    const streamingId = current.getVideoTracks()[0]?.getSettings().deviceId;
    const { choices, selected, offer } = cameraChoices(devices, streamingId, (number) => t('camera.camera_number', { number }));
    ui.device.replaceChildren(...choices.map((choice) => Object.assign(win.document.createElement('option'), { value: choice.id, textContent: choice.label, selected: choice.id === selected })));
    ui.deviceField.hidden = !offer;
  };

  const start = async () => {
    stopStream();
    show('live');
    const missing = missingCameraSupport(win);
    if (missing) return fail(missing);
    const mine = ++attempt;
    ui.status.textContent = t('camera.starting');
    try {
      const next = await openCamera(win.navigator.mediaDevices, chosenId);
      if (mine !== attempt || !active) return stopTracks(next);
      stream = next;
      // `ended` fires when the camera goes away (unplugged, taken by the system), never for our own stop().
      for (const track of next.getVideoTracks()) track.addEventListener('ended', () => stream === next && fail('camera_stopped'));
      ui.video.srcObject = next;
      ui.video.play().catch(() => undefined);
      await listCameras(next);
    } catch (error) {
      if (mine === attempt && active) fail(cameraProblem(error));
    }
  };

  ui.video.addEventListener('loadedmetadata', () => {
    if (!stream) return;
    ui.capture.disabled = false;
    ui.status.textContent = t('camera.ready');
    if (focusCaptureWhenReady) ui.capture.focus();
    focusCaptureWhenReady = false;
  });

  ui.capture.addEventListener('click', async () => {
    if (!stream) return;
    const mine = attempt;
    const takenAt = new Date();
    const frame = grabFrame(ui.video);
    // The preview freezes on the photo at once: encoding a large frame takes a moment.
    ui.video.pause();
    ui.capture.disabled = true;
    const blob = frame && (await encodeJpeg(frame));
    if (mine !== attempt) return;
    if (!blob) return fail('capture_failed');
    // The camera is off while the user looks at the photo; Retake turns it on again.
    stopStream();
    photo = { blob, url: URL.createObjectURL(blob), takenAt, used: false };
    ui.photo.src = photo.url;
    show('review');
    ui.use.focus();
  });

  ui.retake.addEventListener('click', () => {
    dropPhoto();
    focusCaptureWhenReady = true;
    void start();
  });

  ui.use.addEventListener('click', () => {
    if (!photo) return;
    // The photo stays on show until the widget moves on: if it is refused (or the crop step goes back), the
    // user still has it to retake or use.
    photo.used = true;
    const name = `${t('camera.file_name', { time: captureStamp(photo.takenAt) })}.jpg`;
    deps.onPhoto(new File([photo.blob], name, { type: 'image/jpeg', lastModified: photo.takenAt.getTime() }));
  });

  ui.device.addEventListener('change', () => {
    chosenId = ui.device.value;
    saveChoice(win, chosenId);
    void start();
  });

  ui.retry.addEventListener('click', () => {
    focusCaptureWhenReady = true;
    void start();
  });
  ui.leave?.addEventListener('click', () => deps.onLeave());

  win.navigator.mediaDevices?.addEventListener('devicechange', () => stream && void listCameras(stream));

  return {
    activate() {
      if (active) return;
      active = true;
      if (photo && !photo.used) show('review');
      else {
        dropPhoto();
        void start();
      }
    },
    deactivate() {
      active = false;
      stopStream();
      if (photo?.used) {
        dropPhoto();
        show('live');
      }
    },
  };
}

function stopTracks(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

// The chosen camera is remembered across visits (device ids are stable per origin); storage may be blocked.
function readChoice(win: Window): string | null {
  try {
    return win.localStorage.getItem(CHOICE_KEY);
  } catch {
    return null;
  }
}

function saveChoice(win: Window, id: string): void {
  try {
    win.localStorage.setItem(CHOICE_KEY, id);
  } catch {
    // Not remembered: the choice still holds while the frame lives.
  }
}
