import { describe, expect, it } from 'vitest';
import { CropStep } from '../../../../views/components/crop-step.tsx';
import { lookupText } from '../../../../islands/shared/texts.ts';
import en from '../../../../locales/en.json' with { type: 'json' };

const t = (key: string, vars?: Record<string, string | number>) => lookupText(en, key, vars);
const render = (props: { showSkip: boolean; showBack: boolean; showDimensions: boolean }) => String(<CropStep t={t} {...props} />);
/** The opening tag of the element carrying `marker`. */
const tagWith = (html: string, marker: string) => new RegExp(`<[a-z0-9]+[^>]*${marker.replace(/[[\]"]/g, '\\$&')}[^>]*>`).exec(html)?.[0] ?? '';

describe('CropStep', () => {
  it('renders the hidden step with its title, keyboard help, live region, alert and buttons', () => {
    const html = render({ showSkip: true, showBack: true, showDimensions: true });
    expect(tagWith(html, 'data-crop-step')).toMatch(/ hidden/);
    expect(html).toContain('<h2 id="uw-crop-title" class="uw-crop-title">Crop</h2>');
    expect(html).toContain('id="uw-crop-help"');
    expect(html).toContain(en.crop.keyboard_help);
    expect(tagWith(html, 'data-crop-live')).toContain('aria-live="polite"');
    expect(tagWith(html, 'data-crop-error')).toContain('role="alert"');
    expect(html).toContain('data-crop-dimensions');
    for (const [action, label] of [['back', 'Back'], ['reset', 'Reset'], ['skip', 'Skip'], ['crop', 'Crop']]) {
      const tag = tagWith(html, `data-crop-action="${action}"`);
      expect(tag).toContain('type="button"');
      expect(tag).not.toMatch(/ hidden/);
      expect(html).toMatch(new RegExp(`data-crop-action="${action}"[^>]*>${label}</button>`));
    }
  });

  it('renders Skip and Back hidden (not absent) when turned off, and no dimensions line unless asked', () => {
    const html = render({ showSkip: false, showBack: false, showDimensions: false });
    expect(tagWith(html, 'data-crop-action="skip"')).toMatch(/ hidden/);
    expect(tagWith(html, 'data-crop-action="back"')).toMatch(/ hidden/);
    expect(tagWith(html, 'data-crop-action="crop"')).not.toMatch(/ hidden/);
    expect(html).not.toContain('data-crop-dimensions');
  });

  it('has no inline style attributes (the frame CSP forbids them)', () => {
    expect(render({ showSkip: true, showBack: true, showDimensions: true })).not.toMatch(/ style=/);
  });
});
