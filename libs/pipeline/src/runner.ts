import { availableParallelism } from 'node:os';
import { fingerprint, SieveError, type StageDef, type StageOutputs, type StageProgress, type StageRunContext } from '@sieve/core';
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
  /** A progress display for one running instance (`id`: `stage` or `stage:key`). */
  progress?: (label: string, total: number, id: string) => StageProgress;
  /** Instances run at once when their inputs are done (default 1: one after another, in plan order). */
  jobs?: number;
  /** CPU threads shared among the running instances (default: this machine's `availableParallelism()`). */
  cores?: number;
  /** Runs one instance (default: `runInProcess`); `runPipeline` gives one that uses child processes. */
  execute?: InstanceExecutor;
}

export interface StageOutcome {
  id: string;
  action: 'ran' | 'resumed' | 'skipped' | 'not-selected';
  fingerprint: string;
  durationMs: number;
}

/** One instance to run, with everything the runner decided for it. */
export interface InstanceTask {
  inst: PlannedInstance;
  /** Every input's outputs by role. */
  inputs: Readonly<Record<string, StageOutputs>>;
  resume: boolean;
  /** CPU threads it may use when it runs beside others (its share of `cores`); undefined alone (the stage's own setting). */
  threads?: number;
  /** Nothing else runs, or can start, while it runs (true for every instance with `jobs` 1). */
  alone: boolean;
  /** Log lines, already prefixed with the instance id. */
  log(line: string): void;
  progress(label: string, total: number): StageProgress;
}

/** Runs one instance's `run` and returns its summary; the runner does the bookkeeping around it. */
export type InstanceExecutor = (env: RunEnv, task: InstanceTask) => Promise<Record<string, unknown>>;

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

/** The context a stage's `run` gets, for an instance run in this process (or in a child: libs/pipeline/src/child/). */
export function stageContext(env: RunEnv, task: Omit<InstanceTask, 'alone'>): StageRunContext<RunEnv, unknown> {
  const { inst, inputs } = task;
  return {
    env,
    slice: inst.slice,
    key: inst.key,
    out: inst.outputs,
    inputs,
    input: (role: string, name: string): string => {
      const v = inputs[role]?.[name];
      if (v === undefined) throw new SieveError(`stage ${inst.id} has no input ${role}.${name}`, { hint: `declare it in the ${inst.stage} stage's instances()` });
      return v;
    },
    resume: task.resume,
    fingerprint: inst.fingerprint,
    threads: task.threads,
    log: task.log,
    progress: task.progress,
  };
}

/** Runs the instance's stage in this process. */
export const runInProcess: InstanceExecutor = (env, task) => task.inst.def.run(stageContext(env, task));

type Decision = { action: 'skipped' | 'not-selected'; why?: string } | { action: 'run'; resume: boolean; why: string };

/**
 * Runs the planned instances: skips one whose record is done with the same fingerprint (unless
 * forced, or its `check` finds its outputs broken), resumes one a killed run left running with the
 * same fingerprint, and runs the rest from scratch. An instance starts once every input is settled,
 * up to `jobs` at once, in plan order (with `jobs` 1 exactly the plan order). After a failure
 * nothing new starts; the instances already running finish (their outputs stay usable: a rerun
 * skips them) and the first error is thrown.
 */
/** An unexpected error (not a SieveError, which already says where) named with the stage that threw it. */
function withStage(err: unknown, id: string): unknown {
  if (err instanceof SieveError) return err;
  return new SieveError(`stage ${id} failed: ${err instanceof Error ? err.message : String(err)}`, {
    where: `stage ${id}`,
    hint: 'what it finished is kept: `sieve run` again resumes it; if it fails the same way, report it with this message',
    cause: err,
  });
}

export async function runStages(env: RunEnv, instances: readonly PlannedInstance[], opts: RunOptions = {}): Promise<StageOutcome[]> {
  const log = opts.log ?? (() => undefined);
  const jobs = Math.max(1, opts.jobs ?? 1);
  const cores = Math.max(1, opts.cores ?? availableParallelism());
  const execute = opts.execute ?? runInProcess;
  const order = [...new Set(instances.map((i) => i.stage))];
  const pos = (stage: string | undefined): number => (stage === undefined ? -1 : order.indexOf(stage));
  const byId = new Map(instances.map((i) => [i.id, i]));
  const outcomes = new Map<string, StageOutcome>();
  const running = new Map<string, { threads: number; done: Promise<void> }>();
  let pending = [...instances];
  let failure: { err: unknown } | null = null;
  const descendants = new Map(instances.map((i) => [i.id, dependentsOf(instances, i.id).length]));

  const decide = async (inst: PlannedInstance): Promise<Decision> => {
    const rec = env.store.stages.get(inst.stage, inst.key);
    const afterUntil = opts.until !== undefined && pos(inst.stage) > pos(opts.until);
    if ((opts.only !== undefined && inst.stage !== opts.only) || afterUntil) return { action: 'not-selected' };
    const fp = inst.fingerprint;
    const forced = opts.force === true || opts.only !== undefined || (opts.from !== undefined && pos(inst.stage) >= pos(opts.from));
    const broken = rec?.status === 'done' && rec.fingerprint === fp ? ((await inst.def.check?.({ env, out: inst.outputs })) ?? null) : null;
    if (rec?.status === 'done' && rec.fingerprint === fp && !forced && broken === null) return { action: 'skipped', why: 'unchanged, skipped' };
    const resume = !forced && rec?.status === 'running' && rec.fingerprint === fp;
    const why = broken !== null ? `output broken (${broken}), running again` : resume ? 'resuming' : rec ? (rec.fingerprint === fp ? 'rerunning' : 'config changed, running') : 'running';
    return { action: 'run', resume, why };
  };

  const start = (inst: PlannedInstance, resume: boolean, threads: number | undefined, alone: boolean): void => {
    const t0 = Date.now();
    env.store.stages.start(inst.stage, inst.key, inst.fingerprint);
    const inputs = Object.fromEntries(Object.entries(inst.inputs).map(([role, dep]) => [role, byId.get(dep)?.outputs ?? {}]));
    const task: InstanceTask = {
      inst,
      inputs,
      resume,
      ...(threads === undefined ? {} : { threads }),
      alone,
      log: (l: string) => log(`${inst.id}: ${l}`),
      progress: (label, total) => (opts.progress ? opts.progress(label, total, inst.id) : noProgress()),
    };
    const fail = (err: unknown): void => {
      if (failure === null) failure = { err: withStage(err, inst.id) };
      const others = [...running.keys()].filter((id) => id !== inst.id);
      if (jobs > 1) log(`${inst.id}: failed: ${err instanceof Error ? err.message : String(err)}${others.length ? `; starting nothing new, waiting for ${others.join(', ')} to finish` : ''}`);
    };
    const done = execute(env, task)
      .then(
        (info) => {
          env.store.transaction(() => {
            env.store.stages.finish(inst.stage, inst.key, 'done', info);
            // What read the old outputs is out of date now, even where its fingerprint is the same (--only, --force).
            for (const d of dependentsOf(instances, inst.id)) env.store.stages.markStale(d.stage, d.key);
          });
          outcomes.set(inst.id, { id: inst.id, action: resume ? 'resumed' : 'ran', fingerprint: inst.fingerprint, durationMs: Date.now() - t0 });
        },
        (err: unknown) => {
          env.store.stages.finish(inst.stage, inst.key, 'failed', { error: err instanceof Error ? err.message : String(err) });
          fail(err);
        },
      )
      .catch(fail) // the bookkeeping itself failed (e.g. the store)
      .finally(() => running.delete(inst.id));
    running.set(inst.id, { threads: threads ?? cores, done });
  };

  const isReady = (i: PlannedInstance): boolean => Object.values(i.inputs).every((d) => outcomes.has(d));
  for (;;) {
    // Start what is ready, in plan order; look again after every start or skip (and after each
    // await, instances may have finished). Stops when a whole pass starts nothing.
    let progressed = true;
    while (progressed && failure === null && running.size < jobs) {
      progressed = false;
      const ready = pending.filter(isReady);
      const inst = ready[0];
      if (inst === undefined) break;
      // An instance most of what remains waits for (sample, verify, filter) runs alone on every core.
      const gate = jobs > 1 && (descendants.get(inst.id) ?? 0) * 2 > pending.length;
      if (gate && running.size > 0) break;
      pending = pending.filter((p) => p !== inst);
      progressed = true;
      const d = await decide(inst);
      if (d.action !== 'run') {
        if (d.why) log(`${inst.id}: ${d.why}`);
        outcomes.set(inst.id, { id: inst.id, action: d.action, fingerprint: inst.fingerprint, durationMs: 0 });
        continue;
      }
      log(`${inst.id}: ${d.why}`);
      const alone = jobs === 1 || (running.size === 0 && (gate || ready.length === 1));
      // Side by side, the free threads are shared evenly among the instances that start now.
      const starting = Math.min(jobs - running.size, ready.length);
      const free = cores - [...running.values()].reduce((t, r) => t + r.threads, 0);
      start(inst, d.resume, alone ? undefined : Math.max(1, Math.floor(free / starting)), alone);
      if (alone && jobs > 1) break; // nothing starts beside it
    }
    if (running.size === 0) break;
    await Promise.race([...running.values()].map((r) => r.done));
  }
  if (failure !== null) throw (failure as { err: unknown }).err;
  return instances.flatMap((i) => outcomes.get(i.id) ?? []);
}
