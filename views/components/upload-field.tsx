/** Options of the enhanced file input a host page puts in its own form. */
export interface UploadFieldOptions {
  /** Form field name: the file (JS off) or the uploaded file's identifier (JS on) is posted under it. */
  name: string;
  /** Widget options (`cloudName`, `uploadPreset`, `sources`, `maxFileSize`, ...): the same names as the widget's. */
  widget?: Record<string, unknown>;
  multiple?: boolean;
  required?: boolean;
  /** The input's `accept` (also limits the widget's formats unless `widget.clientAllowedFormats` is set). */
  accept?: string;
  id?: string;
  class?: string;
}

/**
 * `<input type="file" name=... data-upload-widget='{...}'>`: a plain file input without JavaScript, the widget's
 * button once all.js has run. Every value goes through JSX attribute escaping.
 */
export function uploadField(options: UploadFieldOptions) {
  if (typeof options?.name !== 'string' || options.name === '') throw new TypeError('uploadField: name must be a non-empty string');
  const widget = options.widget ?? {};
  if (typeof widget !== 'object' || Array.isArray(widget)) throw new TypeError('uploadField: widget must be an options object');
  return (
    <input
      type="file"
      name={options.name}
      id={options.id}
      class={options.class}
      accept={options.accept}
      multiple={options.multiple === true}
      required={options.required === true}
      data-upload-widget={JSON.stringify(widget)}
    />
  );
}

/** The same component under a JSX-style name: `<UploadField name="photo" widget={{...}} />`. */
export const UploadField = uploadField;

/** uploadField as an HTML string, for hosts that do not render with hono/jsx. */
export function renderUploadField(options: UploadFieldOptions): string {
  return String(uploadField(options));
}
