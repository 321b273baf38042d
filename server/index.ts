/**
 * The package entry (`import { createUpdraft } from 'updraft'`): what a host server needs to mount Updraft,
 * render the enhanced upload field and verify what its forms post. TypeScript source, run through tsx.
 */
export { createUpdraft, type Updraft } from './create-updraft.ts';
export type { UpdraftOptions, ResolvedConfig, Account } from './config.ts';
export type { AppDeps } from './app.ts';
export { verifyUploadField, type UploadFieldValue, type VerifyUploadFieldOptions } from './services/verify-upload-field.ts';
export { uploadField, UploadField, renderUploadField, type UploadFieldOptions } from '../views/components/upload-field.tsx';
export { AppError, isAppError, type ErrorCode } from './errors.ts';
