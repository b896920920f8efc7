import { InputError } from '@sieve/core';
import type { DatasetRow, QuestionRow, Store, StoreCounts } from '@sieve/store';
import { sampleRunSummaries, stageSummary, verifierOf, type SampleRunSummary, type StageSummary } from './queries/overview';
import { correctHistogram, datasetPassRates, runPassRates, sortPasses, type QuestionPass } from './queries/pass-rates';
import { acceptanceBySplit, findDataset, type SplitAcceptance } from './queries/datasets';
import { datasetQuestionEntries, questionSamples, type SampleEntry } from './queries/samples';
import { summarize, type Summary, type ValueCount } from './stats';

export interface InspectOptions {
  /** Verifier whose verdicts count as correct for sample runs (datasets use the one in their rules). Default `numeric`. */
  verifier?: string;
  /** How many hardest and easiest questions to list (default 5). */
  top?: number;
}

export interface QuestionRef extends QuestionPass {
  text: string;
}

export interface SampleRunInspection extends SampleRunSummary {
  verifier: string;
  /** Correct / samples over the run. */
  passRate: number | null;
  correctPerQuestion: number[];
  hardest: QuestionRef[];
  easiest: QuestionRef[];
}

export interface DatasetInspection {
  id: number;
  name: string;
  version: number;
  kind: string;
  sampleRun: string | null;
  verifier: string;
  rules: Record<string, unknown>;
  createdAt: string;
  questions: number;
  items: number;
  kept: number;
  dropped: number;
  /** kept / items. */
  acceptanceRate: number | null;
  bySplit: SplitAcceptance[];
  correctPerQuestion: number[];
  /** Dropped items per reason, largest first. */
  drops: Record<string, number>;
  /** Response lengths in characters: kept (accepted) vs dropped (rejected) items. */
  lengths: { accepted: Summary; rejected: Summary };
  hardest: QuestionRef[];
  easiest: QuestionRef[];
}

export interface RunInspection {
  store: string;
  counts: StoreCounts;
  stages: StageSummary;
  sampleRuns: SampleRunInspection[];
  /** Every dataset version, briefly. */
  datasetVersions: { name: string; version: number; kind: string; items: number; kept: number }[];
  /** The latest version of each dataset name, in full. */
  datasets: DatasetInspection[];
}

function topQuestions(store: Store, rows: readonly QuestionPass[], top: number): { hardest: QuestionRef[]; easiest: QuestionRef[] } {
  const hardest = sortPasses(rows, 'hardest').slice(0, top);
  const easiest = sortPasses(rows, 'easiest').slice(0, top);
  const texts = store.questions.textsById([...new Set([...hardest, ...easiest].map((r) => r.questionId))]);
  const withText = (r: QuestionPass): QuestionRef => ({ ...r, text: texts.get(r.questionId) ?? '' });
  return { hardest: hardest.map(withText), easiest: easiest.map(withText) };
}

const topOf = (opts: InspectOptions): number => opts.top ?? 5;

export interface DatasetAnalysis {
  inspection: DatasetInspection;
  /** Every question's outcome (one row per question), for lists and sorting. */
  passes: QuestionPass[];
  /** Response lengths as (length, count) pairs. */
  lengths: { kept: ValueCount[]; dropped: ValueCount[] };
}

/** The inspection of a dataset with the per-question rows and length distributions it was computed from. */
export function analyseDataset(store: Store, d: DatasetRow, opts: InspectOptions = {}): DatasetAnalysis {
  const verifier = verifierOf(d.rules, opts.verifier);
  const passes = datasetPassRates(store, d.id, verifier);
  const split = acceptanceBySplit(store, d.id);
  const items = split.reduce((a, s) => a + s.items, 0);
  const kept = split.reduce((a, s) => a + s.kept, 0);
  const lengths = store.datasets.lengthCounts(d.id);
  const drops: Record<string, number> = {};
  for (const [reason, n] of Object.entries(store.datasets.dropCounts(d.id))) drops[reason === 'null' ? 'unspecified' : reason] = n;
  const inspection: DatasetInspection = {
    id: d.id,
    name: d.name,
    version: d.version,
    kind: d.kind,
    sampleRun: d.sampleRunId === null ? null : (store.samples.getRun(d.sampleRunId)?.name ?? null),
    verifier,
    rules: d.rules,
    createdAt: d.createdAt,
    questions: passes.length,
    items,
    kept,
    dropped: items - kept,
    acceptanceRate: items > 0 ? kept / items : null,
    bySplit: split,
    correctPerQuestion: correctHistogram(passes),
    drops,
    lengths: { accepted: summarize(lengths.kept), rejected: summarize(lengths.dropped) },
    ...topQuestions(store, passes, topOf(opts)),
  };
  return { inspection, passes, lengths };
}

export function inspectDataset(store: Store, dataset: string | DatasetRow, opts: InspectOptions = {}): DatasetInspection {
  return analyseDataset(store, typeof dataset === 'string' ? findDataset(store, dataset) : dataset, opts).inspection;
}

export function inspectSampleRuns(store: Store, opts: InspectOptions = {}): SampleRunInspection[] {
  const verifier = opts.verifier ?? 'numeric';
  return sampleRunSummaries(store, verifier).map((r) => {
    const passes = runPassRates(store, r.id, verifier);
    return {
      ...r,
      verifier,
      passRate: r.samples > 0 ? r.verdicts.correct / r.samples : null,
      correctPerQuestion: correctHistogram(passes),
      ...topQuestions(store, passes, topOf(opts)),
    };
  });
}

/** Everything `sieve inspect` shows for a run folder. Only reads. */
export function inspectRun(store: Store, opts: InspectOptions = {}): RunInspection {
  const all = store.datasets.list();
  const latest = new Map<string, DatasetRow>();
  for (const d of all) if ((latest.get(d.name)?.version ?? 0) < d.version) latest.set(d.name, d);
  return {
    store: store.path,
    counts: store.counts(),
    stages: stageSummary(store),
    sampleRuns: inspectSampleRuns(store, opts),
    datasetVersions: all.map((d) => ({ name: d.name, version: d.version, kind: d.kind, ...store.datasets.itemCounts(d.id) })),
    datasets: [...latest.values()].map((d) => inspectDataset(store, d, opts)),
  };
}

export interface QuestionInspection {
  question: QuestionRow;
  dataset: { id: number; name: string; version: number } | null;
  verifier: string;
  samples: SampleEntry[];
  /** Samples of the question in all (outside a dataset), when more than were listed. */
  total: number;
}

/** One question with every sample (of a dataset, with its decision; else of every sample run), verdicts and wrong steps. */
export function inspectQuestion(store: Store, questionId: number, opts: InspectOptions & { dataset?: string; limit?: number } = {}): QuestionInspection {
  const question = store.questions.get(questionId);
  if (!question) {
    throw new InputError(`no question with id ${questionId} in this run`, { where: '--question', hint: 'ids are listed by `sieve inspect` (hardest/easiest) and `sieve questions list`' });
  }
  if (opts.dataset !== undefined) {
    const d = findDataset(store, opts.dataset);
    const verifier = verifierOf(d.rules, opts.verifier);
    const samples = datasetQuestionEntries(store, d.id, questionId, verifier);
    return { question, dataset: { id: d.id, name: d.name, version: d.version }, verifier, samples, total: samples.length };
  }
  const verifier = opts.verifier ?? 'numeric';
  const res = questionSamples(store, questionId, { verifier, limit: opts.limit ?? 1000, offset: 0 });
  return { question, dataset: null, verifier, samples: res.rows, total: res.total };
}
