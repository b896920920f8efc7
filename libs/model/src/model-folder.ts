/**
 * A model folder as `sieve model check|export` take it: a Hugging Face checkpoint folder
 * (config.json + safetensors) or a sieve checkpoint (manifest.json + weights.bin: the char model,
 * or a model imported or trained from HF), loaded into the one forward with what the GGUF and HF
 * exports need.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '@sieve/core';
import { loadCheckpoint } from './checkpoint';
import { CHECKPOINT_FILES } from './checkpoint-format';
import { ggufConfigOf } from './checkpoint-gguf';
import { parseHfConfig, type ParsedHfConfig } from './hf/config';
import type { GgufModelConfig } from './hf/gguf-export';
import { loadHfModel } from './hf/model';
import { HfTokenizer } from './hf/tokenizer';
import { CharTokenizer } from './tokenizer';
import type { Transformer } from './transformer';

export type ModelFolderKind = 'hf' | 'checkpoint';

/** Which kind of model folder `dir` is, by its files; null when it is neither. */
export function modelFolderKind(dir: string): ModelFolderKind | null {
  if (fs.existsSync(path.join(dir, CHECKPOINT_FILES.manifest))) return 'checkpoint';
  if (fs.existsSync(path.join(dir, 'config.json'))) return 'hf';
  return null;
}

export interface LoadedModelFolder {
  kind: ModelFolderKind;
  dir: string;
  config: GgufModelConfig;
  model: Transformer;
  tokenizer: HfTokenizer | CharTokenizer;
  /** The HF config (an HF folder, or a checkpoint imported from one: meta.hfConfig); null for the char model. */
  hf: ParsedHfConfig | null;
}

/**
 * Loads either kind of folder (the tfjs backend must be initialised).
 * @throws InputError when `dir` is neither; the loaders' errors name the file that is wrong.
 */
export async function loadModelFolder(dir: string): Promise<LoadedModelFolder> {
  const abs = path.resolve(dir);
  const kind = modelFolderKind(abs);
  if (kind === 'hf') {
    const m = loadHfModel(abs);
    return { kind, dir: abs, config: m.config, model: m.model, tokenizer: m.tokenizer, hf: m.config };
  }
  if (kind === null) {
    throw new InputError(`${abs} is neither a sieve checkpoint (manifest.json) nor a Hugging Face model folder (config.json)`, {
      where: abs,
      hint: "give a model id of the run (--run), its folder under data/runs/<run>/models/, or a Hugging Face folder",
    });
  }
  const ck = await loadCheckpoint(abs);
  const tok = ck.tokenizer;
  if (!(tok instanceof CharTokenizer) && !(tok instanceof HfTokenizer)) throw new InputError(`checkpoint ${abs}: unknown tokenizer`, { where: path.join(abs, CHECKPOINT_FILES.tokenizer) });
  const raw = ck.meta['hfConfig'];
  const hf = raw !== undefined && tok instanceof HfTokenizer ? parseHfConfig(raw, `${path.join(abs, CHECKPOINT_FILES.manifest)}: meta.hfConfig`) : null;
  return { kind, dir: abs, config: ggufConfigOf(ck.config), model: ck.model, tokenizer: tok, hf: hf ? { ...hf, model: ck.config } : null };
}
