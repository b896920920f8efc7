/**
 * @sieve/model — backend selection, tokenizers, the transformer (with KV cache), fast
 * custom-gradient ops, checkpoints and a forward+backward benchmark.
 */
export {
  initBackend,
  probeBackends,
  describeBackend,
  activeBackend,
  BACKEND_NAMES,
  type BackendInfo,
  type BackendName,
  type BackendProbe,
} from './backend';
export {
  CharTokenizer,
  tokenizerFromJSON,
  TokenizerJSONSchema,
  SPECIAL_TOKENS,
  PAD_ID,
  BOS_ID,
  EOS_ID,
  UNK_ID,
  type Tokenizer,
  type TokenizerJSON,
} from './tokenizer';
export {
  ModelConfigSchema,
  parseModelConfig,
  headDim,
  paramShapes,
  paramCountOf,
  flopsPerToken,
  type ModelConfig,
  type ModelConfigInput,
} from './config';
export { Transformer, createModel, type ForwardOptions } from './transformer';
export { KVCache, type KVLayer } from './kv-cache';
export { setFastGrads, fastGradsEnabled, oneHotFloat, linear, bmm, bmmNT, embedding, rmsNorm, swiglu, transpose2d } from './ops';
export { ropeTables, applyRope, type RopeTables } from './rope';
export { registerGradients } from './gradients';
export {
  saveCheckpoint,
  loadCheckpoint,
  loadParamsInto,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type CheckpointManifest,
  type SaveCheckpointInput,
  type LoadedCheckpoint,
} from './checkpoint';
export { benchForwardBackward, forwardBackwardStep, crossEntropy, type BenchOptions, type BenchResult } from './bench';
