import { describe, expect, it } from 'vitest';
import { InputError } from '@sieve/core';
import { checkTrainingMemory } from './memory-check';

describe('checkTrainingMemory', () => {
  it('is 16 bytes per parameter (+4 with a reference model) and refuses past the free memory unless told to ignore it', () => {
    const lines: string[] = [];
    expect(checkTrainingMemory(1000, { freeBytes: 16_000, log: (l) => lines.push(l) }).bytes).toBe(16_000);
    expect(lines[0]).toMatch(/^training memory: 0\.00 GB \(1,000 parameters × 16 bytes/);
    expect(() => checkTrainingMemory(1000, { freeBytes: 16_000, reference: true })).toThrow(InputError);
    // Qwen2.5-0.5B's 494,032,768 parameters: 7.36 GB of 4 GB free.
    expect(() => checkTrainingMemory(494_032_768, { freeBytes: 4 * 1024 ** 3 })).toThrow(/needs about 7\.36 GB .* has 4\.00 GB free/);
    expect(checkTrainingMemory(494_032_768, { freeBytes: 4 * 1024 ** 3, ignore: true }).bytes).toBe(494_032_768 * 16);
  });
});
