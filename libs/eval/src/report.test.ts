import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store, type EvaluationInput, type MetricRow } from '@sieve/store';
import { collectReportData } from './report/collect';
import { renderHtml } from './report/html';
import { renderMarkdown } from './report/markdown';
import { writeReport } from './report/write';
import { type ReportData } from './report/types';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sieve-eval-report-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** t(0.975, df=1) = tan(0.475π): two seeds give intervals of ±12.706·sd/√2. */
const T1 = Math.tan(0.475 * Math.PI);

const evaluation = (modelId: string, split: string, avgAtN: number, greedy: number, pass4: number): EvaluationInput => ({
  modelId,
  set: 'synth',
  split,
  settings: { temperature: 1 },
  n: 16,
  avgAtN,
  greedy,
  passAtK: { '1': avgAtN, '4': pass4 },
  questions: 50,
  detail: {},
});

/** The metrics JSON also carries arrays (pHist), which the store's value type does not spell out. */
const metric = (step: number, values: Record<string, number | number[]>): MetricRow => ({ step, kind: 'train', values: values as unknown as Record<string, number> });

function fillStore(store: Store): void {
  const m = store.models;
  m.upsert({ id: 'base', kind: 'base', path: 'models/base', config: {}, parentId: null, meta: {} });
  for (const id of ['rft-1', 'rft-2', 'dft-1', 'dft-2']) m.upsert({ id, kind: 'trained', path: `models/${id}`, config: {}, parentId: 'base', meta: {} });

  // A sample run of 3 questions × 4 samples; numeric verdicts: 0, 2 and 4 correct.
  store.questions.insertMany('synth', 'train', 'synthetic', [1, 2, 3].map((i) => ({ text: `q${i}`, goldAnswer: String(i), goldSolution: null, difficulty: null, meta: {} })));
  const qs = store.questions.list({ set: 'synth' }).map((q) => q.id);
  const run = store.samples.ensureRun({ name: 'rft-sampling', modelId: 'base', set: 'synth', split: 'train', params: {}, seed: 1 });
  store.samples.insertMany(
    run.id,
    qs.flatMap((q) => [0, 1, 2, 3].map((i) => ({ questionId: q, sampleIndex: i, seed: i, text: `s${q}-${i}`, tokenCount: 3, logprobSum: -1, tokenLogprobs: null, finishReason: 'stop' as const }))),
  );
  const samples = store.samples.list(run.id);
  const correctBy = [0, 2, 4];
  const verdict = { extracted: null, reason: 'r', stepsTotal: 0, stepsWrong: 0, stepsUnchecked: 0, detail: {} };
  store.verdicts.upsertMany(
    samples.map((s) => ({ ...verdict, sampleId: s.id, verifier: 'numeric', status: s.sampleIndex < (correctBy[qs.indexOf(s.questionId)] ?? 0) ? ('correct' as const) : ('incorrect' as const) })),
  );
  // Another verifier calls q1's samples correct: the dataset's rules name "numeric", so these must not count.
  store.verdicts.upsertMany(samples.filter((s) => s.questionId === qs[0]).map((s) => ({ ...verdict, sampleId: s.id, verifier: 'lenient', status: 'correct' as const })));
  const item = (s: (typeof samples)[number], kept: boolean, dropReason: string | null) => ({ sampleId: s.id, questionId: s.questionId, prompt: 'p', response: s.text, kept, dropReason });
  const rft = store.datasets.create(
    { name: 'rft-data', kind: 'rft', sampleRunId: run.id, rules: { verifier: 'numeric' }, stats: {} },
    samples.map((s) => {
      const qi = qs.indexOf(s.questionId);
      const correct = s.sampleIndex < (correctBy[qi] ?? 0);
      if (!correct) return item(s, false, 'incorrect');
      return qi === 2 && s.sampleIndex === 3 ? item(s, false, 'duplicate') : item(s, true, null);
    }),
  );
  const pairs = store.datasets.create(
    { name: 'pairs-data', kind: 'pairs', sampleRunId: null, rules: {}, stats: { questions: 10, samples: 40, correctPerQuestion: { '0': 3, '2': 7 } } },
    [item(samples[4]!, true, null), item(samples[5]!, true, null), item(samples[6]!, false, null)],
  );

  const t = store.training;
  for (const [method, seed] of [['rft', 1], ['rft', 2], ['dft', 1], ['dft', 2]] as const) {
    const r = t.ensureRun({ name: `${method}-s${seed}`, method, datasetId: rft.id, baseModelId: 'base', seed, config: {} });
    t.addMetrics(r.id, [
      metric(0, { loss: 2, ce: 2, meanP: 0.2, pHist: seed === 1 ? [4, 3, 2, 1] : [3, 3, 2, 2] }),
      metric(10, { loss: 1.5, ce: 1.6, meanP: 0.3 }),
      metric(20, { loss: method === 'dft' ? 0.5 : 1, ce: 1.2, meanP: 0.5 + seed / 10, pHist: seed === 1 ? [1, 2, 3, 4] : [0, 2, 3, 5] }),
    ]);
    t.finish(r.id, 'done', `${method}-${seed}`);
  }
  t.ensureRun({ name: 'dpo-s3', method: 'dpo', datasetId: pairs.id, baseModelId: 'base', seed: 3, config: {} });

  const e = store.evaluations;
  e.add(evaluation('rft-1', 'id', 0.1, 0.1, 0.1)); // superseded by the re-evaluation below
  e.add(evaluation('base', 'id', 0.3, 0.35, 0.6));
  e.add(evaluation('base', 'ood', 0.05, 0.1, 0.2));
  e.add(evaluation('rft-1', 'id', 0.4, 0.5, 0.8));
  e.add(evaluation('rft-2', 'id', 0.5, 0.5, 0.9));
  e.add(evaluation('rft-1', 'ood', 0.1, 0.2, 0.3));
  e.add(evaluation('rft-2', 'ood', 0.2, 0.2, 0.4));
  e.add(evaluation('dft-1', 'id', 0.6, 0.7, 0.9));
  e.add(evaluation('dft-2', 'id', 0.64, 0.8, 0.95));
  e.add(evaluation('dft-1', 'ood', 0.3, 0.3, 0.5));
  e.add(evaluation('dft-2', 'ood', 0.3, 0.4, 0.6));
}

function collect(): ReportData {
  const store = Store.open(join(tempDir(), 'sieve.sqlite'));
  try {
    fillStore(store);
    return collectReportData(store, { runName: 'exp <b>1</b>', createdAt: '2026-01-02T03:04:05.000Z', command: 'sieve report --run exp', machine: '2 cores', commit: 'abc123' });
  } finally {
    store.close();
  }
}

const rowLine = (md: string, method: string, split: string): string => md.split('\n').find((l) => l.startsWith(`| ${method} |`) && l.includes(`| ${split} |`)) ?? '';

describe('collectReportData', () => {
  it('groups evaluations by the training run’s method over seeds, with t intervals', () => {
    const data = collect();
    expect(data.methods).toEqual(['base', 'rft', 'dft', 'dpo']);
    expect(data.splits.map((s) => s.label)).toEqual(['id', 'ood']);
    expect(data.passKs).toEqual([1, 4]);
    const row = (method: string, split: string) => data.rows.find((r) => r.method === method && r.split === split)!;

    const rftId = row('rft', 'id'); // avg@16 0.4, 0.5 (the older 0.1 is replaced)
    expect(rftId.seeds).toEqual([1, 2]);
    expect(rftId.avgAtN!.mean).toBeCloseTo(0.45, 12);
    expect(rftId.avgAtN!.sd).toBeCloseTo(Math.SQRT1_2 / 10, 12);
    expect(rftId.avgAtN!.halfWidth).toBeCloseTo(T1 * 0.05, 9); // sd/√2 = 0.05
    expect(rftId.passAtK['4']!.mean).toBeCloseTo(0.85, 12);
    expect(rftId.n).toBe(16);

    const dftId = row('dft', 'id'); // 0.6, 0.64: sd/√2 = 0.02
    expect(dftId.avgAtN!.mean).toBeCloseTo(0.62, 12);
    expect(dftId.avgAtN!.halfWidth).toBeCloseTo(T1 * 0.02, 9);
    expect(row('dft', 'ood').avgAtN!.halfWidth).toBe(0); // 0.3, 0.3

    const baseId = row('base', 'id');
    expect(baseId.avgAtN).toMatchObject({ mean: 0.3, n: 1, lo: 0.3, hi: 0.3 });
    expect(baseId.seeds).toEqual([]);

    const dpo = row('dpo', 'id');
    expect(dpo).toMatchObject({ avgAtN: null, greedy: null, passAtK: {}, models: 0, seeds: [3] });
    expect(data.notes).toContain('dpo: no evaluation yet');
    expect(data.notes).toContain('training run dpo-s3 (dpo, seed 3) is running');
  });

  it('pairs DFT against RFT seed by seed', () => {
    const data = collect();
    expect(data.baseline).toBe('rft');
    const c = data.comparisons.find((x) => x.method === 'dft' && x.split === 'id' && x.metric === 'avgAtN')!;
    // differences 0.2 and 0.14: mean 0.17, sd/√2 = 0.03
    expect(c.seeds).toEqual([1, 2]);
    expect(c.diff.mean).toBeCloseTo(0.17, 12);
    expect(c.diff.halfWidth).toBeCloseTo(T1 * 0.03, 9);
    expect(c.diff.clearOfZero).toBe(false);
    expect(data.comparisons.some((x) => x.method === 'base' || x.method === 'rft')).toBe(false);
  });

  it('summarises datasets from their sample run, verdicts and stats', () => {
    const data = collect();
    const rft = data.datasets.find((d) => d.name === 'rft-data')!;
    expect(rft).toMatchObject({ version: 1, kind: 'rft', questions: 3, samples: 12, kept: 5, dropped: 7, correctPerQuestion: [1, 0, 1, 0, 1] });
    expect(rft.acceptanceRate).toBeCloseTo(5 / 12, 12);
    expect(rft.drops).toEqual({ incorrect: 6, duplicate: 1 });
    const pairs = data.datasets.find((d) => d.name === 'pairs-data')!;
    expect(pairs).toMatchObject({ questions: 10, samples: 40, kept: 2, dropped: 1, acceptanceRate: 0.05, correctPerQuestion: [3, 0, 7], drops: { unspecified: 1 } });
  });

  it('reads curves and sums the first and last p(y_t) histograms over seeds', () => {
    const data = collect();
    expect(data.curves.map((c) => `${c.method}/${c.seed}`)).toEqual(['rft/1', 'rft/2', 'dft/1', 'dft/2', 'dpo/3']);
    expect(data.curves[2]!.points).toEqual([
      { step: 0, loss: 2, ce: 2, meanP: 0.2 },
      { step: 10, loss: 1.5, ce: 1.6, meanP: 0.3 },
      { step: 20, loss: 0.5, ce: 1.2, meanP: 0.6 },
    ]);
    const dft = data.pHists.find((h) => h.method === 'dft')!;
    expect(dft).toEqual({ method: 'dft', seeds: [1, 2], start: [7, 6, 4, 3], end: [1, 4, 6, 9], startSteps: [0, 0], endSteps: [20, 20] });
  });

  it('tolerates an empty store', () => {
    const store = Store.open(join(tempDir(), 'sieve.sqlite'));
    const data = collectReportData(store, { runName: 'empty', createdAt: 'now' });
    store.close();
    expect(data.rows).toEqual([]);
    const md = renderMarkdown(data);
    expect(md).toContain('# sieve report: empty');
    expect(renderHtml(data)).toContain('no data');
  });
});

describe('renderMarkdown / renderHtml / writeReport', () => {
  it('report.md has every method’s row with its mean and interval', () => {
    const md = renderMarkdown(collect());
    expect(md).toContain('| method | seeds | split | avg@16 | greedy | pass@1 | pass@4 |');
    const hw = (sdOverRootN: number) => (T1 * sdOverRootN).toFixed(3);
    expect(rowLine(md, 'base', 'id')).toBe('| base | — | id | 0.300 (n=1) | 0.350 (n=1) | 0.300 (n=1) | 0.600 (n=1) |');
    expect(rowLine(md, 'rft', 'id')).toBe(`| rft | 2 (1, 2) | id | 0.450 ± ${hw(0.05)} | 0.500 ± 0.000 | 0.450 ± ${hw(0.05)} | 0.850 ± ${hw(0.05)} |`);
    expect(rowLine(md, 'dft', 'id')).toBe(`| dft | 2 (1, 2) | id | 0.620 ± ${hw(0.02)} | 0.750 ± ${hw(0.05)} | 0.620 ± ${hw(0.02)} | 0.925 ± ${hw(0.025)} |`);
    expect(rowLine(md, 'rft', 'ood')).toBe(`| rft | 2 (1, 2) | ood | 0.150 ± ${hw(0.05)} | 0.200 ± 0.000 | 0.150 ± ${hw(0.05)} | 0.350 ± ${hw(0.05)} |`);
    expect(rowLine(md, 'dft', 'ood')).toBe(`| dft | 2 (1, 2) | ood | 0.300 ± 0.000 | 0.350 ± ${hw(0.05)} | 0.300 ± 0.000 | 0.550 ± ${hw(0.05)} |`);
    expect(rowLine(md, 'dpo', 'id')).toBe('| dpo | 1 (3) | id | — | — | — | — |');
    expect(md).toContain(`| dft | id | avg@16 | 0.170 | [${(0.17 - T1 * 0.03).toFixed(3)}, ${(0.17 + T1 * 0.03).toFixed(3)}] | 1, 2 | no |`);
    // dataset section: counts, acceptance, a text histogram and drops per reason
    expect(md).toContain('| 3 | 12 | 5 | 7 | 41.7% |');
    expect(md).toMatch(/```text\n0 │█{40} 1\n1 │ 0\n2 │█{40} 1\n3 │ 0\n4 │█{40} 1\n```/);
    expect(md).toContain('| incorrect | 6 |');
    for (const f of ['accuracy.svg', 'loss.svg', 'ce.svg', 'p-hist.svg']) expect(md).toContain(`](${f})`);
    expect(md).toContain('# sieve report: exp &lt;b&gt;1&lt;/b&gt;');
  });

  it('report.html is self-contained, escaped and carries the SVGs inline', () => {
    const html = renderHtml(collect());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/http|src=|href=|<link|<script|url\(/i);
    expect(html.match(/<svg /g)).toHaveLength(5);
    expect(html.match(/<\/svg>/g)).toHaveLength(5);
    expect(html).toContain('<style>');
    expect(html).toContain('exp &lt;b&gt;1&lt;/b&gt;');
    expect(html).not.toContain('<b>1</b>');
    expect(html).toContain(`<td>0.450 ± ${(T1 * 0.05).toFixed(3)}</td>`);
  });

  it('writes report.md, report.html and the SVGs atomically, the same each time', () => {
    const data = collect();
    const dir = join(tempDir(), 'report');
    const files = writeReport(dir, data);
    expect(files.markdown).toBe(join(dir, 'report.md'));
    expect(readFileSync(files.markdown, 'utf8')).toBe(renderMarkdown(data));
    expect(readFileSync(files.html, 'utf8')).toBe(renderHtml(data));
    expect(files.svgs.map((p) => p.slice(dir.length + 1))).toEqual(['accuracy.svg', 'loss.svg', 'ce.svg', 'mean-p.svg', 'p-hist.svg']);
    for (const p of files.svgs) expect(readFileSync(p, 'utf8')).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>\n$/);
    expect(readdirSync(dir).sort()).toEqual(['accuracy.svg', 'ce.svg', 'loss.svg', 'mean-p.svg', 'p-hist.svg', 'report.html', 'report.md']);
    const before = readFileSync(join(dir, 'loss.svg'), 'utf8');
    writeReport(dir, data);
    expect(readFileSync(join(dir, 'loss.svg'), 'utf8')).toBe(before);
    expect(existsSync(join(dir, 'report.md'))).toBe(true);
  });
});
