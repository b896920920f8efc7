/** The filter stage (the RFT dataset) and the pairs stage (DPO's dataset, built only when a method trains on pairs). */
import { defineStage, outName } from '@sieve/core';
import type { RunEnv } from '@sieve/store';
import { buildDataset } from '../build-dataset';
import { FilterRules } from '../rules-schema';
import type { VerifyOptions } from './verify';

/** `filter` in a pipeline config: the filter rules. */
export const FilterOptionsSchema = FilterRules.default(FilterRules.parse({}));

interface Cfg {
  filter: FilterRules;
  verify: VerifyOptions;
}
interface Slice {
  rules: FilterRules;
  /** Whose verdicts decide correctness: the verify stage's override, or unset for each question's own. */
  verifier?: string;
}

const select = (cfg: Cfg): Slice => ({ rules: cfg.filter, ...(cfg.verify.verifier ? { verifier: cfg.verify.verifier } : {}) });

function datasetStage(kind: 'rft' | 'pairs') {
  return defineStage<RunEnv, Cfg, Slice, { dataset: string }>({
    name: kind === 'rft' ? 'filter' : 'pairs',
    summary: kind === 'rft' ? 'keep the correct samples that pass the rules: the RFT dataset' : 'pair kept samples with incorrect ones of the same question (for DPO)',
    instances: () => [{ key: '', inputs: { samples: 'sample', verdicts: 'verify' } }],
    ...(kind === 'pairs' ? { onDemand: true } : {}),
    select,
    outputs: (_s, tag) => ({ dataset: outName(kind, tag) }),
    run: async ({ env, slice, out, input, log }) => {
      // The name carries this stage's fingerprint, so a dataset of that name is this stage's own earlier
      // output: replace it in the same transaction (a rerun or a kill leaves no orphan version beside it).
      const res = env.store.transaction(() => {
        env.store.datasets.deleteByName(out.dataset);
        return buildDataset(env.store, { runName: input('samples', 'runName'), name: out.dataset, rules: slice.rules, ...(slice.verifier ? { verifier: slice.verifier } : {}), kind });
      });
      const drops = Object.entries(res.counts.dropped).filter(([, n]) => n > 0).map(([r, n]) => `${r} ${n}`).join(', ');
      log(`${kind === 'rft' ? 'dataset' : 'pairs'} ${res.dataset.name} v${res.dataset.version}: kept ${res.counts.kept} of ${res.counts.total}${drops ? ` (dropped: ${drops})` : ''}${res.gold ? `, plus ${res.gold} gold solutions` : ''}`);
      return { dataset: res.dataset.name, version: res.dataset.version, kept: res.counts.kept, total: res.counts.total, ...(res.gold ? { gold: res.gold } : {}) };
    },
  });
}

export const FILTER_STAGE = datasetStage('rft');
export const PAIRS_STAGE = datasetStage('pairs');
