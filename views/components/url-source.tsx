import type { TextLookup } from './text-lookup.ts';

export interface UrlSourceProps {
  t: TextLookup;
  active: boolean;
  /** Where the form posts for a preview (works as a plain POST too). */
  previewAction: string;
  /** The frame's token, required by the preview routes. */
  token: string;
}

/** Web Address: a URL form; the server answers with a preview to confirm. (Scaffold: built in issue 6.) */
export function UrlSource({ t, active, previewAction, token }: UrlSourceProps) {
  return (
    <section class="uw-panel" role="tabpanel" id="uw-panel-url" aria-labelledby="uw-tab-url" hidden={!active}>
      <form method="post" action={previewAction} data-url-form>
        <input type="hidden" name="token" value={token} />
        <label for="uw-url-input">{t('url.inner_title')}</label>
        <input id="uw-url-input" type="url" name="url" placeholder={t('url.input_placeholder')} required data-url-input />
      </form>
    </section>
  );
}
