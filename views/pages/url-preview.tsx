import type { Child } from 'hono/jsx';
import type { TextLookup } from '../components/text-lookup.ts';
import { Layout } from '../layout.tsx';
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
    <Layout title={t('url.main_title')} language={language} noReferrer>
          <h1>{t('url.main_title')}</h1>
          <UrlForm t={t} action={form.action} token={form.token} value={form.value} />
          {children}
          <noscript>
            <p>{t('url.no_js_upload')}</p>
          </noscript>
    </Layout>
  );
}
