/** Stable error codes: tests and clients match on these, never on message wording. */
export type ErrorCode =
  | 'bad_request'
  | 'invalid_param'
  | 'invalid_param_name'
  | 'duplicate_param'
  | 'too_many_fields'
  | 'field_too_large'
  | 'malformed_body'
  | 'unsupported_media_type'
  | 'missing_file'
  | 'too_many_files'
  | 'file_too_large'
  | 'empty_file'
  | 'invalid_public_id'
  | 'invalid_folder'
  | 'invalid_image'
  | 'invalid_video'
  | 'image_too_large'
  | 'format_not_allowed'
  | 'invalid_data_uri'
  | 'forbidden_url'
  | 'unsupported_scheme'
  | 'forbidden_redirect'
  | 'too_many_redirects'
  | 'remote_error'
  | 'remote_timeout'
  | 'remote_too_large'
  | 'invalid_signature'
  | 'invalid_upload_field'
  | 'stale_request'
  | 'missing_api_key'
  | 'unknown_api_key'
  | 'unauthorized'
  | 'preset_required'
  | 'preset_not_found'
  | 'preset_not_unsigned'
  | 'preset_exists'
  | 'param_not_allowed'
  | 'unknown_cloud'
  | 'not_found'
  | 'invalid_upload_id'
  | 'bad_content_range'
  | 'range_out_of_bounds'
  | 'chunk_too_small'
  | 'total_mismatch'
  | 'length_mismatch'
  | 'range_overlap'
  | 'params_mismatch'
  | 'incomplete'
  | 'upload_completed'
  | 'upload_not_found'
  | 'part_in_progress'
  | 'invalid_token'
  | 'token_expired'
  | 'shutting_down'
  | 'overloaded'
  | 'invalid_transformation'
  | 'insufficient_storage'
  | 'invalid_config'
  | 'internal';

/** An error with a stable code and the HTTP status it answers with. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, status = 400, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export const badRequest = (code: ErrorCode, message: string, details?: Record<string, unknown>) =>
  new AppError(code, message, 400, details);

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;
