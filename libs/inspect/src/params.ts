/** Request input checks for the viewer: every value is parsed here before any query sees it. */

export class HttpError extends Error {
  constructor(
    readonly status: 400 | 404 | 405 | 500,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export type Parser<T> = (raw: string, name: string) => T;

export const intParam =
  (min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> =>
  (raw, name) => {
    if (!/^\d{1,15}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      throw new HttpError(400, `parameter ${name} must be an integer between ${min} and ${max}`);
    }
    return Number(raw);
  };

export const oneOf =
  <T extends string>(values: readonly T[]): Parser<T> =>
  (raw, name) => {
    if (!(values as readonly string[]).includes(raw)) throw new HttpError(400, `parameter ${name} must be one of: ${values.join(', ')}`);
    return raw as T;
  };

/** A name such as a split, a drop reason or a model id: letters, digits and . _ - : @ only. */
export const nameParam: Parser<string> = (raw, name) => {
  if (!/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/.test(raw) || raw.includes('..')) throw new HttpError(400, `parameter ${name} is not a valid name`);
  return raw;
};

type Spec = Record<string, Parser<unknown>>;
type Parsed<S extends Spec> = { [K in keyof S]?: S[K] extends Parser<infer T> ? T : never };

/**
 * The query parameters of a URL, each parsed by its route's spec. An unknown or repeated
 * parameter is a 400 (so nothing unexpected, e.g. `?path=…`, is ever silently accepted); an
 * empty value counts as absent (a form's "any" choice).
 */
export function parseQuery<S extends Spec>(url: URL, spec: S): Parsed<S> {
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const [key, value] of url.searchParams) {
    if (!Object.prototype.hasOwnProperty.call(spec, key)) throw new HttpError(400, `unknown parameter ${key}`);
    if (seen.has(key)) throw new HttpError(400, `parameter ${key} given twice`);
    seen.add(key);
    if (value === '') continue;
    out[key] = (spec[key] as Parser<unknown>)(value, key);
  }
  return out as Parsed<S>;
}

/** A numeric id in a path; anything else names nothing here (404). */
export function pathId(raw: string | undefined): number {
  if (raw === undefined || !/^[1-9]\d{0,14}$/.test(raw)) throw new HttpError(404, 'not found');
  return Number(raw);
}

/** True when a raw request target tries to leave its folder: `..` segments (plain or percent-encoded), backslashes, NUL. */
export function isTraversal(rawTarget: string): boolean {
  let decoded = rawTarget;
  // Decode repeatedly so %252e%252e is caught too; undecodable input is refused outright.
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return true;
    }
    if (next === decoded) break;
    decoded = next;
  }
  return /(^|[/\\?&=])\.\.([/\\&]|$)/.test(decoded) || decoded.includes('\\') || decoded.includes('\u0000');
}
