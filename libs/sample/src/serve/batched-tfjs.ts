/**
 * The tfjs engine as `sieve serve-model` runs it: the sequences of concurrent HTTP requests share
 * generation batches (BatchScheduler) instead of each request being a batch of its own n.
 *
 * A batch key is the generation settings (temperature, top-p, top-k, max tokens, stop strings and
 * ids), the number of top log-probs and the prompt's length in tokens. Equal lengths mean no row of
 * a batch is left-padded: a padded row's attention sums run over extra masked columns and move its
 * logits in the last bits (measured on the tiny test model: a sample's float64 log-prob sum moved by
 * ~2e-8), while rows of equal length compute bit for bit what they compute alone, whatever the batch
 * size. So every sample stays exactly a function of (prompt, seed, model): byte-identical texts,
 * token ids and log-probs whether its request ran alone or beside others.
 */
import { stableStringify } from '@sieve/core';
import { checkSamplingRequest, seedsOf, type EngineSample, type LocalSamplingEngine } from '../engines/engine';
import { promptEncoding } from '../engines/prompt-encoding';
import type { TfjsSamplingEngine } from '../engines/tfjs';
import type { GenRequest, GenerateParams } from '../sequence';
import { BatchScheduler, type BatchStats } from './batch-scheduler';

export interface BatchedTfjsEngine extends LocalSamplingEngine {
  /** The engine underneath. */
  readonly tfjs: TfjsSamplingEngine;
  /** Batches formed so far (how much merging happened). */
  readonly stats: BatchStats;
}

export interface BatchingOptions {
  /** Most sequences per batch. */
  batchSize: number;
  /** Most milliseconds a sequence waits for its batch to fill (BatchScheduler's maxDelayMs). */
  maxDelayMs: number;
}

/** Wraps an open tfjs engine. Closing closes the engine. */
export function batchedTfjsEngine(tfjs: TfjsSamplingEngine, o: BatchingOptions): BatchedTfjsEngine {
  const { paramsOf } = promptEncoding(tfjs.engine.tokenizer);
  const scheduler = new BatchScheduler<{ params: GenerateParams; k: number }, GenRequest, EngineSample>({
    batchSize: o.batchSize,
    maxDelayMs: o.maxDelayMs,
    slots: Math.max(1, tfjs.engine.workers),
    run: (g, gens) => tfjs.generateBatch([...gens], g.params, g.k),
  });
  return {
    kind: tfjs.kind,
    model: tfjs.model,
    contextLength: tfjs.contextLength,
    tfjs,
    stats: scheduler.stats,
    promptIds: (p) => tfjs.promptIds(p),
    checkContext: (r) => tfjs.checkContext(r),
    fingerprint: () => tfjs.fingerprint(),
    async generate(requests) {
      requests.forEach((r, i) => checkSamplingRequest(r, `request ${i}`));
      return Promise.all(
        requests.map((r) => {
          const params = paramsOf(r);
          const k = r.topLogprobs ?? 0;
          const prompt = tfjs.promptIds(r.prompt);
          const key = stableStringify({ params, k, promptTokens: prompt.length });
          return scheduler.submit(key, { params, k }, seedsOf(r).map((seed) => ({ prompt, seed })));
        }),
      );
    },
    close: () => {
      scheduler.close();
      return tfjs.close();
    },
  };
}
