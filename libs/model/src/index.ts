/**
 * @sieve/model — backend selection, tokenizers, the transformer (one block definition per
 * architecture, used by the full forward, the KV cache and the decode session), fast
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
  bosPrefix,
  isEos,
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
  paramCountOf,
  flopsPerToken,
  type ModelConfig,
  type ModelConfigInput,
} from './config';
export { paramShapes } from './architecture';
export { Transformer, createModel, type ForwardOptions } from './transformer';
export { KVCache, type KVLayer } from './kv-cache';
export type { DecodeSession, PrefillOptions } from './decode-session';
export { lastLogits, rowsPerForward } from './left-pad';
export { setFastGrads, fastGradsEnabled, oneHotFloat, bmmNT, transpose2d } from './ops';
export { registerGradients } from './gradients';
export {
  saveCheckpoint,
  loadCheckpoint,
  readCheckpointConfig,
  loadParamsInto,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type CheckpointManifest,
  type SaveCheckpointInput,
  type LoadedCheckpoint,
} from './checkpoint';
export { verifyCheckpoint, type CheckpointCheck } from './checkpoint-verify';
export { rebuildHint } from './checkpoint-format';
export { benchForwardBackward, forwardBackwardStep, crossEntropy, type BenchOptions, type BenchResult } from './bench';
export { HfTokenizer, type HfTokenizerJSON, type ChatMessage } from './hf/tokenizer';
export { encodeModelPrompt, hasChatTemplate, chatTokenizer, type ModelPrompt } from './prompt-ids';
export { parseHfConfig, HF_ARCHITECTURES, type HfArchitecture, type ParsedHfConfig } from './hf/config';
export { loadHfModel, exportHfModel, readHfConfig, hfTensorsOf, type HfModel } from './hf/model';
export { saveHfAsCheckpoint, type SavedHfCheckpoint } from './hf/hf-checkpoint';
export { makeTiny, type MakeTinyOptions } from './hf/make-tiny';
export { resolveTokenizerSource } from './hf/tokenizer-source';
export { exportGguf } from './hf/gguf-export';
export { checkAgainstLlamaCpp, MATH_STRINGS, type ModelCheckResult } from './hf/check';
export { describeHfModel, type HfModelInfo } from './hf/info';
export type { FloatDtype } from './hf/safetensors';
export { exportCheckpointGguf, cachedCheckpointGguf, checkpointGgufKey, defaultGgufCacheDir, ggufConfigOf, type CachedGguf } from './checkpoint-gguf';
export { mathStringsFor } from './hf/check';
export type { GgufModelConfig } from './hf/gguf-export';
export type { GgmlType } from './hf/gguf';
export { loadModelFolder, modelFolderKind, type LoadedModelFolder, type ModelFolderKind } from './model-folder';
export { benchForward, type BenchForwardOptions, type BenchForwardResult, type ForwardSideResult } from './hf/bench-forward';
