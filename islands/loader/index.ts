/**
 * all.js — the host-page loader. Defines `window.cloudinary` (Cloudinary's Upload Widget API, spec §1.1) and
 * leaves everything else to the frame served from the same origin as this script.
 */
import { createWidget, type LoaderContext, type ResultCallback, type UploadWidget } from './widget.ts';

interface JQueryLike {
  (target: unknown): { trigger(name: string, args?: unknown): unknown; [index: number]: unknown };
  fn?: Record<string, unknown> & { jquery?: string };
}

/** The members this script adds to `window.cloudinary`. */
export interface CloudinaryGlobal {
  setCloudName(name: string): void;
  setAPIKey(key: string): void;
  createUploadWidget(options: unknown, callback?: ResultCallback): UploadWidget;
  openUploadWidget(options: unknown, callback?: ResultCallback): UploadWidget;
  applyUploadWidget(element: unknown, options: unknown, callback?: ResultCallback): UploadWidget;
  WIDGET_SOURCES: Record<string, string>;
  WIDGET_VERSION: string;
}

const win = window as unknown as { cloudinary?: Record<string, unknown>; jQuery?: JQueryLike; $?: JQueryLike };

// The frame lives where this script came from (document.currentScript exists only while it first runs).
const script = document.currentScript as HTMLScriptElement | null;

const jquery = (): JQueryLike | null => win.jQuery ?? (win.$?.fn?.jquery ? win.$ : null);

const source = new URL(script?.src || location.href);
const ctx: LoaderContext = {
  origin: source.origin,
  base: source.origin + source.pathname.replace(/\/(?:latest\/|v2\.0\/)?global\/all\.js$/, ''),
  defaults: {},
  jquery,
};

const api: CloudinaryGlobal = {
  setCloudName: (name) => void (ctx.defaults.cloudName = name),
  setAPIKey: (key) => void (ctx.defaults.apiKey = key),
  applyUploadWidget: (element, options, callback) => {
    installJqueryPlugin();
    return createWidget(ctx, element, options, callback);
  },
  createUploadWidget: (options, callback) => api.applyUploadWidget(null, options, callback),
  openUploadWidget: (options, callback) => api.createUploadWidget(options, callback).open(),
  WIDGET_SOURCES: Object.fromEntries(
    'local url camera image_search google_drive dropbox facebook instagram shutterstock getty istock unsplash'
      .split(' ')
      .map((source) => [source.toUpperCase(), source]),
  ),
  WIDGET_VERSION: '2.0.0-updraft',
};

/** `$(el).cloudinary_upload_widget(options, cb)` = applyUploadWidget on the first element (also if jQuery loads later). */
function installJqueryPlugin(): void {
  const $ = jquery();
  if ($?.fn && !$.fn.cloudinary_upload_widget) {
    $.fn.cloudinary_upload_widget = function (this: ArrayLike<unknown>, options: unknown, callback?: ResultCallback) {
      api.applyUploadWidget(this[0], options, callback);
      return this;
    };
  }
}

// Merge: other scripts (cloudinary-core, the video player) may own other members of window.cloudinary.
Object.assign((win.cloudinary ??= {}), api);
installJqueryPlugin();

// File inputs marked data-upload-widget become widget buttons; that code loads only on pages that use it.
const enhance = () => {
  if (!document.querySelector('input[data-upload-widget]')) return;
  const tag = document.createElement('script');
  tag.src = `${ctx.base}/widget/assets/enhance.js`;
  document.head.append(tag);
};
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', enhance);
else enhance();
