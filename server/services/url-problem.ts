import { AppError, isAppError } from '../errors.ts';
import { MAX_URL_LENGTH } from './remote-fetch.ts';
import { formatFileSize, t, type Texts } from './texts.ts';

/** Why a Web Address cannot be used: a stable code, plain words for the user, the HTTP status to answer with. */
export interface UrlProblem {
  code: string;
  message: string;
  status: number;
}

/**
 * Plain words (from locales) for a failure of the URL checks, the probe or a URL upload. The fetcher folds
 * several refusals into `forbidden_url`; the input itself tells which one the user needs to hear about.
 */
export function urlProblem(error: unknown, input: string, texts: Texts): UrlProblem {
  if (!isAppError(error)) return { code: 'internal', message: t(texts, 'url.errors.failed'), status: 500 };
  const say = (key: string, vars?: Record<string, string | number>) => ({ code: error.code, message: t(texts, key, vars), status: error.status });
  switch (error.code) {
    case 'forbidden_url':
      return say(...forbiddenReason(input));
    case 'unsupported_scheme':
      return say('url.errors.scheme');
    case 'forbidden_redirect':
      return say('url.errors.redirect');
    case 'too_many_redirects':
      return say('url.errors.too_many_redirects');
    case 'remote_timeout':
      return say('url.errors.timeout');
    case 'remote_too_large': {
      const { size, max } = error.details ?? {};
      if (typeof size === 'number' && typeof max === 'number') {
        return say('uploader.errors.file_too_large', { size: formatFileSize(size, texts), allowed: formatFileSize(max, texts) });
      }
      return say('url.errors.too_large', { allowed: typeof max === 'number' ? formatFileSize(max, texts) : t(texts, 'uploader.filesize.na') });
    }
    case 'remote_error':
      return say(...remoteReason(error));
    default:
      // Refusals of the upload itself (format, preset, quota) already speak plainly: they are the API's messages.
      return { code: error.code, message: error.message, status: error.status };
  }
}

function forbiddenReason(input: string): [string, Record<string, number>?] {
  if (input.length > MAX_URL_LENGTH) return ['url.errors.too_long', { max: MAX_URL_LENGTH }];
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return ['notifications.invalid_add_url'];
  }
  if (url.username || url.password) return ['url.errors.credentials'];
  return ['url.errors.forbidden'];
}

function remoteReason(error: AppError): [string, Record<string, number>?] {
  const status = error.details?.status;
  if (typeof status !== 'number') return ['url.errors.unreachable'];
  if (status === 404 || status === 410) return ['url.errors.not_found', { status }];
  if (status === 401 || status === 403) return ['url.errors.denied', { status }];
  return ['url.errors.http', { status }];
}
