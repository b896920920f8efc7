/** The memory a training run needs, checked against the machine's free memory before it starts. */
import * as os from 'node:os';
import { InputError } from '@sieve/core';

/** float32 parameters + gradients + AdamW's two moments (activations not included). */
export const TRAINING_BYTES_PER_PARAMETER = 16;

export interface TrainingMemory {
  parameters: number;
  /** Bytes: 16 per parameter, plus 4 per parameter for a frozen reference model (dpo, asft). */
  bytes: number;
  freeBytes: number;
}

const gb = (b: number): string => `${(b / 1024 ** 3).toFixed(2)} GB`;

/**
 * Estimates the memory of training `parameters` in float32 (parameters, gradients, AdamW moments:
 * 16 bytes each; a frozen reference copy adds 4) and compares it with `os.freemem()`.
 * Logs the estimate; unless `ignore`, refuses when it exceeds the free memory.
 * @throws InputError when the estimate exceeds the free memory and `ignore` is not set.
 */
export function checkTrainingMemory(parameters: number, o: { reference?: boolean; ignore?: boolean; freeBytes?: number; log?: (line: string) => void; flag?: string } = {}): TrainingMemory {
  const bytes = parameters * (TRAINING_BYTES_PER_PARAMETER + (o.reference ? 4 : 0));
  const freeBytes = o.freeBytes ?? os.freemem();
  const what = `${parameters.toLocaleString('en-US')} parameters × ${TRAINING_BYTES_PER_PARAMETER}${o.reference ? ' (+4 for the reference model)' : ''} bytes`;
  o.log?.(`training memory: ${gb(bytes)} (${what}: float32 parameters, gradients and AdamW moments; activations not included); free memory ${gb(freeBytes)}`);
  if (bytes > freeBytes && !o.ignore) {
    throw new InputError(`training needs about ${gb(bytes)} (${what}, before activations) but the machine has ${gb(freeBytes)} free`, {
      where: 'training memory',
      hint: `free memory, use a smaller model, or pass ${o.flag ?? '--ignore-memory'} to try anyway (the process may be killed or swap heavily)`,
    });
  }
  return { parameters, bytes, freeBytes };
}
