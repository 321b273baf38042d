import type { HostCallback } from '../shared/protocol.ts';
import type { TextTree } from '../shared/texts.ts';

/** The widget options the frame acts on (checked on the server, see server/services/widget-options.ts). */
export interface FrameOptions {
  uploadPreset: string | null;
  apiKey: string | null;
  defaultSource: string | null;
  multiple: boolean;
  maxFiles: number | null;
  folder: string | null;
  publicId: string | null;
  tags: string[];
  context: Record<string, string>;
  useFilename: boolean | null;
  uniqueFilename: boolean | null;
  resourceType: 'auto' | 'image' | 'video' | 'raw';
  clientAllowedFormats: string[] | null;
  maxFileSize: number | null;
  maxImageFileSize: number | null;
  maxVideoFileSize: number | null;
  maxRawFileSize: number | null;
  minImageWidth: number | null;
  minImageHeight: number | null;
  maxImageWidth: number | null;
  maxImageHeight: number | null;
  validateMaxWidthHeight: boolean;
  maxChunkSize: number;
  showCompletedButton: boolean;
  showUploadMoreButton: boolean;
  singleUploadAutoClose: boolean;
  autoMinimize: boolean;
  showAdvancedOptions: boolean;
  thumbnailTransformation: string;
  uploadSignature: string | null;
  uploadSignatureTimestamp: number | null;
  extraParams: Record<string, string>;
}

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
