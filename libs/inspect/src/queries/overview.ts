import type { StageRecord, Store, VerdictStatus } from '@sieve/store';

/** Rows in each table of the run: what each stage has produced so far. */
export interface PipelineCounts {
  questions: number;
  models: number;
  sampleRuns: number;
  samples: number;
  verdicts: number;
  datasets: number;
  keptItems: number;
  trainingRuns: number;
  evaluations: number;
}

const count = (store: Store, sql: string): number => (store.db.prepare(sql).pluck().get() as number | null) ?? 0;

export function pipelineCounts(store: Store): PipelineCounts {
  return {
    questions: count(store, 'SELECT COUNT(*) FROM questions'),
    models: count(store, 'SELECT COUNT(*) FROM models'),
    sampleRuns: count(store, 'SELECT COUNT(*) FROM sample_runs'),
    samples: count(store, 'SELECT COUNT(*) FROM samples'),
    verdicts: count(store, 'SELECT COUNT(*) FROM verdicts'),
    datasets: count(store, 'SELECT COUNT(*) FROM datasets'),
    keptItems: count(store, 'SELECT COUNT(*) FROM dataset_items WHERE kept = 1'),
    trainingRuns: count(store, 'SELECT COUNT(*) FROM training_runs'),
    evaluations: count(store, 'SELECT COUNT(*) FROM evaluations'),
  };
}

export interface StageSummary {
  records: StageRecord[];
  /** Stage records per status (done, running, failed, stale). */
  byStatus: Record<string, number>;
  /** Per stage name: how many records (keys) and how many are done. */
  byStage: { stage: string; records: number; done: number; durationMs: number }[];
}

export function stageSummary(store: Store): StageSummary {
  const records = store.stages.list();
  const byStatus: Record<string, number> = {};
  const byStage = new Map<string, { stage: string; records: number; done: number; durationMs: number }>();
  for (const r of records) {
    byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    const s = byStage.get(r.stage) ?? { stage: r.stage, records: 0, done: 0, durationMs: 0 };
    s.records++;
    if (r.status === 'done') s.done++;
    s.durationMs += r.durationMs ?? 0;
    byStage.set(r.stage, s);
  }
  return { records, byStatus, byStage: [...byStage.values()] };
}

export interface SampleRunSummary {
  id: number;
  name: string;
  modelId: string;
  set: string;
  split: string | null;
  status: string;
  createdAt: string;
  finishedAt: string | null;
  samples: number;
  questions: number;
  verdicts: Record<VerdictStatus | 'unverified', number>;
}

export function sampleRunSummary(store: Store, runId: number, verifier: string): SampleRunSummary | undefined {
  const run = store.samples.getRun(runId);
  if (!run) return undefined;
  const agg = store.db
    .prepare('SELECT COUNT(*) AS samples, COUNT(DISTINCT question_id) AS questions FROM samples WHERE run_id = ?')
    .get(runId) as { samples: number; questions: number };
  return {
    id: run.id,
    name: run.name,
    modelId: run.modelId,
    set: run.set,
    split: run.split,
    status: run.status,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    samples: agg.samples,
    questions: agg.questions,
    verdicts: store.verdicts.counts(runId, verifier),
  };
}

export function sampleRunSummaries(store: Store, verifier: string): SampleRunSummary[] {
  return store.samples.listRuns().map((r) => sampleRunSummary(store, r.id, verifier) as SampleRunSummary);
}

/** The verifier a dataset's correctness was judged by (its rules record it), else the default. */
export function verifierOf(rules: Record<string, unknown>, fallback = 'numeric'): string {
  return typeof rules.verifier === 'string' && rules.verifier ? rules.verifier : fallback;
}
