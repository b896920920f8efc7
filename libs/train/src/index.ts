/**
 * @sieve/train — losses (SFT, DFT, iw-SFT, DPO, ASFT), AdamW, the training loop, pretraining of the
 * offline base model, and the pretrain and train stages. Exports what other libs use; tests import
 * the files they test.
 */
import './gradients';

export { tokenLogProbs } from './log-probs';
export { METHODS, TRAIN_METHODS, isTrainMethod, type TrainMethod, type MethodRow } from './methods';
export { TRAIN_DEFAULTS, resolveHyper, LoopHyperSchema, PretrainHyperSchema, MethodHyperSchema, TrainHyperSchema, type TrainHyper, type LoopHyper, type MethodOptions } from './hyper';
export type { TrainProgress } from './loop';
export { checkTrainingMemory, TRAINING_BYTES_PER_PARAMETER, type TrainingMemory } from './memory-check';
export { trainModel, type TrainModelOptions, type TrainResult } from './train-model';
export { pretrain, type PretrainOptions, type PretrainResult } from './pretrain';
export { benchTrain, type BenchTrainOptions, type BenchTrainResult, type BenchTrainRun } from './bench-train';
export { TRAIN_STAGE, TrainOptionsSchema, trainKey, type TrainOptions, type TrainEnv } from './stages/train';
export { PRETRAIN_STAGE, PretrainOptionsSchema, BaseModelShapeSchema, BaseModelSchema, type BaseModelShape } from './stages/pretrain';
export { HfBaseModelSchema, type HfBaseModel } from './stages/hf-base';
export { importHfModel, hfFolderFingerprint, hfModelId, hfPathOf, type ImportHfOptions, type ImportHfResult } from './hf-import';
