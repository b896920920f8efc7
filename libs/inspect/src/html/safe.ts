import { escapeXml } from '@sieve/eval';

/** HTML that is already safe to emit (built by `html` or a trusted renderer). */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = SafeHtml | string | number | boolean | null | undefined | readonly Part[];

function render(v: Part): string {
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return (v as readonly Part[]).map(render).join('');
  if (v === null || v === undefined || v === false || v === true) return '';
  return escapeXml(String(v));
}

/**
 * Template tag: every interpolated value is escaped unless it is SafeHtml; arrays are joined.
 * So model output can only ever land in a page as text.
 */
export function html(strings: TemplateStringsArray, ...values: readonly Part[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Marks trusted markup (SVG from @sieve/eval, which escapes its own text) as safe. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** Inline SVG in HTML5 takes its namespace from the parser, so the xmlns attribute is dropped. */
export function svg(markup: string): SafeHtml {
  return new SafeHtml(markup.replace(/^<svg xmlns="[^"]*"/, '<svg'));
}

/** A link target built from path segments and query values, each percent-encoded. */
export function href(path: string, query: Record<string, string | number | undefined | null> = {}): string {
  const qs = Object.entries(query)
    .filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== null && e[1] !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  return qs ? `${path}?${qs}` : path;
}
