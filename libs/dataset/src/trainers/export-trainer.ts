/**
 * `sieve export DATASET --for trl|llamafactory|swift --out DIR`: the dataset in the format each
 * trainer reads, plus ready configs that switch DFT on and one for plain SFT (the RFT baseline), or a
 * DPO config for a pairs dataset. Formats as checked in ../shared/REAL-MODELS.md.
 */
import { mkdir, rename, rm, writeFile, chmod } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from '@sieve/core';
import type { Store } from '@sieve/store';
import { findDataset } from '../export';
import { DEFAULT_TRAINER_HYPER, type TrainerFile, type TrainerHyper } from './hyper';
import { questionAsUser, trainerItems, type PromptStyle } from './items';
import { recordedPrompt } from '../prompt';
import { llamafactoryFiles } from './llamafactory';
import { swiftFiles } from './swift';
import { trlFiles } from './trl';

export const TRAINERS = ['trl', 'llamafactory', 'swift'] as const;
export type Trainer = (typeof TRAINERS)[number];

export interface ExportForTrainerOptions {
  name: string;
  /** Default: the latest version. */
  version?: number;
  trainer: Trainer;
  /** The output folder (created; files in it with the same names are replaced). */
  outDir: string;
  /**
   * Default: the dataset's prompt format — plain (sieve's own prompt text), or for a dataset sampled
   * with the chat format its messages (system prompt, question). A chat dataset is always exported as chat.
   */
  style?: PromptStyle;
  /** Overrides of the settings written into the configs. */
  hyper?: Partial<TrainerHyper>;
}

export interface ExportForTrainerResult {
  /** Paths of the files written, relative to outDir. */
  files: string[];
  rows: number;
  /** sft: data + DFT and RFT configs; dpo: preference pairs + a DPO config. */
  kind: 'sft' | 'dpo';
}

/** The files of an export without writing them (the CLI writes them; tests read them). */
export function trainerFiles(store: Store, o: Omit<ExportForTrainerOptions, 'outDir'>): { files: TrainerFile[]; rows: number; kind: 'sft' | 'dpo' } {
  if (!(TRAINERS as readonly string[]).includes(o.trainer)) {
    throw new InputError(`unknown trainer "${String(o.trainer)}"`, { where: '--for', hint: `use one of ${TRAINERS.join(', ')}` });
  }
  const d = findDataset(store, o.name, o.version);
  const items = trainerItems(store, d);
  if (items.length === 0) {
    throw new InputError(`dataset ${d.name} v${d.version} has no kept items`, { where: `${d.name} v${d.version}`, hint: 'relax the filter rules or sample more' });
  }
  // a pairs dataset, or imported preference pairs (`sieve datasets import --rejected-field`)
  const pairs = d.kind === 'pairs' || items.every((it) => it.rejected !== null);
  // A chat dataset's items hold the bare question: only its own messages make a prompt of them.
  const spec = recordedPrompt(d.rules, `dataset ${d.name} v${d.version}: rules.prompt`);
  const style: PromptStyle = spec.format === 'chat' ? questionAsUser(spec.systemPrompt) : (o.style ?? { kind: 'plain' });
  const h = { ...DEFAULT_TRAINER_HYPER, ...o.hyper };
  const make = { trl: trlFiles, llamafactory: llamafactoryFiles, swift: swiftFiles }[o.trainer];
  return { files: make(items, pairs, style, h), rows: items.length, kind: pairs ? 'dpo' : 'sft' };
}

/** Writes the export into outDir, each file through a temp file and a rename (never half-written). */
export async function exportForTrainer(store: Store, o: ExportForTrainerOptions): Promise<ExportForTrainerResult> {
  const { files, rows, kind } = trainerFiles(store, o);
  try {
    for (const f of files) {
      const path = join(o.outDir, f.path);
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.tmp-${process.pid}`;
      try {
        await writeFile(tmp, f.content, 'utf8');
        if (f.path.endsWith('.sh')) await chmod(tmp, 0o755);
        await rename(tmp, path);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
    }
  } catch (cause) {
    throw new InputError(`cannot write the export to ${o.outDir}: ${(cause as Error).message}`, { where: '--out', hint: 'check the folder is writable', cause });
  }
  return { files: files.map((f) => f.path), rows, kind };
}
