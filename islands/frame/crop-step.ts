import type { CropController, Selection } from '../crop/crop-api.ts';
import type { FrameOptions } from './config.ts';
import type { Translate } from './format.ts';

/** How the crop step ended: a rectangle in the image's own pixels (`x,y,w,h`), skipped, or back to the sources. */
export type CropOutcome = { action: 'crop'; coordinates: string } | { action: 'skip' } | { action: 'back' };

/** Images the crop step can show. */
export function canCrop(file: File): boolean {
  return ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif', 'image/bmp'].includes(file.type);
}

/** Screen readers hear the selection's size once it has rested this long, not on every step of a drag. */
const ANNOUNCE_AFTER_MS = 400;

/** Why the selection cannot be cropped (croppingValidateDimensions: the min/max image size apply to it), or null. */
export function cropProblem({ width, height }: Selection, options: FrameOptions, t: Translate): string | null {
  if (!options.croppingValidateDimensions) return null;
  const { minImageWidth: minWidth, minImageHeight: minHeight, maxImageWidth: maxWidth, maxImageHeight: maxHeight } = options;
  if ((minWidth && width < minWidth) || (minHeight && height < minHeight)) {
    return t('uploader.errors.min_dimensions_validation', { width, height, minWidth: minWidth ?? 0, minHeight: minHeight ?? 0 });
  }
  if ((maxWidth && width > maxWidth) || (maxHeight && height > maxHeight)) {
    return t('uploader.errors.max_dimensions_validation', { width, height, maxWidth: maxWidth ?? width, maxHeight: maxHeight ?? height });
  }
  return null;
}

/**
 * The crop step for one image: the sources and tabs give way to the step, the cropper (crop.js) starts on
 * the file and takes focus; Crop (or Enter on the selection) resolves with the rectangle in the file's own
 * pixels, Skip and Back with theirs. Everything is undone before the promise resolves.
 */
export function cropStep(file: File, { options, t, signal }: { options: FrameOptions; t: Translate; signal?: AbortSignal }): Promise<CropOutcome> {
  const step = document.querySelector<HTMLElement>('[data-crop-step]');
  if (!step) return Promise.resolve({ action: 'skip' });
  const part = (name: string) => step.querySelector<HTMLElement>(`[data-crop-${name}]`);
  const button = (action: string) => step.querySelector<HTMLButtonElement>(`[data-crop-action="${action}"]`)!;
  const [area, live, error, dimensions] = [part('area')!, part('live')!, part('error')!, part('dimensions')];
  const covered = [document.querySelector<HTMLElement>('[data-sources]'), document.querySelector<HTMLElement>('[role="tablist"]')].filter((el) => el !== null);
  const buttons = ['back', 'reset', 'skip', 'crop'].map(button);
  const hiddenBefore = buttons.map((el) => el.hidden);
  const focusBefore = document.activeElement as HTMLElement | null;
  const url = URL.createObjectURL(file);
  const image = Object.assign(document.createElement('img'), { alt: file.name, src: url });
  let controller: CropController | null = null;
  let timer = 0;
  let done = false;

  const showError = (message: string) => {
    error.textContent = message;
    error.hidden = message === '';
  };
  const onChange = (selection: Selection) => {
    if (dimensions) dimensions.textContent = t('crop.dimensions', { ...selection });
    if (!error.hidden && !cropProblem(selection, options, t)) showError('');
    clearTimeout(timer);
    timer = window.setTimeout(() => (live.textContent = t('crop.selection_size', { ...selection })), ANNOUNCE_AFTER_MS);
  };
  const setReady = (ready: boolean) => {
    button('crop').disabled = !ready;
    button('reset').disabled = !ready;
  };

  for (const el of covered) el.hidden = true;
  area.replaceChildren(image);
  step.hidden = false;
  setReady(false);

  return new Promise<CropOutcome>((resolve) => {
    const finish = (outcome: CropOutcome) => {
      done = true;
      clearTimeout(timer);
      step.removeEventListener('click', onClick);
      controller?.destroy();
      area.replaceChildren();
      URL.revokeObjectURL(url);
      buttons.forEach((el, index) => (el.hidden = hiddenBefore[index]!));
      setReady(true);
      showError('');
      live.textContent = '';
      if (dimensions) dimensions.textContent = '';
      step.hidden = true;
      for (const el of covered) el.hidden = false;
      if (focusBefore?.isConnected) focusBefore.focus();
      resolve(outcome);
    };
    const confirm = () => {
      if (!controller) return;
      const selection = controller.selection();
      const problem = cropProblem(selection, options, t);
      if (problem) return showError(problem);
      finish({ action: 'crop', coordinates: `${selection.x},${selection.y},${selection.width},${selection.height}` });
    };
    const failed = () => {
      if (done) return;
      // The user still needs a way on: Back is offered even when croppingShowBackButton is off.
      showError(`${t('crop.image_error')}: ${t('crop.image_data_error')}`);
      button('crop').hidden = button('reset').hidden = true;
      button('back').hidden = false;
      button('back').focus();
    };
    function onClick(event: MouseEvent) {
      const action = (event.target as Element).closest<HTMLElement>('[data-crop-action]')?.dataset.cropAction;
      if (action === 'crop') confirm();
      else if (action === 'reset') {
        controller?.reset();
        controller?.focus();
      } else if (action === 'skip' || action === 'back') finish({ action });
    }
    step.addEventListener('click', onClick);
    // The widget closed or was hidden mid-step: the step ends as Back would, so nothing is uploaded.
    signal?.addEventListener('abort', () => !done && finish({ action: 'back' }), { once: true });

    const cropper = window.updraftCropper;
    image
      .decode()
      .then(() => {
        if (!cropper) throw new Error('crop.js is not loaded');
        return cropper.open(image, {
          aspectRatio: options.croppingAspectRatio,
          selectionRatio: options.croppingDefaultSelectionRatio,
          label: t('crop.selection_label'),
          describedBy: 'uw-crop-help',
          tooltips: { corner: t('crop.corner_tooltip'), side: t('crop.handle_tooltip') },
          onChange,
          onConfirm: confirm,
        });
      })
      .then((started) => {
        if (done) return started.destroy();
        controller = started;
        setReady(true);
        started.focus();
      })
      .catch(failed);
  });
}
