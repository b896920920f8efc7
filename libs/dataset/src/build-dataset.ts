import { InputError } from '@sieve/core';
import type { DatasetItemInput, DatasetRow, JudgedSample, Store } from '@sieve/store';
import { datasetStats, type DatasetStats } from './dataset-stats';
import { applyFilterRules, type FilterCounts } from './filter-rules';
import { pairUp } from './pairs';
import { PROMPT_FORMAT_VERSION, promptRecord, recordedPrompt, storedPrompt, type PromptSpec } from './prompt';
import type { DropReason, FilterRules, FilterRulesInput } from './rules-schema';
import { findRun } from './run-lookup';

export interface BuildDatasetOptions {
  /** The sample run to filter. */
  runName: string;
  /** Dataset name; each build makes its next version. */
  name: string;
  rules?: FilterRulesInput | FilterRules;
  /** Whose verdicts decide correctness; unset: those of each question's own verifier (`meta.verifier`, else `numeric`). */
  verifier?: string;
  /** 'rft': kept samples; 'pairs': kept samples each with a rejected one of the same question (DPO). */
  kind?: 'rft' | 'pairs';
}

export interface BuildDatasetResult {
  dataset: DatasetRow;
  counts: FilterCounts;
  /** Gold solutions added as kept items (`includeGold`), on top of counts.kept samples. */
  gold: number;
}

interface Decided {
  sample: JudgedSample;
  kept: boolean;
  reason: DropReason | null;
  rejected: JudgedSample | null;
}

/** Rules, then for `pairs` the pairing: a kept sample without a wrong one to pair with is dropped. */
function decide(judged: readonly JudgedSample[], rules: FilterRulesInput | FilterRules, kind: 'rft' | 'pairs'): { rules: FilterRules; decided: Decided[] } {
  const result = applyFilterRules(judged, rules);
  const rejectedOf = new Map(kind === 'pairs' ? pairUp(result.decisions).map((p) => [p.accepted.sampleId, p.rejected]) : []);
  const decided = result.decisions.map((d): Decided => {
    if (kind === 'pairs' && d.kept) {
      const rejected = rejectedOf.get(d.sample.sampleId);
      return rejected ? { ...d, rejected } : { ...d, kept: false, reason: 'no-rejected', rejected: null };
    }
    return { ...d, rejected: null };
  });
  return { rules: result.rules, decided };
}

function toItem(d: Decided, spec: PromptSpec): DatasetItemInput {
  return {
    sampleId: d.sample.sampleId,
    questionId: d.sample.questionId,
    prompt: storedPrompt(spec, d.sample.questionText),
    response: d.sample.text,
    kept: d.kept,
    dropReason: d.reason,
    rejectedSampleId: d.rejected?.sampleId ?? null,
    rejectedResponse: d.rejected?.text ?? null,
  };
}

/** One kept item per sampled question with its gold solution (`#### answer` when it has none), in question order. */
function goldItems(store: Store, judged: readonly JudgedSample[], spec: PromptSpec): DatasetItemInput[] {
  const ids = [...new Set(judged.map((s) => s.questionId))].sort((a, b) => a - b);
  return ids.flatMap((id) => {
    const q = store.questions.get(id);
    if (!q) return [];
    return [{ sampleId: null, questionId: id, prompt: storedPrompt(spec, q.text), response: q.goldSolution ?? `#### ${q.goldAnswer}`, kept: true, dropReason: null }];
  });
}

/**
 * The verifier a dataset records (readers count its correct samples with it): the one given, else
 * the questions' own when they share one, else null (each question's own; the store reads null so).
 */
function recordedVerifier(store: Store, runId: number, verifier: string | null): string | null {
  if (verifier !== null) return verifier;
  const own = store.verdicts.ownVerifiers(runId);
  return own.length === 1 ? (own[0] as string) : null;
}

/**
 * Filters a verified sample run into a new version of a named dataset, in one transaction.
 * Every sample becomes an item, kept or dropped with its reason; the dataset records the
 * normalised rules (with verifier and prompt format) and its stats. Items' prompts are in the prompt
 * format the samples were made with (the sample run's params; `storedPrompt`), which the dataset records.
 */
export function buildDataset(store: Store, opts: BuildDatasetOptions): BuildDatasetResult {
  const verifier = opts.verifier ?? null;
  const kind = opts.kind ?? 'rft';
  if (kind !== 'rft' && kind !== 'pairs') throw new InputError(`unknown dataset kind "${String(kind)}"`, { hint: 'use rft or pairs' });
  if (!opts.name.trim()) throw new InputError('a dataset needs a name', { where: 'name' });
  const run = findRun(store, opts.runName);
  const spec = recordedPrompt(run.params, `sample run ${run.name}: params.prompt`);

  return store.transaction(() => {
    const unverified = store.verdicts.counts(run.id, verifier).unverified;
    if (unverified > 0) {
      throw new InputError(`sample run "${run.name}" has ${unverified} samples without ${verifier ? `a "${verifier}" verdict` : `a verdict of their question set's verifier (${store.verdicts.ownVerifiers(run.id).join(', ')})`}`, {
        where: `run ${run.name}`,
        hint: `run \`sieve verify\`${verifier ? ` --verifier ${verifier}` : ''} on this run first`,
      });
    }
    const judged = store.verdicts.judged(run.id, verifier);
    if (!judged.length) {
      throw new InputError(`sample run "${run.name}" has no samples`, { where: `run ${run.name}`, hint: 'run `sieve sample` first' });
    }
    const { rules, decided } = decide(judged, opts.rules ?? {}, kind);
    const stats: DatasetStats & { pairs?: number; gold?: number } = datasetStats(decided);
    if (kind === 'pairs') stats.pairs = stats.kept;
    const gold = rules.includeGold && kind === 'rft' ? goldItems(store, judged, spec) : [];
    if (gold.length) stats.gold = gold.length;
    const dataset = store.datasets.create(
      {
        name: opts.name,
        kind,
        sampleRunId: run.id,
        rules: { ...rules, verifier: recordedVerifier(store, run.id, verifier), promptFormat: PROMPT_FORMAT_VERSION, ...promptRecord(spec) },
        stats: { ...stats },
      },
      [...decided.map((d) => toItem(d, spec)), ...gold],
    );
    return { dataset, counts: { total: stats.samples, kept: stats.kept, dropped: stats.dropped }, gold: gold.length };
  });
}
