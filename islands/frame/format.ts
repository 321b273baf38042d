import { lookupText, type TextTree } from '../shared/texts.ts';

export type Translate = (key: string, vars?: Record<string, string | number>) => string;

export const translator = (texts: TextTree): Translate => (key, vars) => lookupText(texts, key, vars);

/** A size as the widget shows it: uploader.filesize.{b,k,m,g,t} with 1024 steps. */
export function formatSize(bytes: number, t: Translate): string {
  const units = ['b', 'k', 'm', 'g', 't'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const rounded = unit === 0 ? String(value) : value < 10 ? value.toFixed(1) : String(Math.round(value));
  return t(`uploader.filesize.${units[unit]}`, { size: rounded });
}

/** "1:05" style remaining time (minutes:seconds, hours when needed). */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return hours ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}
