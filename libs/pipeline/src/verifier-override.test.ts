/**
 * The verify stage's verifier is optional: unset, each question is graded by its set's own
 * verifier (an input: the questions), set, it overrides them. The override is in the verify
 * stage's slice, so naming one changes the fingerprints of verify and of what reads its verdicts.
 */
import { describe, expect, it } from 'vitest';
import { parsePipelineConfig } from './config';
import { loadPreset } from './presets';
import { planStages } from './runner';
import { PIPELINE_STAGES } from './stages';

describe('the verify stage\'s verifier override', () => {
  it('is fingerprinted by verify, filter and pairs, and by nothing upstream', () => {
    const quick = loadPreset('quick');
    const own = parsePipelineConfig({ ...structuredClone(quick), verify: {} });
    const numeric = parsePipelineConfig({ ...structuredClone(quick), verify: { verifier: 'numeric' } });
    expect(own.verify.verifier).toBeUndefined();
    const fps = (c: typeof own) => new Map(planStages(PIPELINE_STAGES, c).map((i) => [i.id, i.fingerprint]));
    const a = fps(own);
    const b = fps(numeric);
    const changed = [...a.keys()].filter((id) => a.get(id) !== b.get(id));
    expect(changed.slice(0, 3)).toEqual(['verify', 'filter', 'pairs']);
    for (const id of ['questions', 'pretrain', 'sample']) expect(changed).not.toContain(id);
    expect(planStages(PIPELINE_STAGES, own).find((i) => i.id === 'verify')?.slice).toEqual({});
  });
});
