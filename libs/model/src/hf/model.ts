/**
 * Hugging Face checkpoints in and out of sieve's Transformer: `loadHfModel` reads a folder
 * (config.json, safetensors weights, tokenizer files) into the one forward; `exportHfModel`
 * writes a model back in exact HF layout (names, [out, in] matrices, config.json keys kept).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '@sieve/core';
import { Transformer } from '../transformer';
import { parseHfConfig, type HfArchitecture, type ParsedHfConfig } from './config';
import { writeHfFolder } from './folder';
import { hfParams, transposeMatrix } from './names';
import type { FloatDtype, TensorToWrite } from './safetensors';
import { GENERATION_CONFIG_FILE, HfTokenizer, TOKENIZER_CONFIG_FILE, TOKENIZER_FILE } from './tokenizer';
import { HfWeights } from './weights';

export interface HfModel {
  dir: string;
  arch: HfArchitecture;
  config: ParsedHfConfig;
  model: Transformer;
  tokenizer: HfTokenizer;
  /** The dtype the weights were stored in. */
  dtype: FloatDtype;
}

/** Reads and validates `dir`/config.json. */
export function readHfConfig(dir: string): ParsedHfConfig {
  const file = path.join(dir, 'config.json');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(`cannot read ${file} as JSON`, { where: file, cause: err, hint: 'point at a Hugging Face model folder (config.json, model.safetensors, tokenizer.json)' });
  }
  return parseHfConfig(raw, file);
}

/**
 * Loads an HF checkpoint folder into a Transformer (float32; the backend must be initialised).
 * Weights are read tensor by tensor, transposed from HF's [out, in] to sieve's [in, out] and
 * handed to tfjs one at a time, so peak memory is the model in float32 plus one tensor.
 * @throws InputError naming the file and key/tensor for an unsupported config, a missing or
 *   misshapen tensor, a truncated safetensors file or a tokenizer that does not parse.
 */
export function loadHfModel(dir: string): HfModel {
  const config = readHfConfig(dir);
  const tokenizer = HfTokenizer.fromDir(dir);
  if (tokenizer.vocabSize > config.model.vocabSize) {
    throw new InputError(`${TOKENIZER_FILE} has ${tokenizer.vocabSize} tokens but config.json says vocab_size ${config.model.vocabSize}`, {
      where: path.join(dir, TOKENIZER_FILE),
    });
  }
  const weights = HfWeights.open(dir);
  try {
    const params = hfParams(config.model);
    const byName = new Map(params.map((p) => [p.name, p]));
    const first = params[0];
    const dtype = (first && weights.dtypeOf(first.hfName)) ?? 'F32';
    const model = new Transformer(config.model, (name) => {
      const p = byName.get(name);
      if (!p) throw new InputError(`no HF tensor for ${name}`);
      const v = weights.read(p.hfName, p.hfShape);
      return p.transposed ? transposeMatrix(v, p.hfShape[0] ?? 0, p.hfShape[1] ?? 0) : v;
    });
    return { dir, arch: config.arch, config, model, tokenizer, dtype: dtype === 'BF16' || dtype === 'F16' ? dtype : 'F32' };
  } finally {
    weights.close();
  }
}

/** The model's parameters as HF tensors (names, [out, in] layout), each read from the backend when written. */
export function hfTensorsOf(model: Transformer): TensorToWrite[] {
  return hfParams(model.config).map((p) => ({
    name: p.hfName,
    shape: p.hfShape,
    data: () => {
      const v = model.params[p.name]?.dataSync() as Float32Array | undefined;
      if (!v) throw new InputError(`model has no parameter ${p.name}`);
      return p.transposed ? transposeMatrix(v, p.shape[0] ?? 0, p.shape[1] ?? 0) : v;
    },
  }));
}

const TORCH_DTYPE: Record<FloatDtype, string> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' };

/** The JSON files that travel with the weights: config.json (torch_dtype set) and the tokenizer's files. */
export function hfFiles(config: ParsedHfConfig, tokenizer: HfTokenizer, dtype: FloatDtype): { config: Record<string, unknown>; files: Record<string, unknown> } {
  const t = tokenizer.files;
  const generation = t.generation ?? { bos_token_id: tokenizer.bosId, eos_token_id: [...tokenizer.eosIds], pad_token_id: tokenizer.padId };
  return {
    config: { ...config.raw, torch_dtype: TORCH_DTYPE[dtype] },
    files: { [TOKENIZER_FILE]: t.tokenizer, [TOKENIZER_CONFIG_FILE]: t.config, [GENERATION_CONFIG_FILE]: generation },
  };
}

/**
 * Writes `m` as an HF checkpoint folder `out` (atomically): config.json with every original key,
 * model.safetensors in `dtype` (F32 or BF16), tokenizer.json, tokenizer_config.json, generation_config.json.
 */
export function exportHfModel(m: Pick<HfModel, 'config' | 'model' | 'tokenizer'>, out: string, opts: { dtype: FloatDtype; shards?: number }): void {
  const { config, files } = hfFiles(m.config, m.tokenizer, opts.dtype);
  writeHfFolder(out, { config, files, tensors: hfTensorsOf(m.model), dtype: opts.dtype, shards: opts.shards ?? 1 });
}
