const JPEG_QUALITY = 0.92;

const pad = (value: number) => String(value).padStart(2, '0');

/** The capture time as a file-name-safe stamp, local time as the user reads it: 20261128_125501. */
export function captureStamp(date: Date): string {
  const day = `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}`;
  return `${day}_${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}

/** The video's current frame at the camera's native size (videoWidth × videoHeight), or null before the first frame. */
export function grabFrame(video: HTMLVideoElement): HTMLCanvasElement | null {
  const canvas = video.ownerDocument.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const context = canvas.getContext('2d');
  if (!context || !canvas.width || !canvas.height) return null;
  context.drawImage(video, 0, 0, canvas.width, canvas.height);
  return canvas;
}

/** The frame as a JPEG (null if the browser cannot encode it). */
export function encodeJpeg(canvas: HTMLCanvasElement): Promise<Blob | null> {
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', JPEG_QUALITY));
}
