/**
 * The weights of an HF checkpoint folder: `model.safetensors`, or shards listed in
 * `model.safetensors.index.json` (`weight_map`: tensor name → shard file). Tensors are read one
 * at a time (see safetensors.ts), so loading never holds the checkpoint twice.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { InputError } from '@sieve/core';
import { SafetensorsFile } from './safetensors';

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

const IndexSchema = z.object({
  metadata: z.record(z.string(), z.unknown()).optional(),
  weight_map: z.record(z.string(), z.string()),
});

export class HfWeights {
  private readonly open = new Map<string, SafetensorsFile>();

  private constructor(
    readonly dir: string,
    /** Tensor name → file (absolute). */
    private readonly fileOf: Map<string, string>,
    /** The file that lists the tensors: model.safetensors or the index. */
    readonly listing: string,
  ) {}

  /** Opens the weights of `dir` (single file or sharded). */
  static open(dir: string): HfWeights {
    const index = path.join(dir, INDEX_FILE);
    const single = path.join(dir, SINGLE_FILE);
    if (fs.existsSync(index)) {
      let raw: unknown;
      try {
        raw = JSON.parse(fs.readFileSync(index, 'utf8'));
      } catch (err) {
        throw new InputError(`${INDEX_FILE} is not valid JSON`, { where: index, cause: err });
      }
      const parsed = IndexSchema.safeParse(raw);
      if (!parsed.success) throw new InputError(`${INDEX_FILE} has no valid weight_map`, { where: index });
      const map = new Map(Object.entries(parsed.data.weight_map).map(([t, f]) => [t, path.join(dir, f)]));
      for (const f of new Set(map.values())) {
        if (!fs.existsSync(f)) throw new InputError(`shard ${path.basename(f)} listed in ${INDEX_FILE} is missing`, { where: f });
      }
      return new HfWeights(dir, map, index);
    }
    if (fs.existsSync(single)) {
      const f = SafetensorsFile.open(single);
      const w = new HfWeights(dir, new Map([...f.entries.keys()].map((t) => [t, single])), single);
      w.open.set(single, f);
      return w;
    }
    throw new InputError(`no weights in ${dir}: neither ${SINGLE_FILE} nor ${INDEX_FILE}`, {
      where: dir,
      hint: 'sieve reads safetensors checkpoints (PyTorch .bin files are not read)',
    });
  }

  has(name: string): boolean {
    return this.fileOf.has(name);
  }

  /** The dtype the checkpoint stores `name` in (F32, F16, BF16, …). */
  dtypeOf(name: string): string | undefined {
    const f = this.fileOf.get(name);
    return f ? this.file(f).entries.get(name)?.dtype : undefined;
  }

  /** Tensor `name` as float32 in the file's layout; missing or misshapen tensors name tensor and file. */
  read(name: string, shape: readonly number[]): Float32Array {
    const f = this.fileOf.get(name);
    if (!f) {
      throw new InputError(`tensor ${name} is missing from ${path.basename(this.listing)}`, {
        where: this.listing,
        hint: 'the checkpoint does not match its config.json',
      });
    }
    return this.file(f).read(name, shape);
  }

  private file(f: string): SafetensorsFile {
    let st = this.open.get(f);
    if (!st) {
      st = SafetensorsFile.open(f);
      this.open.set(f, st);
    }
    return st;
  }

  close(): void {
    for (const f of this.open.values()) f.close();
    this.open.clear();
  }
}
