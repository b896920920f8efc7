/** The report stage: report.md and report.html over the run's current models. */
import { join } from 'node:path';
import { defineStage } from '@sieve/core';
import type { RunEnv } from '@sieve/store';
import { collectReportData } from '../report/collect';
import { writeReport } from '../report/write';

interface Cfg {
  name: string;
  train: { methods: readonly string[]; seeds: readonly number[] };
}
interface Slice {
  name: string;
  methods: readonly string[];
}

export const REPORT_STAGE = defineStage<RunEnv, Cfg, Slice, { markdown: string; html: string }>({
  name: 'report',
  summary: 'write report.md and report.html',
  instances: (cfg) => {
    const keys = cfg.train.methods.flatMap((m) => cfg.train.seeds.map((s) => `${m}/s${s}`));
    const inputs: Record<string, string> = { base: 'pretrain', dataset: 'filter', 'eval:base': 'eval:base' };
    for (const k of keys) Object.assign(inputs, { [`train:${k}`]: `train:${k}`, [`eval:${k}`]: `eval:${k}` });
    return [{ key: '', inputs }];
  },
  select: (cfg) => ({ name: cfg.name, methods: cfg.train.methods }),
  outputs: () => ({ markdown: join('report', 'report.md'), html: join('report', 'report.html') }),
  run: async ({ env, slice, inputs, input, log }) => {
    const runs = Object.entries(inputs).filter(([role]) => role.startsWith('train:')).map(([, o]) => o['modelId'] as string);
    const data = collectReportData(env.store, {
      runName: slice.name,
      methods: slice.methods,
      trainingRuns: runs,
      baseModels: [input('base', 'modelId')],
      datasets: [input('dataset', 'dataset')],
    });
    const files = writeReport(join(env.runDir, 'report'), data);
    log(`report: ${files.markdown}`);
    return { markdown: files.markdown, html: files.html };
  },
});
