import Cropper from 'cropperjs';
import type { CropController, CropSettings } from './crop-api.ts';
import { initialSelection, keyboardSelection, snapSelection, type ImageSize, type Selection } from './selection.ts';

const CORNERS = ['ne', 'nw', 'se', 'sw'];

/** Makes cropperjs's crop box a labelled, focusable control with handle tooltips. */
function decorate(box: HTMLElement, settings: CropSettings): void {
  box.tabIndex = 0;
  // An application role lets screen readers pass the arrow keys through to the selection.
  box.setAttribute('role', 'application');
  box.setAttribute('aria-label', settings.label);
  box.setAttribute('aria-describedby', settings.describedBy);
  for (const point of Array.from(box.querySelectorAll<HTMLElement>('.cropper-point'))) {
    point.title = CORNERS.includes(point.dataset.cropperAction ?? '') ? settings.tooltips.corner : settings.tooltips.side;
  }
}

/**
 * cropperjs on `image`: the box stays inside the image (viewMode 1), no zooming or moving of the image, the
 * first selection in whole pixels; the keyboard moves and resizes it (see keyboardSelection) and Enter confirms.
 */
export function openCropper(image: HTMLImageElement, settings: CropSettings): Promise<CropController> {
  // naturalWidth/Height already have the EXIF orientation applied (image-orientation: from-image).
  const size: ImageSize = { width: image.naturalWidth, height: image.naturalHeight };
  const initial = initialSelection(size, settings.aspectRatio, settings.selectionRatio);
  let current: Selection = initial;
  // Boxes cropperjs reports while we set the selection, or while it lays itself out again, are not the
  // user's: they are fractional echoes of ours or passing states, so they are not reported.
  let quiet = false;

  return new Promise((resolve) => {
    const cropper: Cropper = new Cropper(image, {
      viewMode: 1,
      dragMode: 'none',
      aspectRatio: settings.aspectRatio ?? NaN,
      autoCropArea: settings.selectionRatio,
      data: initial,
      // The browser applies EXIF orientation itself; cropperjs's own check would re-read the file by XHR.
      checkOrientation: false,
      checkCrossOrigin: false,
      movable: false,
      rotatable: false,
      scalable: false,
      zoomable: false,
      toggleDragModeOnDblclick: false,
      // Resizes are followed by the observer below (the holder changes with the window and the step's messages).
      responsive: false,
      crop(event) {
        if (quiet) return;
        current = snapSelection(event.detail, size);
        settings.onChange(current);
      },
      ready() {
        const box = image.parentElement!.querySelector<HTMLElement>('.cropper-crop-box')!;
        decorate(box, settings);
        // Keyboard and reset rectangles are whole pixels already: they are kept as given rather than re-read
        // from cropperjs's fractional box, which a locked ratio could round one pixel off.
        const apply = (next: Selection) => {
          quiet = true;
          cropper.setData({ ...next });
          quiet = false;
          current = next;
          settings.onChange(next);
        };
        apply(initial);
        // cropperjs measures its container once; when the holder changes size it must lay itself out again
        // (its resize handler), and the selection is put back in whole pixels rather than rescaled.
        const holder = image.parentElement!;
        const observer = new ResizeObserver(() => {
          quiet = true;
          (cropper as unknown as { resize(): void }).resize();
          quiet = false;
          apply(current);
        });
        observer.observe(holder);
        box.addEventListener('keydown', (event) => {
          if (event.key === 'Enter') {
            event.preventDefault();
            settings.onConfirm();
            return;
          }
          if (event.altKey || event.ctrlKey || event.metaKey) return;
          const next = keyboardSelection(current, event.key, event.shiftKey, size, settings.aspectRatio);
          if (!next) return;
          event.preventDefault();
          apply(next);
        });
        // A mouse user who grabbed the box can go on with the keyboard.
        image.addEventListener('cropstart', () => box.focus({ preventScroll: true }));
        resolve({
          image: size,
          selection: () => current,
          reset: () => apply(initial),
          focus: () => box.focus({ preventScroll: true }),
          destroy: () => {
            observer.disconnect();
            cropper.destroy();
          },
        });
      },
    });
  });
}
