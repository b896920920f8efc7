/**
 * @sieve/model — backend selection, tokenizers, the transformer (one block definition per
 * architecture, used by the full forward, the KV cache and the decode session), fast
 * custom-gradient ops, checkpoints and a forward+backward benchmark.
 */
export { initBackend, probeBackends, activeBackend } from './backend';
export {
  CharTokenizer,
  tokenizerFromJSON,
  bosPrefix,
  isEos,
  UNK_ID,
  type Tokenizer,
  type TokenizerJSON,
} from './tokenizer';
export { parseModelConfig, paramCountOf, flopsPerToken, type ModelConfig, type ModelConfigInput } from './config';
export { paramShapes } from './architecture';
export { Transformer, createModel } from './transformer';
export { lastLogits, rowsPerForward } from './left-pad';
export { setFastGrads, fastGradsEnabled } from './ops';
export { registerGradients } from './gradients';
export { adamwKernel, type AdamWScalars } from './wasm-adamw';
export { copyTensorInto, tensorFromView } from './wasm-kernels';
export {
  saveCheckpoint,
  loadCheckpoint,
  readCheckpointConfig,
  loadParamsInto,
  type LoadedCheckpoint,
} from './checkpoint';
export { verifyCheckpoint } from './checkpoint-verify';
export { type BenchOptions, type BenchResult } from './bench';
export { HfTokenizer, type ChatMessage } from './hf/tokenizer';
export { encodeModelPrompt, hasChatTemplate, chatTokenizer, type ModelPrompt } from './prompt-ids';
export { HF_ARCHITECTURES, type HfArchitecture } from './hf/config';
export { loadHfModel, exportHfModel, hfTensorsOf, type HfModel } from './hf/model';
export { saveHfAsCheckpoint } from './hf/hf-checkpoint';
export { makeTiny } from './hf/make-tiny';
export { exportGguf } from './hf/gguf-export';
export { checkAgainstLlamaCpp } from './hf/check';
export { describeHfModel } from './hf/info';
export { exportCheckpointGguf, cachedCheckpointGguf, defaultGgufCacheDir } from './checkpoint-gguf';
export type { GgmlType } from './hf/gguf';
export { loadModelFolder, modelFolderKind } from './model-folder';
export { benchForward, type BenchForwardResult, type ForwardSideResult } from './hf/bench-forward';
