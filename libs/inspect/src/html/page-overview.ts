import type { ModelRow, StoreCounts, TrainingRunRow } from '@sieve/store';
import type { SampleRunSummary, StageSummary } from '../queries/overview';
import { page, pct, seconds, statusBadge, table } from './layout';
import { href, html } from './safe';

export interface OverviewData {
  runName: string;
  counts: StoreCounts;
  stages: StageSummary;
  sampleRuns: SampleRunSummary[];
  datasets: { id: number; name: string; version: number; kind: string; items: number; kept: number; sampleRun: string | null }[];
  trainingRuns: TrainingRunRow[];
  models: ModelRow[];
}

export function overviewPage(d: OverviewData): string {
  const c = d.counts;
  const body = html`<h1>Run ${d.runName}</h1>
<p class="muted">questions ${c.questions} · models ${c.models} · sample runs ${c.sampleRuns} · samples ${c.samples} · verdicts ${c.verdicts} ·
datasets ${c.datasets} · kept items ${c.keptItems} · training runs ${c.trainingRuns} · evaluations ${c.evaluations}</p>
<h2>Stages</h2>
${table(
  ['stage', 'key', 'status', 'started', 'finished', 'duration', 'fingerprint'],
  d.stages.records.map((s) => [s.stage, s.key || '—', statusBadge(s.status), s.startedAt, s.finishedAt, seconds(s.durationMs), s.fingerprint.slice(0, 12)]),
  'stages',
)}
<h2>Sample runs</h2>
${table(
  ['run', 'model', 'set/split', 'status', 'samples', 'questions', 'correct', 'incorrect', 'unparseable', 'unverified', 'pass rate'],
  d.sampleRuns.map((r) => [
    html`<a href="${href(`/runs/${r.id}`)}">${r.name}</a>`,
    r.modelId,
    `${r.set}${r.split ? `/${r.split}` : ''}`,
    statusBadge(r.status),
    r.samples,
    r.questions,
    r.verdicts.correct,
    r.verdicts.incorrect,
    r.verdicts.unparseable,
    r.verdicts.unverified,
    pct(r.samples ? r.verdicts.correct / r.samples : null),
  ]),
  'sample-runs',
)}
<h2>Datasets</h2>
${table(
  ['dataset', 'kind', 'from samples', 'items', 'kept', 'acceptance'],
  d.datasets.map((x) => [
    html`<a href="${href(`/datasets/${x.id}`)}">${x.name}@${x.version}</a>`,
    x.kind,
    x.sampleRun,
    x.items,
    x.kept,
    pct(x.items ? x.kept / x.items : null),
  ]),
  'datasets',
)}
<h2>Training runs</h2>
${table(
  ['run', 'method', 'seed', 'status', 'step', 'dataset', 'base model', 'output model', 'finished'],
  d.trainingRuns.map((t) => [t.name, t.method, t.seed, statusBadge(t.status), t.step, t.datasetId, t.baseModelId, t.outModelId, t.finishedAt]),
)}
<p><a href="/training">training curves and the evaluation table</a></p>
<h2>Models</h2>
${table(
  ['model', 'kind', 'parent', 'path'],
  d.models.map((m) => [m.id, m.kind, m.parentId, m.path]),
)}`;
  return page({ title: 'run', runName: d.runName, body });
}
