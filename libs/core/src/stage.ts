/**
 * A pipeline stage as a value, declared by the lib that owns it (questions in libs/tasks, verify,
 * filter and pairs in libs/dataset, pretrain and train in libs/train, sample in libs/sample, eval and
 * report in libs/eval). The runner (libs/pipeline) fingerprints exactly what `select` returns — the
 * slice of the config the stage reads — with the fingerprints of its inputs, and hands `run` that
 * same slice and nothing else of the config: what is read is what is fingerprinted, by construction.
 */

/** Names of a stage instance's outputs (a question set, a model id, a dataset…), derived from its fingerprint. */
export type StageOutputs = Readonly<Record<string, string>>;

export interface StageProgress {
  update(done: number, info?: Record<string, string | number>): void;
  stop(): void;
}

/** One instance of a stage: `key` tells instances apart ('' when there is one), `inputs` maps a role to the instance id it reads. */
export interface StageInstanceSpec {
  key: string;
  /** role → instance id (`stage` or `stage:key`) whose outputs this instance reads. */
  inputs: Readonly<Record<string, string>>;
}

export interface StageRunContext<Env, Slice, Out extends StageOutputs = StageOutputs> {
  env: Env;
  /** The config slice, exactly as fingerprinted. */
  slice: Slice;
  key: string;
  /** This instance's own outputs (named from its fingerprint). */
  out: Out;
  /** An input's output by role and name; throws when the stage was declared without it. */
  input(role: string, name: string): string;
  /** Every input's outputs by role. */
  inputs: Readonly<Record<string, StageOutputs>>;
  /** True when the same fingerprint was left 'running' by a killed run: continue, don't restart. */
  resume: boolean;
  fingerprint: string;
  /**
   * CPU threads this instance may use: all cores when it runs alone, its share when the runner runs
   * instances side by side (`sieve run --jobs`). Stages cap their worker threads to it; results never
   * depend on it, so it is not fingerprinted. Undefined: no cap (the stage's own setting).
   */
  threads?: number;
  log(line: string): void;
  progress(label: string, total: number): StageProgress;
}

/**
 * A stage declaration. `Cfg` is the part of the pipeline config the stage may look at (structural:
 * the whole config satisfies it); `Slice` is what it reads.
 */
export interface StageDef<Env, Cfg, Slice, Out extends StageOutputs = StageOutputs> {
  name: string;
  /** One line for `--help` and the docs. */
  summary: string;
  /** The instances for a config, with the inputs each reads (default: one instance, no inputs). */
  instances(cfg: Cfg): StageInstanceSpec[];
  /** Built only when another selected instance reads it (e.g. DPO pairs). */
  onDemand?: boolean;
  /** The slice of the config this instance reads: fingerprinted and passed to run. */
  select(cfg: Cfg, key: string): Slice;
  /** Output names of this instance; `tag` is a short stable piece of its fingerprint. */
  outputs(slice: Slice, tag: string, key: string): Out;
  /** Does the work; returns a small JSON summary stored with the stage record. */
  run(ctx: StageRunContext<Env, Slice, Out>): Promise<Record<string, unknown>>;
  /** Why a finished instance's outputs are no longer usable (e.g. a checkpoint failing its sha256), or null. */
  check?(ctx: { env: Env; out: Out }): string | null | Promise<string | null>;
}

/** Declares a stage; the identity function, there for type inference. */
export function defineStage<Env, Cfg, Slice, Out extends StageOutputs = StageOutputs>(def: StageDef<Env, Cfg, Slice, Out>): StageDef<Env, Cfg, Slice, Out> {
  return def;
}

/** Outputs are named after the fingerprint of the stage that made them: a changed config never reuses them. */
export const outName = (base: string, tag: string): string => `${base}-${tag}`;
