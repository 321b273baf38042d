import type { FrameConfig } from './config.ts';
import type { Translate } from './format.ts';
import type { RemoteFile } from './remote-file.ts';

export interface UrlSourceDeps {
  config: FrameConfig;
  t: Translate;
  /** The user confirmed the previewed URL: it joins the queue like a local file. */
  onConfirm(file: RemoteFile): void;
}

/** Web Address: the URL form, the server's preview fragment, confirm. (Scaffold: built in issue 6.) */
export function attachUrlSource(_root: Document, _deps: UrlSourceDeps): void {}
