/**
 * Checkpoints: a folder with config.json, tokenizer.json, weights.bin (float32 little-endian,
 * parameters concatenated in manifest order) and manifest.json (format version, parameter
 * names/shapes/offsets, byte length, sha256 of weights.bin, free-form meta).
 *
 * Saving writes a temp sibling folder, then swaps it in by rename, so a reader never sees a
 * half-written checkpoint; an existing checkpoint is moved aside first and removed last (if the
 * process dies in between, the previous one survives as `.<name>.old-*` next to it).
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { SieveError } from '@sieve/core';
import { CHECKPOINT_FILES, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, ManifestSchema, rebuildHint, type CheckpointManifest } from './checkpoint-format';
import { paramShapes } from './architecture';
import { parseModelConfig, type ModelConfig } from './config';
import { tokenizerFromJSON, type Tokenizer } from './tokenizer';
import { modelFromValues, type Transformer } from './transformer';

const FILES = CHECKPOINT_FILES;
export { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type CheckpointManifest };

export interface SaveCheckpointInput {
  config: ModelConfig;
  tokenizer: Tokenizer;
  params: Record<string, tf.Tensor>;
  meta?: Record<string, unknown>;
}

export interface LoadedCheckpoint {
  config: ModelConfig;
  tokenizer: Tokenizer;
  model: Transformer;
  meta: Record<string, unknown>;
  manifest: CheckpointManifest;
}

const LE = os.endianness() === 'LE';

function toBytes(values: Float32Array): Uint8Array {
  if (LE) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

function fromBytes(bytes: Uint8Array, offset: number, count: number): Float32Array {
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * 4);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

async function writeDurably(file: string, data: string | Uint8Array): Promise<void> {
  const fh = await fsp.open(file, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes a checkpoint folder atomically (replacing an existing one). */
export async function saveCheckpoint(dir: string, input: SaveCheckpointInput): Promise<CheckpointManifest> {
  const shapes = paramShapes(input.config);
  const entries: CheckpointManifest['params'] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, shape] of shapes) {
    const t = input.params[name];
    if (!t) throw new SieveError(`cannot save checkpoint: parameter ${name} is missing`, { where: dir });
    if (t.shape.join(',') !== shape.join(',')) {
      throw new SieveError(`cannot save checkpoint: parameter ${name} has shape [${t.shape}], config says [${shape}]`, { where: dir });
    }
    const bytes = toBytes(Float32Array.from(t.dataSync() as Float32Array));
    entries.push({ name, shape, offset });
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  const weights = Buffer.concat(chunks);
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    params: entries,
    byteLength: weights.byteLength,
    sha256: createHash('sha256').update(weights).digest('hex'),
    meta: input.meta ?? {},
  };

  const target = path.resolve(dir);
  const parent = path.dirname(target);
  const base = path.basename(target);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = path.join(parent, `.${base}.tmp-${tag}`);
  await fsp.mkdir(parent, { recursive: true });
  await fsp.mkdir(tmp);
  try {
    await writeDurably(path.join(tmp, FILES.config), JSON.stringify(input.config, null, 2) + '\n');
    await writeDurably(path.join(tmp, FILES.tokenizer), JSON.stringify(input.tokenizer.toJSON()) + '\n');
    await writeDurably(path.join(tmp, FILES.weights), weights);
    await writeDurably(path.join(tmp, FILES.manifest), JSON.stringify(manifest, null, 2) + '\n');
    const old = path.join(parent, `.${base}.old-${tag}`);
    const hadOld = await fsp.stat(target).then(() => true, () => false);
    if (hadOld) await fsp.rename(target, old);
    try {
      await fsp.rename(tmp, target);
    } catch (err) {
      if (hadOld) await fsp.rename(old, target);
      throw err;
    }
    if (hadOld) await fsp.rm(old, { recursive: true, force: true });
  } catch (err) {
    await fsp.rm(tmp, { recursive: true, force: true });
    throw new SieveError(`could not write checkpoint ${target}`, { where: target, hint: 'check the disk space and permissions', cause: err });
  }
  return manifest;
}

async function readFileOrFail(dir: string, name: string, hint: string): Promise<Buffer> {
  const file = path.join(dir, name);
  try {
    return await fsp.readFile(file);
  } catch (err) {
    const missing = (err as { code?: string }).code === 'ENOENT';
    throw new SieveError(`checkpoint ${dir}: ${missing ? `missing file ${name}` : `cannot read ${name}`}`, { where: file, hint, cause: err });
  }
}

async function readJson(dir: string, name: string, hint: string): Promise<unknown> {
  const text = (await readFileOrFail(dir, name, hint)).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new SieveError(`checkpoint ${dir}: ${name} is not valid JSON (${(err as Error).message})`, { where: path.join(dir, name), hint, cause: err });
  }
}

/**
 * Reads and verifies every file of a checkpoint folder (sha256 of the weights included); returns
 * the parameter values by name, without touching tfjs (the GGUF export reads checkpoints this way).
 */
export async function readCheckpoint(dir: string): Promise<Omit<LoadedCheckpoint, 'model'> & { values: Map<string, Float32Array> }> {
  const root = path.resolve(dir);
  const stat = await fsp.stat(root).catch(() => null);
  const generic = rebuildHint(root, null);
  if (!stat?.isDirectory()) throw new SieveError(`checkpoint folder not found: ${root}`, { where: root, hint: generic });

  const parsed = ManifestSchema.safeParse(await readJson(root, FILES.manifest, generic));
  if (!parsed.success) {
    const why = `manifest.json is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
    throw new SieveError(`checkpoint ${root}: ${why}`, { where: path.join(root, FILES.manifest), hint: generic });
  }
  const manifest = parsed.data;
  // From here on the manifest's meta says which command made the checkpoint.
  const redo = rebuildHint(root, manifest.meta);
  const fail = (file: string, what: string): SieveError =>
    new SieveError(`checkpoint ${root}: ${what}`, { where: path.join(root, file), hint: redo });
  const cfg = await readJson(root, FILES.config, redo).then((raw) => {
    try {
      return parseModelConfig(raw, path.join(root, FILES.config));
    } catch (err) {
      throw new SieveError(`checkpoint ${root}: config.json is invalid`, { where: path.join(root, FILES.config), hint: redo, cause: err });
    }
  });
  const tokRaw = await readJson(root, FILES.tokenizer, redo);
  let tokenizer: Tokenizer;
  try {
    tokenizer = tokenizerFromJSON(tokRaw, path.join(root, FILES.tokenizer));
  } catch (err) {
    throw new SieveError(`checkpoint ${root}: tokenizer.json is invalid`, { where: path.join(root, FILES.tokenizer), hint: redo, cause: err });
  }
  // HF models may pad the embedding beyond the tokenizer (Qwen2.5: 151,665 tokens, vocab_size 151,936).
  const padded = tokenizer.toJSON().type === 'hf' && tokenizer.vocabSize < cfg.vocabSize;
  if (tokenizer.vocabSize !== cfg.vocabSize && !padded) {
    throw fail(FILES.tokenizer, `tokenizer has ${tokenizer.vocabSize} tokens but config.json says vocabSize ${cfg.vocabSize}`);
  }

  const weights = await readFileOrFail(root, FILES.weights, redo);
  if (weights.byteLength !== manifest.byteLength) {
    throw fail(FILES.weights, `weights.bin has ${weights.byteLength} bytes, manifest.json says ${manifest.byteLength} (truncated or overwritten)`);
  }
  const digest = createHash('sha256').update(weights).digest('hex');
  if (digest !== manifest.sha256) throw fail(FILES.weights, 'weights.bin does not match the sha256 in manifest.json (corrupted)');

  const byName = new Map(manifest.params.map((p) => [p.name, p]));
  const values = new Map<string, Float32Array>();
  for (const [name, shape] of paramShapes(cfg)) {
    const entry = byName.get(name);
    if (!entry) throw fail(FILES.manifest, `parameter ${name} is missing from manifest.json`);
    if (entry.shape.join(',') !== shape.join(',')) {
      throw fail(FILES.manifest, `parameter ${name} has shape [${entry.shape}] in manifest.json, config.json implies [${shape}]`);
    }
    const count = shape.reduce((a, b) => a * b, 1);
    if (entry.offset + count * 4 > weights.byteLength) throw fail(FILES.manifest, `parameter ${name} lies outside weights.bin`);
    values.set(name, fromBytes(weights, entry.offset, count));
  }
  return { config: cfg, tokenizer, meta: manifest.meta, manifest, values };
}

/** A checkpoint's model config alone (config.json), without reading the weights: e.g. to size a run first. */
export function readCheckpointConfig(dir: string): ModelConfig {
  const file = path.join(path.resolve(dir), FILES.config);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SieveError(`checkpoint ${path.resolve(dir)}: cannot read config.json`, { where: file, hint: rebuildHint(dir, null), cause: err });
  }
  return parseModelConfig(raw, file);
}

/** Loads a checkpoint folder into a new model; weights are bit-identical to what was saved. */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const { values, ...rest } = await readCheckpoint(dir);
  return { ...rest, model: modelFromValues(rest.config, values) };
}

/** Overwrites `model`'s parameters with a checkpoint's (resume); the configs must match. Returns the meta. */
export async function loadParamsInto(model: Transformer, dir: string): Promise<Record<string, unknown>> {
  const ck = await readCheckpoint(dir);
  const want = JSON.stringify(paramShapes(model.config));
  if (JSON.stringify(paramShapes(ck.config)) !== want) {
    throw new SieveError(`checkpoint ${path.resolve(dir)} has a different model shape than the model to load into`, {
      where: path.join(path.resolve(dir), FILES.config),
      hint: 'resume with the same model config the checkpoint was written with',
    });
  }
  for (const [name, values] of ck.values) {
    const v = model.params[name];
    if (v) tf.tidy(() => v.assign(tf.tensor(values, v.shape, 'float32')));
  }
  return ck.meta;
}
