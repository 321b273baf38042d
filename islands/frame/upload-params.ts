import type { Bridge } from './bridge.ts';
import type { FrameConfig } from './config.ts';

/** Values the user typed in Advanced options for the next batch. */
export interface AdvancedChoices {
  publicId: string;
  tags: string[];
  uploadPreset: string;
}

export interface FileDescription {
  name: string;
  size: number;
  type: string;
}

/** Cancelled by the page's prepareUploadParams (`{cancel: true}`). */
export class UploadCancelled extends Error {}

const formatContext = (context: Record<string, string>) =>
  Object.entries(context)
    .map(([k, v]) => `${k.replace(/([=|\\"])/g, '\\$1')}=${v.replace(/([=|\\"])/g, '\\$1')}`)
    .join('|');

/** The Upload API parameters the widget sends for a file (spec 1.10), before any signature. */
export function uploadParams(config: FrameConfig, advanced: AdvancedChoices): Record<string, string> {
  const { options } = config;
  const params: Record<string, string> = { ...options.extraParams, source: 'uw' };
  const set = (name: string, value: string | null | undefined) => {
    if (value !== null && value !== undefined && value !== '') params[name] = value;
  };
  set('upload_preset', advanced.uploadPreset || options.uploadPreset);
  set('folder', options.folder);
  set('public_id', advanced.publicId || options.publicId);
  set('tags', [...options.tags, ...advanced.tags].join(','));
  set('context', formatContext(options.context));
  if (options.useFilename !== null) set('use_filename', String(options.useFilename));
  if (options.uniqueFilename !== null) set('unique_filename', String(options.uniqueFilename));
  return params;
}

/** Cloudinary's camelCase names that prepareUploadParams may return, in the API's snake_case. */
const PREPARED_NAMES: Record<string, string> = {
  apiKey: 'api_key',
  uploadSignatureTimestamp: 'timestamp',
  publicId: 'public_id',
  uploadPreset: 'upload_preset',
  uniqueFilename: 'unique_filename',
  useFilename: 'use_filename',
  qualityAnalysis: 'quality_analysis',
  auditContext: 'audit_context',
};

function mergePrepared(params: Record<string, string>, prepared: unknown): { params: Record<string, string>; resourceType: string | null } {
  if (typeof prepared !== 'object' || prepared === null) return { params, resourceType: null };
  if ((prepared as { cancel?: unknown }).cancel === true) throw new UploadCancelled('Cancelled by the page');
  const merged = { ...params };
  let resourceType: string | null = null;
  for (const [key, value] of Object.entries(prepared)) {
    if (value === undefined || value === null) continue;
    if (key === 'resourceType' || key === 'resource_type') {
      resourceType = String(value);
      continue;
    }
    const name = PREPARED_NAMES[key] ?? key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
    if (Array.isArray(value)) merged[name] = value.join(',');
    else if (typeof value === 'object') merged[name] = formatContext(value as Record<string, string>);
    else merged[name] = String(value);
  }
  return { params: merged, resourceType };
}

/**
 * Adds what authenticates the upload, in Cloudinary's order of precedence: the page's prepareUploadParams,
 * a signature string, the page's signature function, this server's /api/sign, else unsigned (a preset).
 */
export async function authenticate(config: FrameConfig, bridge: Bridge, params: Record<string, string>, file: FileDescription): Promise<{ fields: Record<string, string>; resourceType: string }> {
  const { options } = config;
  let resourceType = options.resourceType;
  if (config.callbacks.includes('prepare')) {
    const prepared = mergePrepared(params, await bridge.request('prepare', { ...params, filename: file.name }));
    return { fields: prepared.params, resourceType: prepared.resourceType ?? resourceType };
  }
  if (options.uploadSignature && options.uploadSignatureTimestamp) {
    return { fields: { ...params, timestamp: String(options.uploadSignatureTimestamp), api_key: options.apiKey ?? '', signature: options.uploadSignature }, resourceType };
  }
  if (config.callbacks.includes('signature')) {
    const toSign = { ...params, timestamp: String(Math.floor(Date.now() / 1000)) };
    const signature = await bridge.request('signature', toSign);
    if (typeof signature !== 'string' && !(typeof signature === 'object' && signature && 'signature' in signature)) throw new Error('uploadSignature returned no signature');
    const value = typeof signature === 'string' ? signature : String((signature as { signature: unknown }).signature);
    return { fields: { ...toSign, api_key: options.apiKey ?? '', signature: value }, resourceType };
  }
  if (config.signing && !params.upload_preset) {
    const response = await fetch(config.signing.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-updraft-frame-token': config.signing.token },
      body: JSON.stringify(params),
    });
    const signed = (await response.json()) as { fields?: Record<string, string>; error?: { message: string } };
    if (!response.ok || !signed.fields) throw new Error(signed.error?.message ?? 'Signing failed');
    return { fields: signed.fields, resourceType };
  }
  resourceType = resourceType || 'auto';
  return { fields: params, resourceType };
}
