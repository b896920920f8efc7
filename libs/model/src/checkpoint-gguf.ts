/**
 * Any sieve checkpoint folder (the built-in char model, or a model imported or trained from a
 * Hugging Face checkpoint) as a GGUF file llama.cpp loads, and a cache of those exports keyed by
 * the checkpoint's content.
 *
 * sieve's block is LLaMA's (RMSNorm, SwiGLU, rotate-half RoPE as HF applies it), plus q/k/v biases
 * for Qwen2: a checkpoint with biases is written as llama.cpp's `qwen2`, any other as `llama`
 * (whose q/k rows exportGguf permutes back to interleaved RoPE pairs), tied or untied head alike.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SieveError } from '@sieve/core';
import { readCheckpoint } from './checkpoint';
import { CHECKPOINT_FILES, rebuildHint } from './checkpoint-format';
import type { ModelConfig } from './config';
import { exportGguf, type GgufModelConfig } from './hf/gguf-export';
import type { GgmlType } from './hf/gguf';
import { hfParams, transposeMatrix } from './hf/names';
import type { TensorToWrite } from './hf/safetensors';
import { HfTokenizer } from './hf/tokenizer';
import { CharTokenizer } from './tokenizer';

/** Bumped when the export's output changes for the same checkpoint (invalidates cached GGUFs). */
const EXPORT_VERSION = 1;

/** llama.cpp's architecture for a sieve model config (see the file comment). */
export function ggufConfigOf(model: ModelConfig): GgufModelConfig {
  return { arch: model.qkvBias ? 'qwen2' : 'llama', model };
}

/**
 * Exports the checkpoint in `dir` to the GGUF file `out` (atomically), weights in `dtype` (F16:
 * matrices in half precision, norms and biases F32). The checkpoint is read and verified
 * (sha256) without tfjs.
 * @throws SieveError naming the checkpoint file that is missing or corrupt.
 */
export async function exportCheckpointGguf(dir: string, out: string, opts: { dtype: GgmlType }): Promise<{ arch: string; vocabSize: number }> {
  const ck = await readCheckpoint(dir);
  const tok = ck.tokenizer;
  if (!(tok instanceof CharTokenizer) && !(tok instanceof HfTokenizer)) throw new SieveError(`checkpoint ${dir}: its tokenizer cannot be written to GGUF`);
  const tensors: TensorToWrite[] = hfParams(ck.config).map((p) => ({
    name: p.hfName,
    shape: p.hfShape,
    data: () => {
      const v = ck.values.get(p.name) as Float32Array; // readCheckpoint checked every parameter
      return p.transposed ? transposeMatrix(v, p.shape[0] ?? 0, p.shape[1] ?? 0) : v;
    },
  }));
  const config = ggufConfigOf(ck.config);
  exportGguf(out, { config, tensors, tokenizer: tok, name: path.basename(path.resolve(dir)) }, opts);
  return { arch: config.arch, vocabSize: ck.config.vocabSize };
}

/**
 * A key for the checkpoint's content and the export settings: sha256 over manifest.json (which
 * holds the weights' sha256), config.json and tokenizer.json, the dtype and the export version.
 * Cheap (the weights are not read): a retrained or rewritten checkpoint gets a new key.
 * @throws SieveError naming the file when one of them is missing.
 */
export function checkpointGgufKey(dir: string, dtype: GgmlType): string {
  const root = path.resolve(dir);
  const h = createHash('sha256').update(`sieve-gguf-v${EXPORT_VERSION}\0${dtype}\0`);
  for (const f of [CHECKPOINT_FILES.manifest, CHECKPOINT_FILES.config, CHECKPOINT_FILES.tokenizer]) {
    const file = path.join(root, f);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (err) {
      throw new SieveError(`checkpoint ${root}: cannot read ${f}`, { where: file, hint: rebuildHint(root, null), cause: err });
    }
    h.update(`${f}\0`).update(bytes).update('\0');
  }
  return h.digest('hex');
}

export interface CachedGguf {
  /** The GGUF file. */
  path: string;
  /** Whether this call wrote it (false: it was in the cache). */
  exported: boolean;
}

/**
 * The GGUF export of a checkpoint from `cacheDir` (`<key>.gguf`), written there first when it is
 * missing. Writes are atomic (temp file + rename), so concurrent callers at worst export twice.
 */
export async function cachedCheckpointGguf(dir: string, cacheDir: string, dtype: GgmlType): Promise<CachedGguf> {
  const file = path.join(cacheDir, `${checkpointGgufKey(dir, dtype).slice(0, 32)}-${dtype.toLowerCase()}.gguf`);
  if (fs.existsSync(file)) return { path: file, exported: false };
  fs.mkdirSync(cacheDir, { recursive: true });
  await exportCheckpointGguf(dir, file, { dtype });
  return { path: file, exported: true };
}

/** Where cached GGUFs of a checkpoint live by default: `<run>/cache/gguf` for `<run>/models/<id>`, else beside the checkpoint. */
export function defaultGgufCacheDir(checkpointDir: string): string {
  const parent = path.dirname(path.resolve(checkpointDir));
  return path.basename(parent) === 'models' ? path.join(path.dirname(parent), 'cache', 'gguf') : path.join(parent, '.gguf-cache');
}
