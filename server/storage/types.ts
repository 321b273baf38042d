export const RESOURCE_TYPES = ['image', 'video', 'raw'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];
export type RequestedResourceType = ResourceType | 'auto';

export const DELIVERY_TYPES = ['upload', 'private', 'authenticated'] as const;
export type DeliveryType = (typeof DELIVERY_TYPES)[number];

/** One stored asset (one row of the local cloud), in the shape the code works with. */
export interface AssetRecord {
  assetId: string;
  resourceType: ResourceType;
  type: DeliveryType;
  publicId: string;
  version: number;
  versionId: string;
  /** null for raw assets: their extension stays inside the public id. */
  format: string | null;
  mimeType: string;
  bytes: number;
  width: number | null;
  height: number | null;
  pages: number | null;
  etag: string;
  /** Path of the bytes relative to the assets directory. */
  file: string;
  createdAt: string;
  originalFilename: string | null;
  originalExtension: string | null;
  folder: string;
  assetFolder: string;
  displayName: string;
  tags: string[];
  context: Record<string, string>;
  customCoordinates: string | null;
  faceCoordinates: string | null;
}

/** The Upload API's JSON answer (Cloudinary's field names). */
export interface UploadResult {
  asset_id: string;
  public_id: string;
  version: number;
  version_id: string;
  signature: string;
  width?: number;
  height?: number;
  format?: string;
  resource_type: ResourceType;
  created_at: string;
  tags: string[];
  context?: { custom: Record<string, string> };
  pages?: number;
  bytes: number;
  type: DeliveryType;
  etag: string;
  placeholder: boolean;
  url: string;
  secure_url: string;
  folder: string;
  asset_folder: string;
  display_name: string;
  original_filename?: string;
  original_extension?: string;
  existing?: boolean;
  delete_token?: string;
  api_key: string;
  [extra: string]: unknown;
}

/** Answer to a non-final part of a chunked upload. */
export interface ChunkProgress {
  done: false;
  bytes: number;
  kind: 'upload';
  type: DeliveryType;
  resource_type?: ResourceType;
  public_id?: string;
  upload_id: string;
}
