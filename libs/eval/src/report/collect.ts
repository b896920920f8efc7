import { InputError } from '@sieve/core';
import type { Store } from '@sieve/store';
import { benchmarkTables } from './collect-benchmarks';
import { attributeEvaluations, comparisonRows, pairedComparisons, splitsOf } from './collect-evals';
import { pickDatasets, summarizeDataset } from './collect-datasets';
import { curveOf, methodPHists, runPHists } from './collect-training';
import type { ReportData, TokenProbHistograms } from './types';

export interface CollectOptions {
  runName: string;
  /** Trained methods to show, in this order (default: every method trained, in training order). `base` always comes first. */
  methods?: readonly string[];
  /** Show the base model as method `base` (default true). */
  includeBase?: boolean;
  /** Reference of the paired per-seed differences (default `rft`, else `sft`, when shown); null for none. */
  baseline?: string | null;
  /** Dataset names to summarise (latest version of each); default: the latest of each name and every version a run trained on. */
  datasets?: readonly string[];
  /** Confidence level of the intervals (default 0.95). */
  level?: number;
  createdAt?: string;
  command?: string | null;
  machine?: string | null;
  commit?: string | null;
  notes?: readonly string[];
  /** Only these training runs (by name); default every run in the store. A pipeline passes its current runs so stale ones stay out. */
  trainingRuns?: readonly string[];
  /** Only these base models (by id); default every base model. */
  baseModels?: readonly string[];
}

/** Reads everything the report shows from a run's store. Missing pieces become "—" and notes, never errors. */
export function collectReportData(store: Store, opts: CollectOptions): ReportData {
  const level = opts.level ?? 0.95;
  if (!(level > 0 && level < 1)) {
    throw new InputError(`the confidence level must be in (0, 1), got ${level}`, { where: 'report options: level', hint: 'e.g. 0.95' });
  }
  const notes: string[] = [];
  const models = store.models.list().filter((m) => !opts.baseModels || m.kind !== 'base' || opts.baseModels.includes(m.id));
  const runs = store.training.list().filter((r) => !opts.trainingRuns || opts.trainingRuns.includes(r.name));
  const items = attributeEvaluations(store.evaluations.list(), models, runs);

  const trained = [...new Set(runs.map((r) => r.method))];
  const others = [...new Set(items.map((x) => x.method))].filter((m) => m !== 'base' && !trained.includes(m));
  const wanted = opts.methods ? [...opts.methods] : [...trained, ...others];
  const hasBase = models.some((m) => m.kind === 'base') || items.some((x) => x.method === 'base');
  const methods = [...new Set([...((opts.includeBase ?? true) && hasBase ? ['base'] : []), ...wanted])];

  const shownRuns = runs.filter((r) => methods.includes(r.method));
  const knownSeeds = new Map<string, number[]>();
  for (const r of shownRuns) knownSeeds.set(r.method, [...(knownSeeds.get(r.method) ?? []), r.seed]);

  const shownItems = items.filter((x) => methods.includes(x.method));
  const splits = splitsOf(shownItems);
  const rows = comparisonRows(shownItems, methods, splits, knownSeeds, level);
  for (const m of methods) if (!shownItems.some((x) => x.method === m)) notes.push(`${m}: no evaluation yet`);
  for (const r of shownRuns) if (r.status !== 'done') notes.push(`training run ${r.name} (${r.method}, seed ${r.seed}) is ${r.status}`);

  const baseline = opts.baseline !== undefined ? opts.baseline : (['rft', 'sft'].find((m) => methods.includes(m)) ?? null);
  const comparisons = baseline ? pairedComparisons(shownItems, methods, baseline, splits, level) : [];

  const usedIds = new Set(shownRuns.map((r) => r.datasetId).filter((id): id is number => id !== null));
  const picked = pickDatasets(store, opts.datasets, usedIds);
  for (const n of opts.datasets ?? []) if (!picked.some((d) => d.name === n)) notes.push(`dataset ${n}: not in this store`);
  const datasets = picked.map((d) => summarizeDataset(store, d));

  const curves = [];
  const pHists: TokenProbHistograms[] = [];
  for (const method of methods) {
    const mine = shownRuns.filter((r) => r.method === method).sort((a, b) => a.seed - b.seed || a.id - b.id);
    const withHists = [];
    for (const r of mine) {
      const metrics = store.training.metrics(r.id);
      curves.push(curveOf(r, metrics));
      const hists = runPHists(metrics);
      if (hists) withHists.push({ seed: r.seed, name: r.name, hists });
    }
    const h = methodPHists(method, withHists, notes);
    if (h) pHists.push(h);
  }

  const passKs = [...new Set(rows.flatMap((r) => Object.keys(r.passAtK).map(Number)))].sort((a, b) => a - b);
  return {
    runName: opts.runName,
    createdAt: opts.createdAt ?? new Date().toISOString(),
    command: opts.command ?? null,
    machine: opts.machine ?? null,
    commit: opts.commit ?? null,
    level,
    methods,
    splits,
    rows,
    benchmarks: benchmarkTables(shownItems, methods, splits, level),
    passKs,
    baseline,
    comparisons,
    datasets,
    curves,
    pHists,
    notes: [...notes, ...(opts.notes ?? [])],
  };
}
