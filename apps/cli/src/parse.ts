import type { Command } from 'commander';
import { InputError } from '@sieve/core';

/** commander argument parsers that fail with the flag's name. */
export function intOption(flag: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InputError(`${flag} must be an integer between ${min} and ${max}, got "${value}"`, { where: flag });
    }
    return n;
  };
}

export function floatOption(flag: string, min = -Infinity, max = Infinity) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) {
      throw new InputError(`${flag} must be a number between ${min} and ${max}, got "${value}"`, { where: flag });
    }
    return n;
  };
}

/** "2-3" or "2" → [2, 3] / [2, 2]. */
export function rangeOption(flag: string) {
  return (value: string): [number, number] => {
    const m = /^(\d+)(?:-(\d+))?$/.exec(value.trim());
    if (!m) throw new InputError(`${flag} must be N or N-M, got "${value}"`, { where: flag });
    const lo = Number(m[1]);
    const hi = Number(m[2] ?? m[1]);
    if (hi < lo) throw new InputError(`${flag}: ${hi} < ${lo}`, { where: flag });
    return [lo, hi];
  };
}

/** The model-shape flags shared by the benchmarks (defaults: the reference config). */
export function modelShapeOptions(cmd: Command): Command {
  return cmd
    .option('--layers <n>', 'transformer blocks', intOption('--layers', 1), 4)
    .option('--dim <n>', 'model width', intOption('--dim', 2), 256)
    .option('--heads <n>', 'attention heads', intOption('--heads', 1), 4)
    .option('--kv-heads <n>', 'key/value heads (default: --heads)', intOption('--kv-heads', 1))
    .option('--mlp <n>', 'SwiGLU hidden width', intOption('--mlp', 1), 688)
    .option('--vocab <n>', 'vocabulary size', intOption('--vocab', 5), 64);
}
