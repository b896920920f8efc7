import type { QuestionRow, SampleRunRow, SampleWithVerdict, Store } from '@sieve/store';
import { toVerdictView, type VerdictView } from './verdict-view';

/** A sample with its verdict under one verifier and, in a dataset's context, the filter's decision. */
export interface SampleEntry extends Omit<SampleWithVerdict, 'verdict'> {
  verdict: VerdictView | null;
}

const toEntry = (e: SampleWithVerdict): SampleEntry => ({ ...e, verdict: e.verdict ? toVerdictView(e.verdict, e.text) : null });

/** Samples of one question (every sample run, or one), through the samples_question index, paged. */
export function questionSamples(
  store: Store,
  questionId: number,
  opts: { verifier: string; runId?: number; limit: number; offset: number },
): { rows: SampleEntry[]; total: number } {
  const res = store.samples.ofQuestion(questionId, opts);
  return { rows: res.rows.map(toEntry), total: res.total };
}

/** Every item of one question in a dataset, with its sample and verdict. Items without a sample are left out. */
export function datasetQuestionEntries(store: Store, datasetId: number, questionId: number, verifier: string): SampleEntry[] {
  return store.datasets.questionEntries(datasetId, questionId, verifier).map(toEntry);
}

export interface SampleDetail {
  id: number;
  run: SampleRunRow;
  question: QuestionRow;
  sampleIndex: number;
  seed: number;
  text: string;
  tokenCount: number;
  logprobSum: number | null;
  finishReason: string;
  /** Sampling-time log-probs of the generated tokens, as stored (null when not kept). */
  tokenLogprobs: Float32Array | null;
  /** One per verifier that judged it. */
  verdicts: VerdictView[];
  /** Every dataset the sample is an item of, with the decision there. */
  decisions: { datasetId: number; name: string; version: number; itemId: number; kept: boolean; dropReason: string | null }[];
}

export function sampleDetail(store: Store, sampleId: number): SampleDetail | undefined {
  const s = store.samples.get(sampleId);
  if (!s) return undefined;
  const run = store.samples.getRun(s.runId);
  const question = store.questions.get(s.questionId);
  if (!run || !question) return undefined;
  return {
    id: s.id,
    run,
    question,
    sampleIndex: s.sampleIndex,
    seed: s.seed,
    text: s.text,
    tokenCount: s.tokenCount,
    logprobSum: s.logprobSum,
    finishReason: s.finishReason,
    tokenLogprobs: s.tokenLogprobs,
    verdicts: store.verdicts.forSample(s.id).map((v) => toVerdictView(v, s.text)),
    decisions: store.datasets.decisionsFor(s),
  };
}
