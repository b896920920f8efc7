/**
 * The first math verdicts of a process (this file runs in its own module registry, so compute-engine
 * is fresh here): compute-engine's lazy set-up used to land inside the first verdict's 100 ms budget
 * and turned a correct answer into `unparseable` / `timeout`.
 */
import { describe, expect, it } from 'vitest';
import { mathVerifier } from './math-verifier';

describe('the first math verdicts of a process', () => {
  it('are not charged for compute-engine\'s set-up', () => {
    const first = mathVerifier('so \\boxed{\\frac{\\sqrt{2}}{2\\sqrt{2}}}', '\\frac{1}{2}', {});
    expect([first.status, first.reason]).toEqual(['correct', 'matches gold \\frac{1}{2}']);
    expect(mathVerifier('\\boxed{\\{1, -2\\}}', '\\{-2, 1\\}', {}).status).toBe('correct');
    expect(mathVerifier('\\boxed{[0, 9)}', '[0, 9]', {}).status).toBe('incorrect');
  });
});
