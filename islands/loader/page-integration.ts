/**
 * What a successful upload does to the host page (spec §1.6): a hidden form field, a thumbnail list with an
 * optional delete-by-token link, and the page stylesheet. Built with DOM APIs only: upload results carry
 * user-controlled strings (public ids, file names), so nothing goes through innerHTML.
 */
import { resolveElement, type WidgetOptions } from './options.ts';

const THUMBNAILS = 'cloudinary-thumbnails';

/** What the integration needs from its widget. */
export interface PageContext {
  options: WidgetOptions;
  /** The `applyUploadWidget` element, if any. */
  element: Element | null;
  fieldName: string;
  /** Upload API base and cloud name announced by the frame (`uw_ready`): delete_by_token goes there. */
  api(): { apiBase: string; cloudName: string };
  /** Fires a jQuery event when jQuery is on the page. */
  trigger(name: string, args: unknown): void;
  /** Thumbnails (and lists) this widget added, for `destroy({removeThumbnails: true})`. */
  added: Element[];
}

/** Fields of a success `info` the page integration reads. */
interface UploadInfo {
  public_id?: string;
  resource_type?: string;
  type?: string;
  path?: string;
  signature?: string;
  thumbnail_url?: string;
  delete_token?: string;
}

/** createElement + class name. */
export const make = <K extends keyof HTMLElementTagNameMap>(tag: K, className?: string): HTMLElementTagNameMap[K] => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  return node;
};

/** Appends the hidden field and the thumbnail for one `success` result. */
export function integrateUpload(info: UploadInfo, ctx: PageContext): void {
  const { options, element } = ctx;
  const json = JSON.stringify(info);
  const form = options.form ? resolveElement(options.form) : element?.closest('form');
  let input: HTMLInputElement | undefined;
  if (form) {
    input = make('input');
    input.type = 'hidden';
    input.name = ctx.fieldName;
    input.setAttribute('data-cloudinary-public-id', info.public_id ?? '');
    input.setAttribute('data-cloudinary', json);
    input.value = `${info.resource_type}/${info.type}/${info.path}#${info.signature}`;
    form.append(input);
  }

  if (options.thumbnails === false || !(options.thumbnails || element)) return;
  const target = options.thumbnails ? resolveElement(options.thumbnails) : null;
  let list: Element | null | undefined = target
    ? target.classList.contains(THUMBNAILS) ? target : target.querySelector(`.${THUMBNAILS}`)
    : element?.nextElementSibling?.classList.contains(THUMBNAILS) ? element.nextElementSibling : null;
  if (!list) {
    if (!target && !element) return;
    list = make('ul', THUMBNAILS);
    ctx.added.push(list);
    if (target) target.append(list);
    else element!.after(list);
  }

  const item = make('li', 'cloudinary-thumbnail');
  item.setAttribute('data-cloudinary', json);
  if (info.thumbnail_url) {
    const img = make('img');
    img.addEventListener('load', () => item.classList.add('active'), { once: true });
    img.src = info.thumbnail_url;
    item.append(img);
  } else {
    const span = make('span');
    span.textContent = info.public_id ?? '';
    item.append(span);
  }
  if (info.delete_token) {
    const link = make('a', 'cloudinary-delete');
    link.href = '#';
    link.textContent = 'x';
    link.addEventListener('click', (event) => {
      event.preventDefault();
      const { apiBase, cloudName } = ctx.api();
      fetch(`${apiBase}/v1_1/${encodeURIComponent(cloudName)}/delete_by_token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ token: info.delete_token }),
      }).then(
        (response) => {
          if (response.status !== 200) return;
          item.remove();
          input?.remove();
          ctx.trigger('cloudinarywidgetdeleted', info);
        },
        () => undefined,
      );
    });
    item.append(link);
  }
  list.append(item);
  ctx.added.push(item);
}

const PAGE_CSS =
  `.${THUMBNAILS}{list-style:none;margin:10px 0;padding:0}.${THUMBNAILS}:after{content:"";display:block;clear:both}` +
  '.cloudinary-thumbnail{float:left;margin:0 15px 5px 0;padding:0}' +
  '.cloudinary-thumbnail img{border:1px solid #01304d;border-radius:2px}' +
  '.cloudinary-thumbnail span{display:inline-block;max-width:150px;padding:3px;border:1px solid #aaa;color:#999;font:11px Arial;word-break:break-all}' +
  '.cloudinary-delete{vertical-align:top;padding-left:2px;color:#01304d;text-decoration:none}' +
  '.cloudinary-button{display:inline-block;padding:10px 14px;border-radius:4px;background:#0078ff;color:#fff;font-size:14px;line-height:28px;text-decoration:none;cursor:pointer}' +
  '.cloudinary-button:hover{box-shadow:0 2px 4px rgba(0,0,0,.5)}' +
  // The frame paints its own backdrop; the bar goes full width on narrow screens (Cloudinary's 767 px breakpoint).
  '.updraft-uw::backdrop{background:transparent}' +
  '@media (max-width:766.98px){.updraft-uw-bar{left:0!important;right:0!important;bottom:0!important;width:100%!important}}';

/** Adds the page stylesheet once (id `cloudinary-uw-page-styles`, like Cloudinary's). */
export function injectPageStyles(): void {
  if (document.getElementById('cloudinary-uw-page-styles')) return;
  const style = make('style');
  style.id = 'cloudinary-uw-page-styles';
  style.textContent = PAGE_CSS;
  (document.head ?? document.documentElement).append(style);
}
