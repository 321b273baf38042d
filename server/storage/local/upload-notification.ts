import { randomBytes } from 'node:crypto';
import type { UploadResult } from '../types.ts';

/**
 * The body of an "upload" notification (spec 2.9): Cloudinary's envelope, then the upload result. The delete
 * token stays out: it lets anyone holding it delete the asset, and the receiver is not the uploader.
 */
export function uploadNotificationBody(result: UploadResult, uploadedAt: number): string {
  const { delete_token: _deleteToken, ...fields } = result;
  return JSON.stringify({
    notification_type: 'upload',
    // Cloudinary's shape: seconds precision with an explicit offset.
    timestamp: new Date(uploadedAt).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    request_id: randomBytes(16).toString('hex'),
    ...fields,
  });
}
