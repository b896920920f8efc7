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
