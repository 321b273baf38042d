/** What views need of the widget's texts: one lookup with `{{var}}` interpolation (plain text; JSX escapes it). */
export interface TextLookup {
  (key: string, vars?: Record<string, string | number>): string;
}
