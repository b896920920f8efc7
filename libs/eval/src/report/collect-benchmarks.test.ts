/**
 * The per-benchmark table (rows = methods, columns = benchmarks + avg) from hand-made evaluation
 * rows in a real store: its cells are the per-split numbers and avg is their unweighted mean.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '@sieve/store';
import { collectReportData } from './collect';
import { renderMarkdown } from './markdown';
import { renderHtml } from './html';
import type { ReportData } from './types';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** t(0.975, df=1) = tan(0.475π): two seeds give intervals of ±12.706·sd/√2. */
const T1 = Math.tan(0.475 * Math.PI);

/** [model, set, avg@16, greedy] — MATH500 and AIME24 imported as sets with one split each (test). */
const ROWS: [string, string, number, number][] = [
  ['base', 'MATH500', 0.3, 0.4],
  ['base', 'AIME24', 0.1, 0.0],
  ['sft-1', 'MATH500', 0.4, 0.5],
  ['sft-1', 'AIME24', 0.2, 0.1],
  ['sft-2', 'MATH500', 0.5, 0.5],
  ['sft-2', 'AIME24', 0.1, 0.1],
  ['dft-1', 'MATH500', 0.6, 0.7],
  ['dft-1', 'AIME24', 0.2, 0.2],
  ['dft-2', 'MATH500', 0.64, 0.8],
  ['dft-2', 'AIME24', 0.3, 0.2],
  ['dpo-1', 'MATH500', 0.5, 0.5], // dpo was not evaluated on AIME24: no average
];

/** Evaluation rows as [model, set, avg@16, greedy, split (default test)]. */
function collect(rows: readonly (readonly [string, string, number, number, string?])[] = ROWS): ReportData {
  const dir = mkdtempSync(join(tmpdir(), 'sieve-benchmarks-'));
  dirs.push(dir);
  const store = Store.open(join(dir, 'sieve.sqlite'));
  try {
    store.models.upsert({ id: 'base', kind: 'base', path: 'models/base', config: {}, parentId: null, meta: {} });
    for (const [method, seed] of [['sft', 1], ['sft', 2], ['dft', 1], ['dft', 2], ['dpo', 1]] as const) {
      const id = `${method}-${seed}`;
      store.models.upsert({ id, kind: 'trained', path: `models/${id}`, config: {}, parentId: 'base', meta: {} });
      const r = store.training.ensureRun({ name: `${method}-s${seed}`, method, datasetId: null, baseModelId: 'base', seed, config: {} });
      store.training.finish(r.id, 'done', id);
    }
    for (const [modelId, set, avgAtN, greedy, split = 'test'] of rows) {
      store.evaluations.add({ modelId, set, split, settings: {}, n: 16, avgAtN, greedy, passAtK: { '1': avgAtN }, questions: 30, detail: {} });
    }
    return collectReportData(store, { runName: 'bench', createdAt: 'now' });
  } finally {
    store.close();
  }
}

describe('per-benchmark tables', () => {
  it('have a column per benchmark equal to the per-split numbers, and avg their unweighted mean', () => {
    const data = collect();
    const [avg, greedy] = data.benchmarks;
    expect(avg!.metric).toBe('avgAtN');
    expect(avg!.benchmarks.map((b) => b.label)).toEqual(['AIME24', 'MATH500']); // one split per set: named by the set
    for (const t of data.benchmarks) {
      for (const r of t.rows) {
        t.benchmarks.forEach((b, i) => {
          const perSplit = data.rows.find((x) => x.method === r.method && x.set === b.set && x.split === b.split)!;
          expect(r.cells[i]).toEqual(perSplit[t.metric]);
        });
      }
    }
    const row = (t: typeof avg, m: string) => t!.rows.find((r) => r.method === m)!;
    // avg@16: base (0.1 + 0.3)/2; sft seeds (0.2+0.4)/2 = 0.3 and (0.1+0.5)/2 = 0.3; dft 0.4 and 0.47
    expect(row(avg, 'base').avg).toMatchObject({ n: 1, halfWidth: 0 });
    expect(row(avg, 'base').avg!.mean).toBeCloseTo(0.2, 12);
    expect(row(avg, 'sft').avg!.mean).toBeCloseTo(0.3, 12);
    expect(row(avg, 'sft').avg!.halfWidth).toBeCloseTo(0, 12);
    expect(row(avg, 'dft').avg!.mean).toBeCloseTo(0.435, 12);
    expect(row(avg, 'dft').avg!.mean).toBeCloseTo((row(avg, 'dft').cells[0]!.mean + row(avg, 'dft').cells[1]!.mean) / 2, 12);
    expect(row(avg, 'dft').avg!.halfWidth).toBeCloseTo(T1 * 0.035, 9); // sd of 0.40, 0.47 is 0.07/√2; /√2 more
    expect(row(avg, 'dft').seeds).toEqual([1, 2]);
    expect(row(avg, 'dpo').cells.map((c) => c?.mean ?? null)).toEqual([null, 0.5]);
    expect(row(avg, 'dpo').avg).toBeNull();
    // greedy: base (0 + 0.4)/2, dft (0.2+0.7)/2 = 0.45 and (0.2+0.8)/2 = 0.5
    expect(row(greedy, 'base').avg!.mean).toBeCloseTo(0.2, 12);
    expect(row(greedy, 'dft').avg!.mean).toBeCloseTo(0.475, 12);
    expect(row(greedy, 'dft').avg!.halfWidth).toBeCloseTo(T1 * 0.025, 9);
  });

  it('render in report.md and report.html as rows = methods, columns = benchmarks + avg, beside the detailed table', () => {
    const data = collect();
    const md = renderMarkdown(data);
    expect(md).toContain('### Per benchmark');
    expect(md).toContain('avg@16 per benchmark:\n\n| method | seeds | AIME24 | MATH500 | avg |');
    expect(md).toContain('Greedy accuracy per benchmark:\n\n| method | seeds | AIME24 | MATH500 | avg |');
    const hw = (x: number) => (T1 * x).toFixed(3);
    expect(md).toContain('| base | — | 0.100 (n=1) | 0.300 (n=1) | 0.200 (n=1) |');
    expect(md).toContain(`| dft | 2 (1, 2) | 0.250 ± ${hw(0.05)} | 0.620 ± ${hw(0.02)} | 0.435 ± ${hw(0.035)} |`);
    expect(md).toContain('| dpo | 1 (1) | — | 0.500 (n=1) | — |');
    expect(md).toContain('| method | seeds | split | avg@16 | greedy | pass@1 |'); // the detailed table stays
    expect(renderHtml(data)).toContain(`<td>0.435 ± ${hw(0.035)}</td>`);
  });

  it('name the splits of one set (test, ood), and set/split when a set has several', () => {
    // the synthetic set's test and ood splits as the two benchmarks: the same numbers, other labels
    const synth = collect(ROWS.map(([m, set, a, g]) => [m, 'synth', a, g, set === 'MATH500' ? 'test' : 'ood'] as const));
    const [avg] = synth.benchmarks;
    expect(avg!.benchmarks.map((b) => b.label)).toEqual(['test', 'ood']);
    expect(avg!.rows.find((r) => r.method === 'dft')!.avg!.mean).toBeCloseTo(0.435, 12);
    expect(renderMarkdown(synth)).toContain('| method | seeds | test | ood | avg |');
    const mixed = collect([['base', 'A', 0.2, 0.2, 'test'], ['base', 'A', 0.4, 0.4, 'ood'], ['base', 'B', 0.9, 0.9, 'test']]);
    expect(mixed.benchmarks[0]!.benchmarks.map((b) => b.label)).toEqual(['A/test', 'A/ood', 'B/test']);
    expect(mixed.benchmarks[0]!.rows.find((r) => r.method === 'base')!.avg!.mean).toBeCloseTo(0.5, 12);
    const one = collect([['base', 'A', 0.2, 0.2, 'test']]);
    expect(renderMarkdown(one)).not.toContain('Per benchmark'); // one benchmark: the detailed table says it all
  });
});
