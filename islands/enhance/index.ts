/**
 * enhance.js — loaded by all.js on pages with `input[data-upload-widget]`. Each such file input becomes the
 * widget's button (`applyUploadWidget`, the loader's own page integration): its form then posts each uploaded
 * file's identifier (`<resource_type>/<type>/v<version>/<public_id>.<format>#<signature>`) under the input's
 * name instead of bytes. Submitting waits for uploads in progress; a failed upload, or a required field with
 * no upload, blocks it with a message. Without JavaScript the input stays a plain file input.
 */
import type { CloudinaryGlobal } from '../loader/index.ts';
// tsc under NodeNext allows only a default JSON import (TS1543/TS1544); esbuild keeps just the section a NAMED
// import asks for, so the bundle carries `updraft` and not the whole of en.json.
// @ts-expect-error see above
import { updraft as defaults } from '../../locales/en.json';

type Problem = 'failed' | 'waiting' | 'required';
type TextKey = 'form_failed' | 'form_waiting' | 'form_required';

interface Field {
  input: HTMLInputElement;
  form: HTMLFormElement;
  name: string;
  /** Widget file id → state, from the widget's events; aborted files are dropped. */
  files: Map<string, 'uploading' | 'done' | 'failed'>;
  message: HTMLElement;
  button: Element | null;
  text(key: TextKey): string;
}

interface FormState {
  fields: Field[];
  /** Set while a submit waits for uploads: the button that submitted (null: Enter or requestSubmit()). */
  pending: { submitter: HTMLElement | null } | null;
}

const forms = new WeakMap<HTMLFormElement, FormState>();
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The hidden fields the loader appended for this input (one per successful upload still on the page). */
const uploadedFields = (field: Field) =>
  Array.from(field.form.querySelectorAll<HTMLInputElement>('input[type=hidden][data-cloudinary-public-id]')).filter((hidden) => hidden.name === field.name);

function problemOf(field: Field): Problem | null {
  const states = Array.from(field.files.values());
  if (states.includes('failed')) return 'failed';
  if (states.includes('uploading')) return 'waiting';
  if (field.input.required && uploadedFields(field).length === 0) return 'required';
  return null;
}

function show(field: Field, problem: Problem | null): void {
  const { message } = field;
  message.hidden = problem === null;
  message.textContent = problem ? field.text(`form_${problem}`) : '';
  // Waiting is news; a blocked submission needs attention now.
  message.setAttribute('role', problem === 'waiting' ? 'status' : 'alert');
}

/** Capture listener on the form: runs before the host's own submit handlers and stops them while blocked. */
function onSubmit(this: HTMLFormElement, event: SubmitEvent): void {
  const state = forms.get(this);
  if (!state) return;
  const problems = state.fields.map(problemOf);
  if (problems.every((problem) => problem === null)) {
    state.pending = null;
    return;
  }
  event.preventDefault();
  event.stopImmediatePropagation();
  const blocked = problems.some((problem) => problem === 'failed' || problem === 'required');
  state.pending = blocked ? null : { submitter: event.submitter };
  state.fields.forEach((field, index) => show(field, problems[index] ?? null));
  if (blocked) (state.fields[problems.findIndex((problem) => problem && problem !== 'waiting')]?.button as HTMLElement | null)?.focus?.();
}

/** After an upload event: refresh this field's message, and send a waiting submission once nothing runs. */
function settle(field: Field): void {
  const state = forms.get(field.form)!;
  const problem = problemOf(field);
  // A message shown earlier follows its cause (and goes with it); a new failure is shown at once.
  if (problem === 'failed' || !field.message.hidden) show(field, problem);
  if (!state.pending || state.fields.some((other) => problemOf(other) === 'waiting')) return;
  const { submitter } = state.pending;
  state.pending = null;
  if (state.fields.some((other) => problemOf(other) === 'failed')) return;
  // requestSubmit runs validation and the submit event again (our listener then lets it through).
  field.form.requestSubmit(submitter && submitter.isConnected && (submitter as HTMLButtonElement).form === field.form ? submitter : undefined);
}

/** `accept=".jpg,image/*"` → clientAllowedFormats `["jpg", "image"]` (the widget's extension and type words). */
function formatsOf(accept: string): string[] {
  return accept
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter(Boolean)
    .map((token) => (token.startsWith('.') ? token.slice(1) : token.endsWith('/*') ? (token.startsWith('audio') ? 'video' : token.slice(0, -2)) : (token.split('/')[1] ?? token).split('+')[0]!));
}

function enhance(input: HTMLInputElement, cloudinary: CloudinaryGlobal): void {
  let options: unknown;
  try {
    options = JSON.parse(input.getAttribute('data-upload-widget') || '{}');
  } catch {
    return;
  }
  const form = input.form;
  if (!isObject(options) || !form) return;
  const multiple = input.multiple;
  const language = typeof options.language === 'string' ? options.language : 'en';
  const textOption = isObject(options.text) && isObject(options.text[language]) ? options.text[language] : {};
  const overrides = isObject(textOption.updraft) ? textOption.updraft : {};
  const text = (key: TextKey): string => {
    const custom = overrides[key] ?? textOption[`updraft.${key}`];
    return typeof custom === 'string' ? custom : (defaults as Record<TextKey, string>)[key];
  };
  const accept = input.getAttribute('accept');
  const field: Field = { input, form, name: input.name, files: new Map(), message: document.createElement('span'), button: null, text };

  const callback = (error: unknown, result: unknown) => {
    const { event, info } = (isObject(result) ? result : {}) as { event?: string; info?: unknown };
    const data = isObject(info) ? info : {};
    const ids = Array.isArray(data.ids) ? (data.ids as string[]) : [];
    const id = String(data.id ?? '');
    if (error) field.files.set(id, 'failed');
    else if (event === 'upload-added') field.files.set(id, 'uploading');
    else if (event === 'retry') ids.forEach((one) => field.files.set(one, 'uploading'));
    else if (event === 'abort') ids.forEach((one) => field.files.delete(one));
    else if (event === 'success') {
      field.files.set(id, 'done');
      // A single-file field keeps only its latest upload, as a plain file input keeps only its latest choice.
      if (!multiple) for (const old of uploadedFields(field).slice(0, -1)) dropUpload(field, old);
    } else return;
    settle(field);
  };

  try {
    cloudinary.applyUploadWidget(
      input,
      { ...(accept && !options.clientAllowedFormats && !options.client_allowed_formats ? { clientAllowedFormats: formatsOf(accept) } : {}), ...options, fieldName: input.name, multiple },
      callback,
    );
  } catch {
    // Options the widget refuses: the plain input keeps working.
    return;
  }
  field.button = input.previousElementSibling;
  // The bytes travel through the widget; a disabled input is neither posted nor validated by the browser.
  input.disabled = true;
  field.message.className = 'updraft-form-message';
  field.message.hidden = true;
  input.before(field.message);

  let state = forms.get(form);
  if (!state) {
    state = { fields: [], pending: null };
    forms.set(form, state);
    form.addEventListener('submit', onSubmit, true);
  }
  state.fields.push(field);
}

/** Removes an earlier upload's hidden field and its thumbnail. */
function dropUpload(field: Field, hidden: HTMLInputElement): void {
  const list = field.input.nextElementSibling;
  if (list?.classList.contains('cloudinary-thumbnails')) {
    for (const item of Array.from(list.children)) if (item.getAttribute('data-cloudinary') === hidden.getAttribute('data-cloudinary')) item.remove();
  }
  hidden.remove();
}

const cloudinary = (window as unknown as { cloudinary?: CloudinaryGlobal }).cloudinary;
if (cloudinary?.applyUploadWidget) {
  // Disabled inputs are left alone: the page disabled them, or this script already ran.
  for (const input of Array.from(document.querySelectorAll<HTMLInputElement>('input[type=file][data-upload-widget]'))) if (!input.disabled) enhance(input, cloudinary);
}
