/** A cheap integrity check of a checkpoint folder, for deciding whether the stage that wrote it must run again. */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { CHECKPOINT_FILES as FILES, ManifestSchema, rebuildHint } from './checkpoint-format';

export type CheckpointCheck =
  /** `hashed`: false when weights.bin was unchanged since its last successful check (no read needed). */
  | { ok: true; byteLength: number; sha256: string; hashed: boolean }
  /** `file`: the file at fault; `hint`: the command that rebuilds the checkpoint. */
  | { ok: false; why: string; file: string; hint: string };

/**
 * The record of the last successful hash of weights.bin, kept beside it so that `sieve run`, which
 * checks every finished checkpoint, does not re-read multi-GB weights on each run. The stamp
 * includes the inode's ctime, which any write (or utimes) moves and no user call can set back.
 */
const VERIFIED_FILE = '.verified.json';

const stampOf = async (file: string): Promise<string> => {
  const s = await fsp.stat(file, { bigint: true });
  return `${s.size}:${s.ino}:${s.mtimeNs}:${s.ctimeNs}`;
};

async function cachedDigest(root: string, stamp: string): Promise<string | null> {
  const text = await fsp.readFile(path.join(root, VERIFIED_FILE), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const v = JSON.parse(text) as { stamp?: unknown; sha256?: unknown };
    return v.stamp === stamp && typeof v.sha256 === 'string' ? v.sha256 : null;
  } catch {
    return null; // a damaged cache record only costs a re-hash
  }
}

async function recordDigest(root: string, stamp: string, sha256: string): Promise<void> {
  const tmp = path.join(root, `${VERIFIED_FILE}.${process.pid}.tmp`);
  try {
    await fsp.writeFile(tmp, `${JSON.stringify({ stamp, sha256 })}\n`);
    await fsp.rename(tmp, path.join(root, VERIFIED_FILE));
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    // A read-only checkpoint folder is fine: it is verified by hashing each time instead.
    if (!['EACCES', 'EPERM', 'EROFS'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Checks `dir` against what its manifest records: every file is there, manifest.json, config.json
 * and tokenizer.json parse, and weights.bin has the recorded byte length and sha256 (streamed, so
 * a large checkpoint is not held in memory). Never throws for a bad checkpoint: returns why.
 * Cost: one read of weights.bin, unless it is unchanged (size, inode, mtime, ctime) since its last
 * successful check, recorded in `.verified.json`. Parameter shapes are checked when it is loaded.
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
  const stamp = await stampOf(weights);
  if ((await cachedDigest(root, stamp)) === manifest.sha256) return { ok: true, byteLength: size, sha256: manifest.sha256, hashed: false };
  const digest = await sha256Of(weights);
  if (digest !== manifest.sha256) return bad(FILES.weights, 'weights.bin does not match the sha256 in manifest.json (corrupted)', manifest.meta);
  await recordDigest(root, stamp, digest);
  return { ok: true, byteLength: size, sha256: digest, hashed: true };
}
