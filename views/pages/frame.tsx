import { raw } from 'hono/html';
import type { TextLookup } from '../components/text-lookup.ts';
import { CameraCapture, CameraSource } from '../components/camera-source.tsx';
import { CropStep } from '../components/crop-step.tsx';
import { UrlSource } from '../components/url-source.tsx';
import { Layout } from '../layout.tsx';

export interface FrameSource {
  id: string;
  label: string;
}

export interface FrameProps {
  nonce: string;
  t: TextLookup;
  language: string;
  sources: FrameSource[];
  activeSource: string;
  multiple: boolean;
  /** `accept` attribute for the file input (from clientAllowedFormats), or null. */
  accept: string | null;
  showAdvancedOptions: boolean;
  showCompletedButton: boolean;
  showUploadMoreButton: boolean;
  inline: boolean;
  theme: string;
  stylesCss: string;
  fontLinks: string[];
  /** Built assets; `crop` only when cropping is on (the cropper is loaded for it alone). */
  assets: { css: string; js: string; crop: { js: string; css: string } | null };
  /** Web Address preview form target and the frame's token for it. */
  urlPreview: { action: string; token: string };
  cropping: { showSkip: boolean; showBack: boolean; showDimensions: boolean };
  /** JSON for the island, already escaped for a <script> element. */
  configJson: string;
  notices: string[];
  /** A problem that stops uploads (unknown cloud, no preset); shown instead of the sources. */
  fatal: string | null;
}

/** Tabs for the upload sources (a keyboard-operable tablist; the island moves focus with the arrow keys). */
function SourceTabs({ sources, activeSource, t }: Pick<FrameProps, 'sources' | 'activeSource' | 't'>) {
  return (
    <div class="uw-tabs" role="tablist" aria-label={t('updraft.tablist_label')}>
      {sources.map((source) => {
        const selected = source.id === activeSource;
        return (
          <button
            type="button"
            role="tab"
            id={`uw-tab-${source.id}`}
            class="uw-tab"
            aria-controls={`uw-panel-${source.id}`}
            aria-selected={selected ? 'true' : 'false'}
            tabindex={selected ? 0 : -1}
            data-source={source.id}
          >
            {source.label}
          </button>
        );
      })}
    </div>
  );
}

/** My Files: a drop zone (files and folders), a Browse button, and paste. */
function LocalSource({ t, multiple, accept, active, camera }: Pick<FrameProps, 't' | 'multiple' | 'accept'> & { active: boolean; camera: boolean }) {
  return (
    <section class="uw-panel" role="tabpanel" id="uw-panel-local" aria-labelledby="uw-tab-local" hidden={!active}>
      <div class="uw-dropzone" data-dropzone>
        <p class="uw-dropzone-title">{t(multiple ? 'local.dd_title_multi' : 'local.dd_title_single')}</p>
        <p class="uw-or">{t('or')}</p>
        <label class="uw-button uw-button-primary" for="uw-file-input">
          {t('local.browse')}
        </label>
        <input id="uw-file-input" class="uw-file-input" type="file" multiple={multiple} accept={accept ?? undefined} data-file-input />
        {camera && <CameraCapture t={t} />}
        <p class="uw-hint">{t('updraft.paste_hint')}</p>
      </div>
      <p class="uw-drop-overlay" data-drop-overlay hidden>
        {t(multiple ? 'local.drop_title_multiple' : 'local.drop_title_single')}
      </p>
    </section>
  );
}

/** Public id, tags (with suggestions from the host) and preset choice, sent with the next batch. */
function AdvancedOptions({ t }: Pick<FrameProps, 't'>) {
  return (
    <details class="uw-advanced" data-advanced>
      <summary>{t('advanced')}</summary>
      <label>
        <span class="uw-visually-hidden">{t('advanced_options.public_id_ph')}</span>
        <input type="text" name="public_id" placeholder={t('advanced_options.public_id_ph')} autocomplete="off" data-advanced-public-id />
      </label>
      <label>
        <span class="uw-visually-hidden">{t('advanced_options.tags_ph')}</span>
        <input type="text" name="tags" placeholder={t('advanced_options.tags_ph')} autocomplete="off" list="uw-tag-suggestions" data-advanced-tags />
      </label>
      <datalist id="uw-tag-suggestions" data-tag-suggestions></datalist>
      <label data-preset-field hidden>
        <span class="uw-visually-hidden">{t('advanced_options.upload_preset_placeholder')}</span>
        <select name="upload_preset" data-advanced-preset>
          <option value="">{t('advanced_options.upload_preset_placeholder')}</option>
        </select>
      </label>
    </details>
  );
}

/** The queue (hidden until files are added): counters, items, bulk actions. */
function QueueView({ t, showCompletedButton, showUploadMoreButton }: Pick<FrameProps, 't' | 'showCompletedButton' | 'showUploadMoreButton'>) {
  return (
    <section class="uw-queue" data-queue hidden aria-labelledby="uw-queue-title">
      <header class="uw-queue-header">
        <h2 id="uw-queue-title" class="uw-queue-title" tabindex={-1} data-queue-title>
          {t('queue.title')}
        </h2>
        <div class="uw-queue-actions">
          <button type="button" class="uw-button" data-action="retry-failed" hidden>
            {t('queue.retry_failed')}
          </button>
          <button type="button" class="uw-button" data-action="abort-all" hidden>
            {t('queue.abort_all')}
          </button>
          <button type="button" class="uw-icon-button" data-action="minimize" aria-label={t('updraft.minimize')} title={t('updraft.minimize')}>
            <span aria-hidden="true">▁</span>
          </button>
        </div>
      </header>
      <ul class="uw-queue-list" data-queue-list></ul>
      <footer class="uw-queue-footer">
        {showUploadMoreButton && (
          <button type="button" class="uw-button" data-action="upload-more" hidden>
            {t('queue.upload_more')}
          </button>
        )}
        {showCompletedButton && (
          <button type="button" class="uw-button uw-button-primary" data-action="show-completed" hidden>
            {t('queue.done')}
          </button>
        )}
      </footer>
    </section>
  );
}

/** One queue item, cloned by the island per file (values filled with textContent, never HTML). */
function QueueItemTemplate({ t }: Pick<FrameProps, 't'>) {
  return (
    <template id="uw-queue-item">
      <li class="uw-item" data-status="waiting">
        <span class="uw-item-thumb" aria-hidden="true">
          <img alt="" data-item-thumb hidden />
        </span>
        <span class="uw-item-body">
          <span class="uw-item-name" data-item-name></span>
          <span class="uw-item-line">
            <span class="uw-item-size" data-item-size></span>
            <span class="uw-item-status" data-item-status>
              {t('updraft.waiting')}
            </span>
            <span class="uw-item-meta" data-item-meta></span>
          </span>
          <span class="uw-item-progress">
            <progress max="100" value="0" data-item-progress></progress>
            <span class="uw-item-percent" data-item-percent>
              0%
            </span>
          </span>
          <span class="uw-item-error" data-item-error role="alert"></span>
        </span>
        <span class="uw-item-actions">
          <button type="button" class="uw-button" data-item-action="retry" hidden>
            {t('updraft.retry')}
          </button>
          <button type="button" class="uw-button" data-item-action="abort" hidden>
            {t('updraft.abort')}
          </button>
        </span>
      </li>
    </template>
  );
}

/** The minimized bar: a summary and a way back. */
function MiniBar({ t }: Pick<FrameProps, 't'>) {
  return (
    <div class="uw-mini" data-mini hidden>
      <span class="uw-mini-title" data-mini-title role="status">
        {t('queue.mini_title_uploading')}
      </span>
      <span class="uw-mini-counts" data-mini-counts></span>
      <button type="button" class="uw-icon-button" data-action="expand" aria-label={t('updraft.expand')} title={t('updraft.expand')}>
        <span aria-hidden="true">▢</span>
      </button>
    </div>
  );
}

/** The widget frame: server-rendered markup the frame island (frame.js) brings to life. */
export function FramePage(props: FrameProps) {
  const { t } = props;
  const active = props.sources.some((source) => source.id === props.activeSource) ? props.activeSource : (props.sources[0]?.id ?? 'local');
  return (
    <Layout
      title={t('queue.title')}
      language={props.language}
      noReferrer
      head={
        <>
          <link rel="stylesheet" href={props.assets.css} />
          {props.assets.crop && <link rel="stylesheet" href={props.assets.crop.css} />}
          {props.fontLinks.map((href) => (
            <link rel="stylesheet" href={href} />
          ))}
          <style nonce={props.nonce}>{raw(props.stylesCss)}</style>
        </>
      }
      body={{ class: `uw uw-theme-${props.theme}${props.inline ? ' uw-inline' : ' uw-modal'}`, 'data-view': 'expanded' }}
    >
          <div class="uw-backdrop" data-backdrop></div>
          <div class="uw-window" role="dialog" aria-modal={props.inline ? undefined : 'true'} aria-labelledby="uw-tab-list-label" data-window>
            <header class="uw-header">
              <h1 id="uw-tab-list-label" class="uw-visually-hidden">
                {t('queue.title')}
              </h1>
              {props.fatal === null && <SourceTabs sources={props.sources} activeSource={active} t={t} />}
              <button type="button" class="uw-icon-button uw-close" data-action="close" aria-label={t('aria_label.close')} title={t('close')}>
                <span aria-hidden="true">×</span>
              </button>
            </header>
            <main class="uw-main">
              {props.notices.length > 0 && (
                <ul class="uw-notices" role="note">
                  {props.notices.map((notice) => (
                    <li>{notice}</li>
                  ))}
                </ul>
              )}
              {props.fatal !== null ? (
                <p class="uw-fatal" role="alert">
                  {props.fatal}
                </p>
              ) : (
                <div class="uw-sources" data-sources>
                  {props.sources.some((source) => source.id === 'local') && (
                    <LocalSource t={t} multiple={props.multiple} accept={props.accept} active={active === 'local'} camera={props.sources.some((source) => source.id === 'camera')} />
                  )}
                  {props.sources.some((source) => source.id === 'url') && <UrlSource t={t} active={active === 'url'} previewAction={props.urlPreview.action} token={props.urlPreview.token} />}
                  {props.sources.some((source) => source.id === 'camera') && <CameraSource t={t} active={active === 'camera'} />}
                  {props.showAdvancedOptions && <AdvancedOptions t={t} />}
                  <p class="uw-message" data-message role="alert" hidden></p>
                </div>
              )}
              {props.assets.crop && <CropStep t={t} {...props.cropping} />}
              <QueueView t={t} showCompletedButton={props.showCompletedButton} showUploadMoreButton={props.showUploadMoreButton} />
            </main>
            <p class="uw-live uw-visually-hidden" aria-live="polite" data-live></p>
          </div>
          <MiniBar t={t} />
          <QueueItemTemplate t={t} />
          <script type="application/json" id="uw-config">
            {raw(props.configJson)}
          </script>
          {/* The cropper runs first (scripts with defer run in order) so the frame finds it ready. */}
          {props.assets.crop && <script nonce={props.nonce} src={props.assets.crop.js} defer></script>}
          <script nonce={props.nonce} src={props.assets.js} defer></script>
    </Layout>
  );
}
