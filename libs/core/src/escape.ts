/**
 * Text from input files, made safe to print: control characters become visible escapes instead of
 * reaching the terminal (an ESC sequence in a bad JSONL line could recolour, retitle or clear it).
 */

// C0 controls, DEL, C1 controls (U+009B is a one-character CSI), and the invisible format
// characters that reorder or hide text (zero-width, bidi embeddings/overrides/isolates, BOM).
// eslint-disable-next-line no-control-regex -- matching control characters is this file's job
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]/g;
// eslint-disable-next-line no-control-regex -- as above, without "\n"
const CONTROL_NO_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/**
 * `text` with every control or invisible format character shown as an escape: ESC → `\x1b`,
 * tab → `\t`, U+202E → `\u{202e}`. Printable text (any script) is unchanged. With
 * `keepNewlines`, "\n" stays a line break (for messages that are several lines on purpose).
 */
export function escapeControl(text: string, opts: { keepNewlines?: boolean } = {}): string {
  return text.replace(opts.keepNewlines ? CONTROL_NO_NEWLINE : CONTROL, escapeOne);
}

/** Input text for a message: escaped, cut to `max` characters (with "…"), in double quotes. */
export function quoteText(text: string, max = 60): string {
  const cut = text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
  return `"${escapeControl(cut)}"`;
}
