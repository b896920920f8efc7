import { fingerprint } from '@sieve/core';
import type { Store } from '@sieve/store';

/** The pipeline's stages, in order. */
export const STAGES = ['questions', 'pretrain', 'sample', 'verify', 'filter', 'train', 'eval', 'report'] as const;
export type StageName = (typeof STAGES)[number];

export function isStageName(s: string): s is StageName {
  return (STAGES as readonly string[]).includes(s);
}

export interface StageContext {
  /** The stage's fingerprint: outputs are named after it, so a changed config never reuses stale outputs. */
  fp: string;
  /** True when the same fingerprint was left 'running' by a killed run: continue, don't restart. */
  resume: boolean;
  /** Fingerprint of another instance by id (`stage` or `stage:key`), to name its outputs. */
  fpOf: (id: string) => string;
  log: (line: string) => void;
}

export interface StageInstance {
  stage: StageName;
  /** Distinguishes instances of one stage (e.g. "dft/seed1"); '' when there is one. */
  key: string;
  /** Ids (`stage:key`) of the instances whose outputs this one reads. */
  deps: string[];
  /** Everything of the config that changes this stage's output. */
  config: unknown;
  run(ctx: StageContext): Promise<Record<string, unknown>>;
}

export interface RunOptions {
  /** Rerun only this stage's instances (upstream must be done). */
  only?: StageName;
  /** Rerun this stage and everything downstream. */
  from?: StageName;
  /** Stop after this stage (stages after it are left as they are). */
  until?: StageName;
  /** Ignore fingerprints: rerun everything selected. */
  force?: boolean;
  log?: (line: string) => void;
}

export interface StageOutcome {
  id: string;
  action: 'ran' | 'resumed' | 'skipped' | 'not-selected';
  fingerprint: string;
  durationMs: number;
}

export const instanceId = (i: Pick<StageInstance, 'stage' | 'key'>): string => (i.key ? `${i.stage}:${i.key}` : i.stage);

/**
 * Fingerprints chain: each instance's fingerprint covers its config and its inputs' fingerprints,
 * so a change anywhere reruns that stage and everything downstream of it, and nothing else.
 */
export function fingerprints(instances: readonly StageInstance[]): Map<string, string> {
  const fps = new Map<string, string>();
  for (const inst of instances) {
    const depFps = inst.deps.map((d) => {
      const fp = fps.get(d);
      if (fp === undefined) throw new Error(`stage ${instanceId(inst)} depends on ${d}, which is not before it`);
      return fp;
    });
    fps.set(instanceId(inst), fingerprint({ stage: inst.stage, key: inst.key, config: inst.config, deps: depFps }));
  }
  return fps;
}

export async function runStages(store: Store, instances: readonly StageInstance[], opts: RunOptions = {}): Promise<StageOutcome[]> {
  const log = opts.log ?? (() => undefined);
  const fps = fingerprints(instances);
  const fpOf = (id: string): string => {
    const fp = fps.get(id);
    if (fp === undefined) throw new Error(`no stage ${id} in this pipeline`);
    return fp;
  };
  const fromIdx = opts.from ? STAGES.indexOf(opts.from) : -1;
  const outcomes: StageOutcome[] = [];
  for (const inst of instances) {
    const id = instanceId(inst);
    const fp = fps.get(id) as string;
    const rec = store.stages.get(inst.stage, inst.key);
    const upToDate = rec?.status === 'done' && rec.fingerprint === fp;
    const afterUntil = opts.until !== undefined && STAGES.indexOf(inst.stage) > STAGES.indexOf(opts.until);
    if ((opts.only && inst.stage !== opts.only) || afterUntil) {
      outcomes.push({ id, action: 'not-selected', fingerprint: fp, durationMs: 0 });
      continue;
    }
    const forced = opts.force === true || opts.only !== undefined || (fromIdx >= 0 && STAGES.indexOf(inst.stage) >= fromIdx);
    if (upToDate && !forced) {
      log(`${id}: unchanged, skipped`);
      outcomes.push({ id, action: 'skipped', fingerprint: fp, durationMs: 0 });
      continue;
    }
    const resume = !forced && rec?.status === 'running' && rec.fingerprint === fp;
    log(`${id}: ${resume ? 'resuming' : rec ? (rec.fingerprint === fp ? 'rerunning' : 'config changed, running') : 'running'}`);
    const t0 = Date.now();
    store.stages.start(inst.stage, inst.key, fp);
    try {
      const info = await inst.run({ fp, resume, fpOf, log: (l) => log(`${id}: ${l}`) });
      store.stages.finish(inst.stage, inst.key, 'done', info);
    } catch (err) {
      store.stages.finish(inst.stage, inst.key, 'failed', { error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
    outcomes.push({ id, action: resume ? 'resumed' : 'ran', fingerprint: fp, durationMs: Date.now() - t0 });
  }
  return outcomes;
}
