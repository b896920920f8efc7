import { escapeControl } from './escape';

/**
 * Errors a user can act on. `where` names the file/line/field; `hint` says what to do.
 * Exit codes: 2 = bad input or usage, 1 = anything else (the top-level handler maps them).
 */
export interface SieveErrorOptions {
  where?: string;
  hint?: string;
  cause?: unknown;
  exitCode?: number;
}

export class SieveError extends Error {
  readonly where: string | undefined;
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(message: string, opts: SieveErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SieveError';
    this.where = opts.where;
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? 1;
  }
}

/** Bad input from the user (a file, a flag, a config key): exit code 2. */
export class InputError extends SieveError {
  constructor(message: string, opts: Omit<SieveErrorOptions, 'exitCode'> = {}) {
    super(message, { ...opts, exitCode: 2 });
    this.name = 'InputError';
  }
}

/**
 * One readable block: message, where, hint, then the chain of causes. Control characters are shown
 * escaped (messages quote input files, and a cause such as JSON.parse's repeats the raw line).
 */
export function formatError(err: unknown): string {
  const lines: string[] = [];
  let cur: unknown = err;
  let depth = 0;
  while (cur !== undefined && cur !== null && depth < 8) {
    const prefix = depth === 0 ? 'error: ' : '  caused by: ';
    const issues = schemaIssues(cur);
    if (issues && depth > 0) {
      // A zod error's message is a JSON dump of its issues: one line per issue instead, or none when
      // the SieveError that wraps it already names them (our convention at every zod edge).
      if (!(err instanceof SieveError)) for (const i of issues) lines.push(`${prefix}${i}`);
      break;
    }
    if (cur instanceof Error) {
      lines.push(prefix + cur.message);
      if (cur instanceof SieveError) {
        if (cur.where) lines.push(`  at: ${cur.where}`);
        if (cur.hint) lines.push(`  hint: ${cur.hint}`);
      }
      cur = cur.cause;
    } else {
      lines.push(prefix + String(cur));
      cur = undefined;
    }
    depth++;
  }
  return escapeControl(lines.join('\n'), { keepNewlines: true });
}

/** The issues of a zod error as "path: message" lines (duck-typed: core does not depend on zod). */
function schemaIssues(e: unknown): string[] | null {
  if (!(e instanceof Error) || e.name !== 'ZodError') return null;
  const issues = (e as { issues?: unknown }).issues;
  if (!Array.isArray(issues)) return null;
  return issues.map((i: { path?: unknown[]; message?: string }) => `${(i.path ?? []).join('.') || '(root)'}: ${i.message ?? '?'}`);
}

export function exitCodeOf(err: unknown): number {
  return err instanceof SieveError ? err.exitCode : 1;
}
