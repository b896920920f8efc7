import { InputError, SieveError } from '@sieve/core';
import type { Store, UnverifiedSample, VerdictInput, VerdictStatus } from '@sieve/store';
import { checkSteps, getVerifier, type Verdict } from '@sieve/verify';
import { findRun } from './run-lookup';

export interface VerifySamplesOptions {
  runName: string;
  /**
   * Registered verifier that grades every sample; unset: each sample is graded by the verifier its
   * question's set was imported with (`meta.verifier`, else `numeric`).
   */
  verifier?: string;
  /** Samples per transaction (default 500): an interrupted stage loses at most one batch. */
  batchSize?: number;
  /** Called after each committed batch: done and total count the samples this call verifies. */
  onProgress?: (done: number, total: number) => void;
}

export interface VerifySamplesResult {
  /** Samples verified by this call. */
  verified: number;
  /** Samples that already had a verdict under this verifier (or their own). */
  skipped: number;
  /** Verdicts of the whole run under this verifier (or each question's own) after this call. */
  counts: Record<VerdictStatus, number>;
}

/** A calculator step that is wrong, where it is in the response, for a viewer to highlight. */
export interface WrongStep {
  expr: string;
  claimed: string;
  actual: number | null;
  /** Offsets of `<<` and just past `>>` in the response text. */
  start: number;
  end: number;
}

export const DEFAULT_VERIFY_BATCH = 500;

function wrongSteps(text: string): WrongStep[] {
  return checkSteps(text)
    .steps.filter((s) => s.ok === false)
    .map((s) => {
      const close = text.indexOf('>>', s.index + 2);
      return { expr: s.expr, claimed: s.claimed, actual: s.actual, start: s.index, end: close < 0 ? text.length : close + 2 };
    });
}

function judge(sample: UnverifiedSample): VerdictInput {
  const { verifier } = sample;
  let v: Verdict;
  try {
    v = getVerifier(verifier)(sample.text, sample.goldAnswer, {});
  } catch (cause) {
    throw new SieveError(
      `verifier "${verifier}" failed on sample ${sample.id} of question ${sample.questionId}: ${(cause as Error).message}`,
      {
        where: `question ${sample.questionId}`,
        hint: `check the gold answer of question ${sample.questionId} ("${sample.goldAnswer.slice(0, 60)}"), fix the question set and re-import it`,
        cause,
      },
    );
  }
  return {
    sampleId: sample.id,
    verifier,
    status: v.status,
    extracted: v.extracted,
    reason: v.reason,
    stepsTotal: v.steps.total,
    stepsWrong: v.steps.wrong,
    stepsUnchecked: v.steps.unchecked,
    detail: { extractedBy: v.extractedBy, gold: v.gold, wrongSteps: v.steps.wrong > 0 ? wrongSteps(sample.text) : [] },
  };
}

/**
 * Gives every sample of a run a verdict under one verifier (or, with none given, under its
 * question's own), batch by batch, each batch in its own transaction. A rerun (or a resumed,
 * interrupted one) only does samples without that verdict; verdicts of other verifiers are left
 * as they are. Verdicts are stored under the name of the verifier that made them.
 */
export function verifySamples(store: Store, opts: VerifySamplesOptions): VerifySamplesResult {
  const verifier = opts.verifier ?? null;
  const batchSize = opts.batchSize ?? DEFAULT_VERIFY_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InputError(`batch size must be a positive integer, got ${batchSize}`, { where: 'batchSize' });
  }
  const run = findRun(store, opts.runName);
  // an unknown name (given, or recorded by an import) fails here, before any work
  for (const name of verifier !== null ? [verifier] : store.verdicts.ownVerifiers(run.id)) getVerifier(name);
  const total = store.samples.count(run.id);
  const todo = store.verdicts.counts(run.id, verifier).unverified;
  let verified = 0;
  let lastId = 0; // every pending sample up to here has been verified: the next batch starts after it
  for (;;) {
    const done = store.transaction(() => {
      const batch = store.verdicts.unverifiedBatch(run.id, verifier, lastId, batchSize);
      if (batch.length) store.verdicts.upsertMany(batch.map(judge));
      lastId = batch.at(-1)?.id ?? lastId;
      return batch.length;
    });
    if (done === 0) break;
    verified += done;
    opts.onProgress?.(verified, todo);
  }
  const { correct, incorrect, unparseable } = store.verdicts.counts(run.id, verifier);
  return { verified, skipped: total - todo, counts: { correct, incorrect, unparseable } };
}
