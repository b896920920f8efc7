import { shuffleInPlace, type Rng } from '@sieve/core';
import type { Draft } from './arith';
import type { GeneratorOptions } from './options';
import { CLOSING_QUESTIONS, fillStory, STEP_KINDS, type StepKind, type Story } from './word-steps';
import { PEOPLE, SCENES } from './vocab';

/**
 * A word problem with exactly `operations` annotated operations: a start sentence,
 * middle steps, and either an ending step that asks the question or a closing question.
 */
export function wordDraft(rng: Rng, o: GeneratorOptions, operations: number): Draft | null {
  const allowed = STEP_KINDS.filter((k) => k.ops.every((op) => o.operators.includes(op)));
  const p = rng.pick(PEOPLE);
  let f = rng.pick(PEOPLE);
  while (f === p) f = rng.pick(PEOPLE);
  const st: Story = { rng, o, p, f, s: rng.pick(SCENES), v: 0, sentences: [], lines: [], operands: [], operations: 0 };
  const kinds: string[] = [];

  let prev: StepKind | null = null;
  // Random order, but the previous kind last so the same sentence rarely repeats back to back.
  const tryKinds = (cands: StepKind[]): StepKind | null => {
    const order = shuffleInPlace(cands, rng).sort((a, b) => Number(a === prev) - Number(b === prev));
    for (const k of order) if (k.apply(st)) return (prev = k);
    return null;
  };

  const start = tryKinds(allowed.filter((k) => k.role === 'start' && k.ops.length <= operations));
  if (start === null) return null;
  kinds.push(start.name);
  let ended = false;
  while (st.operations < operations) {
    const left = operations - st.operations;
    const step = tryKinds(
      allowed.filter((k) => (k.role === 'middle' && k.ops.length <= left) || (k.role === 'end' && k.ops.length === left)),
    );
    if (step === null) return null;
    kinds.push(step.name);
    ended = step.role === 'end';
  }
  if (!ended) st.sentences.push(fillStory(st, CLOSING_QUESTIONS, {}));
  return { text: st.sentences.join(' '), lines: st.lines, answer: st.v, operations: st.operations, operands: st.operands, kinds };
}
