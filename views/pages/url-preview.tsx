import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import type { TextLookup } from '../components/text-lookup.ts';
import { UrlForm } from '../components/url-source.tsx';

export interface UrlPreviewPageProps {
  t: TextLookup;
  language: string;
  /** The preview form again, filled in, so the address can be changed. */
  form: { action: string; token: string; value: string };
  /** The preview or problem fragment, exactly as the island gets it. */
  children: Child;
}

/** The plain-POST answer of the Web Address form: the same fragment in a minimal page. */
export function UrlPreviewPage({ t, language, form, children }: UrlPreviewPageProps) {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang={language}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="referrer" content="no-referrer" />
          <title>{t('url.main_title')}</title>
        </head>
        <body>
          <h1>{t('url.main_title')}</h1>
          <UrlForm t={t} action={form.action} token={form.token} value={form.value} />
          {children}
          <noscript>
            <p>{t('url.no_js_upload')}</p>
          </noscript>
        </body>
      </html>
    </>
  );
}
