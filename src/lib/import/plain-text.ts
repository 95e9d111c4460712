/**
 * Summaries and descriptions of an OpenAPI description as plain text for a one-line display:
 * HTML tags and entities and the common Markdown marks (links, emphasis, code, headings, list
 * markers) reduced to their text (Stripe writes `<p>` and links, GitHub Markdown links), and
 * whitespace squeezed. Every pattern is linear: no nested quantifiers over the same characters.
 */
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Tags that end a block of text: replaced by a space, so words on either side stay apart. */
const BLOCK_TAG = /<\/?(?:p|br|div|li|ul|ol|h[1-6]|tr|td|th|table|pre|blockquote|hr)\b[^<>]*>/gi;

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

export function plainText(text: string): string {
  if (!/[<>&*_`#[\]\n]/.test(text)) return text.replace(/\s+/g, ' ').trim();
  const out = text
    .replace(BLOCK_TAG, ' ')
    .replace(/<\/?[a-z][^<>]*>|<!--[^<>]*-->/gi, '')
    // Markdown: images and links keep their text, code its content
    .replace(/!\[([^[\]]*)\]\([^()]*\)/g, '$1')
    .replace(/\[([^[\]]*)\]\([^()]*\)/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    // headings, quotes and list markers at the start of a line
    .replace(/^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d{1,3}\.[ \t]+)/gm, '')
    // emphasis: **x**, __x__, *x*, _x_ (underscores only between non-word characters: snake_case stays)
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/(^|\W)__([^_]+)__(?=\W|$)/g, '$1$2')
    .replace(/\*([^*\s][^*]*)\*/g, '$1')
    .replace(/(^|\W)_([^_\s][^_]*)_(?=\W|$)/g, '$1$2');
  return decodeEntities(out).replace(/\s+/g, ' ').trim();
}
