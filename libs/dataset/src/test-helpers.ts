import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store, type JudgedSample, type SampleInput } from '@sieve/store';

/** Real store files in temp dirs, removed by cleanup(). */
export function tempStores(): { open: () => Store; dir: () => string; cleanup: () => void } {
  const dirs: string[] = [];
  const stores: Store[] = [];
  const dir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'sieve-dataset-'));
    dirs.push(d);
    return d;
  };
  return {
    dir,
    open: () => {
      const s = Store.open(join(dir(), 'sieve.sqlite'));
      stores.push(s);
      return s;
    },
    cleanup: () => {
      for (const s of stores.splice(0)) s.close();
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

export interface SeedQuestion {
  text: string;
  gold: string;
  /** Responses; a `[text, 'length']` tuple marks a truncated one. */
  samples: (string | [string, 'stop' | 'length'])[];
}

/** Inserts questions, a base model and one sample run; returns the run id and the sample ids per question. */
export function seedRun(store: Store, runName: string, questions: SeedQuestion[], params: Record<string, unknown> = {}): { runId: number; ids: number[][] } {
  store.questions.insertMany('set', 'train', 'test', questions.map((q) => ({ text: q.text, goldAnswer: q.gold, goldSolution: null, difficulty: null, meta: {} })));
  store.models.upsert({ id: 'base', kind: 'base', path: 'models/base', config: {}, parentId: null, meta: {} });
  const run = store.samples.ensureRun({ name: runName, modelId: 'base', set: 'set', split: 'train', params, seed: 1 });
  const byText = new Map(store.questions.list({ set: 'set' }).map((q) => [q.text, q.id]));
  const inputs: SampleInput[] = questions.flatMap((q) =>
    q.samples.map((s, i) => {
      const [text, finishReason] = typeof s === 'string' ? [s, 'stop' as const] : s;
      return { questionId: byText.get(q.text) as number, sampleIndex: i, seed: i, text, tokenCount: text.length, logprobSum: -1, tokenLogprobs: null, finishReason };
    }),
  );
  store.samples.insertMany(run.id, inputs);
  const ids = questions.map((q) => store.samples.list(run.id, { questionId: byText.get(q.text) as number }).map((s) => s.id));
  return { runId: run.id, ids };
}

let nextId = 1;
/** A hand-made judged sample: correct, finished, no steps, unless overridden. */
export function judgedSample(over: Partial<JudgedSample> & { questionId: number; text: string }): JudgedSample {
  const id = nextId++;
  return {
    sampleId: id,
    sampleIndex: id,
    tokenCount: over.text.length,
    logprobSum: -1,
    finishReason: 'stop',
    questionText: `question ${over.questionId}`,
    goldAnswer: '12',
    split: 'train',
    status: 'correct',
    extracted: '12',
    reason: 'test',
    stepsTotal: 0,
    stepsWrong: 0,
    ...over,
  };
}

/** The error fn throws; fails the test if it does not throw. */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}
