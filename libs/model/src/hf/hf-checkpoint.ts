/**
 * A Hugging Face folder saved as a sieve checkpoint: the weights in float32, its HF tokenizer, and its
 * config.json in meta.hfConfig, so a model trained from it exports back as HF and to GGUF
 * (model-folder.ts reads that meta). What `sieve model import`, the engine benchmark and tests share.
 */
import type { ModelConfig } from '../config';
import { saveCheckpoint } from '../checkpoint';
import type { HfArchitecture } from './config';
import { loadHfModel } from './model';
import type { FloatDtype } from './safetensors';

export interface SavedHfCheckpoint {
  arch: HfArchitecture;
  /** The dtype the HF weights were stored in (the checkpoint holds float32). */
  dtype: FloatDtype;
  config: ModelConfig;
  paramCount: number;
  meta: Record<string, unknown>;
}

/**
 * Converts `hfDir` into a checkpoint at `outDir`. `meta` adds manifest entries that may depend on
 * what was read (e.g. the source's architecture and dtype). The tfjs backend must be initialised.
 * @throws InputError from loadHfModel naming the file and the key or tensor that is wrong.
 */
export async function saveHfAsCheckpoint(hfDir: string, outDir: string, meta?: (read: { arch: HfArchitecture; dtype: FloatDtype }) => Record<string, unknown>): Promise<SavedHfCheckpoint> {
  const m = loadHfModel(hfDir);
  try {
    const full = { hfConfig: m.config.raw, ...(meta ? meta({ arch: m.arch, dtype: m.dtype }) : {}) };
    await saveCheckpoint(outDir, { config: m.config.model, tokenizer: m.tokenizer, params: m.model.params, meta: full });
    return { arch: m.arch, dtype: m.dtype, config: m.config.model, paramCount: m.model.paramCount(), meta: full };
  } finally {
    m.model.dispose();
  }
}
