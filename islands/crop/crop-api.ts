import type { ImageSize, Selection } from './selection.ts';

export type { ImageSize, Selection };

/** What the frame asks of the cropper. */
export interface CropSettings {
  /** Width/height ratio the selection keeps (croppingAspectRatio), or null for a free one. */
  aspectRatio: number | null;
  /** The first selection's size relative to the image (croppingDefaultSelectionRatio, 0.1–1). */
  selectionRatio: number;
  /** Accessible name of the focusable selection, and the id of the element explaining its keys. */
  label: string;
  describedBy: string;
  /** Tooltips of the corner and side handles. */
  tooltips: { corner: string; side: string };
  /** Called after every change of the selection (mouse, keyboard, reset). */
  onChange(selection: Selection): void;
  /** Enter on the selection. */
  onConfirm(): void;
}

/** A running cropper on one image. */
export interface CropController {
  /** The image's own size (EXIF orientation applied, as the server's renderer sees it). */
  readonly image: ImageSize;
  /** The current selection, in whole image pixels. */
  selection(): Selection;
  /** Back to the first selection. */
  reset(): void;
  /** Moves keyboard focus to the selection. */
  focus(): void;
  destroy(): void;
}

/** The crop bundle's entry point, set on `window.updraftCropper` when crop.js runs. */
export interface CropperApi {
  /** Starts a cropper on a decoded image that sits in its (sized) container. */
  open(image: HTMLImageElement, settings: CropSettings): Promise<CropController>;
}

declare global {
  interface Window {
    updraftCropper?: CropperApi;
  }
}
