import { fingerprint, SieveError, type StageDef, type StageOutputs, type StageProgress } from '@sieve/core';
import type { RunEnv } from '@sieve/store';

/** A stage declaration of any config and slice (the runner only passes them through). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStage = StageDef<RunEnv, any, any, any>;

/** One planned instance: what it reads (its slice), what it is (its fingerprint) and what it makes (its outputs). */
export interface PlannedInstance {
  stage: string;
  key: string;
  /** `stage` or `stage:key`. */
  id: string;
  def: AnyStage;
  /** role → instance id. */
  inputs: Readonly<Record<string, string>>;
  /** The config slice: fingerprinted, and the only part of the config `run` sees. */
  slice: unknown;
  fingerprint: string;
  outputs: StageOutputs;
}

export const instanceId = (stage: string, key: string): string => (key ? `${stage}:${key}` : stage);

/**
 * The instances of `stages` for `config`, in run order. Fingerprints chain: an instance's covers its
 * slice and its inputs' fingerprints, so a change anywhere reruns that stage and everything that
 * reads it, and nothing else. An on-demand stage (DPO pairs) is planned only when an instance reads it.
 * @throws SieveError when an instance reads one that is not planned before it.
 */
export function planStages(stages: readonly AnyStage[], config: unknown): PlannedInstance[] {
  const specs = stages.flatMap((def) => def.instances(config).map((spec) => ({ def, spec, id: instanceId(def.name, spec.key) })));
  const read = new Set(specs.flatMap((s) => Object.values(s.spec.inputs)));
  const planned = new Map<string, PlannedInstance>();
  for (const { def, spec, id } of specs) {
    if (def.onDemand && !read.has(id)) continue;
    const inputFps: Record<string, string> = {};
    for (const [role, dep] of Object.entries(spec.inputs)) {
      const d = planned.get(dep);
      if (!d) throw new SieveError(`stage ${id} reads ${dep} (as ${role}), which is not planned before it`, { hint: 'the stage list in libs/pipeline/src/stages.ts is out of order' });
      inputFps[role] = d.fingerprint;
    }
    const slice: unknown = def.select(config, spec.key);
    const fp = fingerprint({ stage: def.name, key: spec.key, slice, inputs: inputFps });
    planned.set(id, { stage: def.name, key: spec.key, id, def, inputs: spec.inputs, slice, fingerprint: fp, outputs: def.outputs(slice, fp.slice(0, 8), spec.key) });
  }
  return [...planned.values()];
}

export interface RunOptions {
  /** Rerun only this stage's instances (their inputs must be done). */
  only?: string;
  /** Rerun this stage and every stage after it. */
  from?: string;
  /** Stop after this stage (stages after it are left as they are). */
  until?: string;
  /** Ignore fingerprints: rerun every selected stage. */
  force?: boolean;
  log?: (line: string) => void;
  progress?: (label: string, total: number) => StageProgress;
}

export interface StageOutcome {
  id: string;
  action: 'ran' | 'resumed' | 'skipped' | 'not-selected';
  fingerprint: string;
  durationMs: number;
}

/** Every instance that reads `id`, directly or through others. */
function dependentsOf(instances: readonly PlannedInstance[], id: string): PlannedInstance[] {
  const hit = new Set([id]);
  const out: PlannedInstance[] = [];
  for (const i of instances) {
    if (Object.values(i.inputs).some((d) => hit.has(d))) {
      hit.add(i.id);
      out.push(i);
    }
  }
  return out;
}

const noProgress = (): StageProgress => ({ update: () => undefined, stop: () => undefined });

/**
 * Runs the planned instances in order: skips one whose record is done with the same fingerprint
 * (unless forced, or its `check` finds its outputs broken), resumes one a killed run left running
 * with the same fingerprint, and runs the rest from scratch.
 */
export async function runStages(env: RunEnv, instances: readonly PlannedInstance[], opts: RunOptions = {}): Promise<StageOutcome[]> {
  const log = opts.log ?? (() => undefined);
  const order = [...new Set(instances.map((i) => i.stage))];
  const pos = (stage: string | undefined): number => (stage === undefined ? -1 : order.indexOf(stage));
  const byId = new Map(instances.map((i) => [i.id, i]));
  const outcomes: StageOutcome[] = [];
  for (const inst of instances) {
    const { id, fingerprint: fp } = inst;
    const rec = env.store.stages.get(inst.stage, inst.key);
    const afterUntil = opts.until !== undefined && pos(inst.stage) > pos(opts.until);
    if ((opts.only !== undefined && inst.stage !== opts.only) || afterUntil) {
      outcomes.push({ id, action: 'not-selected', fingerprint: fp, durationMs: 0 });
      continue;
    }
    const forced = opts.force === true || opts.only !== undefined || (opts.from !== undefined && pos(inst.stage) >= pos(opts.from));
    const broken = rec?.status === 'done' && rec.fingerprint === fp ? ((await inst.def.check?.({ env, out: inst.outputs })) ?? null) : null;
    if (rec?.status === 'done' && rec.fingerprint === fp && !forced && broken === null) {
      log(`${id}: unchanged, skipped`);
      outcomes.push({ id, action: 'skipped', fingerprint: fp, durationMs: 0 });
      continue;
    }
    const resume = !forced && rec?.status === 'running' && rec.fingerprint === fp;
    const why = broken !== null ? `output broken (${broken}), running again` : resume ? 'resuming' : rec ? (rec.fingerprint === fp ? 'rerunning' : 'config changed, running') : 'running';
    log(`${id}: ${why}`);
    const t0 = Date.now();
    env.store.stages.start(inst.stage, inst.key, fp);
    const inputs = Object.fromEntries(Object.entries(inst.inputs).map(([role, dep]) => [role, byId.get(dep)?.outputs ?? {}]));
    try {
      const info = await inst.def.run({
        env,
        slice: inst.slice,
        key: inst.key,
        out: inst.outputs,
        inputs,
        input: (role: string, name: string): string => {
          const v = inputs[role]?.[name];
          if (v === undefined) throw new SieveError(`stage ${id} has no input ${role}.${name}`, { hint: `declare it in the ${inst.stage} stage's instances()` });
          return v;
        },
        resume,
        fingerprint: fp,
        log: (l: string) => log(`${id}: ${l}`),
        progress: opts.progress ?? noProgress,
      });
      env.store.transaction(() => {
        env.store.stages.finish(inst.stage, inst.key, 'done', info);
        // What read the old outputs is out of date now, even where its fingerprint is the same (--only, --force).
        for (const d of dependentsOf(instances, id)) env.store.stages.markStale(d.stage, d.key);
      });
    } catch (err) {
      env.store.stages.finish(inst.stage, inst.key, 'failed', { error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
    outcomes.push({ id, action: resume ? 'resumed' : 'ran', fingerprint: fp, durationMs: Date.now() - t0 });
  }
  return outcomes;
}
