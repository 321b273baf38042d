import { formatDuration, formatSize, type Translate } from './format.ts';

export type ItemStatus = 'waiting' | 'uploading' | 'processing' | 'done' | 'failed' | 'aborted';

export interface ItemView {
  setProgress(sent: number, total: number): void;
  setStatus(status: ItemStatus, message?: string): void;
  setThumbnail(url: string): void;
  readonly status: ItemStatus;
}

export type QueueAction = 'retry-failed' | 'abort-all' | 'upload-more' | 'show-completed' | 'minimize' | 'expand' | 'close';

const STATUS_TEXT: Record<ItemStatus, string> = {
  waiting: 'updraft.waiting',
  uploading: 'queue.statuses.uploading',
  processing: 'queue.statuses.processing',
  done: 'queue.statuses.uploaded',
  failed: 'queue.statuses.error',
  aborted: 'queue.statuses.aborted',
};

const text = (parent: ParentNode, selector: string, value: string) => {
  const element = parent.querySelector<HTMLElement>(selector);
  if (element) element.textContent = value;
};

/**
 * The queue on screen: one item per file cloned from the server-rendered template (values set with
 * textContent only), counters in the title and the minimized bar, and the buttons that fit the moment.
 */
export function createQueueView(root: Document, t: Translate) {
  const queue = root.querySelector<HTMLElement>('[data-queue]')!;
  const list = root.querySelector<HTMLElement>('[data-queue-list]')!;
  const template = root.querySelector<HTMLTemplateElement>('#uw-queue-item')!;
  const sources = root.querySelector<HTMLElement>('[data-sources]');
  const live = root.querySelector<HTMLElement>('[data-live]');
  const items = new Map<string, ItemView>();

  const button = (action: QueueAction) => root.querySelector<HTMLButtonElement>(`[data-action="${action}"]`);

  const refresh = () => {
    const statuses = Array.from(items.values(), (item) => item.status);
    const count = (status: ItemStatus) => statuses.filter((s) => s === status).length;
    const active = count('waiting') + count('uploading') + count('processing');
    const done = count('done');
    const failed = count('failed');
    text(root, '[data-queue-title]', active ? t('queue.title_uploading_with_counter', { num: active }) : t('queue.title'));
    text(root, '[data-mini-title]', active ? t('queue.mini_title_uploading') : t('queue.mini_title'));
    text(root, '[data-mini-counts]', [t('queue.mini_upload_count', { num: done }), failed ? t('queue.mini_failed', { num: failed }) : ''].filter(Boolean).join(' · '));
    const show = (action: QueueAction, visible: boolean) => {
      const element = button(action);
      if (element) element.hidden = !visible;
    };
    show('abort-all', active > 0);
    show('retry-failed', failed > 0 && active === 0);
    show('upload-more', active === 0 && statuses.length > 0);
    show('show-completed', active === 0 && done > 0);
  };

  const addItem = (id: string, file: { name: string; size: number; type: string }, previewUrl: string | null, onAction: (action: 'retry' | 'abort') => void): ItemView => {
    const element = template.content.firstElementChild!.cloneNode(true) as HTMLLIElement;
    element.dataset.id = id;
    text(element, '[data-item-name]', file.name);
    text(element, '[data-item-size]', file.size ? formatSize(file.size, t) : '');
    const thumb = element.querySelector<HTMLImageElement>('[data-item-thumb]')!;
    if (previewUrl) {
      thumb.src = previewUrl;
      thumb.hidden = false;
    }
    const progress = element.querySelector<HTMLProgressElement>('[data-item-progress]')!;
    progress.setAttribute('aria-label', file.name);
    const retry = element.querySelector<HTMLButtonElement>('[data-item-action="retry"]')!;
    const abort = element.querySelector<HTMLButtonElement>('[data-item-action="abort"]')!;
    retry.setAttribute('aria-label', `${t('updraft.retry')} ${file.name}`);
    abort.setAttribute('aria-label', `${t('updraft.abort')} ${file.name}`);
    retry.addEventListener('click', () => onAction('retry'));
    abort.addEventListener('click', () => onAction('abort'));
    list.append(element);

    let status: ItemStatus = 'waiting';
    let startedAt = 0;
    const view: ItemView = {
      get status() {
        return status;
      },
      setProgress(sent, total) {
        if (!startedAt) startedAt = performance.now();
        const percent = total ? Math.floor((sent / total) * 100) : 0;
        progress.value = percent;
        text(element, '[data-item-percent]', `${percent}%`);
        const seconds = (performance.now() - startedAt) / 1000;
        if (seconds > 0.5 && sent > 0 && sent < total) {
          const speed = sent / seconds;
          text(element, '[data-item-meta]', `${t('updraft.speed', { speed: formatSize(Math.round(speed), t) })} · ${t('updraft.time_left', { time: formatDuration((total - sent) / speed) })}`);
        } else if (sent >= total) {
          text(element, '[data-item-meta]', '');
        }
      },
      setStatus(next, message) {
        status = next;
        element.dataset.status = next;
        text(element, '[data-item-status]', t(STATUS_TEXT[next]));
        text(element, '[data-item-error]', next === 'failed' ? (message ?? '') : '');
        if (next === 'done') {
          progress.value = 100;
          text(element, '[data-item-percent]', '100%');
          text(element, '[data-item-meta]', '');
        }
        retry.hidden = next !== 'failed' && next !== 'aborted';
        abort.hidden = next !== 'waiting' && next !== 'uploading';
        if (next === 'done' || next === 'failed' || next === 'aborted') {
          if (live) live.textContent = `${file.name}: ${t(STATUS_TEXT[next])}${message ? ` — ${message}` : ''}`;
        }
        refresh();
      },
      setThumbnail(url) {
        thumb.src = url;
        thumb.hidden = false;
      },
    };
    items.set(id, view);
    view.setStatus('waiting');
    return view;
  };

  return {
    addItem,
    /** Shows the queue in place of the sources, or the sources again (Upload more). */
    showQueue(visible: boolean) {
      queue.hidden = !visible;
      if (sources) sources.hidden = visible;
    },
    onAction(action: QueueAction, handler: () => void) {
      for (const element of root.querySelectorAll<HTMLButtonElement>(`[data-action="${action}"]`)) element.addEventListener('click', handler);
    },
    refresh,
  };
}

export type QueueView = ReturnType<typeof createQueueView>;
