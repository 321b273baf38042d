import Uppy from '@uppy/core';
import type { HostMessage, ViewState } from '../shared/protocol.ts';
import { describeUpload } from '../shared/upload-result.ts';
import { createBridge } from './bridge.ts';
import { CloudinaryUploader, type UploadBody, type WidgetMeta } from './cloudinary-uploader.ts';
import type { FrameConfig } from './config.ts';
import { translator } from './format.ts';
import { createQueueView, type ItemView } from './queue-view.ts';
import { attachLocalSource } from './local-source.ts';
import { attachTabs } from './tabs.ts';
import { authenticate, UploadCancelled, uploadParams, type AdvancedChoices } from './upload-params.ts';
import { kindOf } from '../shared/file-kind.ts';
import { checkFile, checkRemoteFile } from './validation.ts';
import { attachUrlSource } from './url-source.ts';
import { attachCameraSource } from './camera-source.ts';
import { canCrop, cropStep } from './crop-step.ts';
import { isRemoteFile, remoteFileFromUrl, type RemoteFile } from './remote-file.ts';

interface Entry {
  id: string;
  batchId: string;
  uppyId: string;
  source: File | RemoteFile;
  name: string;
  size: number;
  type: string;
  advanced: AdvancedChoices;
  /** Parameters of this file alone (the crop step's coordinates). */
  params: Record<string, string>;
  view: ItemView;
  info?: Record<string, unknown>;
  error?: string;
}

const PARALLEL_FILES = 3;
const INVALID_PUBLIC_ID = /[\\?&#%<>]/;

/** The frame's behaviour: sources, validation, the Uppy queue, events to the host page. */
export function startWidget(config: FrameConfig): void {
  const { options } = config;
  const t = translator(config.texts);
  const bridge = createBridge(config.widgetId, config.hostOrigin);
  const view = createQueueView(document, t);
  const entries = new Map<string, Entry>();
  const messageBox = document.querySelector<HTMLElement>('[data-message]');
  let fileCounter = 0;
  let batchCounter = 0;
  let running = false;
  /** Ends a crop step in progress (the widget closed or was hidden). */
  let cropping: AbortController | null = null;

  const emit = (event: string, info?: unknown, error?: { status: string; statusText: string }) =>
    bridge.send({ type: 'uw_event', event, info, ...(error ? { error } : {}) });

  const showMessage = (lines: string[]) => {
    if (!messageBox) return;
    messageBox.textContent = lines.join('\n');
    messageBox.hidden = lines.length === 0;
  };

  const entryOf = (uppyId: string) => Array.from(entries.values()).find((entry) => entry.uppyId === uppyId);

  const fileInfo = (entry: Entry, status: string) => ({
    id: entry.id,
    batchId: entry.batchId,
    name: entry.name,
    size: entry.size,
    type: entry.type,
    status,
    statusText: entry.error ?? '',
    done: status === 'success',
    failed: status === 'failed',
    aborted: status === 'aborted',
    progress: status === 'success' ? 100 : 0,
    ...(entry.info ? { uploadInfo: entry.info } : {}),
  });

  const uppy = new Uppy<WidgetMeta, UploadBody>({ autoProceed: false, allowMultipleUploadBatches: true });
  uppy.use(CloudinaryUploader, {
    chunkSize: options.maxChunkSize,
    parallel: PARALLEL_FILES,
    prepare: async (file) => {
      const entry = entryOf(file.id)!;
      entry.view.setStatus('uploading');
      const params = { ...uploadParams(config, entry.advanced), ...entry.params };
      const { fields, resourceType } = await authenticate(config, bridge, params, entry);
      return { url: `${config.apiBase}/v1_1/${encodeURIComponent(config.cloudName)}/${resourceType}/upload`, fields };
    },
  });

  const finishIfIdle = () => {
    const active = Array.from(entries.values()).filter((entry) => ['waiting', 'uploading', 'processing'].includes(entry.view.status));
    if (!running || active.length) return;
    running = false;
    const all = Array.from(entries.values());
    emit('queues-end', { files: all.map((entry) => fileInfo(entry, entry.view.status === 'done' ? 'success' : entry.view.status)) });
    const succeeded = all.filter((entry) => entry.view.status === 'done');
    if (!options.multiple && options.singleUploadAutoClose && succeeded.length === all.length && all.length > 0) {
      setTimeout(() => bridge.send({ type: 'uw_close' }), 800);
    }
  };

  uppy.on('upload-progress', (file, progress) => {
    const entry = file && entryOf(file.id);
    if (!entry || !progress.bytesTotal) return;
    entry.view.setProgress(progress.bytesUploaded, progress.bytesTotal);
    if (progress.bytesUploaded >= progress.bytesTotal) entry.view.setStatus('processing');
  });
  uppy.on('upload-success', (file, response) => {
    const entry = file && entryOf(file.id);
    if (!entry || !response.body) return;
    // A cropped image's thumbnail shows the chosen region, as delivery with c_crop,g_custom does.
    const region = entry.params.custom_coordinates ? 'c_crop,g_custom/' : entry.params.face_coordinates ? 'c_crop,g_face/' : '';
    const cropped = `${region}${options.thumbnailTransformation}`;
    const info = { ...response.body, id: entry.id, batchId: entry.batchId, ...describeUpload(response.body, cropped) };
    entry.info = info;
    entry.view.setStatus('done');
    if (typeof info.thumbnail_url === 'string') entry.view.setThumbnail(info.thumbnail_url);
    emit('success', info);
    finishIfIdle();
  });
  uppy.on('upload-error', (file, error) => {
    const entry = file && entryOf(file.id);
    if (!entry) return;
    entry.error = error.message;
    entry.view.setStatus('failed', error instanceof UploadCancelled ? t('notifications.general_error') : error.message);
    emit('upload-error', fileInfo(entry, 'failed'), { status: 'Error', statusText: error.message });
    finishIfIdle();
  });

  const startUploads = () => {
    if (!running) {
      running = true;
      emit('queues-start');
      if (options.autoMinimize) setView('minimized');
    }
    void uppy.upload();
  };

  const readAdvanced = (): AdvancedChoices => ({
    publicId: document.querySelector<HTMLInputElement>('[data-advanced-public-id]')?.value.trim() ?? '',
    tags: (document.querySelector<HTMLInputElement>('[data-advanced-tags]')?.value ?? '').split(',').map((tag) => tag.trim()).filter(Boolean),
    uploadPreset: document.querySelector<HTMLSelectElement>('[data-advanced-preset]')?.value ?? '',
  });

  const enqueue = (source: File | RemoteFile, batchId: string, advanced: AdvancedChoices, params: Record<string, string>) => {
    const id = `uw-file${++fileCounter}`;
    const remote = isRemoteFile(source);
    const description = { name: source.name, size: source.size, type: source.type };
    // A cropped image waits for its server thumbnail: a local preview would show the whole image.
    const preview = !remote && kindOf(source) === 'image' && source.type !== 'image/svg+xml' && !params.custom_coordinates && !params.face_coordinates ? URL.createObjectURL(source) : null;
    const entry: Entry = { id, batchId, uppyId: '', source, ...description, advanced, params, view: null as unknown as ItemView };
    entry.view = view.addItem(id, description, preview, (action) => (action === 'abort' ? abort([entry], false) : retry([entry], false)));
    entries.set(id, entry);
    entry.uppyId = addToUppy(entry);
    emit('upload-added', { id, file: { ...description, lastModified: remote ? null : source.lastModified }, publicId: advanced.publicId || options.publicId || null });
  };

  const addToUppy = (entry: Entry) =>
    uppy.addFile({
      name: `${entry.id}-${entry.name}`,
      type: entry.type || 'application/octet-stream',
      data: isRemoteFile(entry.source) ? new Blob([]) : entry.source,
      meta: { widgetFileId: entry.id, batchId: entry.batchId, fileName: entry.name, ...(isRemoteFile(entry.source) ? { remoteUrl: entry.source.url } : {}) },
    });

  /** A new batch from any source: checks, preBatch, then queued and uploaded. */
  const addFiles = async (incoming: (File | RemoteFile | string)[]) => {
    if (config.fatal || incoming.length === 0) return;
    const files = options.multiple ? incoming : incoming.slice(0, 1);
    if (options.maxFiles !== null && files.length > options.maxFiles) {
      showMessage([t('uploader.errors.max_number_of_files')]);
      emit('batch-cancelled', { reason: 'MAX_EXCEEDED' });
      return;
    }
    const advanced = readAdvanced();
    if (INVALID_PUBLIC_ID.test(advanced.publicId || options.publicId || '')) {
      showMessage([t('notifications.invalid_public_id')]);
      emit('batch-cancelled', { reason: 'INVALID_PUBLIC_ID' });
      return;
    }
    const problems: string[] = [];
    const accepted: (File | RemoteFile)[] = [];
    for (const item of files) {
      if (typeof item === 'string' && !/^https?:\/\//i.test(item)) {
        problems.push(t('notifications.invalid_add_url'));
        continue;
      }
      const file = typeof item === 'string' ? remoteFileFromUrl(item) : item;
      const check = isRemoteFile(file) ? checkRemoteFile(file, options, t) : await checkFile(file, options, t);
      if (check.ok) accepted.push(check.file);
      else problems.push(`${file.name}: ${check.message}`);
    }
    showMessage(problems);
    if (accepted.length === 0) return;
    const params = await cropParams(accepted);
    if (params === null) return;
    const batchId = `uw-batch${++batchCounter}`;
    if (config.callbacks.includes('prebatch')) {
      const answer = (await bridge.request('prebatch', { batchId, files: accepted.map((f) => ({ name: f.name, size: f.size, type: f.type })) }).catch(() => null)) as { cancel?: boolean } | null;
      if (answer?.cancel) {
        emit('batch-cancelled', { reason: 'PREBATCH_CANCEL' });
        return;
      }
    }
    for (const file of accepted) enqueue(file, batchId, advanced, params);
    view.showQueue(true);
    document.querySelector<HTMLElement>('[data-queue-title]')?.focus();
    camera.deactivate();
    startUploads();
  };

  /**
   * The crop step, for a single image when cropping is on: its rectangle as custom_coordinates (or
   * face_coordinates); {} when skipped or not cropping; null when the user went back to the sources.
   */
  const cropParams = async (batch: (File | RemoteFile)[]): Promise<Record<string, string> | null> => {
    const [only] = batch;
    if (!options.cropping || batch.length !== 1 || !only || isRemoteFile(only) || !canCrop(only)) return {};
    cropping = new AbortController();
    const outcome = await cropStep(only, { options, t, signal: cropping.signal }).finally(() => (cropping = null));
    if (outcome.action === 'back') return null;
    if (outcome.action === 'skip') return {};
    return { [options.croppingCoordinatesMode === 'face' ? 'face_coordinates' : 'custom_coordinates']: outcome.coordinates };
  };

  const abort = (targets: Entry[], all: boolean) => {
    const active = targets.filter((entry) => ['waiting', 'uploading', 'processing'].includes(entry.view.status));
    if (active.length === 0) return;
    for (const entry of active) {
      uppy.removeFile(entry.uppyId);
      entry.view.setStatus('aborted');
    }
    emit('abort', { ids: active.map((entry) => entry.id), all });
    finishIfIdle();
  };

  const retry = (targets: Entry[], all: boolean) => {
    const again = targets.filter((entry) => entry.view.status === 'failed' || entry.view.status === 'aborted');
    if (again.length === 0) return;
    for (const entry of again) {
      if (uppy.getFile(entry.uppyId)) uppy.removeFile(entry.uppyId);
      entry.error = undefined;
      entry.view.setStatus('waiting');
      entry.uppyId = addToUppy(entry);
    }
    emit('retry', { ids: again.map((entry) => entry.id), all });
    startUploads();
  };

  let currentView: ViewState = 'expanded';
  const setView = (next: ViewState, fromHost = false) => {
    if (next === currentView) return;
    currentView = next;
    document.body.dataset.view = next;
    const mini = document.querySelector<HTMLElement>('[data-mini]');
    if (mini) mini.hidden = next !== 'minimized';
    if (!fromHost) bridge.send({ type: 'uw_view', view: next });
    showingSource(tabs.selected());
  };

  const close = () => {
    if (running) {
      if (!window.confirm(t('uploader.close_mid_upload'))) return;
      abort(Array.from(entries.values()), true);
    }
    camera.deactivate();
    cropping?.abort();
    bridge.send({ type: 'uw_close' });
  };

  view.onAction('abort-all', () => abort(Array.from(entries.values()), true));
  view.onAction('retry-failed', () => retry(Array.from(entries.values()), true));
  view.onAction('upload-more', () => {
    view.showQueue(false);
    showingSource(tabs.selected());
  });
  view.onAction('show-completed', () =>
    emit('show-completed', { items: Array.from(entries.values()).filter((entry) => entry.info).map((entry) => fileInfo(entry, 'success')) }),
  );
  view.onAction('minimize', () => setView('minimized'));
  view.onAction('expand', () => setView('expanded'));
  view.onAction('close', close);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
    }
  });

  const camera = attachCameraSource(document, { t, onPhoto: (file) => void addFiles([file]), onLeave: () => selectSource('local') });
  // The camera runs only while its panel can be seen: its tab selected, the sources (not the queue) shown, expanded.
  const showingSource = (source: string) => {
    const visible = source === 'camera' && currentView === 'expanded' && !document.querySelector<HTMLElement>('[data-sources]')?.hidden;
    if (visible) camera.activate();
    else camera.deactivate();
  };
  const tabs = attachTabs(document, (source) => {
    showingSource(source);
    emit('source-changed', { source });
  });
  const selectSource = (source: string) => {
    tabs.select(source);
    showingSource(source);
  };
  attachLocalSource(document, (files) => void addFiles(files));
  attachUrlSource(document, { config, t, onConfirm: (file) => void addFiles([file]) });
  attachAdvancedOptions(config, bridge, emit);

  bridge.onMessage((message: HostMessage) => {
    if (message.type === 'uw_show') {
      setView('expanded', true);
      selectSource(message.source ?? tabs.selected());
      document.querySelector<HTMLElement>('[role="tab"][aria-selected="true"], [data-file-input]')?.focus();
      if (message.files.length) void addFiles(message.files);
    } else if (message.type === 'uw_hide') {
      camera.deactivate();
      cropping?.abort();
    } else if (message.type === 'uw_view') {
      setView(message.view, true);
    } else if (message.type === 'uw_config') {
      Object.assign(options, pickUpdatable(message.options));
    }
  });
  bridge.send({ type: 'uw_ready', apiBase: config.apiBase, cloudName: config.cloudName });
}

/** Options `update()` may change while the frame lives (upload parameters and limits). */
function pickUpdatable(input: Record<string, unknown>): Partial<FrameConfig['options']> {
  const out: Record<string, unknown> = {};
  const strings = ['uploadPreset', 'folder', 'publicId', 'apiKey', 'uploadSignature'];
  const numbers = ['maxFiles', 'maxFileSize', 'maxImageFileSize', 'maxVideoFileSize', 'maxRawFileSize', 'uploadSignatureTimestamp'];
  for (const key of strings) if (typeof input[key] === 'string') out[key] = input[key];
  for (const key of numbers) if (typeof input[key] === 'number' && Number.isFinite(input[key])) out[key] = input[key];
  if (Array.isArray(input.tags) && input.tags.every((tag) => typeof tag === 'string')) out.tags = input.tags;
  return out as Partial<FrameConfig['options']>;
}

/** Advanced options: public id and tags events, tag suggestions and presets from the host page. */
function attachAdvancedOptions(config: FrameConfig, bridge: ReturnType<typeof createBridge>, emit: (event: string, info?: unknown) => void): void {
  const publicId = document.querySelector<HTMLInputElement>('[data-advanced-public-id]');
  const tags = document.querySelector<HTMLInputElement>('[data-advanced-tags]');
  const suggestions = document.querySelector<HTMLDataListElement>('[data-tag-suggestions]');
  const presetField = document.querySelector<HTMLElement>('[data-preset-field]');
  const preset = document.querySelector<HTMLSelectElement>('[data-advanced-preset]');
  publicId?.addEventListener('change', () => emit('publicid', { id: publicId.value.trim() }));
  tags?.addEventListener('change', () => emit('tags', { tags: tags.value.split(',').map((tag) => tag.trim()).filter(Boolean) }));
  if (tags && suggestions && config.callbacks.includes('tags')) {
    tags.addEventListener('input', async () => {
      const prefix = tags.value.split(',').pop()?.trim() ?? '';
      const answer = await bridge.request('tags', prefix).catch(() => []);
      const list = Array.isArray(answer) ? answer : ((answer as { tags?: unknown })?.tags ?? []);
      suggestions.replaceChildren(...(list as unknown[]).filter((tag): tag is string => typeof tag === 'string').slice(0, 50).map((tag) => Object.assign(document.createElement('option'), { value: tag })));
    });
  }
  if (preset && presetField && config.callbacks.includes('presets')) {
    void bridge
      .request('presets', null)
      .then((answer) => {
        const list = Array.isArray(answer) ? answer : ((answer as { uploadPresets?: unknown })?.uploadPresets ?? []);
        for (const name of list as unknown[]) if (typeof name === 'string') preset.append(Object.assign(document.createElement('option'), { value: name, textContent: name }));
        presetField.hidden = false;
      })
      .catch(() => undefined);
  }
}
