/**
 * @sieve/train — losses (SFT, DFT, iw-SFT, DPO, ASFT), AdamW, the training loop, pretraining of the
 * offline base model, and the pretrain and train stages. Exports what other libs use; tests import
 * the files they test.
 */
import './gradients';

export { tokenLogProbs } from './log-probs';
export { METHODS, TRAIN_METHODS, isTrainMethod } from './methods';
export { TRAIN_DEFAULTS, resolveHyper, LoopHyperSchema, PretrainHyperSchema, MethodHyperSchema } from './hyper';
export type { TrainProgress } from './loop';
export { trainModel } from './train-model';
export { pretrain } from './pretrain';
export { benchTrain, type BenchTrainResult } from './bench-train';
export { TRAIN_STAGE, TrainOptionsSchema, trainKey, type TrainEnv } from './stages/train';
export { PRETRAIN_STAGE, PretrainOptionsSchema, BaseModelSchema } from './stages/pretrain';
export { importHfModel, hfPathOf } from './hf-import';
