/** Touch-only devices (phones, tablets without a mouse or pen): no fine pointer anywhere. */
export function isTouchOnly(win: Pick<Window, 'matchMedia'>): boolean {
  return win.matchMedia('(pointer: coarse)').matches && !win.matchMedia('(any-pointer: fine)').matches;
}

/**
 * On touch-only devices the device camera is reached through My Files (as Cloudinary's widget does): the
 * Camera tab and its panel go away and My Files shows a file input with `capture`. Returns whether it did so;
 * `leave` selects My Files when the Camera tab had been selected.
 */
export function attachTouchCapture(root: Document, onPhoto: (file: File) => void, leave: () => void): boolean {
  const win = root.defaultView;
  const field = root.querySelector<HTMLElement>('[data-camera-capture-field]');
  const input = root.querySelector<HTMLInputElement>('[data-camera-capture-input]');
  if (!win || !field || !input || !isTouchOnly(win)) return false;
  const tab = root.getElementById('uw-tab-camera');
  const wasSelected = tab?.getAttribute('aria-selected') === 'true';
  // Removed rather than hidden, so the tablist's arrow keys never land on it.
  tab?.remove();
  root.getElementById('uw-panel-camera')?.remove();
  field.hidden = false;
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    input.value = '';
    if (file) onPhoto(file);
  });
  // After the frame's script has wired its tabs (this runs while it is still starting).
  if (wasSelected) queueMicrotask(leave);
  return true;
}
