import * as os from 'node:os';
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

/** Worker threads by default: the cores there are, at most 2 (each holds a model copy). */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(2, os.availableParallelism()));
}

/** `--stop` values with \n and \t typed as escapes. */
export function collectStop(value: string, previous: string[] = []): string[] {
  return [...previous, value.replace(/\\n/g, '\n').replace(/\\t/g, '\t')];
}

/** "1,4,16" → [1, 4, 16] (integers ≥ min). */
export function intListOption(flag: string, min = 1) {
  return (value: string): number[] => {
    const parts = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    const nums = parts.map(Number);
    if (parts.length === 0 || nums.some((n) => !Number.isInteger(n) || n < min)) {
      throw new InputError(`${flag} must be a comma-separated list of integers ≥ ${min}, got "${value}"`, { where: flag });
    }
    return nums;
  };
}

export function logLine(line: string): void {
  process.stderr.write(`${line}\n`);
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A run or model name that is also a folder name. */
export function checkName(value: string, flag: string): string {
  if (!NAME.test(value)) throw new InputError(`invalid name "${value}"`, { where: flag, hint: 'use letters, digits, ".", "_" or "-" (it names a folder under models/)' });
  return value;
}

/** NAME or NAME@VERSION. */
export function parseDatasetRef(value: string): { name: string; version?: number } {
  const m = /^(.+)@(\d+)$/.exec(value.trim());
  return m ? { name: m[1] as string, version: Number(m[2]) } : { name: value.trim() };
}
