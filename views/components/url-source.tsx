import type { TextLookup } from './text-lookup.ts';

export interface UrlFormProps {
  t: TextLookup;
  /** Where the form posts for a preview (works as a plain POST too). */
  action: string;
  /** The frame's token, required by the preview routes. */
  token: string;
  /** The address to show again (the plain-POST page). */
  value?: string;
}

/** The Web Address form: one URL field and a Preview button. */
export function UrlForm({ t, action, token, value }: UrlFormProps) {
  return (
    <form class="uw-url-form" method="post" action={action} data-url-form>
      <input type="hidden" name="token" value={token} />
      <label class="uw-url-label" for="uw-url-input">
        {t('url.inner_title')}
      </label>
      <span class="uw-url-row">
        <input
          id="uw-url-input"
          class="uw-url-input"
          type="url"
          name="url"
          value={value}
          placeholder={t('url.input_placeholder')}
          autocomplete="url"
          spellcheck={false}
          required
          data-url-input
        />
        <button type="submit" class="uw-button uw-button-primary" data-url-submit>
          {t('url.preview')}
        </button>
      </span>
    </form>
  );
}

export interface UrlSourceProps {
  t: TextLookup;
  active: boolean;
  previewAction: string;
  token: string;
}

/** Web Address tab: the URL form, a status line, and the place the server's preview (or problem) goes. */
export function UrlSource({ t, active, previewAction, token }: UrlSourceProps) {
  return (
    <section class="uw-panel uw-url" role="tabpanel" id="uw-panel-url" aria-labelledby="uw-tab-url" hidden={!active}>
      <UrlForm t={t} action={previewAction} token={token} />
      <p class="uw-url-status" id="uw-url-status" role="status" data-url-status></p>
      <div class="uw-url-result" data-url-result></div>
    </section>
  );
}

/** What the preview knows of the file at a Web Address. */
export interface UrlPreviewFile {
  url: string;
  name: string;
  type: string;
  size: number | null;
}

export interface UrlPreviewProps {
  t: TextLookup;
  file: UrlPreviewFile;
  /** The size in words ("1.2 MB", or N/A). */
  sizeLabel: string;
  /** The proxied thumbnail (images only), or null. */
  thumbnailUrl: string | null;
}

/**
 * The preview fragment: what was found, and Upload / Change address. The island reads the confirmed file from
 * the data-* attributes (values as the server saw them; JSX escapes them).
 */
export function UrlPreview({ t, file, sizeLabel, thumbnailUrl }: UrlPreviewProps) {
  return (
    <div class="uw-url-preview" data-url-preview data-url={file.url} data-name={file.name} data-type={file.type} data-size={String(file.size ?? 0)}>
      <h2 class="uw-url-preview-title" tabindex={-1} data-url-preview-title>
        {t('url.preview_title')}
      </h2>
      {thumbnailUrl && <img class="uw-url-thumb" src={thumbnailUrl} alt={t('updraft.preview_alt', { name: file.name })} data-url-thumb />}
      <dl class="uw-url-facts">
        <dt>{t('url.name')}</dt>
        <dd data-url-name>{file.name}</dd>
        <dt>{t('url.type')}</dt>
        <dd data-url-type>{file.type || t('url.unknown_type')}</dd>
        <dt>{t('url.size')}</dt>
        <dd data-url-size>{sizeLabel}</dd>
      </dl>
      <p class="uw-url-address">{file.url}</p>
      <p class="uw-url-problem" role="alert" data-url-check hidden></p>
      <span class="uw-url-actions">
        <button type="button" class="uw-button uw-button-primary" data-url-confirm>
          {t('actions.upload')}
        </button>
        <button type="button" class="uw-button" data-url-change>
          {t('url.change')}
        </button>
      </span>
    </div>
  );
}

export interface UrlProblemNoteProps {
  /** Stable code (forbidden_url, remote_error, ...), for scripts and tests. */
  code: string;
  message: string;
}

/** The problem fragment: why this address cannot be uploaded, in plain words. */
export function UrlProblemNote({ code, message }: UrlProblemNoteProps) {
  return (
    <p class="uw-url-problem" role="alert" data-url-problem data-code={code}>
      {message}
    </p>
  );
}
