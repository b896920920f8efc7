/**
 * For tests only: a run folder whose store is filled by hand through the repos, small enough
 * that every count, rate and length the tests expect is worked out in their comments.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store, type SampleInput, type VerdictInput, type VerdictStatus } from '@sieve/store';
import { formatPrompt } from '@sieve/dataset';

export const HOSTILE = '<script>alert(1)</script>';

/** [question, text, verdict, extracted, wrong step (expr, claimed, actual) or null, kept or drop reason] */
type Spec = [number, string, VerdictStatus, string | null, [string, string, number] | null, true | string];

export const QUESTIONS = [
  { text: 'What is 2+3?', goldAnswer: '5', goldSolution: '2+3=<<2+3=5>>5\n#### 5', split: 'train' },
  { text: 'What is 4*3?', goldAnswer: '12', goldSolution: '4*3=<<4*3=12>>12\n#### 12', split: 'train' },
  { text: 'What is 10-7?', goldAnswer: '3', goldSolution: '10-7=<<10-7=3>>3\n#### 3', split: 'train' },
  { text: 'What is 6/2? <b>bold</b>', goldAnswer: '3', goldSolution: '6/2=<<6/2=3>>3\n#### 3', split: 'test' },
] as const;

/** Samples in insertion order (ids 1..14), questions 1..4. */
export const SAMPLES: Spec[] = [
  [1, '2+3=<<2+3=5>>5\n#### 5', 'correct', '5', null, true],
  [1, '#### 5', 'correct', '5', null, true],
  [1, '2+3=<<2+3=6>>6\n#### 6', 'incorrect', '6', ['2+3', '6', 5], 'incorrect'],
  [1, "I don't know", 'unparseable', null, null, 'unparseable'],
  [2, '#### 13', 'incorrect', '13', null, 'incorrect'],
  [2, '#### 11', 'incorrect', '11', null, 'incorrect'],
  [2, '4*3=<<4*3=13>>13\n#### 13', 'incorrect', '13', ['4*3', '13', 12], 'incorrect'],
  [2, '#### 7', 'incorrect', '7', null, 'incorrect'],
  [3, '10-7=<<10-7=3>>3\n#### 3', 'correct', '3', null, true],
  [3, '#### 3', 'correct', '3', null, true],
  [3, '#### 3', 'correct', '3', null, 'duplicate-exact'],
  [3, 'The answer is 3', 'correct', '3', null, true],
  [4, '#### 3', 'correct', '3', null, true],
  [4, HOSTILE, 'unparseable', null, null, 'unparseable'],
];

export interface Fixture {
  dir: string;
  dbPath: string;
  cleanup: () => void;
}

function wrongStep(text: string, w: [string, string, number] | null): Record<string, unknown>[] {
  if (!w) return [];
  const start = text.indexOf('<<');
  return [{ expr: w[0], claimed: w[1], actual: w[2], start, end: text.indexOf('>>', start) + 2 }];
}

/** Writes the fixture run into a fresh temp folder. */
export function makeFixture(): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'sieve-inspect-'));
  const dbPath = join(dir, 'sieve.sqlite');
  const store = Store.open(dbPath);
  try {
    for (const q of QUESTIONS) store.questions.insertMany('synth', q.split, 'hand', [{ text: q.text, goldAnswer: q.goldAnswer, goldSolution: q.goldSolution, difficulty: null, meta: {} }]);
    store.models.upsert({ id: 'base', kind: 'base', path: 'models/base', config: {}, parentId: null, meta: {} });
    store.models.upsert({ id: 'rft-s1', kind: 'trained', path: 'models/rft-s1', config: {}, parentId: 'base', meta: {} });
    const run = store.samples.ensureRun({ name: 'samples-1', modelId: 'base', set: 'synth', split: null, params: { k: 4 }, seed: 1 });
    const perQuestion = new Map<number, number>();
    const inputs: SampleInput[] = SAMPLES.map(([q, text], n) => {
      const index = perQuestion.get(q) ?? 0;
      perQuestion.set(q, index + 1);
      // Sampling-time log-probs only on sample 1: one per character, then the EOS. The last sample
      // has none at all (a server that returned no log-probs): its sum is null.
      const lps = q === 1 && index === 0 ? Float32Array.from({ length: text.length + 1 }, (_, i) => Math.log(0.05 + (0.9 * i) / text.length)) : null;
      const sum = lps ? lps.reduce((a, x) => a + x, 0) : n === SAMPLES.length - 1 ? null : -3;
      return { questionId: q, sampleIndex: index, seed: 100 + index, text, tokenCount: text.length + 1, logprobSum: sum, tokenLogprobs: lps, finishReason: 'stop' };
    });
    store.samples.insertMany(run.id, inputs);
    store.samples.setRunStatus(run.id, 'done');
    const verdicts: VerdictInput[] = SAMPLES.map(([, text, status, extracted, wrong], i) => ({
      sampleId: i + 1,
      verifier: 'numeric',
      status,
      extracted,
      reason: status === 'correct' ? 'matches gold' : status === 'incorrect' ? 'differs from gold' : 'no answer found',
      stepsTotal: (text.match(/<</g) ?? []).length,
      stepsWrong: wrong ? 1 : 0,
      stepsUnchecked: 0,
      detail: { wrongSteps: wrongStep(text, wrong) },
    }));
    store.verdicts.upsertMany(verdicts);
    const items = SAMPLES.map(([q, text, , , , decision], i) => ({
      sampleId: i + 1,
      questionId: q,
      prompt: formatPrompt(QUESTIONS[q - 1]?.text ?? ''),
      response: text,
      kept: decision === true,
      dropReason: decision === true ? null : decision,
    }));
    store.datasets.create({ name: 'rft', kind: 'rft', sampleRunId: run.id, rules: { dedup: 'none', verifier: 'numeric' }, stats: { samples: 14, kept: 6 } }, items);
    // v2: only question 1's two correct samples, both kept (items 15, 16).
    store.datasets.create({ name: 'rft', kind: 'rft', sampleRunId: run.id, rules: { verifier: 'numeric', maxPerQuestion: 2 } , stats: {} }, items.slice(0, 2));

    store.stages.start('questions', '', 'fp-q');
    store.stages.finish('questions', '', 'done');
    store.stages.start('sample', '', 'fp-s');
    store.stages.finish('sample', '', 'failed');
    store.stages.start('train', 'rft/seed1', 'fp-t');

    const tr = store.training.ensureRun({ name: 'rft-seed1', method: 'rft', datasetId: 1, baseModelId: 'base', seed: 1, config: {} });
    store.training.addMetrics(tr.id, [1, 2, 3].map((step) => ({ step, kind: 'train' as const, values: { loss: 2 / step, ce: 2 / step, meanP: 0.1 * step } })));
    store.training.finish(tr.id, 'done', 'rft-s1');
    for (const [model, acc] of [['base', 0.25], ['rft-s1', 0.5]] as const) {
      store.evaluations.add({ modelId: model, set: 'synth', split: 'test', settings: {}, n: 4, avgAtN: acc, greedy: acc, passAtK: { '1': acc }, questions: 1, detail: {} });
    }
  } finally {
    store.close();
  }
  return { dir, dbPath, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
