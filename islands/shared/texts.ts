/** Nested widget texts (locales/en.json shape). */
export interface TextTree {
  [key: string]: string | TextTree;
}

/** Replaces `{{name}}` and `{{- name}}` with given values only; anything else stays literal text. */
export function interpolate(template: string, vars: Record<string, string | number> = {}): string {
  return template.replace(/\{\{-?\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (match, name: string) => (Object.hasOwn(vars, name) ? String(vars[name]) : match));
}

/** The text at a dotted key (`queue.title`), interpolated; the key itself when missing. */
export function lookupText(texts: TextTree, key: string, vars?: Record<string, string | number>): string {
  let node: string | TextTree | undefined = texts;
  for (const part of key.split('.')) node = typeof node === 'object' && Object.hasOwn(node, part) ? node[part] : undefined;
  return typeof node === 'string' ? interpolate(node, vars) : key;
}
