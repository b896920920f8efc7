/** A cheap integrity check of a checkpoint folder, for deciding whether the stage that wrote it must run again. */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { CHECKPOINT_FILES as FILES, ManifestSchema, rebuildHint } from './checkpoint-format';

export type CheckpointCheck =
  | { ok: true; byteLength: number; sha256: string }
  /** `file`: the file at fault; `hint`: the command that rebuilds the checkpoint. */
  | { ok: false; why: string; file: string; hint: string };

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Checks `dir` against what its manifest records: every file is there, manifest.json, config.json
 * and tokenizer.json parse, and weights.bin has the recorded byte length and sha256 (streamed, so
 * a large checkpoint is not held in memory). Never throws for a bad checkpoint: returns why.
 * Cost: one read of weights.bin. Parameter shapes are checked when the checkpoint is loaded.
 */
export async function verifyCheckpoint(dir: string): Promise<CheckpointCheck> {
  const root = path.resolve(dir);
  const bad = (file: string, why: string, meta: Record<string, unknown> | null): CheckpointCheck => ({
    ok: false,
    why: `checkpoint ${root}: ${why}`,
    file: path.join(root, file),
    hint: rebuildHint(root, meta),
  });
  const stat = await fsp.stat(root).catch(() => null);
  if (!stat?.isDirectory()) return { ok: false, why: `checkpoint folder not found: ${root}`, file: root, hint: rebuildHint(root, null) };

  const readJson = async (name: string): Promise<{ value: unknown } | { error: string }> => {
    let text: string;
    try {
      text = await fsp.readFile(path.join(root, name), 'utf8');
    } catch (err) {
      return { error: (err as NodeJS.ErrnoException).code === 'ENOENT' ? `missing file ${name}` : `cannot read ${name}` };
    }
    try {
      return { value: JSON.parse(text) as unknown };
    } catch {
      return { error: `${name} is not valid JSON` };
    }
  };

  const m = await readJson(FILES.manifest);
  if ('error' in m) return bad(FILES.manifest, m.error, null);
  const parsed = ManifestSchema.safeParse(m.value);
  if (!parsed.success) return bad(FILES.manifest, 'manifest.json is malformed', null);
  const manifest = parsed.data;
  for (const name of [FILES.config, FILES.tokenizer]) {
    const r = await readJson(name);
    if ('error' in r) return bad(name, r.error, manifest.meta);
  }
  const weights = path.join(root, FILES.weights);
  const size = (await fsp.stat(weights).catch(() => null))?.size;
  if (size === undefined) return bad(FILES.weights, `missing file ${FILES.weights}`, manifest.meta);
  if (size !== manifest.byteLength) {
    return bad(FILES.weights, `weights.bin has ${size} bytes, manifest.json says ${manifest.byteLength} (truncated or overwritten)`, manifest.meta);
  }
  const digest = await sha256Of(weights);
  if (digest !== manifest.sha256) return bad(FILES.weights, 'weights.bin does not match the sha256 in manifest.json (corrupted)', manifest.meta);
  return { ok: true, byteLength: size, sha256: digest };
}
