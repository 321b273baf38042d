/** What the widget adds to an upload result: `path` and, except for raw files, `thumbnail_url` (spec 1.4). */
export function describeUpload(result: Record<string, unknown>, thumbnailTransformation: string): { path: string; thumbnail_url?: string } {
  const version = String(result.version ?? '');
  const format = typeof result.format === 'string' ? result.format : '';
  const path = `v${version}/${String(result.public_id)}${format ? `.${format}` : ''}`;
  const secure = String(result.secure_url ?? '');
  if (result.resource_type === 'raw' || !secure.includes(`/v${version}/`)) return { path };
  let thumbnail = secure.replace(`/v${version}/`, `/${thumbnailTransformation}/v${version}/`);
  // Videos get a frame (a placeholder on the local cloud) as a JPEG.
  if (result.resource_type === 'video') thumbnail = thumbnail.replace(/\.[A-Za-z0-9]+$/, '.jpg');
  return { path, thumbnail_url: thumbnail };
}

/** The identifier a form field carries for an upload: `<resource_type>/<type>/<path>#<signature>` (spec 1.6). */
export function uploadIdentifier(result: Record<string, unknown>): string {
  const { path } = describeUpload(result, '');
  return `${String(result.resource_type)}/${String(result.type ?? 'upload')}/${path}#${String(result.signature)}`;
}
