import './gradients';

export { stopGradient } from './stop-gradient';
export { tokenLogProbs, sequenceLogProbs, maskedMean } from './log-probs';
export {
  sftLoss,
  dftLoss,
  iwSftLoss,
  iwSftWeights,
  asftLoss,
  tokenKl,
  type DftOptions,
  type IwSftOptions,
  type AsftOptions,
} from './losses';
export {
  computeLoss,
  isTokenLossMethod,
  TOKEN_LOSS_METHODS,
  type TokenLossMethod,
  type TokenLossInputs,
  type TokenLossOptions,
  type TokenLossOutput,
} from './compute-loss';
export { dpoLoss, dpoStats, type DpoOptions, type DpoStats } from './dpo';
export {
  tokenProbStats,
  tokenProbHistogram,
  emptyHistogram,
  addToHistogram,
  mergeHistograms,
  maskedValues,
  quantileSorted,
  type TokenProbStats,
  type Histogram,
} from './stats';
export { AdamW, defaultDecayFilter, type AdamWConfig, type AdamWState, type SavedTensor } from './adamw';
export { lrAt, checkSchedule, type LrSchedule } from './schedule';
export { clipByGlobalNorm, globalNorm, scaleGrads, addGrads, disposeGrads, type Grads, type ClipResult } from './clip';
export { probStatsOf } from './stats';
export {
  encodeExample,
  encodeExamples,
  encodePairs,
  lossTokens,
  type SeqExample,
  type PairExample,
  type TextExample,
  type TextPair,
  type EncodedSet,
} from './examples';
export { collate, collatePairs, batchTensors, disposeBatch, type TokenBatch, type BatchTensors } from './batch';
export { DataOrder, type DataPosition } from './data-order';
export { holdOut, type HoldoutSplit } from './holdout';
export { needsReference, unitsOf, microGrads, microEval, type ObjectiveContext, type MicroOutput } from './objective';
export { METHODS, TRAIN_METHODS, isTrainMethod, type TrainMethod, type MethodRow } from './methods';
export { TRAIN_DEFAULTS, resolveHyper, flagOf, LoopHyperSchema, PretrainHyperSchema, MethodHyperSchema, TrainHyperSchema, type TrainHyper, type LoopHyper, type MethodOptions } from './hyper';
export { runLoop, evaluateBatches, accumulateGrads, PHIST_BINS, type LoopOptions, type LoopInput, type LoopResult, type TrainProgress, type BatchSource } from './loop';
export { saveTrainState, loadTrainState, readLoopState, removeTrainState, type LoopState, type SavedTrainState } from './train-state';
export { resolveModel, stateDirFor, storedPath, modelDir, runDirOf } from './run-record';
export { trainModel, type TrainModelOptions, type TrainResult, type DatasetRef } from './train-model';
export {
  pretrain,
  buildPretrainCorpus,
  pretrainTokenizer,
  excludedTexts,
  BASE_CHARSET,
  type PretrainOptions,
  type PretrainResult,
  type CorpusSpec,
  type PretrainHyper,
} from './pretrain';
export { benchTrainStep, type BenchTrainOptions, type BenchTrainResult } from './bench-train';
export { TRAIN_STAGE, TrainOptionsSchema, trainKey, type TrainOptions } from './stages/train';
export { PRETRAIN_STAGE, PretrainOptionsSchema, BaseModelShapeSchema, type PretrainOptions as PretrainStageOptions, type BaseModelShape } from './stages/pretrain';
