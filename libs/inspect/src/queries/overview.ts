import type { StageRecord, Store, VerdictStatus } from '@sieve/store';

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
  const agg = store.samples.runTotals(runId);
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
