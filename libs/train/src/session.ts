/** Runs a prepared training run to the end: resume state, loop, final checkpoint, store records. */
import { fingerprint, SieveError } from '@sieve/core';
import { saveCheckpoint, type Tokenizer } from '@sieve/model';
import type { ModelKind, Store } from '@sieve/store';
import { collate, type TokenBatch } from './batch';
import type { SeqExample } from './examples';
import { runLoop, TrainingDivergedError, type BatchSource, type LoopOptions, type LoopResult, type TrainProgress } from './loop';
import type { ObjectiveContext } from './objective';
import { replicaCount } from './parallel/shards';
import { registerResult, type PreparedRun } from './run-record';
import { loadTrainState, removeTrainState } from './train-state';

export interface SessionInput {
  store: Store;
  prepared: PreparedRun;
  stateDir: string;
  outDir: string;
  ctx: ObjectiveContext;
  tokenizer: Tokenizer;
  train: BatchSource;
  evalBatches: TokenBatch[];
  loop: LoopOptions;
  register: { modelId: string; kind: ModelKind; parentId: string | null; meta: Record<string, unknown> };
  onProgress?: (p: TrainProgress) => void;
  log?: (line: string) => void;
}

/** Held-out examples in batches of `size` rows. */
export function chunkBatches<T>(items: readonly T[], size: number, collateFn: (xs: T[]) => TokenBatch): TokenBatch[] {
  const out: TokenBatch[] = [];
  for (let i = 0; i < items.length; i += size) out.push(collateFn(items.slice(i, i + size)));
  return out;
}

export function sequenceSource(examples: readonly SeqExample[], padId: number): BatchSource {
  return { size: examples.length, batch: (idx) => collate(idx.map((i) => examples[i] as SeqExample), padId), length: (i) => (examples[i] as SeqExample).ids.length - 1 };
}

export async function runSession(s: SessionInput): Promise<LoopResult> {
  const { store, prepared } = s;
  let resume = null;
  if (prepared.status === 'resume') {
    resume = await loadTrainState(s.stateDir, s.ctx.model);
    if (resume && resume.loop.fingerprint !== prepared.fingerprint) {
      throw new SieveError(`the saved state in ${s.stateDir} belongs to another configuration of run "${prepared.run.name}"`, {
        where: s.stateDir,
        hint: 'pass --restart to start the run over',
      });
    }
    s.log?.(resume ? `resuming run ${prepared.run.name} after step ${resume.loop.step}` : `run ${prepared.run.name} has no saved state yet: starting from step 0`);
  } else {
    await removeTrainState(s.stateDir); // left over from a deleted run of the same name
  }
  const replicas = replicaCount(s.loop.workers, s.loop);
  if (replicas > 1) s.log?.(`gradients of ${s.loop.gradAccum * s.loop.shards} shards per update on ${replicas} replicas (this thread + ${replicas - 1} workers)`);
  let result: LoopResult;
  try {
    result = await runLoop({
      ctx: s.ctx,
      tokenizer: s.tokenizer,
      train: s.train,
      evalBatches: s.evalBatches,
      opts: s.loop,
      store,
      runId: prepared.run.id,
      stateDir: s.stateDir,
      fingerprint: prepared.fingerprint,
      resume,
      ...(s.onProgress ? { onProgress: s.onProgress } : {}),
    });
  } catch (err) {
    // Diverged: no final checkpoint (its weights are NaN or huge); the run is failed, not done.
    // Any other error (a kill, a bug) leaves it running, so the next attempt resumes it.
    if (err instanceof TrainingDivergedError) store.training.finish(prepared.run.id, 'failed', null);
    throw err;
  }
  const meta = { ...s.register.meta, runName: prepared.run.name, steps: result.steps, finalLoss: result.finalLoss, finalEval: result.finalEval };
  await saveCheckpoint(s.outDir, { config: s.ctx.model.config, tokenizer: s.tokenizer, params: s.ctx.model.params, meta });
  registerResult(store, {
    runId: prepared.run.id,
    modelId: s.register.modelId,
    kind: s.register.kind,
    outDir: s.outDir,
    config: s.ctx.model.config as unknown as Record<string, unknown>,
    parentId: s.register.parentId,
    meta: { ...meta, configFingerprint: fingerprint(s.ctx.model.config) },
  });
  await removeTrainState(s.stateDir);
  return result;
}
