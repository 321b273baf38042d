/**
 * One widget instance on the host page: the frame iframe (in a native <dialog> or an inline container), its
 * presentation (modal, minimized bar, hidden), the postMessage bridge and the host callbacks.
 */
import { FRAME_FIELDS, PROTOCOL, isEnvelope, type Envelope, type FrameMessage, type HostMessage } from '../shared/protocol.ts';
import {
  CALLBACK_OPTIONS,
  ERR,
  NOT_UPDATABLE,
  barPosition,
  frameOptions,
  hostCallbacks,
  normalizeOptions,
  resolveElement,
  type WidgetOptions,
} from './options.ts';
import { injectPageStyles, integrateUpload, make, type PageContext } from './page-integration.ts';

/** The host's result callback: `(error, result)`. */
export type ResultCallback = (error: unknown, result: unknown) => void;

/** The object returned by createUploadWidget / openUploadWidget / applyUploadWidget (spec §1.2). */
export interface UploadWidget {
  open(source?: string | null, options?: { files?: ArrayLike<File | string> }): UploadWidget;
  close(options?: { quiet?: boolean }): UploadWidget;
  destroy(options?: { removeThumbnails?: boolean }): Promise<void>;
  hide(): UploadWidget;
  show(): UploadWidget;
  minimize(): UploadWidget;
  update(options: Record<string, unknown>): Promise<UploadWidget>;
  isShowing(): boolean;
  isMinimized(): boolean;
  isDestroyed(): boolean;
}

/** Page-wide state shared by every widget. */
export interface LoaderContext {
  /** Origin of all.js: the frame lives there and is the only origin we talk to. */
  origin: string;
  /** URL all.js was served under, without its own path (Updraft may be mounted under a prefix). */
  base: string;
  defaults: { cloudName?: string; apiKey?: string };
  jquery(): ((target: unknown) => { trigger(name: string, args?: unknown): unknown }) | null;
}

let widgetCount = 0;

// Scroll lock shared by all modal widgets: the longhands are saved so a host's own `overflow-y: scroll` survives.
let locks = 0;
let saved: [string, string, string, string, string | null, string | null, number, number] | undefined;
const noTouch = (event: Event) => event.preventDefault();

function lockScroll(): void {
  if (locks++) return;
  const html = document.documentElement.style;
  const body = document.body.style;
  saved = [
    html.overflowX, html.overflowY, body.overflowX, body.overflowY,
    document.documentElement.getAttribute('style'), document.body.getAttribute('style'), scrollX, scrollY,
  ];
  html.overflow = body.overflow = 'hidden';
  document.addEventListener('touchmove', noTouch, { passive: false });
}

function unlockScroll(): void {
  if (!locks || --locks || !saved) return;
  const [hx, hy, bx, by, htmlAttr, bodyAttr, x, y] = saved;
  const restore = (el: HTMLElement, ox: string, oy: string, attr: string | null) => {
    el.style.overflowX = ox;
    el.style.overflowY = oy;
    // Reading the attribute also flushes Chromium's lazily serialized inline style (else it comes back as style="").
    if (attr === null && !el.getAttribute('style')) el.removeAttribute('style');
  };
  restore(document.documentElement, hx, hy, htmlAttr);
  restore(document.body, bx, by, bodyAttr);
  document.removeEventListener('touchmove', noTouch);
  if (scrollX !== x || scrollY !== y) scrollTo(x, y);
  saved = undefined;
}

const BOX = 'max-width:none;max-height:none;margin:0;padding:0;border:0;background:transparent;overflow:hidden;position:fixed;';

/** Presentation states. */
const HIDDEN = 0;
const MODAL = 1;
const BAR = 2;
const INLINE = 3;

/** Creates a widget; `element` is the applyUploadWidget target (null for createUploadWidget). */
export function createWidget(ctx: LoaderContext, element: unknown, rawOptions: unknown, callback?: ResultCallback): UploadWidget {
  const options: WidgetOptions = { ...ctx.defaults, ...normalizeOptions(rawOptions) };
  let el: Element | null = null;
  const elementArg = element ?? options.element;
  if (elementArg) {
    try {
      el = resolveElement(elementArg);
    } catch {
      throw new Error(`${ERR}'element' param must either be a valid HTMLElement or a selector string`);
    }
    if (!el) throw new Error(`${ERR}'element' param must resolve to a valid HTMLElement`);
  }
  let container: HTMLElement | null = null;
  if (options.inlineContainer) {
    try {
      container = resolveElement(options.inlineContainer) as HTMLElement | null;
    } catch {
      /* reported below */
    }
    if (!container) throw new Error(`${ERR}'inlineContainer' param must either be a valid HTMLElement or a selector string`);
  }
  barPosition(options.queueViewPosition);
  delete options.element;

  const id = `widget_${++widgetCount}`;
  const fieldName = options.fieldName || el?.getAttribute('name') || 'image';
  const added: Element[] = [];
  const queue: HostMessage[] = [];
  let ready = false;
  let destroyed = false;
  let visible = false;
  let minimized = false;
  let mode = HIDDEN;
  let opener: Element | null = null;
  let api = { apiBase: '', cloudName: '' };

  const iframe = make('iframe');
  iframe.name = `updraft-${id}`;
  iframe.title = 'Upload widget';
  // Named origin: a bare `camera` means the `src` origin, and this iframe has no src (a form POST navigates it).
  iframe.allow = `camera ${ctx.origin}`;
  iframe.style.cssText = `display:${container ? 'none' : 'block'};width:100%;height:100%;border:0;background:transparent;color-scheme:normal`;
  const dialog = container ? null : make('dialog');
  const savedContainerStyle = container ? [container.style.minHeight, container.style.overflowX] : [];

  const emit = (error: unknown, result: unknown) => callback?.(error, result);
  const wrapped = (event: string, info: unknown) => ({ event, info, uw_event: true, data: { event, info } });
  const trigger = (name: string, args: unknown) => {
    const $ = ctx.jquery();
    const form = options.form ? resolveElement(options.form) : null;
    $?.(el ?? form ?? document).trigger(name, args);
  };

  const post = (message: HostMessage) => {
    if (!ready) {
      queue.push(message);
      return;
    }
    iframe.contentWindow?.postMessage({ protocol: PROTOCOL, widgetId: id, ...message }, ctx.origin);
  };

  /** Moves the DOM to match visible/minimized; nothing is shown before the frame is ready. */
  const present = () => {
    const want = destroyed || !ready || !visible ? HIDDEN : container ? INLINE : minimized ? BAR : MODAL;
    if (want === mode) return;
    const was = mode;
    mode = want;
    if (container) {
      iframe.style.display = want ? 'block' : 'none';
      return;
    }
    if (!dialog) return;
    if (was === MODAL) unlockScroll();
    // Its `close` event arrives later (a task): the listener below tells our closes from the browser's by `mode`.
    if (dialog.open) dialog.close();
    dialog.classList.toggle('updraft-uw-bar', want === BAR);
    const z = `z-index:${options.frameZIndex ?? 1000000};`;
    if (want === MODAL) {
      dialog.style.cssText = `${BOX}${z}inset:0;width:100%;height:100%`;
      dialog.showModal();
      lockScroll();
      iframe.focus();
    } else if (want === BAR) {
      const [side, offset] = barPosition(options.queueViewPosition);
      dialog.style.cssText = `${BOX}${z}inset:auto;bottom:5px;${side}:${offset};width:min(500px,100vw);height:55px`;
      dialog.show();
    } else {
      const active = document.activeElement;
      if (opener?.isConnected && (!active || active === document.body || active === iframe)) {
        (opener as HTMLElement).focus?.({ preventScroll: true });
      }
    }
  };

  /** Changes visibility and reports it the way Cloudinary does (`display-changed`). */
  const setState = (show: boolean, mini: boolean) => {
    const wasVisible = visible;
    const wasMini = minimized;
    visible = show;
    minimized = mini;
    present();
    if (show !== wasVisible) emit(null, wrapped('display-changed', show ? (mini ? 'minimized' : 'shown') : 'hidden'));
    else if (show && mini !== wasMini) emit(null, wrapped('display-changed', mini ? 'minimized' : 'expanded'));
  };

  /** The user closed the widget (X or Escape inside the frame, or Escape on the dialog). */
  const userClose = () => {
    if (!visible) return;
    const result = { event: 'close', info: { message: 'user closed the widget' } };
    emit(null, result);
    trigger('cloudinarywidgetclosed', result);
    setState(false, false);
    post({ type: 'uw_hide' });
  };

  const onFrameEvent = (message: Extract<FrameMessage, { type: 'uw_event' }>) => {
    const { event, info, error } = message;
    // The loader owns presentation, so it reports close/display-changed itself (from uw_close / uw_view).
    if (event === 'close' || event === 'display-changed') return;
    if (error) {
      // Cloudinary passes the failed file's info as the result; `event`/`info` are added for callers that read those.
      const result = { ...(typeof info === 'object' ? info : null), event, info };
      emit({ status: error.status, statusText: error.statusText }, result);
      trigger('cloudinarywidgetfileuploadfail', [info]);
    } else if (event === 'success') {
      if (info && typeof info === 'object') integrateUpload(info, page);
      const result = { event, info };
      emit(null, result);
      trigger('cloudinarywidgetfileuploadsuccess', result);
    } else {
      emit(null, wrapped(event, info));
    }
  };

  const onRequest = ({ requestId, callback: name, payload }: Extract<FrameMessage, { type: 'uw_request' }>) => {
    let answered = false;
    const reply = (ok: boolean, value: unknown) => {
      if (answered || destroyed) return;
      answered = true;
      try {
        post(ok ? { type: 'uw_reply', requestId, ok, value } : { type: 'uw_reply', requestId, ok, error: errorText(value) });
      } catch (err) {
        // A value that cannot be cloned (a function, a DOM node) must not leave the frame waiting.
        post({ type: 'uw_reply', requestId, ok: false, error: errorText(err) });
      }
    };
    const fn = options[CALLBACK_OPTIONS[name] ?? ''];
    if (typeof fn !== 'function') return reply(false, `UploadWidget - ${name} handler not found!`);
    try {
      const returned = (fn as (cb: (value?: unknown) => void, payload: unknown) => unknown)((value) => reply(true, value), payload);
      if (returned && typeof (returned as Promise<unknown>).then === 'function') {
        (returned as Promise<unknown>).then(undefined, (err: unknown) => reply(false, err));
      }
    } catch (err) {
      reply(false, err);
    }
  };

  const onMessage = (event: MessageEvent) => {
    if (event.origin !== ctx.origin || !event.source || event.source !== iframe.contentWindow || destroyed) return;
    if (!isEnvelope(event.data, id)) return;
    const message = event.data as Envelope<FrameMessage>;
    switch (message.type) {
      case 'uw_ready':
        api = { apiBase: message.apiBase, cloudName: message.cloudName };
        ready = true;
        queue.splice(0).forEach(post);
        present();
        break;
      case 'uw_event':
        onFrameEvent(message);
        break;
      case 'uw_request':
        onRequest(message);
        break;
      case 'uw_close':
        userClose();
        break;
      case 'uw_view':
        if (visible) setState(true, message.view === 'minimized');
        break;
    }
  };

  const page: PageContext = { options, element: el, fieldName, api: () => api, trigger, added };

  // The applyUploadWidget button (caption via textContent: it is host-supplied text, not markup).
  let button: HTMLAnchorElement | null = null;
  const elementDisplay = el instanceof HTMLElement ? el.style.display : '';
  if (el) {
    button = make('a', options.buttonClass || 'cloudinary-button');
    button.href = '#';
    button.textContent = options.buttonCaption || 'Upload image';
    button.addEventListener('click', (event) => {
      event.preventDefault();
      event.stopPropagation();
      widget.open();
    });
    if (el instanceof HTMLElement) el.style.display = 'none';
    el.before(button);
  }

  const mount = () => {
    if (destroyed) return;
    injectPageStyles();
    if (container) {
      container.style.minHeight = '610px';
      container.style.overflowX = 'hidden';
      iframe.style.minHeight = '610px';
      container.append(iframe);
    } else if (dialog) {
      dialog.className = 'updraft-uw';
      dialog.setAttribute('aria-label', 'Upload widget');
      dialog.append(iframe);
      dialog.addEventListener('cancel', (event) => {
        event.preventDefault();
        userClose();
      });
      // Chromium may close a dialog on Escape without a cancelable `cancel` (no user activation since the last one).
      dialog.addEventListener('close', () => {
        if (!dialog.open && mode) userClose();
      });
      document.body.append(dialog);
    }
    addEventListener('message', onMessage);
    // Options travel in a POST body (no URL length limit, not logged in URLs); the iframe is the form's target.
    const form = make('form');
    form.method = 'post';
    form.action = `${ctx.base}/widget/frame`;
    form.target = iframe.name;
    form.acceptCharset = 'utf-8';
    form.style.display = 'none';
    const fields: Record<keyof typeof FRAME_FIELDS, string> = {
      options: JSON.stringify(frameOptions(options)),
      origin: location.origin,
      widgetId: id,
      callbacks: hostCallbacks(options).join(','),
    };
    for (const [key, value] of Object.entries(fields)) {
      const input = make('input');
      input.type = 'hidden';
      input.name = FRAME_FIELDS[key as keyof typeof FRAME_FIELDS];
      input.value = value;
      form.append(input);
    }
    document.body.append(form);
    form.submit();
    form.remove();
  };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });

  const widget: UploadWidget = {
    open(source, openOptions) {
      if (destroyed) return widget;
      const max = options.maxFileSize;
      const files = Array.from(openOptions?.files ?? []).filter((file) =>
        typeof file === 'string' ? true : isBlob(file) && !(max && max > 0 && file.size > max),
      );
      if (!visible) {
        const active = document.activeElement;
        opener = active && active !== document.body && active !== iframe ? active : null;
      }
      post({ type: 'uw_show', source: source ?? null, files });
      setState(true, false);
      return widget;
    },
    close() {
      if (destroyed) return widget;
      setState(false, false);
      post({ type: 'uw_hide' });
      return widget;
    },
    hide() {
      if (!destroyed) setState(false, minimized);
      post({ type: 'uw_hide' });
      return widget;
    },
    show() {
      if (destroyed) return widget;
      post({ type: 'uw_show', source: null, files: [] });
      setState(true, false);
      return widget;
    },
    minimize() {
      if (destroyed) return widget;
      post({ type: 'uw_view', view: 'minimized' });
      setState(visible, true);
      return widget;
    },
    update(newOptions) {
      if (destroyed) return Promise.resolve(widget);
      const changes = normalizeOptions(newOptions);
      for (const key of NOT_UPDATABLE) delete changes[key];
      barPosition(changes.queueViewPosition ?? options.queueViewPosition);
      Object.assign(options, changes);
      post({ type: 'uw_config', options: frameOptions(options) });
      if (mode === BAR) {
        mode = HIDDEN;
        present();
      }
      return Promise.resolve(widget);
    },
    destroy(destroyOptions) {
      if (!destroyed) {
        visible = false;
        present();
        destroyed = true;
        removeEventListener('message', onMessage);
        (dialog ?? iframe).remove();
        if (container) [container.style.minHeight, container.style.overflowX] = savedContainerStyle as [string, string];
        if (button) {
          button.remove();
          if (el instanceof HTMLElement) el.style.display = elementDisplay;
        }
        if (destroyOptions?.removeThumbnails) {
          for (const node of added.reverse()) if (node.tagName === 'LI' || !node.childElementCount) node.remove();
        }
      }
      return Promise.resolve();
    },
    isShowing: () => visible && !destroyed,
    isMinimized: () => visible && minimized && !destroyed,
    isDestroyed: () => destroyed,
  };
  return widget;
}

/** File/Blob check that also accepts files from another realm (e.g. a child frame's input). */
function isBlob(value: unknown): value is Blob {
  return /^\[object (File|Blob)\]$/.test(Object.prototype.toString.call(value));
}

function errorText(value: unknown): string {
  return value instanceof Error ? value.message : String(value);
}
