import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SieveError } from '@sieve/core';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { verifyCheckpoint } from './checkpoint-verify';
import { parseModelConfig } from './config';
import { useTestBackend } from './test-helpers';
import { CharTokenizer } from './tokenizer';
import { createModel, type Transformer } from './transformer';

const tokenizer = CharTokenizer.fromCorpus(['abcdefgh']);
const config = parseModelConfig({ vocabSize: tokenizer.vocabSize, dim: 16, layers: 1, heads: 2, kvHeads: 1, mlpDim: 24, contextLength: 16 });
let root: string;
let model: Transformer;

// What trainModel and pretrain record in the manifest's meta.
const TRAINED = { method: 'dft', dataset: { name: 'rft-1a2b', version: 2 }, from: 'base-9f8e', seed: 3, runName: 'dft-s3-77aa' };
const BASE = { pretrain: { corpus: { count: 10, seed: 1 } }, runName: 'pretrain-base-9f8e' };

async function saved(name: string, meta: Record<string, unknown>): Promise<string> {
  const dir = path.join(root, name);
  await saveCheckpoint(dir, { config, tokenizer, params: model.params, meta });
  return dir;
}

beforeAll(async () => {
  await useTestBackend();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-verify-'));
  model = createModel(config, { seed: 4 });
});
afterAll(() => {
  model.dispose();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('verifyCheckpoint', () => {
  it('accepts an intact checkpoint, with the size and sha256 its manifest records', async () => {
    const dir = await saved('ok', BASE);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { byteLength: number; sha256: string };
    expect(await verifyCheckpoint(dir)).toEqual({ ok: true, byteLength: manifest.byteLength, sha256: manifest.sha256, hashed: true });
    expect(manifest.byteLength).toBe(fs.statSync(path.join(dir, 'weights.bin')).size);
  });

  it('does not re-read unchanged weights, and still catches a same-size overwrite with its mtime set back', async () => {
    const dir = await saved('cached', BASE);
    const file = path.join(dir, 'weights.bin');
    expect(await verifyCheckpoint(dir)).toMatchObject({ ok: true, hashed: true });
    expect(await verifyCheckpoint(dir)).toMatchObject({ ok: true, hashed: false });
    // Flip one byte in place and restore the old mtime: size and mtime match the record, ctime does not.
    const before = fs.statSync(file);
    const fd = fs.openSync(file, 'r+');
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, 10);
    b[0] = (b[0] ?? 0) ^ 0xff;
    fs.writeSync(fd, b, 0, 1, 10);
    fs.closeSync(fd);
    fs.utimesSync(file, before.atime, before.mtime);
    expect(await verifyCheckpoint(dir)).toMatchObject({ ok: false, why: expect.stringContaining('does not match the sha256') as unknown });
    // A damaged record only costs a re-hash.
    b[0] = (b[0] ?? 0) ^ 0xff;
    fs.writeFileSync(path.join(dir, '.verified.json'), '{not json');
    const fd2 = fs.openSync(file, 'r+');
    fs.writeSync(fd2, b, 0, 1, 10);
    fs.closeSync(fd2);
    expect(await verifyCheckpoint(dir)).toMatchObject({ ok: true, hashed: true });
  });

  it('a truncated trained checkpoint fails, and the hint names the sieve train command that rebuilds it', async () => {
    const dir = await saved('dft-s3-77aa', TRAINED);
    const file = path.join(dir, 'weights.bin');
    const size = fs.statSync(file).size;
    fs.truncateSync(file, size - 100);
    const r = await verifyCheckpoint(dir);
    expect(r).toEqual({
      ok: false,
      why: `checkpoint ${dir}: weights.bin has ${size - 100} bytes, manifest.json says ${size} (truncated or overwritten)`,
      file,
      hint: 'retrain it with the settings it was trained with: `sieve train --method dft --dataset rft-1a2b@2 --from base-9f8e --seed 3 --name dft-s3-77aa --restart` (in a `sieve run` folder: `sieve run … --from train`)',
    });
    // Loading it says the same: never `sieve pretrain` for a trained model.
    const err = await loadCheckpoint(dir).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SieveError);
    expect((err as SieveError).hint).toBe(r.ok ? '' : r.hint);
    expect((err as SieveError).hint).not.toContain('pretrain');
  });

  it('a flipped byte in the base model fails through the sha256, with the sieve pretrain hint', async () => {
    const dir = await saved('base-9f8e', BASE);
    const file = path.join(dir, 'weights.bin');
    const buf = fs.readFileSync(file);
    buf[7] = buf[7]! ^ 0x01;
    fs.writeFileSync(file, buf);
    const r = await verifyCheckpoint(dir);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.why).toMatch(/does not match the sha256/);
    expect(r.hint).toMatch(/^pretrain it again .*`sieve pretrain --model-id base-9f8e --restart`/);
  });

  it('a missing folder, a missing file or an unreadable manifest is a reason, not a throw', async () => {
    expect(await verifyCheckpoint(path.join(root, 'nowhere'))).toMatchObject({ ok: false, why: expect.stringMatching(/folder not found/) });
    const noTok = await saved('notok', TRAINED);
    fs.rmSync(path.join(noTok, 'tokenizer.json'));
    expect(await verifyCheckpoint(noTok)).toMatchObject({ ok: false, why: expect.stringMatching(/missing file tokenizer\.json/), hint: expect.stringMatching(/sieve train --method dft/) });
    const badManifest = await saved('badmf', TRAINED);
    fs.writeFileSync(path.join(badManifest, 'manifest.json'), '{"format": ');
    expect(await verifyCheckpoint(badManifest)).toMatchObject({ ok: false, why: expect.stringMatching(/manifest\.json is not valid JSON/), hint: expect.stringMatching(/sieve pretrain.*sieve train/) });
  });
});
