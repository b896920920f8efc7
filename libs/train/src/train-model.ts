/** `trainModel`: fine-tune a checkpoint on a dataset of the store with one of the methods. */
import * as path from 'node:path';
import { InputError, mixSeed, stableStringify } from '@sieve/core';
import { describePrompt, findDataset, promptRecord, recordedPrompt, type PromptSpec } from '@sieve/dataset';
import { loadCheckpoint, paramCountOf, readCheckpointConfig, type Transformer } from '@sieve/model';
import { checkTrainingMemory } from './memory-check';
import type { DatasetItemRow, DatasetRow, Store } from '@sieve/store';
import { collate, collatePairs, type TokenBatch } from './batch';
import { encodeExamples, encodePairs, type PairExample, type PromptOfItems, type SeqExample, type TextExample, type TextPair } from './examples';
import { holdOut } from './holdout';
import { resolveHyper, resultHyper, type TrainHyper } from './hyper';
import type { BatchSource, TrainProgress } from './loop';
import { needsReference } from './objective';
import { cacheReference } from './reference-cache';
import { isTrainMethod, TRAIN_METHODS, type TrainMethod } from './methods';
import { lastLoss, prepareRun, resolveModel, stateDirFor } from './run-record';
import { chunkBatches, runSession, sequenceSource } from './session';

export interface DatasetRef {
  name: string;
  version?: number;
}

export interface TrainModelOptions extends Partial<TrainHyper> {
  runName: string;
  method: TrainMethod;
  dataset: DatasetRef;
  /** Held-out set; default: a hash-chosen share (evalFraction) of the dataset's prompts. */
  evalDataset?: DatasetRef;
  /** The starting checkpoint: a folder, or a model id of the store. */
  from: string;
  outDir: string;
  /** Id of the trained model in the store (default: the run name). */
  modelId?: string;
  /** Default true: continue an unfinished run of this name; false deletes it and starts over. */
  resume?: boolean;
  /**
   * The prompt format to train with (default: the dataset's, recorded when it was built from its
   * samples). Given, it must equal the dataset's: a model is trained on the prompts it was sampled with.
   */
  prompt?: PromptSpec;
  /** Where the prompt format was set, for errors (default `model.prompt`; the CLI: `--prompt`). */
  promptWhere?: string;
  /** Train even when the memory estimate exceeds the free memory (checkTrainingMemory). */
  ignoreMemory?: boolean;
  onProgress?: (p: TrainProgress) => void;
  log?: (line: string) => void;
}

export interface TrainResult {
  runId: number;
  runName: string;
  modelId: string;
  outDir: string;
  steps: number;
  /** Step the run resumed after (0 = from the start). */
  resumedFrom: number;
  finalLoss: number;
  finalEval: Record<string, number> | null;
  trainExamples: number;
  evalExamples: number;
  truncated: number;
  dropped: number;
  /** The run had already finished with this configuration: nothing was trained. */
  alreadyDone: boolean;
}

function kept(store: Store, d: DatasetRow): DatasetItemRow[] {
  return store.datasets.items(d.id, { kept: true });
}

function asPairs(items: readonly DatasetItemRow[], d: DatasetRow): TextPair[] {
  const pairs = items
    .filter((it) => typeof it.rejectedResponse === 'string')
    .map((it) => ({ prompt: it.prompt, chosen: it.response, rejected: it.rejectedResponse as string }));
  if (!pairs.length) {
    throw new InputError(`dataset ${d.name} v${d.version} has no rejected responses: dpo needs preference pairs`, {
      where: '--dataset',
      hint: 'build a pairs dataset (accepted and rejected responses of one question) and train dpo on it',
    });
  }
  return pairs;
}

interface PreparedData {
  train: BatchSource;
  /** Collated on demand, so reference values cached into the examples afterwards are in them. */
  evalBatches: () => TokenBatch[];
  /** Every sequence the run reads (training and held-out, both sides of a pair), for the reference cache. */
  sequences: SeqExample[];
  trainExamples: number;
  evalExamples: number;
  truncated: number;
  dropped: number;
}

/** The dataset's prompt format, checked against the one asked for. */
function datasetPrompt(d: DatasetRow, o: TrainModelOptions): PromptOfItems {
  const spec = recordedPrompt(d.rules, `dataset ${d.name} v${d.version}: rules.prompt`);
  const where = o.promptWhere ?? 'model.prompt';
  if (o.prompt && stableStringify(o.prompt) !== stableStringify(spec)) {
    throw new InputError(`dataset ${d.name} v${d.version} was sampled with the ${describePrompt(spec)} prompt format, not ${describePrompt(o.prompt)}`, {
      where,
      hint: 'train with the prompt format its samples were made with (the CLI uses it when --prompt and --system-prompt are left out), or sample again with the one you want',
    });
  }
  return { spec, where };
}

function prepareData(store: Store, o: TrainModelOptions, h: TrainHyper, d: DatasetRow, contextLength: number, tok: { padId: number } & Parameters<typeof encodeExamples>[0], prompt: PromptOfItems): PreparedData {
  const items = kept(store, d);
  if (!items.length) {
    const pairs = d.kind === 'pairs';
    throw new InputError(`dataset ${d.name} v${d.version} has no kept ${pairs ? 'pairs' : 'items'}`, {
      where: `dataset ${d.name}`,
      hint: pairs
        ? 'no question has both a correct and an incorrect sample: sample more per question (sample.k in a config, --k on sieve sample) or at a higher temperature'
        : 'no sample passed the filter: loosen the filter rules or sample more per question (sample.k in a config, --k on sieve sample)',
    });
  }
  const evalRow = o.evalDataset ? findDataset(store, o.evalDataset.name, o.evalDataset.version) : null;
  const split = evalRow ? { train: items, heldOut: kept(store, evalRow) } : holdOut(items, h.evalEvery > 0 ? h.evalFraction : 0);
  const heldOut = h.evalEvery > 0 ? split.heldOut.slice(0, h.evalMax) : [];
  const noTrain = (n: number): void => {
    if (n === 0) throw new InputError(`no training example of dataset ${d.name} v${d.version} fits the model's context (${contextLength} tokens)`, { where: '--dataset', hint: 'use shorter prompts or a model with a longer context' });
  };
  if (o.method === 'dpo') {
    const train = encodePairs(tok, asPairs(split.train, d), contextLength, prompt);
    const ev = encodePairs(tok, heldOut.length ? asPairs(heldOut, evalRow ?? d) : [], contextLength, prompt);
    noTrain(train.examples.length);
    const source: BatchSource = {
      size: train.examples.length,
      batch: (idx) => collatePairs(idx.map((i) => train.examples[i] as PairExample), tok.padId),
      length: (i) => {
        const p = train.examples[i] as PairExample;
        return Math.max(p.chosen.ids.length, p.rejected.ids.length) - 1;
      },
    };
    return {
      train: source,
      evalBatches: () => chunkBatches(ev.examples, h.batchSize, (xs) => collatePairs(xs, tok.padId)),
      sequences: [...train.examples, ...ev.examples].flatMap((p) => [p.chosen, p.rejected]),
      trainExamples: train.examples.length,
      evalExamples: ev.examples.length,
      truncated: train.truncated + ev.truncated,
      dropped: train.dropped + ev.dropped,
    };
  }
  const text = (xs: readonly DatasetItemRow[]): TextExample[] => xs.map((it) => ({ prompt: it.prompt, response: it.response }));
  const train = encodeExamples(tok, text(split.train), contextLength, prompt);
  const ev = encodeExamples(tok, text(heldOut), contextLength, prompt);
  noTrain(train.examples.length);
  return {
    train: sequenceSource(train.examples, tok.padId),
    evalBatches: () => chunkBatches(ev.examples, h.batchSize, (xs: SeqExample[]) => collate(xs, tok.padId)),
    sequences: [...train.examples, ...ev.examples],
    trainExamples: train.examples.length,
    evalExamples: ev.examples.length,
    truncated: train.truncated + ev.truncated,
    dropped: train.dropped + ev.dropped,
  };
}

/**
 * Trains from `from` on the dataset and writes the final checkpoint to `outDir` (atomically),
 * registered in the store as a 'trained' model whose parent is the start model (when known).
 * Re-running an unfinished run of the same name resumes it from its last saved state.
 */
export async function trainModel(store: Store, o: TrainModelOptions): Promise<TrainResult> {
  if (!isTrainMethod(o.method)) {
    throw new InputError(`unknown method "${String(o.method)}"`, { where: '--method', hint: `use one of ${TRAIN_METHODS.join(', ')}` });
  }
  const h = resolveHyper(o);
  const d = findDataset(store, o.dataset.name, o.dataset.version);
  const prompt = datasetPrompt(d, o);
  if (o.evalDataset) datasetPrompt(findDataset(store, o.evalDataset.name, o.evalDataset.version), { ...o, prompt: prompt.spec });
  const start = resolveModel(store, o.from);
  const outDir = path.resolve(o.outDir);
  const modelId = o.modelId ?? o.runName;
  const stateDir = stateDirFor(outDir);
  const opts = { dftMinProb: h.dftMinProb, iwMaxWeight: h.iwMaxWeight, dpoBeta: h.dpoBeta, asftKl: h.asftKl };
  checkTrainingMemory(paramCountOf(readCheckpointConfig(start.dir)), { reference: needsReference(o.method, opts), ignore: o.ignoreMemory ?? false, ...(o.log ? { log: o.log } : {}) });
  const loaded = await loadCheckpoint(start.dir);
  let ref: Transformer | null = null;
  try {
    // Data first: a dataset that cannot be trained on leaves no run behind.
    const data = prepareData(store, o, h, d, loaded.config.contextLength, loaded.tokenizer, prompt);
    const prepared = await prepareRun(store, {
      name: o.runName,
      method: o.method,
      datasetId: d.id,
      baseModelId: start.modelId,
      seed: h.seed,
      config: { ...resultHyper(h), method: o.method, dataset: { name: d.name, version: d.version }, evalDataset: o.evalDataset ?? null, from: start.dir, outDir, modelId, ...promptRecord(prompt.spec) },
      resume: o.resume ?? true,
      stateDir,
    });
    const base = { runId: prepared.run.id, runName: o.runName, modelId, outDir, steps: h.steps, trainExamples: data.trainExamples, evalExamples: data.evalExamples, truncated: data.truncated, dropped: data.dropped };
    if (prepared.status === 'done') {
      o.log?.(`training run ${o.runName} is already done (model ${prepared.run.outModelId ?? modelId}): nothing to do`);
      return { ...base, resumedFrom: h.steps, finalLoss: lastLoss(store, prepared.run.id), finalEval: null, alreadyDone: true };
    }
    if (needsReference(o.method, opts)) {
      ref = (await loadCheckpoint(start.dir)).model; // frozen copy, never updated
      // Its outputs once per example instead of a forward every step; then no step needs the model.
      if (cacheReference(ref, o.method, data.sequences, loaded.tokenizer.padId, h.batchSize)) {
        ref.dispose();
        ref = null;
      }
    }
    o.log?.(
      `dataset ${d.name} v${d.version}: ${data.trainExamples} training and ${data.evalExamples} held-out ${o.method === 'dpo' ? 'pairs' : 'examples'}` +
        `; ${data.truncated} truncated to the context of ${loaded.config.contextLength} tokens, ${data.dropped} dropped (no response token fits)`,
    );
    const result = await runSession({
      store,
      prepared,
      stateDir,
      outDir,
      ctx: { model: loaded.model, ref, method: o.method, opts },
      tokenizer: loaded.tokenizer,
      train: data.train,
      evalBatches: data.evalBatches(),
      loop: { ...h, dataSeed: mixSeed(h.seed, 0x5eed) },
      register: {
        modelId,
        kind: 'trained',
        parentId: start.modelId,
        meta: {
          method: o.method,
          dataset: { name: d.name, version: d.version },
          from: start.modelId ?? start.dir,
          seed: h.seed,
          hyper: resultHyper(h),
          ...promptRecord(prompt.spec), // the prompt format it was trained on (none: plain)
          // An HF base model's config.json travels on, so the trained model exports back as HF.
          ...(loaded.meta['hfConfig'] ? { hfConfig: loaded.meta['hfConfig'] } : {}),
        },
      },
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      ...(o.log ? { log: o.log } : {}),
    });
    return { ...base, resumedFrom: result.startStep, finalLoss: result.finalLoss, finalEval: result.finalEval, alreadyDone: false };
  } finally {
    loaded.model.dispose();
    ref?.dispose();
  }
}
