import type { JudgedSample } from '@sieve/store';
import { countDecisions } from './filter-rules';
import type { DropReason } from './rules-schema';

export interface DatasetStats {
  /** Questions with at least one sample in the run. */
  questions: number;
  samples: number;
  kept: number;
  /** kept / samples (0 for an empty run). */
  acceptanceRate: number;
  /** Questions with at least one kept sample. */
  questionsWithKept: number;
  /** Index c: how many questions have exactly c correct samples (length = most samples of a question + 1). */
  correctPerQuestion: number[];
  dropped: Record<DropReason, number>;
  /** Mean response length in characters; null when there is none. */
  meanLength: { kept: number | null; dropped: number | null };
}

const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export function datasetStats(items: readonly { sample: JudgedSample; kept: boolean; reason: DropReason | null }[]): DatasetStats {
  const perQuestion = new Map<number, { n: number; correct: number; kept: number }>();
  for (const it of items) {
    const q = perQuestion.get(it.sample.questionId) ?? { n: 0, correct: 0, kept: 0 };
    q.n++;
    if (it.sample.status === 'correct') q.correct++;
    if (it.kept) q.kept++;
    perQuestion.set(it.sample.questionId, q);
  }
  const most = Math.max(0, ...[...perQuestion.values()].map((q) => q.n));
  const correctPerQuestion = new Array<number>(most + 1).fill(0);
  for (const q of perQuestion.values()) correctPerQuestion[q.correct] = (correctPerQuestion[q.correct] ?? 0) + 1;
  const counts = countDecisions(items);
  return {
    questions: perQuestion.size,
    samples: items.length,
    kept: counts.kept,
    acceptanceRate: items.length ? counts.kept / items.length : 0,
    questionsWithKept: [...perQuestion.values()].filter((q) => q.kept > 0).length,
    correctPerQuestion,
    dropped: counts.dropped,
    meanLength: {
      kept: mean(items.filter((i) => i.kept).map((i) => i.sample.text.length)),
      dropped: mean(items.filter((i) => !i.kept).map((i) => i.sample.text.length)),
    },
  };
}
