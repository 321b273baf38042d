/**
 * The widget's `styles` and `theme` options turned into CSS custom properties. Values come from the host
 * page, so every colour must match a strict grammar (security notes §4G) and the CSS is built from typed
 * parts, never by pasting strings.
 */

export const PALETTE_KEYS = [
  'window',
  'windowBorder',
  'tabIcon',
  'menuIcons',
  'textDark',
  'textLight',
  'link',
  'action',
  'inactiveTabIcon',
  'error',
  'inProgress',
  'complete',
  'sourceBg',
] as const;
export type PaletteKey = (typeof PALETTE_KEYS)[number];
export type Palette = Record<PaletteKey, string>;

const DEFAULT: Palette = {
  window: '#FFFFFF',
  windowBorder: '#90A0B3',
  tabIcon: '#0078FF',
  menuIcons: '#5A616A',
  textDark: '#000000',
  textLight: '#FFFFFF',
  link: '#0078FF',
  action: '#FF620C',
  inactiveTabIcon: '#0E2F5A',
  error: '#F44235',
  inProgress: '#0078FF',
  complete: '#20B832',
  sourceBg: '#E4EBF1',
};

const THEMES: Record<string, Partial<Palette>> = {
  default: {},
  white: { tabIcon: '#0E2F5A', link: '#0E2F5A', action: '#0E2F5A', inProgress: '#0E2F5A', sourceBg: '#FFFFFF' },
  minimal: { windowBorder: '#D0D5DB', tabIcon: '#000000', link: '#000000', action: '#000000', inProgress: '#000000', sourceBg: '#FFFFFF' },
  purple: { tabIcon: '#5F2EEA', link: '#5F2EEA', action: '#5F2EEA', inProgress: '#5F2EEA', inactiveTabIcon: '#3A2270', sourceBg: '#EFEAFD' },
};

const HEX = /^#([0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
const RGB = /^rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,\s*(0|1|0?\.\d{1,3}))?\s*\)$/i;
const FONT_URL = /^https:\/\/fonts\.googleapis\.com\/css2?\?family=[A-Za-z0-9+:,;@.&=%_-]{1,300}$/;
const FONT_FAMILY = /^[A-Za-z0-9 ,'-]{1,100}$/;

/** A colour in one of the accepted forms, normalized; null for anything else (url(), expressions, ...). */
export function safeColor(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 40 || /[\u0000-\u001f]/.test(value)) return null;
  const text = value.trim();
  if (HEX.test(text)) return text.toLowerCase();
  const rgb = RGB.exec(text);
  if (rgb && [rgb[1], rgb[2], rgb[3]].every((n) => Number(n) <= 255)) {
    return rgb[4] === undefined ? `rgb(${rgb[1]}, ${rgb[2]}, ${rgb[3]})` : `rgba(${rgb[1]}, ${rgb[2]}, ${rgb[3]}, ${rgb[4]})`;
  }
  return null;
}

export interface WidgetStyles {
  palette: Palette;
  backdrop: string;
  /** Google Fonts stylesheets to link (already validated). */
  fontLinks: string[];
  fontFamily: string | null;
  ignored: string[];
}

/** Reads `styles` (palette, frame.background, fonts) over the theme's palette. */
export function resolveStyles(styles: unknown, theme: string): WidgetStyles {
  const palette: Palette = { ...DEFAULT, ...THEMES[theme] };
  const ignored: string[] = [];
  const input = typeof styles === 'object' && styles !== null ? (styles as Record<string, unknown>) : {};
  const paletteInput = typeof input.palette === 'object' && input.palette !== null ? (input.palette as Record<string, unknown>) : {};
  for (const [key, value] of Object.entries(paletteInput)) {
    const color = safeColor(value);
    if ((PALETTE_KEYS as readonly string[]).includes(key) && color) palette[key as PaletteKey] = color;
    else ignored.push(`styles.palette.${key.slice(0, 40)}`);
  }
  const frame = typeof input.frame === 'object' && input.frame !== null ? (input.frame as Record<string, unknown>) : {};
  const backdrop = frame.background === undefined ? '#0e2f5b99' : (safeColor(frame.background) ?? (ignored.push('styles.frame.background'), '#0e2f5b99'));

  const fontLinks: string[] = [];
  let fontFamily: string | null = null;
  const fonts = typeof input.fonts === 'object' && input.fonts !== null ? (input.fonts as Record<string, unknown>) : {};
  for (const [family, url] of Object.entries(fonts)) {
    if (family === 'default' && url === null) continue;
    const balanced = (family.match(/'/g)?.length ?? 0) % 2 === 0;
    if (FONT_FAMILY.test(family) && balanced && typeof url === 'string' && FONT_URL.test(url) && fontLinks.length < 3) {
      fontLinks.push(url);
      fontFamily ??= family;
    } else {
      ignored.push(`styles.fonts.${family.slice(0, 40)}`);
    }
  }
  return { palette, backdrop, fontLinks, fontFamily, ignored };
}

const cssName = (key: string) => `--uw-${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;

/** The custom properties block for the frame's `:root` (every value already validated above). */
export function stylesCss(styles: WidgetStyles): string {
  const declarations = PALETTE_KEYS.map((key) => `${cssName(key)}:${styles.palette[key]}`);
  declarations.push(`--uw-backdrop:${styles.backdrop}`);
  if (styles.fontFamily) declarations.push(`--uw-font:${styles.fontFamily}`);
  return `:root{${declarations.join(';')}}`;
}
