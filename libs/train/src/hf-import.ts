/**
 * A Hugging Face checkpoint folder as a model of a run: converted once into a sieve checkpoint
 * under the run's models/ and registered in the store, so sampling, training and evaluation read
 * it like any other model. The pipeline's base-model stage and `sieve sample|train|eval --model
 * hf:PATH` share this one function.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '@sieve/core';
import { saveHfAsCheckpoint } from '@sieve/model';
import type { ModelKind, Store } from '@sieve/store';
import { runDirOf, storedPath } from './run-record';

/** The JSON files whose content defines the model besides its weights (generation_config.json is optional). */
const CONTENT_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json'];
/** Weight files: identified by name, size and modification time, not hashed (see hfFolderFingerprint). */
const isWeightFile = (f: string): boolean => f.endsWith('.safetensors') || f === 'model.safetensors.index.json';

/**
 * A cheap, deterministic fingerprint of an HF folder's content: sha256 over the bytes of
 * config.json and the tokenizer files, and over the name, byte size and mtime of every weight
 * file. Weights are not hashed because a stage's `select` runs on every `sieve run` and a 1 GB
 * checkpoint takes seconds to hash; a re-downloaded or retrained file changes its size or mtime
 * (as make and rsync assume), and a copy of the folder merely triggers one more import.
 * @throws InputError when `dir` is not a folder with config.json and weights.
 */
export function hfFolderFingerprint(dir: string): string {
  const abs = path.resolve(dir);
  if (!fs.existsSync(path.join(abs, 'config.json'))) {
    throw new InputError(`${abs} is not a Hugging Face model folder (no config.json)`, {
      where: abs,
      hint: 'download the checkpoint yourself (e.g. `huggingface-cli download Qwen/Qwen2.5-0.5B --local-dir models/qwen2.5-0.5b`) and point at that folder',
    });
  }
  const h = createHash('sha256');
  for (const f of CONTENT_FILES) {
    const file = path.join(abs, f);
    h.update(`${f}\0`);
    if (fs.existsSync(file)) h.update(fs.readFileSync(file));
    h.update('\0');
  }
  const weights = fs.readdirSync(abs).filter(isWeightFile).sort();
  if (!weights.some((f) => f.endsWith('.safetensors'))) {
    throw new InputError(`${abs} has no .safetensors weights`, { where: abs, hint: 'sieve reads model.safetensors or sharded model-*.safetensors with model.safetensors.index.json' });
  }
  for (const f of weights) {
    const st = fs.statSync(path.join(abs, f));
    h.update(`${f}\0${st.size}\0${Math.trunc(st.mtimeMs)}\0`);
  }
  return h.digest('hex');
}

/** The model id an HF folder gets in a run: `hf-<folder name>-<8 hex of its fingerprint>`. */
export function hfModelId(dir: string, fp: string): string {
  const name = path.basename(path.resolve(dir)).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'model';
  return `hf-${name}-${fp.slice(0, 8)}`;
}

export interface ImportHfOptions {
  /** The HF folder (config.json, safetensors weights, tokenizer files). */
  dir: string;
  /** Id in the store; default `hfModelId(dir, fingerprint)`. */
  modelId?: string;
  /** Checkpoint folder; default `<run>/models/<modelId>`. */
  outDir?: string;
  /** 'base' when it is the run's base model (the report's base row), else 'imported'. */
  kind?: ModelKind;
  /** Fingerprint already computed by the caller (the stage's select). */
  fingerprint?: string;
  /** Convert even when a checkpoint of this content is registered (the stage reruns only when it must, e.g. a corrupt checkpoint). */
  force?: boolean;
  log?: (line: string) => void;
}

export interface ImportHfResult {
  modelId: string;
  outDir: string;
  /** The checkpoint of this content was already there: nothing was converted. */
  alreadyImported: boolean;
}

/**
 * Converts the HF folder into a sieve checkpoint (float32; config, HF tokenizer, and the HF
 * config.json in meta.hfConfig so a trained model exports back as HF) and registers it.
 * Idempotent: a registered model whose checkpoint has the same source fingerprint is reused.
 * The tfjs backend must be initialised.
 * @throws InputError from saveHfAsCheckpoint naming the file and key/tensor that is wrong.
 */
export async function importHfModel(store: Store, o: ImportHfOptions): Promise<ImportHfResult> {
  const dir = path.resolve(o.dir);
  const fp = o.fingerprint ?? hfFolderFingerprint(dir);
  const modelId = o.modelId ?? hfModelId(dir, fp);
  const outDir = path.resolve(o.outDir ?? path.join(runDirOf(store), 'models', modelId));
  const source = { path: dir, fingerprint: fp };
  if (!o.force && store.models.get(modelId) && importedFrom(outDir) === fp) {
    o.log?.(`model ${modelId}: already imported from ${dir}`);
    return { modelId, outDir, alreadyImported: true };
  }
  const saved = await saveHfAsCheckpoint(dir, outDir, ({ arch, dtype }) => ({ hfSource: { ...source, arch, dtype } }));
  store.models.upsert({ id: modelId, kind: o.kind ?? 'imported', path: storedPath(store, outDir), config: { ...saved.config }, parentId: null, meta: saved.meta });
  o.log?.(`model ${modelId}: imported ${saved.arch} from ${dir} (${saved.paramCount.toLocaleString('en-US')} parameters, ${saved.dtype} → float32)`);
  return { modelId, outDir, alreadyImported: false };
}

/** The source fingerprint recorded in a checkpoint's manifest (meta.hfSource), or null. */
function importedFrom(outDir: string): string | null {
  const file = path.join(outDir, 'manifest.json');
  if (!fs.existsSync(file)) return null;
  const meta = (JSON.parse(fs.readFileSync(file, 'utf8')) as { meta?: { hfSource?: { fingerprint?: unknown } } }).meta;
  const fp = meta?.hfSource?.fingerprint;
  return typeof fp === 'string' ? fp : null;
}

/** `hf:PATH` on the command line (`--model`, `--from`): the folder, else null (a model id or checkpoint folder). */
export function hfPathOf(arg: string): string | null {
  return arg.startsWith('hf:') ? arg.slice(3) : null;
}
