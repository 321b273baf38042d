/**
 * The postMessage protocol between the loader (host page, all.js) and the frame (/widget/frame).
 * Every message carries `protocol` and `widgetId`; each side checks the other's origin and window.
 */
export const PROTOCOL = 'updraft-uw-1';

/** Host callbacks the frame may ask for; the functions themselves never leave the host page. */
export type HostCallback = 'prepare' | 'signature' | 'prebatch' | 'tags' | 'presets';

export type ViewState = 'expanded' | 'minimized';

export interface FrameFileInfo {
  id: string;
  batchId: string;
  name: string;
  size: number;
  type: string;
}

/** Messages from the loader to the frame. */
export type HostMessage =
  | { type: 'uw_show'; source: string | null; files: (File | string)[] }
  | { type: 'uw_hide' }
  | { type: 'uw_view'; view: ViewState }
  | { type: 'uw_config'; options: Record<string, unknown> }
  | { type: 'uw_reply'; requestId: number; ok: boolean; value?: unknown; error?: string };

/** Messages from the frame to the loader. */
export type FrameMessage =
  /** The frame is loaded; `apiBase` is where uploads (and delete_by_token) go. */
  | { type: 'uw_ready'; apiBase: string; cloudName: string }
  | { type: 'uw_event'; event: string; info?: unknown; error?: { status: string; statusText: string } }
  | { type: 'uw_request'; requestId: number; callback: HostCallback; payload: unknown }
  | { type: 'uw_close' }
  | { type: 'uw_view'; view: ViewState };

export type Envelope<T> = T & { protocol: typeof PROTOCOL; widgetId: string };

/** Names of the form fields the loader posts to /widget/frame. */
export const FRAME_FIELDS = { options: 'options', origin: 'origin', widgetId: 'widgetId', callbacks: 'callbacks' } as const;

export function isEnvelope(data: unknown, widgetId: string): data is Envelope<{ type: string }> {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as { protocol?: unknown }).protocol === PROTOCOL &&
    (data as { widgetId?: unknown }).widgetId === widgetId &&
    typeof (data as { type?: unknown }).type === 'string'
  );
}
