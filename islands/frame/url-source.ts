import type { FrameConfig } from './config.ts';
import type { Translate } from './format.ts';
import type { RemoteFile } from './remote-file.ts';
import { checkRemoteFile } from './validation.ts';

export interface UrlSourceDeps {
  config: FrameConfig;
  t: Translate;
  /** The user confirmed the previewed URL: it joins the queue like a local file. */
  onConfirm(file: RemoteFile): void;
}

/**
 * Web Address: posts the URL form to the server (HX-Request), swaps in the server's preview or problem
 * fragment (our own escaped markup), and on Upload hands the previewed file to the queue after the widget's
 * format and size checks — whose refusals stay in the tab.
 */
export function attachUrlSource(root: Document, { config, t, onConfirm }: UrlSourceDeps): void {
  const form = root.querySelector<HTMLFormElement>('[data-url-form]');
  const input = root.querySelector<HTMLInputElement>('[data-url-input]');
  const submit = root.querySelector<HTMLButtonElement>('[data-url-submit]');
  const status = root.querySelector<HTMLElement>('[data-url-status]');
  const result = root.querySelector<HTMLElement>('[data-url-result]');
  if (!form || !input || !result) return;
  let pending: AbortController | null = null;

  const say = (text: string) => {
    if (status) status.textContent = text;
  };
  const setBusy = (busy: boolean) => {
    result.setAttribute('aria-busy', String(busy));
    if (submit) submit.disabled = busy;
  };
  /** The field names its problem (aria-describedby), so it is read again when the field gets focus. */
  const markInvalid = (problem: HTMLElement | null) => {
    if (problem) {
      problem.id = 'uw-url-problem';
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', problem.id);
    } else {
      input.removeAttribute('aria-invalid');
      input.removeAttribute('aria-describedby');
    }
  };

  /** A problem stays next to the field it is about: the field is marked invalid and focused. */
  const showProblem = (note: HTMLElement) => {
    result.replaceChildren(note);
    say('');
    markInvalid(note);
    input.focus();
  };
  const problemNote = (message: string) => {
    const note = root.createElement('p');
    note.className = 'uw-url-problem';
    note.setAttribute('role', 'alert');
    note.dataset.urlProblem = '';
    note.textContent = message;
    return note;
  };

  const showFragment = (html: string) => {
    const fragment = new DOMParser().parseFromString(html, 'text/html').body.querySelector<HTMLElement>('[data-url-preview], [data-url-problem]');
    if (!fragment) return showProblem(problemNote(t('url.errors.failed')));
    if (fragment.matches('[data-url-problem]')) return showProblem(fragment);
    // Listening before the image joins the document, so an early failure is not missed.
    const thumbnail = fragment.querySelector<HTMLImageElement>('[data-url-thumb]');
    thumbnail?.addEventListener('error', () => (thumbnail.hidden = true), { once: true });
    result.replaceChildren(fragment);
    markInvalid(null);
    say(t('url.ready', { name: fragment.dataset.name ?? '' }));
    fragment.querySelector<HTMLButtonElement>('[data-url-confirm]')?.focus();
  };

  const reset = () => {
    pending?.abort();
    input.value = '';
    result.replaceChildren();
    markInvalid(null);
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    pending?.abort();
    const controller = new AbortController();
    pending = controller;
    const body = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (typeof value === 'string') body.append(name, value);
    body.set('url', input.value.trim());
    body.set('language', root.documentElement.lang);
    result.replaceChildren();
    setBusy(true);
    say(t('url.checking'));
    try {
      const response = await fetch(form.action, { method: 'POST', body, headers: { 'HX-Request': 'true' }, signal: controller.signal });
      if (!(response.headers.get('content-type') ?? '').startsWith('text/html')) throw new Error(`Unexpected answer ${response.status}`);
      const html = await response.text();
      if (!controller.signal.aborted) showFragment(html);
    } catch {
      if (!controller.signal.aborted) showProblem(problemNote(t('url.errors.failed')));
    } finally {
      if (pending === controller) {
        pending = null;
        setBusy(false);
      }
    }
  });

  result.addEventListener('click', (event) => {
    const action = (event.target as Element).closest<HTMLElement>('[data-url-confirm], [data-url-change]');
    const preview = result.querySelector<HTMLElement>('[data-url-preview]');
    if (!action || !preview) return;
    if (action.matches('[data-url-change]')) {
      reset();
      say('');
      input.focus();
      return;
    }
    const file: RemoteFile = { url: preview.dataset.url ?? '', name: preview.dataset.name ?? '', size: Number(preview.dataset.size) || 0, type: preview.dataset.type ?? '' };
    const check = checkRemoteFile(file, config.options, t);
    if (!check.ok) {
      const note = preview.querySelector<HTMLElement>('[data-url-check]');
      if (note) {
        note.textContent = `${file.name}: ${check.message}`;
        note.hidden = false;
      }
      return;
    }
    reset();
    say(t('url.added', { name: file.name }));
    onConfirm(check.file);
  });
}
