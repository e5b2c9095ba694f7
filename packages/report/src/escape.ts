/** Escaping for the post-mortem: trace strings (comm, dev, location, source names) are untrusted. */

const HTML_ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value for HTML/SVG. */
export function escapeHtml(value: string | number | bigint | null | undefined): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESC[c]!);
}

/** Inline Markdown text: HTML-escaped (renderers pass raw HTML through) and Markdown punctuation neutralised. */
export function escapeMarkdown(value: string | number | bigint | null | undefined): string {
  if (value === null || value === undefined) return '';
  return escapeHtml(String(value))
    .replace(/\r?\n/g, ' ')
    .replace(/([\\`*_[\]|#~])/g, '\\$1');
}
