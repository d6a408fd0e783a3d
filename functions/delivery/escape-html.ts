/**
 * Escaping for user-supplied text placed in HTML, both in element content and
 * in quoted attribute values. Backticks are escaped too because old Internet
 * Explorer treated them as attribute quotes, and some mail clients still render
 * with old engines.
 */
const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export const escapeHtml = (text: string): string => text.replace(/[&<>"'`]/g, (character) => HTML_ESCAPES[character] ?? character);
