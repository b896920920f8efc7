/**
 * One side of `sieve bench forward` in its own process, so its peak RSS is its own.
 * Usage: node --import tsx bench-forward-child.ts '<{"side": "sieve" | "llama.cpp", …} as JSON>'
 * Prints one JSON line: `{"ok": true, "result": …}` or `{"ok": false, "error": SerializedError}`.
 */
import { serializeError } from '@sieve/core';
import { llamaCppForwardSide, sieveForwardSide, type LlamaCppSideOptions, type SieveSideOptions } from './bench-forward-sides';

type Job = ({ side: 'sieve' } & SieveSideOptions) | ({ side: 'llama.cpp' } & LlamaCppSideOptions);

const arg = process.argv[2];
if (!arg) throw new Error('usage: bench-forward-child.ts <job JSON>');
const job = JSON.parse(arg) as Job;
try {
  const result = job.side === 'sieve' ? await sieveForwardSide(job) : await llamaCppForwardSide(job);
  process.stdout.write(`${JSON.stringify({ ok: true, result })}\n`);
} catch (err) {
  process.stdout.write(`${JSON.stringify({ ok: false, error: serializeError(err) })}\n`);
  process.exitCode = 1;
}
