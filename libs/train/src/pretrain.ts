/**
 * The offline base model: a fresh transformer trained on a synthetic chain-of-thought corpus
 * (generated questions with their GSM8K-style solutions). The corpus has its own seed and
 * never contains a question text of the excluded (evaluation) sets.
 *
 * Loss: the SFT loss on the answer (solution + EOS) only, as in fine-tuning: the model is
 * only ever asked to continue a prompt, and the question text carries nothing to predict.
 */
import * as path from 'node:path';
import { InputError, mixSeed } from '@sieve/core';
import { formatPrompt } from '@sieve/dataset';
import { CharTokenizer, createModel, parseModelConfig, type ModelConfigInput } from '@sieve/model';
import type { Store } from '@sieve/store';
import { generateQuestions, resolveGeneratorOptions, type GeneratorOptionsInput, type NewQuestion } from '@sieve/tasks';
import { collate } from './batch';
import { encodeExamples, type TextExample } from './examples';
import { holdOut } from './holdout';
import { PretrainHyperSchema, resolveHyper, resultHyper, type LoopHyper } from './hyper';
import type { TrainProgress } from './loop';
import { prepareRun, stateDirFor, lastLoss } from './run-record';
import { chunkBatches, runSession, sequenceSource } from './session';

/** Characters every base tokenizer knows: printable ASCII and the newline. */
export const BASE_CHARSET: string = '\n' + Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

export interface CorpusSpec {
  count: number;
  seed: number;
  /** Generator knobs (see @sieve/tasks GeneratorOptions). */
  options?: GeneratorOptionsInput;
}

export type PretrainHyper = LoopHyper;

export interface PretrainOptions extends Partial<PretrainHyper> {
  modelId: string;
  outDir: string;
  /** The model's shape; vocabSize is set from the tokenizer built here. */
  config: Omit<ModelConfigInput, 'vocabSize'> & { vocabSize?: number };
  corpus: CorpusSpec;
  /** Question sets whose texts must never be in the corpus (and whose characters the tokenizer must know). */
  excludeSets?: string[];
  /** Default true: continue an unfinished pretraining of this model id. */
  resume?: boolean;
  onProgress?: (p: TrainProgress) => void;
  log?: (line: string) => void;
}

export interface PretrainResult {
  modelId: string;
  outDir: string;
  runId: number;
  steps: number;
  resumedFrom: number;
  finalLoss: number;
  finalEval: Record<string, number> | null;
  vocabSize: number;
  paramCount: number;
  corpusSize: number;
  truncated: number;
  alreadyDone: boolean;
}

/** The texts of the given question sets (an unknown set is an error: a typo would leak nothing but exclude nothing). */
export function excludedTexts(store: Store, sets: readonly string[]): Set<string> {
  const out = new Set<string>();
  const known = new Set(store.questions.summary().map((s) => s.set));
  for (const set of sets) {
    if (!known.has(set)) {
      throw new InputError(`question set "${set}" is not in this run`, {
        where: '--exclude-set',
        hint: known.size ? `sets: ${[...known].join(', ')}` : 'create the evaluation questions first (`sieve questions generate`)',
      });
    }
    for (const t of store.questions.texts(set)) out.add(t);
  }
  return out;
}

/** The synthetic corpus: prompt = formatPrompt(question), response = its worked solution. */
export function buildPretrainCorpus(spec: CorpusSpec, exclude: ReadonlySet<string>): TextExample[] {
  const knobs = resolveGeneratorOptions(spec.options ?? {});
  const questions: NewQuestion[] = generateQuestions({ ...knobs, count: spec.count, seed: spec.seed, exclude });
  return questions.map((q) => ({ prompt: formatPrompt(q.text), response: q.goldSolution ?? `#### ${q.goldAnswer}` }));
}

/** Characters of the corpus, of the excluded sets' questions and of BASE_CHARSET. */
export function pretrainTokenizer(corpus: readonly TextExample[], extraTexts: Iterable<string>): CharTokenizer {
  return CharTokenizer.fromCorpus([BASE_CHARSET, ...corpus.flatMap((e) => [e.prompt, e.response]), ...extraTexts]);
}

export async function pretrain(store: Store, o: PretrainOptions): Promise<PretrainResult> {
  const h = resolveHyper(o, PretrainHyperSchema);
  if (!Number.isInteger(o.corpus.count) || o.corpus.count < 1) {
    throw new InputError(`corpus count must be an integer ≥ 1, got ${o.corpus.count}`, { where: '--corpus-count' });
  }
  const exclude = excludedTexts(store, o.excludeSets ?? []);
  const corpus = buildPretrainCorpus(o.corpus, exclude);
  const tokenizer = pretrainTokenizer(corpus, exclude);
  const config = parseModelConfig({ ...o.config, vocabSize: tokenizer.vocabSize }, 'pretrain config');
  const outDir = path.resolve(o.outDir);
  const stateDir = stateDirFor(outDir);
  const runName = `pretrain-${o.modelId}`;
  const prepared = await prepareRun(store, {
    name: runName,
    method: 'pretrain',
    datasetId: null,
    baseModelId: null,
    seed: h.seed,
    config: { ...resultHyper(h), config, corpus: o.corpus, excludeSets: [...(o.excludeSets ?? [])].sort(), outDir, modelId: o.modelId, excludedCount: exclude.size },
    resume: o.resume ?? true,
    stateDir,
  });
  const base = { modelId: o.modelId, outDir, runId: prepared.run.id, steps: h.steps, vocabSize: tokenizer.vocabSize, corpusSize: corpus.length };
  const model = createModel(config, { seed: h.seed });
  try {
    if (prepared.status === 'done') {
      o.log?.(`model ${o.modelId} is already pretrained with this configuration: nothing to do`);
      return { ...base, paramCount: model.paramCount(), resumedFrom: h.steps, finalLoss: lastLoss(store, prepared.run.id), finalEval: null, truncated: 0, alreadyDone: true };
    }
    const split = holdOut(corpus, h.evalEvery > 0 ? h.evalFraction : 0);
    const train = encodeExamples(tokenizer, split.train, config.contextLength);
    const ev = encodeExamples(tokenizer, split.heldOut.slice(0, h.evalMax), config.contextLength);
    o.log?.(
      `pretraining ${o.modelId}: ${model.paramCount()} parameters, vocabulary ${tokenizer.vocabSize}, corpus ${corpus.length} examples ` +
        `(${ev.examples.length} held out; ${exclude.size} excluded question texts); ${train.truncated + ev.truncated} truncated to ${config.contextLength} tokens`,
    );
    const result = await runSession({
      store,
      prepared,
      stateDir,
      outDir,
      ctx: { model, ref: null, method: 'sft', opts: { dftMinProb: 0, iwMaxWeight: 1, dpoBeta: 1, asftKl: 0 } },
      tokenizer,
      train: sequenceSource(train.examples, tokenizer.padId),
      evalBatches: chunkBatches(ev.examples, h.batchSize, (xs) => collate(xs, tokenizer.padId)),
      loop: { ...h, dataSeed: mixSeed(o.corpus.seed, h.seed, 0xba5e) },
      register: { modelId: o.modelId, kind: 'base', parentId: null, meta: { pretrain: { corpus: o.corpus, excludeSets: o.excludeSets ?? [], seed: h.seed, hyper: resultHyper(h) } } },
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      ...(o.log ? { log: o.log } : {}),
    });
    return {
      ...base,
      paramCount: model.paramCount(),
      resumedFrom: result.startStep,
      finalLoss: result.finalLoss,
      finalEval: result.finalEval,
      truncated: train.truncated + ev.truncated,
      alreadyDone: false,
    };
  } finally {
    model.dispose();
  }
}
