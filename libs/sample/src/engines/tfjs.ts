/**
 * The `tfjs` sampling engine: sieve's TensorFlow.js generator (`openEngine`: in this thread or on
 * worker threads) behind the SamplingEngine interface. Samples are split into batches of
 * `batchSize` sequences; each sample's tokens depend only on its prompt, its seed and the model,
 * so the results equal calling the generator directly with the same seeds, whatever the batching.
 */
import { SieveError, stableStringify } from '@sieve/core';
import { openEngine, type Engine, type EngineOptions } from '../engine';
import type { GenRequest, GenResult, GenerateParams } from '../sequence';
import { checkSamplingRequest, ContextLengthError, seedsOf, type EnginePrompt, type EngineSample, type SamplingEngine, type SamplingRequest } from './engine';
import { promptEncoding } from './prompt-encoding';
import { topLogprobsCollector, type TopEntry } from './top-logprobs';

export interface TfjsEngineOptions extends EngineOptions {
  /** Sequences per generation batch (default 64). */
  batchSize?: number;
  /** The name the engine reports (default: the checkpoint folder's name). */
  modelName?: string;
}

export interface TfjsSamplingEngine extends SamplingEngine {
  /** The generator underneath (tokenizer, config, backend, workers). */
  readonly engine: Engine;
  /** The prompt's token ids as the model sees them (BOS first, or the chat template). */
  promptIds(prompt: EnginePrompt): number[];
  /** Throws ContextLengthError when prompt + maxTokens does not fit the context (what a server answers 400 to). */
  checkContext(r: Pick<SamplingRequest, 'prompt' | 'maxTokens'>): void;
  /**
   * Generates one batch of sequences with one set of settings (what `generate` cuts requests into):
   * results in `gens` order, with the `topLogprobs` most likely alternatives per position when > 0.
   */
  generateBatch(gens: GenRequest[], params: GenerateParams, topLogprobs: number): Promise<EngineSample[]>;
}

interface Job {
  request: number;
  sample: number;
  gen: GenRequest;
}

export async function openTfjsEngine(o: TfjsEngineOptions): Promise<TfjsSamplingEngine> {
  const engine = await openEngine(o);
  const batchSize = o.batchSize ?? 64;
  const { tokenizer, config } = engine;
  const model = o.modelName ?? (o.checkpointDir.split(/[\\/]/).filter(Boolean).pop() as string);
  const { promptIds, paramsOf } = promptEncoding(tokenizer);
  const decodeOne = (id: number): string => tokenizer.decode([id]);

  const toSample = (r: GenResult, top: TopEntry[][] | null): EngineSample => ({
    text: r.text,
    tokenIds: [...r.tokens],
    tokens: r.tokens.map(decodeOne),
    tokenLogprobs: Array.from(r.logprobs),
    logprobSum: r.logprobSum,
    topLogprobs: top ? top.slice(0, r.tokens.length).map((pos) => pos.map((e) => ({ token: decodeOne(e.id), logprob: e.logprob }))) : null,
    finishReason: r.finishReason,
  });

  /** One batch of sequences sharing params; top-k alternatives when asked. */
  const runBatch = async (gens: GenRequest[], params: GenerateParams, k: number): Promise<EngineSample[]> => {
    if (k === 0) return (await engine.run(gens, params)).map((r) => toSample(r, null));
    const c = topLogprobsCollector(gens.length, k);
    const results = await engine.run(gens, params, c.hooks);
    return results.map((r, i) => toSample(r, c.perRequest[i] as TopEntry[][]));
  };

  return {
    kind: 'tfjs',
    model,
    contextLength: config.contextLength,
    engine,
    promptIds,
    generateBatch: runBatch,
    checkContext(r) {
      const n = promptIds(r.prompt).length;
      if (n + r.maxTokens > config.contextLength) throw new ContextLengthError(n, config.contextLength, r.maxTokens);
    },
    fingerprint: () => ({ engine: 'tfjs', model }),
    async generate(requests) {
      requests.forEach((r, i) => checkSamplingRequest(r, `request ${i}`));
      const out: EngineSample[][] = requests.map((r) => new Array<EngineSample>(r.n));
      // group samples by generation settings, then cut each group into batches
      const groups = new Map<string, { params: GenerateParams; k: number; jobs: Job[] }>();
      requests.forEach((r, ri) => {
        const params = paramsOf(r);
        const k = r.topLogprobs ?? 0;
        const key = stableStringify({ params, k });
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { params, k, jobs: [] }));
        const prompt = promptIds(r.prompt);
        seedsOf(r).forEach((seed, si) => g.jobs.push({ request: ri, sample: si, gen: { prompt, seed } }));
      });
      const batches: Promise<void>[] = [];
      for (const g of groups.values()) {
        for (let at = 0; at < g.jobs.length; at += batchSize) {
          const jobs = g.jobs.slice(at, at + batchSize);
          batches.push(
            runBatch(jobs.map((j) => j.gen), g.params, g.k).then((samples) => {
              if (samples.length !== jobs.length) throw new SieveError(`the generator returned ${samples.length} results for ${jobs.length} sequences`);
              jobs.forEach((j, i) => ((out[j.request] as EngineSample[])[j.sample] = samples[i] as EngineSample));
            }),
          );
        }
      }
      await Promise.all(batches); // a worker pool runs them in parallel; in this thread they queue
      return out;
    },
    close: () => engine.close(),
  };
}
