/**
 * Writing an HF checkpoint folder: config.json, weights (one safetensors file or N shards plus
 * model.safetensors.index.json), tokenizer files, generation_config.json. The folder is built
 * under a temp sibling and renamed into place, so `dir` is either the old folder or the
 * complete new one, never half-written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError, SieveError } from '@sieve/core';
import { writeSafetensors, type FloatDtype, type TensorToWrite } from './safetensors';
import { INDEX_FILE, SINGLE_FILE } from './weights';

export interface HfFolderInput {
  /** config.json contents (all keys). */
  config: Record<string, unknown>;
  /** Tensors in HF names and layout. */
  tensors: TensorToWrite[];
  dtype: FloatDtype;
  /** Number of safetensors shards (1 = a single model.safetensors). */
  shards?: number;
  /** Extra JSON files (tokenizer.json, tokenizer_config.json, generation_config.json, …) by file name. */
  files: Record<string, unknown>;
}

/** Writes the folder atomically (replacing `dir` if it exists). */
export function writeHfFolder(dir: string, input: HfFolderInput): void {
  const shards = input.shards ?? 1;
  if (!Number.isInteger(shards) || shards < 1 || shards > input.tensors.length) {
    throw new InputError(`shards must be between 1 and the number of tensors (${input.tensors.length}), got ${shards}`, { where: '--shards' });
  }
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.tmp-`));
  try {
    fs.chmodSync(tmp, 0o755); // mkdtemp makes it 0700; the result is an ordinary folder
    const writeJson = (name: string, v: unknown): void => fs.writeFileSync(path.join(tmp, name), `${JSON.stringify(v, null, 2)}\n`);
    writeJson('config.json', input.config);
    for (const [name, v] of Object.entries(input.files)) writeJson(name, v);
    const metadata = { format: 'pt' };
    if (shards === 1) {
      writeSafetensors(path.join(tmp, SINGLE_FILE), input.tensors, { dtype: input.dtype, metadata });
    } else {
      const per = Math.ceil(input.tensors.length / shards);
      const weightMap: Record<string, string> = {};
      let total = 0;
      const bytes = input.dtype === 'F32' ? 4 : 2;
      for (let s = 0; s < shards; s++) {
        const part = input.tensors.slice(s * per, (s + 1) * per);
        const name = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
        writeSafetensors(path.join(tmp, name), part, { dtype: input.dtype, metadata });
        for (const t of part) {
          weightMap[t.name] = name;
          total += t.shape.reduce((a, b) => a * b, 1) * bytes;
        }
      }
      writeJson(INDEX_FILE, { metadata: { total_size: total }, weight_map: weightMap });
    }
    const old = `${tmp}.old`;
    const hadOld = fs.existsSync(target);
    if (hadOld) fs.renameSync(target, old);
    try {
      fs.renameSync(tmp, target);
    } catch (err) {
      if (hadOld) fs.renameSync(old, target);
      throw err;
    }
    if (hadOld) fs.rmSync(old, { recursive: true, force: true });
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (err instanceof SieveError) throw err;
    throw new SieveError(`could not write ${target}`, { where: target, cause: err, hint: 'check the disk space and permissions' });
  }
}
