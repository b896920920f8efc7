import { InputError } from '@sieve/core';
import { mathVerifier } from './math/math-verifier';
import { numericVerifier, type Verdict, type Verifier, type VerifyOptions } from './numeric-verifier';

const verifiers = new Map<string, Verifier>([
  ['numeric', numericVerifier],
  ['math', mathVerifier],
]);

/** Adds a named verifier; names are unique so a typo cannot silently replace `numeric`. */
export function registerVerifier(name: string, fn: Verifier): void {
  if (!/^[a-z][a-z0-9_-]*$/i.test(name)) {
    throw new InputError(`invalid verifier name "${name}"`, { hint: 'use letters, digits, "-" or "_"' });
  }
  if (verifiers.has(name)) {
    throw new InputError(`verifier "${name}" is already registered`, {
      hint: `pick another name; registered: ${listVerifiers().join(', ')}`,
    });
  }
  verifiers.set(name, fn);
}

export function getVerifier(name: string): Verifier {
  const fn = verifiers.get(name);
  if (!fn) {
    throw new InputError(`unknown verifier "${name}"; known verifiers: ${listVerifiers().join(', ')}`, {
      where: 'verifier name',
      hint: 'use one of the known verifiers or register one with registerVerifier()',
    });
  }
  return fn;
}

export function listVerifiers(): string[] {
  return [...verifiers.keys()].sort();
}

/** Grades one response against its gold answer with the named verifier (default `numeric`). */
export function verify(response: string, gold: string, opts: VerifyOptions & { verifier?: string } = {}): Verdict {
  const { verifier = 'numeric', ...rest } = opts;
  return getVerifier(verifier)(response, gold, rest);
}
