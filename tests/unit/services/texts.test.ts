import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import {
  MAX_OVERRIDE_CHARS,
  MAX_TEXT_LENGTH,
  availableLanguages,
  createTextCatalog,
  formatDuration,
  formatFileSize,
  interpolate,
  loadLocale,
  normalizeLanguage,
  resolveTexts,
  t,
  type LocaleSource,
} from '../../../server/services/texts.ts';

const EN_SOURCE = readFileSync(new URL('../../../locales/en.json', import.meta.url), 'utf8');
const en = loadLocale('en');

/** An in-memory locale directory: en.json from disk plus the given translations. */
function memorySource(files: Record<string, unknown>): LocaleSource & { read: ReturnType<typeof vi.fn> } {
  const read = vi.fn((language: string) => {
    if (language === 'en') return EN_SOURCE;
    if (!Object.hasOwn(files, language)) throw new Error(`no such file ${language}`);
    const file = files[language];
    return typeof file === 'string' ? file : JSON.stringify(file);
  });
  return { list: () => ['en', ...Object.keys(files)], read };
}

function leaves(tree: unknown, prefix = ''): [string, string][] {
  const out: [string, string][] = [];
  for (const [key, value] of Object.entries(tree as Record<string, unknown>)) {
    if (typeof value === 'string') out.push([prefix + key, value]);
    else out.push(...leaves(value, `${prefix}${key}.`));
  }
  return out;
}

describe('locales/en.json', () => {
  // Values from spec/cloudinary-compat.md §1.8 and §1.9, verbatim.
  const SPEC: [string, string][] = [
    ['or', 'Or'],
    ['back', 'Back'],
    ['advanced', 'Advanced'],
    ['close', 'Close'],
    ['no_results', 'No results'],
    ['search_placeholder', 'Search files'],
    ['about_uw', 'About the Upload Widget'],
    ['search.placeholder', 'Search...'],
    ['search.reset', 'Reset search'],
    ['menu.files', 'My Files'],
    ['menu.web', 'Web Address'],
    ['menu.camera', 'Camera'],
    ['menu.gsearch', 'Image Search'],
    ['menu.gdrive', 'Google Drive'],
    ['menu.dropbox', 'Dropbox'],
    ['menu.facebook', 'Facebook'],
    ['menu.instagram', 'Instagram'],
    ['menu.shutterstock', 'Shutterstock'],
    ['menu.getty', 'gettyimages'],
    ['menu.istock', 'iStock'],
    ['menu.unsplash', 'Unsplash'],
    ['selection_counter.selected', 'Selected'],
    ['actions.upload', 'Upload'],
    ['actions.next', 'Next'],
    ['actions.clear_all', 'Clear all'],
    ['actions.log_out', 'Log out'],
    ['notifications.general_error', 'An error has occurred.'],
    ['notifications.general_prompt', 'Are you sure?'],
    ['notifications.limit_reached', 'No more files can be selected.'],
    ['notifications.invalid_add_url', 'The URL must be valid.'],
    ['notifications.invalid_public_id', 'Public ID cannot contain \\,,&,#,%,<,>.'],
    ['notifications.no_new_files', 'The files have already been uploaded.'],
    ['notifications.image_purchased', 'Image Purchased'],
    ['notifications.video_acquired', 'Video Acquired'],
    ['notifications.acquisition_failed', 'Acquisition failed. Please try again.'],
    ['notifications.service_logged_out', 'Service logged out due to error'],
    ['advanced_options.public_id_ph', 'Public ID'],
    ['advanced_options.tags_ph', 'Add a tag'],
    ['advanced_options.add_new', 'Add a new tag:'],
    ['advanced_options.upload_preset_placeholder', 'Upload Preset'],
    ['advanced_options.upload_preset_no_options', 'No upload preset'],
    ['landscape_overlay.title', "Landscape mode isn't supported"],
    ['landscape_overlay.description', 'Rotate your device back to portrait mode to continue.'],
    ['aria_label.close', 'Close'],
    ['aria_label.back', 'Back'],
    ['queue.title', 'Upload Queue'],
    ['queue.title_uploading_with_counter', 'Uploading {{num}} assets'],
    ['queue.title_processing_with_counter', 'Processing {{num}} assets'],
    ['queue.title_uploading_processing_with_counters', 'Uploading {{uploading}} assets, processing {{processing}} assets'],
    ['queue.title_uploading', 'Uploading assets'],
    ['queue.mini_title', 'Uploaded'],
    ['queue.mini_title_uploading', 'Uploading'],
    ['queue.mini_title_processing', 'Processing'],
    ['queue.show_completed', 'Show completed'],
    ['queue.retry_failed', 'Retry failed'],
    ['queue.abort_all', 'Abort all'],
    ['queue.upload_more', 'Upload more'],
    ['queue.done', 'Done'],
    ['queue.mini_upload_count', '{{num}} uploaded'],
    ['queue.mini_failed', '{{num}} failed'],
    ['queue.more', 'More'],
    ['queue.statuses.uploading', 'Uploading...'],
    ['queue.statuses.processing', 'Processing...'],
    ['queue.statuses.timeout', 'A large file is currently being uploaded. It might take a while to appear in your product environment.'],
    ['queue.statuses.error', 'Error'],
    ['queue.statuses.uploaded', 'Done'],
    ['queue.statuses.aborted', 'Aborted'],
    ['uploader.filesize.na', 'N/A'],
    ['uploader.filesize.b', '{{size}} Bytes'],
    ['uploader.filesize.k', '{{size}} KB'],
    ['uploader.filesize.m', '{{size}} MB'],
    ['uploader.filesize.g', '{{size}} GB'],
    ['uploader.filesize.t', '{{size}} TB'],
    ['uploader.errors.file_too_large', 'File size ({{size}}) exceeds maximum allowed ({{allowed}})'],
    ['uploader.errors.max_dimensions_validation', 'Image dimensions ({{width}}X{{height}}) are bigger than the maximum allowed: ({{maxWidth}}X{{maxHeight}})'],
    ['uploader.errors.min_dimensions_validation', 'Image dimensions ({{width}}X{{height}}) are smaller than the minimum required: ({{minWidth}}X{{minHeight}})'],
    ['uploader.errors.unavailable', 'NA'],
    ['uploader.errors.max_number_of_files', 'Maximum number of files exceeded'],
    ['uploader.errors.allowed_formats', 'File format not allowed'],
    ['uploader.errors.max_file_size', 'File is too large'],
    ['uploader.errors.min_file_size', 'File is too small'],
    ['uploader.close_mid_upload', 'There are running uploads. Click OK to abort.'],
    ['crop.title', 'Crop'],
    ['crop.crop_btn', 'Crop'],
    ['crop.skip_btn', 'Skip'],
    ['crop.reset_btn', 'Reset'],
    ['crop.close_btn', 'Yes'],
    ['crop.close_prompt', 'Closing will cancel all uploads, Are you sure?'],
    ['crop.image_data_error', 'either the file size exceeds the browser limit or the file may be corrupt.'],
    ['crop.corner_tooltip', 'Drag corner to resize'],
    ['camera.capture', 'Capture'],
    ['camera.cancel', 'Cancel'],
    ['camera.take_pic', 'Take a picture and upload it'],
    ['camera.explanation', 'Make sure that your camera is connected and that your browser allows camera capture. When ready, click Capture.'],
    ['camera.camera_error', 'Failed to access camera'],
    ['camera.retry', 'Retry Camera'],
    ['camera.file_name', 'Camera_{{time}}'],
    ['local.browse', 'Browse'],
    ['local.dd_title_single', 'Drag and Drop an asset here'],
    ['local.dd_title_multi', 'Drag and Drop assets here'],
    ['local.drop_title_single', 'Drop a file to upload'],
    ['local.drop_title_multiple', 'Drop files to upload'],
    ['url.inner_title', 'Public URL of file to upload:'],
    ['url.input_placeholder', 'http://remote.site.example/images/remote-image.jpg'],
    ['dropbox.no_auth_title', 'Upload files from your Dropbox account.'],
    ['dropbox.list_headers.modified', 'Modified'],
    ['dropbox.menu.recent', 'Recent'],
    ['facebook.album_subtitle', '{{count}} photos'],
    ['facebook.menu.tagged', 'Photos of You'],
    ['google_drive.grid.empty_folder', 'This folder is empty.'],
    ['google_drive.viewedByMeTime', 'Last opened by me'],
    ['google_drive.notifications.retrieve_failed', 'Failed to retrieve upload data from Google Drive.'],
    ['image_search.customPlaceholder', 'Search {{site}}'],
    ['image_search.rights_options.free_mod_com', 'free to use, share or modify, even commercially'],
    ['image_search.search_error', 'Search failed, please try again.'],
    ['instagram.header_title', 'Your Recent Instagram Photos'],
    // Stock sections: the few values the spec gives.
    ['shutterstock.filter_summary.label', 'Filters: {{- summary}}'],
    ['getty.purchase.media_type_not_included', 'Your current plan does not include this {{mediaType}}'],
    ['getty.buttons.purchase', 'Acquire'],
    ['istock.buttons.purchase', 'Purchase'],
    ['unsplash.no_auth_title', 'Access millions of images from Unsplash.'],
    ['metadataPage.title', 'Structured Metadata Values'],
    ['metadataPage.conflict_label', 'Overwrite'],
    ['metadataPage.validationErrors.digitsLimitError', 'This number cannot be more than 16 digits long.'],
  ];

  it.each(SPEC)('%s is the spec value', (key, value) => {
    expect(t(en, key)).toBe(value);
  });

  it('holds Updraft’s own texts in the `updraft` section', () => {
    expect(en.updraft).toMatchObject({
      tablist_label: 'Upload sources',
      speed: '{{speed}}/s',
      time_left: '{{time}} left',
      minimize: 'Minimize',
      expand: 'Expand',
      retry: 'Retry',
      abort: 'Abort',
      remove: 'Remove',
      paste_hint: 'You can also paste files',
      unknown_cloud: 'Unknown cloud name {{cloud}}.',
      missing_preset: 'Set uploadPreset (an unsigned preset) or a signature option to upload.',
      option_ignored: 'Ignored option {{name}}: {{reason}}',
      waiting: 'Waiting',
      uploaded_count: '{{done}} of {{total}} uploaded',
      preview_alt: 'Preview of {{name}}',
      drop_here: 'Drop files anywhere in this window',
      folder_too_deep: 'Folders nested too deeply were skipped',
    });
  });

  it('has every section of Cloudinary’s key structure, only strings as leaves, and well-formed placeholders', () => {
    const raw = JSON.parse(EN_SOURCE) as Record<string, unknown>;
    for (const section of ['menu', 'local', 'url', 'camera', 'crop', 'queue', 'uploader', 'notifications', 'advanced_options', 'actions',
      'aria_label', 'search', 'selection_counter', 'landscape_overlay', 'dropbox', 'google_drive', 'image_search', 'facebook', 'instagram',
      'shutterstock', 'getty', 'istock', 'unsplash', 'metadataPage', 'updraft']) {
      expect(typeof raw[section], section).toBe('object');
    }
    for (const [key, value] of leaves(raw)) {
      expect(typeof value, key).toBe('string');
      expect(value.trim(), key).not.toBe('');
      // Every `{{` opens a simple i18next placeholder.
      expect(value.replace(/\{\{-? ?[A-Za-z_]\w*\}\}/g, ''), key).not.toMatch(/\{\{|\}\}/);
    }
    // Stock-source key structure from §1.8 (keys only).
    for (const key of ['shutterstock.filters.resolution.4k_tip', 'shutterstock.purchase_page.sizes.huge_jpg', 'shutterstock.home_page.categories_header',
      'getty.filters.license_model.rightsready', 'getty.filters.available_for_creative_editorial_videos', 'getty.filters.ethnicity.southeast_asian',
      'istock.purchase.istock_video_id', 'unsplash.filters.color_types.black_and_white', 'unsplash.summary.size.original_size',
      'metadataPage.validationErrors.date.greaterThanEqual', 'metadataPage.intro.conflictWarning']) {
      expect(t(en, key), key).not.toBe(key);
    }
  });
});

describe('t / interpolate', () => {
  it('fills the variables passed and leaves the others as written', () => {
    expect(t(en, 'queue.title_uploading_with_counter', { num: 3 })).toBe('Uploading 3 assets');
    expect(t(en, 'queue.title_uploading_processing_with_counters', { uploading: 2 })).toBe('Uploading 2 assets, processing {{processing}} assets');
    expect(t(en, 'uploader.errors.file_too_large', { size: '12 MB', allowed: '10 MB' })).toBe('File size (12 MB) exceeds maximum allowed (10 MB)');
    expect(t(en, 'uploader.errors.max_dimensions_validation', { width: 5000, height: 4000, maxWidth: 1000, maxHeight: 800 })).toBe(
      'Image dimensions (5000X4000) are bigger than the maximum allowed: (1000X800)',
    );
    expect(t(en, 'shutterstock.filter_summary.label', { summary: 'Red, <b>Photo</b>' })).toBe('Filters: Red, <b>Photo</b>');
    expect(t(en, 'queue.mini_failed', { num: 0 })).toBe('0 failed');
    expect(t(en, 'queue.mini_failed')).toBe('{{num}} failed');
    expect(interpolate('{{ num }} and {{-num}}', { num: true })).toBe('true and true');
    expect(interpolate('{{num}}', { num: undefined })).toBe('{{num}}');
    expect(interpolate('{{a}}{{b}}', { a: null, b: 10n })).toBe('null10');
  });

  it('returns the key itself for missing keys, sections and prototype names', () => {
    expect(t(en, 'queue.nope')).toBe('queue.nope');
    expect(t(en, 'queue')).toBe('queue');
    expect(t(en, 'queue.statuses')).toBe('queue.statuses');
    expect(t(en, '__proto__')).toBe('__proto__');
    expect(t(en, 'queue.constructor')).toBe('queue.constructor');
    expect(t(en, 'toString')).toBe('toString');
    expect(t(en, '')).toBe('');
  });

  it('F2: evaluates nothing — hostile placeholders stay literal text', () => {
    const hostile = "{{constructor.constructor('alert(1)')()}} ${process.exit()} {{__proto__}} {{toString}} {{num}}";
    expect(interpolate(hostile, { num: 1 })).toBe("{{constructor.constructor('alert(1)')()}} ${process.exit()} {{__proto__}} {{toString}} 1");
    expect(interpolate(hostile, {})).toBe(hostile);
    // A value is never scanned again: a file name containing a placeholder stays literal.
    expect(interpolate('Preview of {{name}}', { name: '{{name}} {{num}}', num: 2 })).toBe('Preview of {{name}} {{num}}');
    // Values that refuse to be stringified become empty text instead of throwing.
    expect(interpolate('[{{x}}]', { x: { toString: () => { throw new Error('no'); } } })).toBe('[]');
  });
});

describe('resolveTexts', () => {
  it('returns the frozen English defaults without options', () => {
    const { language, texts, ignored } = resolveTexts();
    expect(language).toBe('en');
    expect(texts).toBe(en);
    expect(ignored).toEqual([]);
    expect(Object.isFrozen(texts)).toBe(true);
    expect(Object.isFrozen(texts.queue.statuses)).toBe(true);
    expect(() => {
      (texts.queue as { title: string }).title = 'x';
    }).toThrow(TypeError);
  });

  it('merges partial override objects over the defaults', () => {
    const { texts, ignored } = resolveTexts({
      language: 'en',
      text: { en: { queue: { title: 'My queue', statuses: { error: 'Oops' } }, menu: { files: 'Computer' }, or: 'or else' } },
    });
    expect(ignored).toEqual([]);
    expect(texts.queue.title).toBe('My queue');
    expect(texts.queue.statuses.error).toBe('Oops');
    expect(texts.queue.statuses.uploaded).toBe('Done');
    expect(texts.queue.done).toBe('Done');
    expect(texts.menu.files).toBe('Computer');
    expect(texts.menu.web).toBe('Web Address');
    expect(texts.or).toBe('or else');
    expect(Object.isFrozen(texts.queue.statuses)).toBe(true);
    // The shared defaults are untouched.
    expect(en.queue.title).toBe('Upload Queue');
    expect(resolveTexts().texts.queue.title).toBe('Upload Queue');
  });

  it('accepts flat dotted keys, also inside sections, and empty strings', () => {
    const { texts, ignored } = resolveTexts({
      text: { en: { 'queue.title': 'Dotted', queue: { 'statuses.aborted': 'Stopped' }, 'local.browse': '' } },
    });
    expect(ignored).toEqual([]);
    expect(texts.queue.title).toBe('Dotted');
    expect(texts.queue.statuses.aborted).toBe('Stopped');
    expect(texts.local.browse).toBe('');
  });

  it('reports unknown keys, wrong types and overlong strings by option path, applying the rest', () => {
    const { texts, ignored } = resolveTexts({
      text: {
        en: {
          queue: { titel: 'typo', title: 42, done: 'Finished', statuses: 'flat' },
          'queue.title.deeper': 'x',
          'queue..title': 'x',
          menu: { files: 'x'.repeat(MAX_TEXT_LENGTH + 1), web: 'y'.repeat(MAX_TEXT_LENGTH) },
          nosuchsection: { a: 'b' },
        },
        fr: { queue: { title: 'not used for en' } },
      },
    });
    expect(texts.queue.done).toBe('Finished');
    expect(texts.queue.title).toBe('Upload Queue');
    expect(texts.menu.files).toBe('My Files');
    expect(texts.menu.web).toHaveLength(MAX_TEXT_LENGTH);
    expect(ignored.map(({ name, code }) => [name, code])).toEqual([
      ['text.en.queue.titel', 'unknown_key'],
      ['text.en.queue.title', 'wrong_type'],
      ['text.en.queue.statuses', 'wrong_type'],
      ['text.en.queue.title.deeper', 'unknown_key'],
      ['text.en.queue..title', 'unknown_key'],
      ['text.en.menu.files', 'too_long'],
      ['text.en.nosuchsection', 'unknown_key'],
    ]);
    expect(ignored.every((entry) => typeof entry.reason === 'string' && entry.reason.length > 0)).toBe(true);
  });

  it('ignores a `text` option or language block that is not an object', () => {
    expect(resolveTexts({ text: 'hello' }).ignored).toMatchObject([{ name: 'text', code: 'wrong_type' }]);
    expect(resolveTexts({ text: ['a'] }).ignored).toMatchObject([{ name: 'text', code: 'wrong_type' }]);
    expect(resolveTexts({ text: { en: 'x' } }).ignored).toMatchObject([{ name: 'text.en', code: 'wrong_type' }]);
    expect(resolveTexts({ text: null }).ignored).toEqual([]);
    expect(resolveTexts({ text: { en: 'x' } }).texts).toBe(en);
  });

  describe('other languages', () => {
    const source = memorySource({
      fr: { queue: { title: "File d'attente", done: 'Terminé' }, menu: { files: 'Mes fichiers' }, bogus: 'x' },
      pt: { queue: { done: 'Concluído' } },
      broken: '{not json',
      es: '{not json',
    });
    const catalog = createTextCatalog(source);

    it('lays a built-in language over the English defaults (missing keys stay English)', () => {
      const fr = catalog.loadLocale('fr');
      expect(fr.queue.title).toBe("File d'attente");
      expect(fr.menu.files).toBe('Mes fichiers');
      expect(fr.menu.web).toBe('Web Address');
      expect(t(fr, 'bogus')).toBe('bogus');
      expect(Object.isFrozen(fr.queue)).toBe(true);
      expect(catalog.loadLocale('fr')).toBe(fr);
      expect(catalog.resolveTexts({ language: 'fr' })).toMatchObject({ language: 'fr', ignored: [] });
    });

    it('lays the host’s overrides for that language over the built-in one', () => {
      const { language, texts } = catalog.resolveTexts({
        language: 'fr',
        text: { en: { queue: { done: 'Done!' } }, fr: { queue: { done: 'Fini' } } },
      });
      expect(language).toBe('fr');
      expect(texts.queue.done).toBe('Fini');
      expect(texts.queue.title).toBe("File d'attente");
    });

    it('uses a language the host supplies entirely through `text`', () => {
      const { language, texts } = catalog.resolveTexts({ language: 'he', text: { he: { queue: { title: 'תור העלאה' } } } });
      expect(language).toBe('he');
      expect(texts.queue.title).toBe('תור העלאה');
      expect(texts.queue.done).toBe('Done');
    });

    it('normalizes language codes and falls back to the base language, then to en', () => {
      expect(normalizeLanguage('PT_br')).toBe('pt-BR');
      expect(normalizeLanguage('fr')).toBe('fr');
      expect(normalizeLanguage('french')).toBeUndefined();
      expect(catalog.pickLanguage('pt-BR')).toBe('pt');
      expect(catalog.resolveTexts({ language: 'pt_BR' }).texts.queue.done).toBe('Concluído');
      expect(catalog.pickLanguage('FR')).toBe('fr');
      // Unknown language without overrides: English, and the host's English overrides apply.
      const zz = catalog.resolveTexts({ language: 'zz', text: { en: { queue: { done: 'OK' } } } });
      expect(zz.language).toBe('en');
      expect(zz.texts.queue.done).toBe('OK');
    });

    it('keeps English when a translation file is not valid JSON', () => {
      expect(catalog.loadLocale('es').queue.title).toBe('Upload Queue');
    });

    it('builds paths only from the allow-list (E5)', () => {
      const spy = memorySource({ fr: {} });
      const local = createTextCatalog({ list: () => ['en', 'fr', '../../etc/passwd', 'EN', 'english', 'en-us'], read: spy.read });
      expect(local.availableLanguages()).toEqual(['en', 'fr']);
      for (const hostile of ['../../etc/passwd', 'en/../x', 'en/../../secrets', 'zz', '', 'EN-us/..', 'en\u0000', { toString: () => 'fr' }, 42, null]) {
        expect(local.pickLanguage(hostile)).toBe('en');
        expect(local.loadLocale(hostile)).toBe(local.loadLocale('en'));
        expect(local.resolveTexts({ language: hostile }).language).toBe('en');
      }
      local.loadLocale('fr');
      expect(spy.read.mock.calls.map(([name]) => name).sort()).toEqual(['en', 'fr']);
    });
  });

  describe('hostile overrides (security notes §4F)', () => {
    it('F1: keeps HTML as literal text (escaping is the view’s job)', () => {
      const html = '<img src=x onerror=alert(1)>';
      const { texts } = resolveTexts({ text: { en: { menu: { files: html } } } });
      expect(texts.menu.files).toBe(html);
      expect(t(texts, 'updraft.preview_alt', { name: '"><script>alert(1)</script>' })).toBe('Preview of "><script>alert(1)</script>');
    });

    it('F2: keeps hostile placeholders in overrides literal', () => {
      const evil = "Uploading {{constructor.constructor('alert(1)')()}} ${process.exit()} {{num}}";
      const { texts } = resolveTexts({ text: { en: { queue: { title_uploading_with_counter: evil } } } });
      expect(t(texts, 'queue.title_uploading_with_counter', { num: 2 })).toBe(
        "Uploading {{constructor.constructor('alert(1)')()}} ${process.exit()} 2",
      );
    });

    it('F3: ignores __proto__, constructor and prototype keys without polluting anything', () => {
      const payload = JSON.parse(
        '{"en":{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"queue":{"__proto__":{"polluted":"yes"},"title":"ok"},' +
          '"__proto__.polluted":"yes","queue.__proto__.polluted":"yes","prototype":"x","menu":{"constructor":"x"}}}',
      ) as unknown;
      const { texts, ignored } = resolveTexts({ text: payload });
      expect(texts.queue.title).toBe('ok');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(texts.queue)).toBe(Object.prototype);
      expect(Object.hasOwn(texts, 'prototype')).toBe(false);
      expect(ignored.map(({ name, code }) => [name, code])).toEqual([
        ['text.en.__proto__', 'forbidden_key'],
        ['text.en.constructor', 'forbidden_key'],
        ['text.en.queue.__proto__', 'forbidden_key'],
        ['text.en.__proto__.polluted', 'forbidden_key'],
        ['text.en.queue.__proto__.polluted', 'forbidden_key'],
        ['text.en.prototype', 'forbidden_key'],
        ['text.en.menu.constructor', 'forbidden_key'],
      ]);
      // A `text` whose language block sits on the prototype chain is not used.
      const inherited = Object.create({ en: { queue: { title: 'inherited' } } }) as object;
      expect(resolveTexts({ text: inherited }).texts.queue.title).toBe('Upload Queue');
    });

    it('F4: a 1 MB string and a 1 MB key are refused, quickly', () => {
      const big = 'a'.repeat(1024 * 1024);
      const started = performance.now();
      const { texts, ignored } = resolveTexts({ text: { en: { queue: { title: big }, [big]: 'x', [`${big}.title`]: 'x' } } });
      expect(performance.now() - started).toBeLessThan(1000);
      expect(texts.queue.title).toBe('Upload Queue');
      expect(ignored.map((entry) => entry.code)).toEqual(['too_long', 'unknown_key', 'unknown_key']);
      expect(ignored.every((entry) => entry.name.length < 200)).toBe(true);
    });

    it('F4: 10,000 levels of nesting, cycles and huge objects do not throw or hang', () => {
      let deep: Record<string, unknown> = { title: 'bottom' };
      for (let i = 0; i < 10_000; i++) deep = { queue: deep, statuses: deep };
      const cyclic: Record<string, unknown> = { title: 'cycle' };
      cyclic.statuses = cyclic;
      cyclic.queue = cyclic;
      const wide: Record<string, string> = {};
      for (let i = 0; i < 200_000; i++) wide[`k${i}`] = 'v';
      const started = performance.now();
      for (const en of [deep, cyclic, { queue: cyclic }, wide, { queue: wide }]) {
        expect(() => resolveTexts({ text: { en } })).not.toThrow();
      }
      // Dotted paths are capped too: deeper than the cap is refused, a very long key is one unknown name.
      expect(resolveTexts({ text: { en: { [Array(7).fill('queue').join('.')]: 'x' } } }).ignored).toMatchObject([{ code: 'too_deep' }]);
      expect(resolveTexts({ text: { en: { [Array(10_000).fill('queue').join('.')]: 'x' } } }).ignored).toMatchObject([{ code: 'unknown_key' }]);
      expect(performance.now() - started).toBeLessThan(3000);
      // The cycle's leaf was applied where en has one.
      expect(resolveTexts({ text: { en: { queue: cyclic } } }).texts.queue.title).toBe('cycle');
      const wideResult = resolveTexts({ text: { en: wide } });
      // The report is capped, but says that the rest was skipped.
      expect(wideResult.ignored.length).toBeLessThanOrEqual(101);
      expect(wideResult.ignored.at(-1)).toMatchObject({ name: 'text.en', code: 'too_large' });
      expect(resolveTexts({ text: { en: wide } }).texts).toBe(en);
    });

    it('F4: caps the total size of accepted overrides', () => {
      // Every key of en.json overridden with a 1,000-character string: far above the cap.
      const all: Record<string, string> = {};
      for (const [key] of leaves(en)) all[key] = 'x'.repeat(MAX_TEXT_LENGTH);
      const { texts, ignored } = resolveTexts({ text: { en: all } });
      const applied = leaves(texts).filter(([, value]) => value.length === MAX_TEXT_LENGTH).length;
      expect(applied).toBeGreaterThan(10);
      expect(applied * MAX_TEXT_LENGTH).toBeLessThanOrEqual(MAX_OVERRIDE_CHARS);
      expect(ignored).toMatchObject([{ code: 'too_large' }]);
      // A complete, normal-sized translation fits.
      const full: Record<string, string> = {};
      for (const [key, value] of leaves(en)) full[key] = `${value} (fr)`;
      const translated = resolveTexts({ language: 'fr', text: { fr: full } });
      expect(translated.ignored).toEqual([]);
      expect(translated.texts.queue.statuses.error).toBe('Error (fr)');
    });

    it('never throws on throwing getters, throwing or revoked proxies', () => {
      const getter = { queue: { get title(): string { throw new Error('boom'); }, done: 'Fine' } };
      const result = resolveTexts({ text: { en: getter } });
      expect(result.texts.queue.done).toBe('Fine');
      expect(result.ignored).toMatchObject([{ name: 'text.en.queue.title', code: 'unreadable' }]);
      const trap = new Proxy({}, { ownKeys: () => { throw new Error('trap'); }, get: () => { throw new Error('trap'); }, getOwnPropertyDescriptor: () => { throw new Error('trap'); } });
      expect(() => resolveTexts({ text: trap })).not.toThrow();
      expect(() => resolveTexts({ text: { en: trap } })).not.toThrow();
      expect(() => resolveTexts({ text: { en: { queue: trap } } })).not.toThrow();
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      expect(() => resolveTexts({ text: proxy })).not.toThrow();
      expect(() => resolveTexts({ text: { en: { queue: proxy } } })).not.toThrow();
      expect(() => resolveTexts({ language: proxy, text: { en: proxy } })).not.toThrow();
    });

    it('F5: keeps bidi overrides and zero-width characters as text', () => {
      const tricky = 'Upload\u202E gnp.exe\u200B\u200D\uFEFF';
      const { texts, ignored } = resolveTexts({ text: { en: { actions: { upload: tricky } } } });
      expect(ignored).toEqual([]);
      expect(texts.actions.upload).toBe(tricky);
      expect(t(texts, 'updraft.preview_alt', { name: '\u202Etxt.exe' })).toBe('Preview of \u202Etxt.exe');
    });
  });
});

describe('built-in languages on disk', () => {
  it('lists en and resolves hostile language names to en', () => {
    expect(availableLanguages()).toContain('en');
    for (const name of availableLanguages()) expect(name).toMatch(/^[a-z]{2}(-[A-Z]{2})?$/);
    for (const hostile of ['../../etc/passwd', 'en/../x', 'zz']) {
      expect(loadLocale(hostile)).toBe(en);
      expect(resolveTexts({ language: hostile })).toMatchObject({ language: 'en', texts: en });
    }
  });
});

describe('formatFileSize', () => {
  it.each([
    [0, '0 Bytes'],
    [500, '500 Bytes'],
    [1023, '1023 Bytes'],
    [1024, '1 KB'],
    [1536, '1.5 KB'],
    [10_240 + 512, '10.5 KB'],
    [1_048_575, '1 MB'],
    [1_048_576, '1 MB'],
    [5.25 * 1024 ** 2, '5.3 MB'],
    [2 * 1024 ** 3, '2 GB'],
    [1.2 * 1024 ** 4, '1.2 TB'],
    [3000 * 1024 ** 4, '3000 TB'],
  ])('%d bytes → %s', (bytes, expected) => {
    expect(formatFileSize(bytes, en)).toBe(expected);
  });

  it('shows N/A for values that are not a size', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '1024', null, undefined]) expect(formatFileSize(bad, en)).toBe('N/A');
  });

  it('uses the language’s number format and the (overridden) unit texts', () => {
    expect(formatFileSize(1536, en, 'de')).toBe('1,5 KB');
    expect(formatFileSize(1536, en, 'not a language tag!')).toBe('1.5 KB');
    const { texts } = resolveTexts({ text: { en: { uploader: { filesize: { k: '{{size}} KiB' } } } } });
    expect(formatFileSize(1536, texts)).toBe('1.5 KiB');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [0.2, '1 s'],
    [59, '59 s'],
    [60, '1 min 0 s'],
    [125, '2 min 5 s'],
    [3600, '1 h 0 min'],
    [3 * 3600 + 7 * 60 + 59, '3 h 7 min'],
  ])('%d s → %s', (seconds, expected) => {
    expect(formatDuration(seconds, en)).toBe(expected);
    expect(t(en, 'updraft.time_left', { time: formatDuration(seconds, en) })).toBe(`${expected} left`);
  });

  it('gives empty text for values that are not a duration', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '5', null]) expect(formatDuration(bad, en)).toBe('');
  });
});
