/** Escapes text for XML/HTML text and attribute values (also safe inside quotes). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => {
    switch (ch) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&#39;';
    }
  });
}

/** A coordinate with at most 2 decimals and no "-0", so output is byte-for-byte deterministic. */
export function fmt(x: number): string {
  const r = Math.round(x * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

/** Shortens a label to max characters (an ellipsis marks the cut); escape after this, not before. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}

/** `<tag a="b">` with escaped attribute values; numbers go through fmt. */
export function attrs(a: Record<string, string | number | undefined>): string {
  return Object.entries(a)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? fmt(v) : escapeXml(v)}"`)
    .join('');
}

/** An element with escaped text content. */
export function textEl(text: string, a: Record<string, string | number | undefined>): string {
  return `<text${attrs(a)}>${escapeXml(text)}</text>`;
}
