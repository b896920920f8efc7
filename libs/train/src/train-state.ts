/**
 * The resumable state of a training run, in one folder written atomically (temp folder, then
 * rename): `model/` (a checkpoint of the current parameters), `optimizer.bin` (AdamW's first
 * and second moments, float32 little-endian) and `state.json` (step, data position, the seeds
 * and the fingerprint of the run's configuration). The data order is a pure function of
 * (dataSeed, step) (see DataOrder) and nothing else in the loop draws random numbers, so the
 * seeds and the position are the whole RNG state.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { SieveError } from '@sieve/core';
import { loadParamsInto, saveCheckpoint, type ModelConfig, type Tokenizer, type Transformer } from '@sieve/model';
import type { AdamWState, SavedTensor } from './adamw';

const STATE_VERSION = 1;

const LoopStateSchema = z.object({
  version: z.literal(STATE_VERSION),
  step: z.number().int().nonnegative(),
  epoch: z.number().int().nonnegative(),
  position: z.number().int().nonnegative(),
  dataSeed: z.number().int(),
  fingerprint: z.string(),
  optimizer: z.object({
    step: z.number().int().nonnegative(),
    byteLength: z.number().int().nonnegative(),
    tensors: z.array(z.object({ name: z.string(), kind: z.enum(['m', 'v']), shape: z.array(z.number().int().nonnegative()), offset: z.number().int().nonnegative() })),
  }),
});
export type LoopState = Omit<z.infer<typeof LoopStateSchema>, 'optimizer' | 'version'>;

export interface SavedTrainState {
  loop: LoopState;
  optimizer: AdamWState;
}

const LE = os.endianness() === 'LE';

function floatsToBytes(values: Float32Array): Uint8Array {
  if (LE) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

function bytesToFloats(bytes: Uint8Array, offset: number, count: number): Float32Array {
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * 4);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** Writes `fill(tmp)` into a temp sibling of `target`, then swaps it in by rename. */
async function replaceDir(target: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const parent = path.dirname(target);
  const base = path.basename(target);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = path.join(parent, `.${base}.tmp-${tag}`);
  const old = path.join(parent, `.${base}.old-${tag}`);
  await fsp.mkdir(tmp, { recursive: true });
  try {
    await fill(tmp);
    const hadOld = await fsp.stat(target).then(() => true, () => false);
    if (hadOld) await fsp.rename(target, old);
    await fsp.rename(tmp, target);
    if (hadOld) await fsp.rm(old, { recursive: true, force: true });
  } catch (err) {
    await fsp.rm(tmp, { recursive: true, force: true });
    throw new SieveError(`could not write the training state ${target}`, { where: target, hint: 'check the disk space and permissions', cause: err });
  }
}

/** Saves parameters, optimizer moments and loop position to `dir` (atomically). */
export async function saveTrainState(
  dir: string,
  input: { config: ModelConfig; tokenizer: Tokenizer; params: Record<string, tf.Tensor>; optimizer: AdamWState; loop: LoopState },
): Promise<void> {
  const tensors: z.infer<typeof LoopStateSchema>['optimizer']['tensors'] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const kind of ['m', 'v'] as const) {
    for (const name of Object.keys(input.optimizer[kind]).sort()) {
      const t = input.optimizer[kind][name] as SavedTensor;
      const bytes = floatsToBytes(t.data);
      tensors.push({ name, kind, shape: t.shape, offset });
      chunks.push(Buffer.from(bytes));
      offset += bytes.byteLength;
    }
  }
  const state: z.infer<typeof LoopStateSchema> = {
    version: STATE_VERSION,
    ...input.loop,
    optimizer: { step: input.optimizer.step, byteLength: offset, tensors },
  };
  await replaceDir(path.resolve(dir), async (tmp) => {
    await saveCheckpoint(path.join(tmp, 'model'), { config: input.config, tokenizer: input.tokenizer, params: input.params, meta: { step: input.loop.step } });
    await fsp.writeFile(path.join(tmp, 'optimizer.bin'), Buffer.concat(chunks));
    await fsp.writeFile(path.join(tmp, 'state.json'), JSON.stringify(state, null, 2) + '\n');
  });
}

/** The saved loop state without touching any model, or null when `dir` holds none. */
export async function readLoopState(dir: string): Promise<z.infer<typeof LoopStateSchema> | null> {
  const file = path.join(dir, 'state.json');
  const text = await fsp.readFile(file, 'utf8').catch((err: { code?: string }) => {
    if (err.code === 'ENOENT') return null;
    throw new SieveError(`cannot read ${file}`, { where: file, cause: err });
  });
  if (text === null) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SieveError(`${file} is not valid JSON`, { where: file, hint: 'delete the folder (or use --restart) to start the run over', cause: err });
  }
  const parsed = LoopStateSchema.safeParse(raw);
  if (!parsed.success) {
    throw new SieveError(`${file} is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, {
      where: file,
      hint: 'delete the folder (or use --restart) to start the run over',
    });
  }
  return parsed.data;
}

/** Loads the parameters into `model` and returns the loop and optimizer state (null: nothing saved). */
export async function loadTrainState(dir: string, model: Transformer): Promise<SavedTrainState | null> {
  const state = await readLoopState(dir);
  if (!state) return null;
  const bin = path.join(dir, 'optimizer.bin');
  const bytes = await fsp.readFile(bin).catch((err: unknown) => {
    throw new SieveError(`cannot read ${bin}`, { where: bin, hint: 'delete the folder (or use --restart) to start the run over', cause: err });
  });
  if (bytes.byteLength !== state.optimizer.byteLength) {
    throw new SieveError(`${bin} has ${bytes.byteLength} bytes, state.json says ${state.optimizer.byteLength}`, {
      where: bin,
      hint: 'delete the folder (or use --restart) to start the run over',
    });
  }
  const optimizer: AdamWState = { step: state.optimizer.step, m: {}, v: {} };
  for (const t of state.optimizer.tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (t.offset + count * 4 > bytes.byteLength) throw new SieveError(`optimizer tensor ${t.kind}.${t.name} lies outside ${bin}`, { where: bin });
    optimizer[t.kind][t.name] = { shape: t.shape, data: bytesToFloats(bytes, t.offset, count) };
  }
  await loadParamsInto(model, path.join(dir, 'model'));
  const { version: _v, optimizer: _o, ...loop } = state;
  return { loop, optimizer };
}

export async function removeTrainState(dir: string): Promise<void> {
  await fsp.rm(dir, { recursive: true, force: true });
}
