import { raw } from 'hono/html';
import type { TextLookup } from '../components/text-lookup.ts';
import { Layout } from '../layout.tsx';

export interface EmbedResult {
  /** Original file name. */
  name: string;
  publicId: string;
  /** The form-field identifier (`image/upload/v1/x.jpg#sig`). */
  identifier: string;
  thumbnailUrl: string | null;
}

export interface EmbedProps {
  nonce: string;
  t: TextLookup;
  language: string;
  /** Where the form posts (this page, with its configuration in the query). */
  action: string;
  resultsToken: string;
  results: EmbedResult[];
  errors: string[];
  multiple: boolean;
  accept: string | null;
  /** Offer the Web Address field (the `url` source is among the page's sources). */
  webAddress: boolean;
  /** Problems with the page's configuration: shown instead of the form. */
  fatal: string | null;
  loaderUrl: string;
  /** Widget options for the JS-on version of the page (already escaped for a script element). */
  widgetOptionsJson: string;
}

const CSS = `body{font:15px/1.5 system-ui,sans-serif;color:#1b2330;max-width:760px;margin:0 auto;padding:16px}
.errors{color:#b3261e}.results{list-style:none;padding:0}.results li{display:flex;gap:12px;align-items:center;padding:8px 0;border-bottom:1px solid #e4ebf1}
.results img{width:90px;height:60px;object-fit:contain;background:#e4ebf1}.results input{width:100%;font:12px ui-monospace,monospace}
.field{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin:16px 0}#embed-url{flex:1;min-width:240px}button{padding:8px 14px}
#embed-widget:empty{display:none}`;

/**
 * The hosted upload page: a plain multipart form that works without JavaScript (results listed with their
 * form-field identifiers); with JavaScript the same page shows the full widget inline.
 */
export function EmbedPage(props: EmbedProps) {
  const { t } = props;
  return (
    <Layout title={t('updraft.embed_title')} language={props.language} head={<style>{raw(CSS)}</style>}>
          <h1>{t('updraft.embed_title')}</h1>
          {props.fatal !== null ? (
            <p class="errors" role="alert">
              {props.fatal}
            </p>
          ) : (
            <>
              {props.errors.length > 0 && (
                <ul class="errors" role="alert" data-errors>
                  {props.errors.map((error) => (
                    <li>{error}</li>
                  ))}
                </ul>
              )}
              <ul class="results" data-results hidden={props.results.length === 0}>
                {props.results.map((result) => (
                  <li>
                    {result.thumbnailUrl && <img src={result.thumbnailUrl} alt={result.name} />}
                    <span>
                      <strong>{result.publicId}</strong>
                      <label>
                        {t('updraft.embed_field_value')}
                        <input type="text" readonly value={result.identifier} data-identifier />
                      </label>
                    </span>
                  </li>
                ))}
              </ul>
              <form method="post" enctype="multipart/form-data" action={props.action} data-embed-form>
                <input type="hidden" name="results" value={props.resultsToken} />
                <div class="field">
                  <label for="embed-file">{t('updraft.embed_choose')}</label>
                  <input id="embed-file" type="file" name="file" multiple={props.multiple} accept={props.accept ?? undefined} />
                </div>
                {props.webAddress && (
                  <div class="field">
                    <label for="embed-url">{t('url.inner_title')}</label>
                    <input id="embed-url" type="url" name="url" placeholder={t('url.input_placeholder')} autocomplete="url" spellcheck={false} />
                  </div>
                )}
                <button type="submit">{t('actions.upload')}</button>
              </form>
              <div id="embed-widget"></div>
              <script src={props.loaderUrl}></script>
              <script nonce={props.nonce}>
                {raw(`(function () {
  if (!window.cloudinary) return;
  var form = document.querySelector('[data-embed-form]');
  var list = document.querySelector('[data-results]');
  var options = ${props.widgetOptionsJson};
  options.inlineContainer = '#embed-widget';
  form.hidden = true;
  cloudinary.createUploadWidget(options, function (error, result) {
    if (error || !result || result.event !== 'success') return;
    var info = result.info;
    var item = document.createElement('li');
    var name = document.createElement('strong');
    name.textContent = info.public_id;
    var field = document.createElement('input');
    field.type = 'text';
    field.readOnly = true;
    field.setAttribute('data-identifier', '');
    field.value = info.resource_type + '/' + info.type + '/' + info.path + '#' + info.signature;
    item.append(name, field);
    list.append(item);
    list.hidden = false;
  }).open();
})();`)}
              </script>
            </>
          )}
    </Layout>
  );
}
