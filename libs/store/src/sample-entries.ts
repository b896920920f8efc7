/**
 * A sample joined with its run's name, its verdict under one verifier and, in a dataset, the
 * filter's decision: the row the viewer lists. Shared by SampleRepo and DatasetRepo.
 */
import { toVerdict, type RawVerdict, type VerdictRow, type VerdictStatus } from './verdicts';

export interface SampleWithVerdict {
  sampleId: number;
  runId: number;
  runName: string;
  questionId: number;
  sampleIndex: number;
  text: string;
  tokenCount: number;
  finishReason: 'stop' | 'length';
  logprobSum: number | null;
  /** Its verdict under the verifier asked for; null when it has none. */
  verdict: VerdictRow | null;
  /** In a dataset: the item and whether it was kept (or why dropped); null outside one. */
  decision: { itemId: number; kept: boolean; dropReason: string | null } | null;
}

/** Columns of samples s, sample_runs r and verdicts v (LEFT JOINed: its columns may be null). */
export const ENTRY_COLS = `s.id AS sampleId, s.run_id AS runId, r.name AS runName, s.question_id AS questionId, s.sample_index AS sampleIndex,
  s.text AS text, s.token_count AS tokenCount, s.finish_reason AS finishReason, s.logprob_sum AS logprobSum,
  v.id AS v_id, v.verifier AS v_verifier, v.status AS v_status, v.extracted AS v_extracted, v.reason AS v_reason,
  v.steps_total AS v_steps_total, v.steps_wrong AS v_steps_wrong, v.steps_unchecked AS v_steps_unchecked, v.detail AS v_detail`;

export interface RawEntry {
  sampleId: number;
  runId: number;
  runName: string;
  questionId: number;
  sampleIndex: number;
  text: string;
  tokenCount: number;
  finishReason: 'stop' | 'length';
  logprobSum: number | null;
  v_id: number | null;
  v_verifier: string | null;
  v_status: VerdictStatus | null;
  v_extracted: string | null;
  v_reason: string | null;
  v_steps_total: number | null;
  v_steps_wrong: number | null;
  v_steps_unchecked: number | null;
  v_detail: string | null;
  itemId?: number;
  kept?: number;
  dropReason?: string | null;
}

function verdictOf(r: RawEntry): VerdictRow | null {
  if (r.v_id === null) return null;
  const raw: RawVerdict = {
    id: r.v_id,
    sample_id: r.sampleId,
    verifier: r.v_verifier as string,
    status: r.v_status as VerdictStatus,
    extracted: r.v_extracted,
    reason: r.v_reason as string,
    steps_total: r.v_steps_total as number,
    steps_wrong: r.v_steps_wrong as number,
    steps_unchecked: r.v_steps_unchecked as number,
    detail: r.v_detail as string,
  };
  return toVerdict(raw);
}

export const toEntry = (r: RawEntry): SampleWithVerdict => ({
  sampleId: r.sampleId,
  runId: r.runId,
  runName: r.runName,
  questionId: r.questionId,
  sampleIndex: r.sampleIndex,
  text: r.text,
  tokenCount: r.tokenCount,
  finishReason: r.finishReason,
  logprobSum: r.logprobSum,
  verdict: verdictOf(r),
  decision: r.itemId === undefined ? null : { itemId: r.itemId, kept: r.kept === 1, dropReason: r.dropReason ?? null },
});
