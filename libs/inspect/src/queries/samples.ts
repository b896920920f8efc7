import { decodeFloats, type QuestionRow, type SampleRunRow, type Store } from '@sieve/store';
import { VERDICT_COLS, toVerdictView, type RawVerdictCols, type VerdictView } from './verdict-view';

/** A sample with its verdict under one verifier and, in a dataset's context, the filter's decision. */
export interface SampleEntry {
  sampleId: number;
  runId: number;
  runName: string;
  questionId: number;
  sampleIndex: number;
  text: string;
  tokenCount: number;
  finishReason: string;
  logprobSum: number;
  verdict: VerdictView | null;
  /** In a dataset: kept or dropped (with why); null outside one. */
  decision: { itemId: number; kept: boolean; dropReason: string | null } | null;
}

type RawEntry = RawVerdictCols & {
  sampleId: number;
  runId: number;
  runName: string;
  questionId: number;
  sampleIndex: number;
  text: string;
  tokenCount: number;
  finishReason: string;
  logprobSum: number;
  itemId?: number;
  kept?: number;
  dropReason?: string | null;
};

const SAMPLE_COLS = `s.id AS sampleId, s.run_id AS runId, r.name AS runName, s.question_id AS questionId, s.sample_index AS sampleIndex,
  s.text AS text, s.token_count AS tokenCount, s.finish_reason AS finishReason, s.logprob_sum AS logprobSum`;

const toEntry = (r: RawEntry): SampleEntry => ({
  sampleId: r.sampleId,
  runId: r.runId,
  runName: r.runName,
  questionId: r.questionId,
  sampleIndex: r.sampleIndex,
  text: r.text,
  tokenCount: r.tokenCount,
  finishReason: r.finishReason,
  logprobSum: r.logprobSum,
  verdict: toVerdictView(r, r.text),
  decision: r.itemId === undefined ? null : { itemId: r.itemId, kept: r.kept === 1, dropReason: r.dropReason ?? null },
});

/** Samples of one question (every sample run, or one), through the samples_question index, paged. */
export function questionSamples(
  store: Store,
  questionId: number,
  opts: { verifier: string; runId?: number; limit: number; offset: number },
): { rows: SampleEntry[]; total: number } {
  const args = { q: questionId, verifier: opts.verifier, run: opts.runId ?? null };
  const where = `s.question_id = @q${opts.runId === undefined ? '' : ' AND s.run_id = @run'}`;
  const rows = store.db
    .prepare(
      `SELECT ${SAMPLE_COLS}, ${VERDICT_COLS}
       FROM samples s JOIN sample_runs r ON r.id = s.run_id
       LEFT JOIN verdicts v ON v.sample_id = s.id AND v.verifier = @verifier
       WHERE ${where} ORDER BY s.run_id, s.sample_index LIMIT @limit OFFSET @offset`,
    )
    .all({ ...args, limit: opts.limit, offset: opts.offset }) as RawEntry[];
  const total = store.db.prepare(`SELECT COUNT(*) FROM samples s WHERE ${where}`).pluck().get(args) as number;
  return { rows: rows.map(toEntry), total };
}

/** Every item of one question in a dataset, with its sample and verdict. Items without a sample are left out. */
export function datasetQuestionEntries(store: Store, datasetId: number, questionId: number, verifier: string): SampleEntry[] {
  const rows = store.db
    .prepare(
      `SELECT ${SAMPLE_COLS}, ${VERDICT_COLS}, di.id AS itemId, di.kept AS kept, di.drop_reason AS dropReason
       FROM dataset_items di JOIN samples s ON s.id = di.sample_id JOIN sample_runs r ON r.id = s.run_id
       LEFT JOIN verdicts v ON v.sample_id = s.id AND v.verifier = @verifier
       WHERE di.dataset_id = @d AND di.question_id = @q ORDER BY s.sample_index, di.id`,
    )
    .all({ d: datasetId, q: questionId, verifier }) as RawEntry[];
  return rows.map(toEntry);
}

export interface SampleDetail {
  id: number;
  run: SampleRunRow;
  question: QuestionRow;
  sampleIndex: number;
  seed: number;
  text: string;
  tokenCount: number;
  logprobSum: number;
  finishReason: string;
  /** Sampling-time log-probs of the generated tokens, as stored (null when not kept). */
  tokenLogprobs: Float32Array | null;
  /** One per verifier that judged it. */
  verdicts: VerdictView[];
  /** Every dataset the sample is an item of, with the decision there. */
  decisions: { datasetId: number; name: string; version: number; itemId: number; kept: boolean; dropReason: string | null }[];
}

export function sampleDetail(store: Store, sampleId: number): SampleDetail | undefined {
  const s = store.db.prepare('SELECT * FROM samples WHERE id = ?').get(sampleId) as
    | { id: number; run_id: number; question_id: number; sample_index: number; seed: number; text: string; token_count: number; logprob_sum: number; token_logprobs: Buffer | null; finish_reason: string }
    | undefined;
  if (!s) return undefined;
  const run = store.samples.getRun(s.run_id);
  const question = store.questions.get(s.question_id);
  if (!run || !question) return undefined;
  const verdicts = (store.db.prepare(`SELECT ${VERDICT_COLS} FROM verdicts v WHERE v.sample_id = ? ORDER BY v.verifier`).all(sampleId) as RawVerdictCols[])
    .map((v) => toVerdictView(v, s.text))
    .filter((v): v is VerdictView => v !== null);
  // Only datasets built from this sample's run can hold it: each lookup stays inside one dataset.
  const decisions = store.db
    .prepare(
      `SELECT d.id AS datasetId, d.name, d.version, di.id AS itemId, di.kept, di.drop_reason AS dropReason
       FROM datasets d JOIN dataset_items di ON di.dataset_id = d.id AND di.question_id = @q AND di.sample_id = @s
       WHERE d.sample_run_id = @run ORDER BY d.name, d.version`,
    )
    .all({ q: s.question_id, s: s.id, run: s.run_id }) as { datasetId: number; name: string; version: number; itemId: number; kept: number; dropReason: string | null }[];
  return {
    id: s.id,
    run,
    question,
    sampleIndex: s.sample_index,
    seed: s.seed,
    text: s.text,
    tokenCount: s.token_count,
    logprobSum: s.logprob_sum,
    finishReason: s.finish_reason,
    tokenLogprobs: decodeFloats(s.token_logprobs),
    verdicts,
    decisions: decisions.map((d) => ({ ...d, kept: d.kept === 1 })),
  };
}
