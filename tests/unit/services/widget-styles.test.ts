import { describe, expect, it } from 'vitest';
import { resolveStyles, safeColor, stylesCss } from '../../../server/services/widget-styles.ts';

describe('widget styles', () => {
  it.each(['#fff', '#FFFF', '#0e2f5b99', 'rgb(1, 2, 3)', 'rgba(255,255,255,0.5)'])('accepts the colour %s', (value) => {
    expect(safeColor(value)).not.toBeNull();
  });

  it.each(['red;} body{display:none', '</style><script>alert(1)</script>', 'url(https://evil/t.png)', 'url(javascript:x)', 'expression(alert(1))', '\\3c script\\3e', '#ff0000\n', 'rgb(300,0,0)', 'x'.repeat(10_000), 'red'])(
    'refuses %s (G1–G5)',
    (value) => {
      expect(safeColor(value)).toBeNull();
    },
  );

  it('builds custom properties from the theme, the palette and the frame background', () => {
    const styles = resolveStyles({ palette: { action: '#123456', window: 'bad;', unknown: '#000' }, frame: { background: '#00000080' } }, 'purple');
    expect(styles.ignored.sort()).toEqual(['styles.palette.unknown', 'styles.palette.window']);
    const css = stylesCss(styles);
    expect(css).toMatch(/^:root\{[^<>{}]*\}$/);
    expect(css).toContain('--uw-action:#123456');
    expect(css).toContain('--uw-tab-icon:#5F2EEA');
    expect(css).toContain('--uw-backdrop:#00000080');
  });

  it('links only Google Fonts stylesheets, with plain family names', () => {
    const ok = resolveStyles({ fonts: { "'Fira Sans', sans-serif": 'https://fonts.googleapis.com/css?family=Fira+Sans' } }, 'default');
    expect(ok.fontLinks).toEqual(['https://fonts.googleapis.com/css?family=Fira+Sans']);
    expect(stylesCss(ok)).toContain("--uw-font:'Fira Sans', sans-serif");
    const bad = resolveStyles({ fonts: { '"; }': 'https://fonts.googleapis.com/css?family=X', Evil: 'https://evil.test/x.css' } }, 'default');
    expect(bad.fontLinks).toEqual([]);
    expect(bad.ignored).toHaveLength(2);
  });
});
