/** Whether a host page's origin may embed the widget: listed in `allowedOrigins`, or the list allows any ("*"). */
export function originAllowed(allowedOrigins: readonly string[], origin: string): boolean {
  return allowedOrigins.includes('*') || allowedOrigins.includes(origin);
}
