import { describe, expect, it } from 'vitest';
import { UrlPreview, UrlProblemNote, UrlSource } from '../../../../views/components/url-source.tsx';
import { lookupText } from '../../../../islands/shared/texts.ts';
import en from '../../../../locales/en.json' with { type: 'json' };

const t = (key: string, vars?: Record<string, string | number>) => lookupText(en, key, vars);
/** The opening tag of the element carrying `marker`. */
const tagWith = (html: string, marker: string) => new RegExp(`<[a-z0-9]+[^>]*${marker}[^>]*>`).exec(html)?.[0] ?? '';

describe('UrlSource', () => {
  const html = String(<UrlSource t={t} active={true} previewAction="/widget/url/preview" token={'tok"en'} />);

  it('is a tab panel with a labelled URL field in a form that works as a plain POST, carrying the token', () => {
    expect(tagWith(html, 'role="tabpanel"')).toMatch(/id="uw-panel-url" aria-labelledby="uw-tab-url"/);
    expect(tagWith(html, 'data-url-form')).toMatch(/method="post" action="\/widget\/url\/preview"/);
    expect(html).toContain('<input type="hidden" name="token" value="tok&quot;en"/>');
    expect(html).toMatch(new RegExp(`<label [^>]*for="uw-url-input">${en.url.inner_title}</label>`));
    expect(tagWith(html, 'data-url-input')).toMatch(/id="uw-url-input" [^>]*type="url" name="url"[^>]* required/);
    expect(html).toMatch(new RegExp(`<button type="submit"[^>]*>${en.url.preview}</button>`));
    expect(tagWith(html, 'data-url-status')).toContain('role="status"');
    expect(String(<UrlSource t={t} active={false} previewAction="/p" token="x" />)).toMatch(/<section [^>]* hidden/);
  });
});

describe('UrlPreview', () => {
  const hostile = '"><img src=x onerror=alert(1)>.png';
  const file = { url: 'https://files.example/a.png?x="1"&y=<2>', name: hostile, type: 'image/png', size: 2048 };

  it('escapes everything the remote server chose (name, URL) in text and in data attributes', () => {
    const html = String(<UrlPreview t={t} file={file} sizeLabel="2 KB" thumbnailUrl="/widget/url/thumbnail?u=a.b" />);
    expect(html).not.toContain('<img src=x');
    expect(tagWith(html, 'data-url-preview')).toContain('data-name="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.png"');
    expect(tagWith(html, 'data-url-preview')).toContain('data-url="https://files.example/a.png?x=&quot;1&quot;&amp;y=&lt;2&gt;"');
    expect(tagWith(html, 'data-url-preview')).toContain('data-size="2048"');
    expect(tagWith(html, 'data-url-thumb')).toContain(`alt="Preview of &quot;&gt;&lt;img src=x onerror=alert(1)&gt;.png"`);
    expect(html).toMatch(new RegExp(`<button type="button"[^>]*data-url-confirm[^>]*>${en.actions.upload}</button>`));
    expect(html).toMatch(new RegExp(`<button type="button"[^>]*data-url-change[^>]*>${en.url.change}</button>`));
  });

  it('shows no thumbnail when there is none, "Unknown" for a missing type and 0 for an unknown size', () => {
    const html = String(<UrlPreview t={t} file={{ ...file, type: '', size: null }} sizeLabel="N/A" thumbnailUrl={null} />);
    expect(html).not.toContain('data-url-thumb');
    expect(html).toContain(`<dd data-url-type="true">${en.url.unknown_type}</dd>`);
    expect(tagWith(html, 'data-url-preview')).toContain('data-size="0"');
  });
});

describe('UrlProblemNote', () => {
  it('is an alert with a stable code and the message as text', () => {
    expect(String(<UrlProblemNote code="forbidden_url" message="<b>no</b>" />)).toBe('<p class="uw-url-problem" role="alert" data-url-problem="true" data-code="forbidden_url">&lt;b&gt;no&lt;/b&gt;</p>');
  });
});
