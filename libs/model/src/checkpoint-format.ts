/** The checkpoint folder's layout and manifest schema, and the hint that says how to rebuild one. */
import * as path from 'node:path';
import { z } from 'zod';

export const CHECKPOINT_FORMAT = 'sieve-checkpoint';
export const CHECKPOINT_VERSION = 1;
export const CHECKPOINT_FILES = { config: 'config.json', tokenizer: 'tokenizer.json', weights: 'weights.bin', manifest: 'manifest.json' };

export const ManifestSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.literal(CHECKPOINT_VERSION),
  params: z.array(
    z.object({
      name: z.string(),
      shape: z.array(z.number().int().nonnegative()),
      /** Byte offset into weights.bin. */
      offset: z.number().int().nonnegative(),
    }),
  ),
  byteLength: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  meta: z.record(z.string(), z.unknown()),
});
export type CheckpointManifest = z.infer<typeof ManifestSchema>;

const GENERIC =
  're-run the command that wrote it: `sieve pretrain --model-id ID --restart` for a base model, ' +
  '`sieve train … --name ID --restart` for a trained one (in a `sieve run` folder, rerun its stage with `sieve run … --from pretrain|train`)';

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);

/**
 * What rebuilds the checkpoint in `dir`, from the meta its manifest recorded: the `sieve train`
 * command for a trained model (meta.method, dataset, from, seed), `sieve pretrain` for the base
 * model (meta.pretrain); a generic hint when the meta is unknown (e.g. the manifest is unreadable).
 */
export function rebuildHint(dir: string, meta: Record<string, unknown> | null): string {
  const id = path.basename(path.resolve(dir));
  const method = str(meta?.['method']);
  if (meta && method) {
    const ds = meta['dataset'] as { name?: unknown; version?: unknown } | undefined;
    const dataset = str(ds?.name) ? `${str(ds?.name)}${str(ds?.version) ? `@${str(ds?.version)}` : ''}` : 'DATASET';
    const from = str(meta['from']) ?? 'MODEL';
    const seed = str(meta['seed']);
    return (
      `retrain it with the settings it was trained with: \`sieve train --method ${method} --dataset ${dataset} --from ${from}` +
      `${seed ? ` --seed ${seed}` : ''} --name ${id} --restart\` (in a \`sieve run\` folder: \`sieve run … --from train\`)`
    );
  }
  if (meta && meta['pretrain'] !== undefined) {
    return `pretrain it again with the settings it was made with: \`sieve pretrain --model-id ${id} --restart\` (in a \`sieve run\` folder: \`sieve run … --from pretrain\`)`;
  }
  return GENERIC;
}
