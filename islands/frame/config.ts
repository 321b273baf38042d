import type { HostCallback } from '../shared/protocol.ts';
import type { TextTree } from '../shared/texts.ts';
import type { FrameScriptOptions } from '../../server/services/widget-options.ts';

/** The widget options the frame acts on (checked on the server, see server/services/widget-options.ts). */
export type FrameOptions = FrameScriptOptions;

export interface FrameConfig {
  widgetId: string;
  hostOrigin: string;
  apiBase: string;
  cloudName: string;
  callbacks: HostCallback[];
  options: FrameOptions;
  texts: TextTree;
  /** Server-side signing (when the operator enabled it and the page brings no signature of its own). */
  signing: { endpoint: string; token: string } | null;
  /** Fatal configuration problem: the frame shows it and uploads nothing. */
  fatal: boolean;
}

/** The configuration the server rendered into the page. */
export function readConfig(): FrameConfig {
  const element = document.getElementById('uw-config');
  return JSON.parse(element?.textContent ?? '{}') as FrameConfig;
}
