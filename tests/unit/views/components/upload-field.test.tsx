import { describe, expect, it } from 'vitest';
import { renderUploadField, uploadField, UploadField, type UploadFieldOptions } from '../../../../views/components/upload-field.tsx';

const HOSTILE = `"' onfocus=alert(1) x='<script>&amp;</script>`;

/** Attributes of the single tag as name → decoded value (the way a browser reads them). */
function attributes(html: string): Map<string, string> {
  const tag = /^<input((?:\s+[a-z-]+(?:="[^"]*")?)*)\s*\/?>$/.exec(html);
  expect(tag, `one well-formed <input> tag: ${html}`).not.toBeNull();
  const decode = (text: string) => text.replace(/&(quot|#39|lt|gt|amp);/g, (_m, entity: string) => ({ quot: '"', '#39': "'", lt: '<', gt: '>', amp: '&' })[entity]!);
  const out = new Map<string, string>();
  for (const [, name, value] of tag![1]!.matchAll(/\s+([a-z-]+)(?:="([^"]*)")?/g)) out.set(name!, decode(value ?? ''));
  return out;
}

describe('renderUploadField', () => {
  it('renders the enhanced file input with the widget options as JSON', () => {
    const html = renderUploadField({ name: 'photo', widget: { cloudName: 'demo', uploadPreset: 'preset1' } });
    expect(html).toBe('<input type="file" name="photo" data-upload-widget="{&quot;cloudName&quot;:&quot;demo&quot;,&quot;uploadPreset&quot;:&quot;preset1&quot;}"/>');
    expect(JSON.parse(attributes(html).get('data-upload-widget')!)).toEqual({ cloudName: 'demo', uploadPreset: 'preset1' });
  });

  it('renders multiple, required, accept, id and class; leaves out what is not set', () => {
    const attrs = attributes(renderUploadField({ name: 'files[]', multiple: true, required: true, accept: 'image/*,.pdf', id: 'files', class: 'field wide' }));
    expect(Object.fromEntries(attrs)).toEqual({ type: 'file', name: 'files[]', multiple: '', required: '', accept: 'image/*,.pdf', id: 'files', class: 'field wide', 'data-upload-widget': '{}' });
    const plain = attributes(renderUploadField({ name: 'photo', multiple: false, required: false }));
    expect([...plain.keys()]).toEqual(['type', 'name', 'data-upload-widget']);
  });

  it('escapes quotes, <, > and & in every value: nothing breaks out of its attribute', () => {
    const options: UploadFieldOptions = {
      name: HOSTILE,
      id: HOSTILE,
      class: HOSTILE,
      accept: HOSTILE,
      widget: { cloudName: HOSTILE, text: { en: { 'queue.title': HOSTILE } }, [HOSTILE]: [HOSTILE, 1, true] },
    };
    const html = renderUploadField(options);
    expect(html).not.toMatch(/<script|onfocus=alert\(1\) x='|&amp;<|[^=]"'/);
    expect(html.match(/</g)).toHaveLength(1);
    const attrs = attributes(html);
    for (const name of ['name', 'id', 'class', 'accept']) expect(attrs.get(name)).toBe(HOSTILE);
    expect(JSON.parse(attrs.get('data-upload-widget')!)).toEqual(options.widget);
    expect(html).toContain('&quot;&#39; onfocus=alert(1) x=&#39;&lt;script&gt;&amp;amp;&lt;/script&gt;');
  });

  it('refuses a missing name or widget options that are not an object', () => {
    expect(() => renderUploadField({ name: '' })).toThrow(TypeError);
    expect(() => renderUploadField({ name: 'x', widget: [] as unknown as Record<string, unknown> })).toThrow(TypeError);
  });
});

describe('uploadField (hono/jsx component)', () => {
  it('renders inside a hono/jsx tree with the same escaping', () => {
    const form = (
      <form method="post" enctype="multipart/form-data">
        {uploadField({ name: 'a&b', widget: { folder: `<"x">` } })}
        <UploadField name="second" accept="video/*" />
      </form>
    );
    const html = String(form);
    expect(html).toBe(
      '<form method="post" enctype="multipart/form-data">' +
        '<input type="file" name="a&amp;b" data-upload-widget="{&quot;folder&quot;:&quot;&lt;\\&quot;x\\&quot;&gt;&quot;}"/>' +
        '<input type="file" name="second" accept="video/*" data-upload-widget="{}"/>' +
        '</form>',
    );
  });
});
