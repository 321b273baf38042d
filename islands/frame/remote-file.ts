/** A file the widget uploads by URL (Web Address, or a URL the host page passed to open()). */
export interface RemoteFile {
  url: string;
  name: string;
  /** Bytes, when known (0 otherwise). */
  size: number;
  /** MIME type, when known ('' otherwise). */
  type: string;
}

/** What the widget knows of a bare URL: the name is the last path segment. */
export function remoteFileFromUrl(url: string): RemoteFile {
  const last = url.split(/[?#]/)[0]!.split('/').pop() || url;
  let name = last;
  try {
    name = decodeURIComponent(last);
  } catch {
    // A malformed escape keeps the raw segment.
  }
  return { url, name, size: 0, type: '' };
}

export const isRemoteFile = (value: File | RemoteFile): value is RemoteFile => !(value instanceof Blob);
