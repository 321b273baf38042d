import { BasePlugin, type Uppy, type UppyFile } from '@uppy/core';
import { uploadFile, UploadError } from './upload-transport.ts';

/** What the widget keeps on each Uppy file. */
/** `fileName` is the user's file name (Uppy's own name is made unique per widget file). */
export type WidgetMeta = { widgetFileId: string; batchId: string; fileName: string; remoteUrl?: string };
export type UploadBody = Record<string, unknown>;

export interface PreparedUpload {
  url: string;
  fields: Record<string, string>;
}

export interface CloudinaryUploaderOptions {
  id?: string;
  /** Upload URL and signed fields for one file (may ask the host page, so it is async). */
  prepare(file: UppyFile<WidgetMeta, UploadBody>): Promise<PreparedUpload>;
  chunkSize: number;
  /** Files uploading at once. */
  parallel: number;
}

/**
 * Uppy uploader speaking the Cloudinary Upload API (single requests and the chunk protocol). Progress,
 * success and errors go out as Uppy's standard events; removing a file or cancelling all aborts its requests.
 */
export class CloudinaryUploader extends BasePlugin<CloudinaryUploaderOptions, WidgetMeta, UploadBody> {
  private readonly controllers = new Map<string, AbortController>();

  constructor(uppy: Uppy<WidgetMeta, UploadBody>, options: CloudinaryUploaderOptions) {
    super(uppy, options);
    this.id = options.id ?? 'CloudinaryUploader';
    this.type = 'uploader';
  }

  override install(): void {
    this.uppy.addUploader(this.handleUpload);
    this.uppy.on('file-removed', this.abortFile);
    this.uppy.on('cancel-all', this.abortAll);
  }

  override uninstall(): void {
    this.uppy.removeUploader(this.handleUpload);
    this.uppy.off('file-removed', this.abortFile);
    this.uppy.off('cancel-all', this.abortAll);
  }

  private readonly abortFile = (file: UppyFile<WidgetMeta, UploadBody> | undefined) => {
    if (file) this.controllers.get(file.id)?.abort();
  };

  private readonly abortAll = () => {
    for (const controller of this.controllers.values()) controller.abort();
  };

  private readonly handleUpload = async (fileIds: string[]): Promise<void> => {
    const files = fileIds.map((id) => this.uppy.getFile(id));
    this.uppy.emit('upload-start', files);
    let next = 0;
    const worker = async () => {
      while (next < files.length) await this.uploadOne(files[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.parallel, files.length) }, worker));
  };

  private async uploadOne(file: UppyFile<WidgetMeta, UploadBody>): Promise<void> {
    const controller = new AbortController();
    this.controllers.set(file.id, controller);
    const started = Date.now();
    try {
      const prepared = await this.opts.prepare(file);
      if (controller.signal.aborted) return;
      const body = await uploadFile({
        url: prepared.url,
        fields: prepared.fields,
        file: file.meta.remoteUrl ?? (file.data as Blob),
        filename: file.meta.fileName,
        chunkSize: this.opts.chunkSize,
        signal: controller.signal,
        onProgress: (sent, total) => {
          const current = this.uppy.getFile(file.id);
          if (current) this.uppy.emit('upload-progress', current, { uploadStarted: started, bytesUploaded: sent, bytesTotal: total });
        },
      });
      const current = this.uppy.getFile(file.id);
      if (current) this.uppy.emit('upload-success', current, { status: 200, body, uploadURL: String(body.secure_url ?? '') });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') return;
      const current = this.uppy.getFile(file.id);
      const failure = error instanceof UploadError || error instanceof Error ? error : new Error(String(error));
      if (current) this.uppy.emit('upload-error', current, failure as Error & { details?: string });
    } finally {
      this.controllers.delete(file.id);
    }
  }
}
