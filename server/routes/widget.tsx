import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { ResolvedConfig } from '../config.ts';
import { readBoundedBody } from '../http/request-body.ts';
import { originAllowed } from '../services/allowed-origins.ts';
import type { BuiltAssets } from '../services/built-assets.ts';
import type { FrameTokens } from '../services/frame-tokens.ts';
import { resolveTexts, t, type Texts } from '../services/texts.ts';
import { frameScriptOptions, normalizeWidgetOptions, type WidgetOptions } from '../services/widget-options.ts';
import { resolveStyles, stylesCss } from '../services/widget-styles.ts';
import { FramePage, type FrameSource } from '../../views/pages/frame.tsx';
import type { TextLookup } from '../../views/components/text-lookup.ts';

type Env = { Bindings: HttpBindings };

/** Sources this server can show today, with their label keys (others are not offered until built). */
const IMPLEMENTED_SOURCES: Record<string, string> = { local: 'menu.files', url: 'menu.web', camera: 'menu.camera' };
const HOST_CALLBACKS = new Set(['prepare', 'signature', 'prebatch', 'tags', 'presets']);
/** Text sections the frame's script needs (the rest is rendered on the server). */
const CLIENT_TEXT_SECTIONS = ['queue', 'uploader', 'notifications', 'updraft', 'local', 'url', 'camera', 'crop'] as const;
const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^https?:\/\/\[[0-9a-fA-F:.]{2,45}\](:\d{1,5})?$/;
const MAX_FRAME_POST = 256 * 1024;

export interface WidgetRouteDeps {
  config: ResolvedConfig;
  assets: BuiltAssets;
  frameTokens: FrameTokens;
}

/** JSON safe inside a <script> element (security notes E2). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The upload API the frame talks to: this server (local cloud) or the configured remote API. */
export function apiBaseOf(config: ResolvedConfig): string {
  return config.uploadTarget.kind === 'local' ? config.publicUrl : config.uploadTarget.apiBase;
}

/** Widget routes: the loader script, the frame page and its assets. */
export function widgetRoutes({ config, assets, frameTokens }: WidgetRouteDeps) {
  const app = new Hono<Env>();
  const apiBase = apiBaseOf(config);

  const serveAsset = (c: Context, name: string, cacheControl: string) => {
    if (!assets.knows(name)) return c.text('Not found', 404);
    const asset = assets.get(name);
    if (!asset) return c.text('Not built: run npm run build', 503);
    const etag = `"${asset.hash}"`;
    const headers = {
      'Content-Type': asset.type,
      'Cache-Control': cacheControl,
      ETag: etag,
      'Cross-Origin-Resource-Policy': 'cross-origin',
      'Access-Control-Allow-Origin': '*',
      'X-Content-Type-Options': 'nosniff',
    };
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
    return c.body(new Uint8Array(asset.body), 200, headers);
  };

  // The loader keeps Cloudinary's URL shapes so a page swaps only the host name.
  for (const path of ['/latest/global/all.js', '/global/all.js', '/v2.0/global/all.js']) {
    app.get(path, (c) => serveAsset(c, 'loader.js', 'public, max-age=300, stale-while-revalidate=86400'));
  }
  app.get('/widget/assets/:name', (c) => {
    const name = c.req.param('name');
    const versioned = c.req.query('v') === assets.get(name)?.hash;
    return serveAsset(c, name, versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
  });

  const renderFrame = (c: Context<Env>, fields: URLSearchParams) => {
    const widgetId = fields.get('widgetId') ?? '';
    const origin = fields.get('origin') ?? '';
    // The browser's Origin header, when it sends a real one, must agree with the origin the loader declared
    // ("null" comes from pages with a no-referrer policy and proves nothing either way).
    const sentOrigin = c.req.header('origin');
    const validOrigin = ORIGIN.test(origin) && (sentOrigin === undefined || sentOrigin === 'null' || sentOrigin === origin);
    let rawOptions: unknown = {};
    try {
      rawOptions = JSON.parse(fields.get('options') ?? '{}');
    } catch {
      rawOptions = {};
    }
    const { options, ignored } = normalizeWidgetOptions(rawOptions);
    const { texts, ignored: ignoredTexts, language } = resolveTexts({ language: options.language, text: options.text });
    const lookup: TextLookup = (key, vars) => t(texts, key, vars);
    const styles = resolveStyles(options.styles, options.theme);
    const callbacks = (fields.get('callbacks') ?? '').split(',').filter((name) => HOST_CALLBACKS.has(name));
    // The frame's token: proof, for this server's own endpoints (signing, Web Address), that it rendered the frame.
    const allowedHost = validOrigin && originAllowed(config.allowedOrigins, origin);
    const frameToken = allowedHost ? frameTokens.issue(origin) : '';
    const signing = config.signing.enabled && frameToken ? { endpoint: `${config.basePath}/api/sign`, token: frameToken } : null;

    const fatal = frameProblem({ config, options, allowedHost, widgetId, callbacks, signing: signing !== null, t: lookup });
    const sources = chosenSources(options, lookup);
    const notices = [...ignored, ...ignoredTexts, ...styles.ignored.map((name) => ({ name, reason: 'not a safe value' }))]
      .slice(0, 10)
      .map(({ name, reason }) => lookup('updraft.option_ignored', { name, reason }));

    const nonce = randomBytes(16).toString('base64');
    const clientConfig = {
      widgetId,
      hostOrigin: origin,
      apiBase,
      cloudName: options.cloudName ?? config.account.cloudName,
      callbacks,
      options: frameScriptOptions(options),
      texts: pickTexts(texts),
      signing,
      fatal: fatal !== null,
    };
    c.header('Content-Security-Policy', frameCsp(nonce, allowedHost ? origin : "'none'", apiBase, styles.fontLinks.length > 0));
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cache-Control', 'no-store');
    return c.html(
      <FramePage
        nonce={nonce}
        t={lookup}
        language={language}
        sources={sources}
        activeSource={options.defaultSource ?? sources[0]?.id ?? 'local'}
        multiple={options.multiple}
        accept={acceptAttribute(options.clientAllowedFormats)}
        showAdvancedOptions={options.showAdvancedOptions}
        showCompletedButton={options.showCompletedButton}
        showUploadMoreButton={options.showUploadMoreButton}
        inline={fields.get('inline') === '1'}
        theme={options.theme}
        stylesCss={stylesCss(styles)}
        fontLinks={styles.fontLinks}
        assets={{ css: assets.url('frame.css'), js: assets.url('frame.js'), crop: options.cropping ? { js: assets.url('crop.js'), css: assets.url('crop.css') } : null }}
        urlPreview={{ action: `${config.basePath}/widget/url/preview`, token: frameToken }}
        cropping={{ showSkip: options.showSkipCropButton, showBack: options.croppingShowBackButton, showDimensions: options.croppingShowDimensions }}
        configJson={scriptJson(clientConfig)}
        notices={notices}
        fatal={fatal}
      />,
    );
  };

  app.post('/widget/frame', async (c) => {
    const body = await readBoundedBody(c.env.incoming, MAX_FRAME_POST).catch(() => null);
    if (!body) return c.text('The widget configuration is too large', 413);
    return renderFrame(c, new URLSearchParams(body.toString('utf8')));
  });
  app.get('/widget/frame', (c) => renderFrame(c, new URL(c.req.url).searchParams));

  return app;
}

function frameProblem(input: {
  config: ResolvedConfig;
  options: WidgetOptions;
  /** The page's origin is well-formed and allowed to embed the widget. */
  allowedHost: boolean;
  widgetId: string;
  callbacks: string[];
  signing: boolean;
  t: TextLookup;
}): string | null {
  const { config, options, t } = input;
  if (!input.allowedHost) return t('notifications.general_error');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(input.widgetId)) return t('notifications.general_error');
  const cloudName = options.cloudName ?? config.account.cloudName;
  if (config.uploadTarget.kind === 'local' && cloudName !== config.account.cloudName) return t('updraft.unknown_cloud', { cloud: cloudName });
  const canSign = input.callbacks.includes('prepare') || input.callbacks.includes('signature') || options.uploadSignature !== null || input.signing;
  if (!options.uploadPreset && !canSign) return t('updraft.missing_preset');
  return null;
}

/** The tabs: the host's `sources` order (or all), keeping only sources this server implements. */
function chosenSources(options: WidgetOptions, t: TextLookup): FrameSource[] {
  const wanted = options.sources ?? Object.keys(IMPLEMENTED_SOURCES);
  const ids = [...new Set(wanted)].filter((id) => IMPLEMENTED_SOURCES[id]);
  return (ids.length ? ids : ['local']).map((id) => ({ id, label: t(IMPLEMENTED_SOURCES[id]!) }));
}

/** The file input's `accept` for clientAllowedFormats: type words become `image/*`, formats `.png`. */
export function acceptAttribute(formats: string[] | null): string | null {
  if (!formats) return null;
  return formats.map((format) => (format === 'image' || format === 'video' || format === 'audio' ? `${format}/*` : `.${format}`)).join(',');
}

function pickTexts(texts: Texts): Record<string, unknown> {
  const picked: Record<string, unknown> = { or: texts.or, close: texts.close };
  for (const section of CLIENT_TEXT_SECTIONS) picked[section] = texts[section];
  return picked;
}

/** The frame's CSP: scripts by nonce only, no inline handlers, framed only by the page that asked for it. */
function frameCsp(nonce: string, frameAncestor: string, apiBase: string, googleFonts: boolean): string {
  const api = new URL(apiBase).origin;
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'self' 'nonce-${nonce}'${googleFonts ? ' https://fonts.googleapis.com' : ''}`,
    `font-src 'self'${googleFonts ? ' https://fonts.gstatic.com' : ''}`,
    `img-src 'self' blob: data: ${api} https://res.cloudinary.com`,
    `media-src 'self' blob:`,
    `connect-src 'self' ${api}`,
    "form-action 'self'",
    "base-uri 'none'",
    `frame-ancestors ${frameAncestor}`,
  ].join('; ');
}
