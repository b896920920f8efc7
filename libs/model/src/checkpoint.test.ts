import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SieveError } from '@sieve/core';
import { loadCheckpoint, loadParamsInto, saveCheckpoint } from './checkpoint';
import { parseModelConfig } from './config';
import { useTestBackend } from './test-helpers';
import { CharTokenizer } from './tokenizer';
import { createModel, type Transformer } from './transformer';

const tokenizer = CharTokenizer.fromCorpus(['abcdefgh']);
const config = parseModelConfig({ vocabSize: tokenizer.vocabSize, dim: 16, layers: 2, heads: 4, kvHeads: 2, mlpDim: 24, contextLength: 32 });
let root: string;
let model: Transformer;

function bytesOf(m: Transformer): Map<string, Buffer> {
  return new Map(Object.entries(m.params).map(([n, v]) => [n, Buffer.from((v.dataSync() as Float32Array).buffer.slice(0))]));
}

async function savedCopy(name: string): Promise<string> {
  const dir = path.join(root, name);
  await saveCheckpoint(dir, { config, tokenizer, params: model.params, meta: { step: 7 } });
  return dir;
}

async function loadError(dir: string): Promise<SieveError> {
  const err = await loadCheckpoint(dir).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(SieveError);
  return err as SieveError;
}

beforeAll(async () => {
  await useTestBackend();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-ckpt-'));
  model = createModel(config, { seed: 21 });
});
afterAll(() => {
  model.dispose();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('checkpoints', () => {
  it('round-trips config, tokenizer, meta and bit-identical weights', async () => {
    const dir = await savedCopy('a');
    expect(fs.readdirSync(dir).sort()).toEqual(['config.json', 'manifest.json', 'tokenizer.json', 'weights.bin']);
    expect(fs.statSync(path.join(dir, 'weights.bin')).size).toBe(model.paramCount() * 4);
    const loaded = await loadCheckpoint(dir);
    expect(loaded.config).toEqual(config);
    expect(loaded.meta).toEqual({ step: 7 });
    expect(loaded.tokenizer.encode('hag')).toEqual(tokenizer.encode('hag'));
    const want = bytesOf(model);
    const got = bytesOf(loaded.model);
    expect([...got.keys()]).toEqual([...want.keys()]);
    for (const [name, buf] of want) expect(Buffer.compare(buf, got.get(name)!)).toBe(0);
    loaded.model.dispose();
  });

  it('replaces an existing checkpoint atomically and leaves no temp folders', async () => {
    const dir = await savedCopy('b');
    const other = createModel(config, { seed: 22 });
    await saveCheckpoint(dir, { config, tokenizer, params: other.params, meta: { step: 8 } });
    const loaded = await loadCheckpoint(dir);
    expect(loaded.meta).toEqual({ step: 8 });
    expect(Buffer.compare(bytesOf(loaded.model).get('embed')!, bytesOf(other).get('embed')!)).toBe(0);
    expect(fs.readdirSync(root).filter((n) => n.startsWith('.'))).toEqual([]);
    // Resume path: load the params into an existing model.
    expect(await loadParamsInto(model, path.join(root, 'a'))).toEqual({ step: 7 });
    await loadParamsInto(other, path.join(root, 'a'));
    expect(Buffer.compare(bytesOf(other).get('final_norm')!, bytesOf(model).get('final_norm')!)).toBe(0);
    other.dispose();
    loaded.model.dispose();
  });

  it('names the file and says what to do for a truncated weights.bin', async () => {
    const dir = await savedCopy('trunc');
    const file = path.join(dir, 'weights.bin');
    fs.truncateSync(file, fs.statSync(file).size - 4);
    const err = await loadError(dir);
    expect(err.message).toMatch(/weights\.bin has \d+ bytes, manifest\.json says \d+/);
    expect(err.where).toBe(file);
    expect(err.hint).toMatch(/re-run/);
  });

  it('detects a flipped byte through the sha256', async () => {
    const dir = await savedCopy('flip');
    const file = path.join(dir, 'weights.bin');
    const buf = fs.readFileSync(file);
    buf[10] = buf[10]! ^ 0xff;
    fs.writeFileSync(file, buf);
    expect((await loadError(dir)).message).toMatch(/sha256/);
  });

  it('reports a corrupted manifest, a missing parameter and a missing file', async () => {
    const bad = await savedCopy('badjson');
    fs.writeFileSync(path.join(bad, 'manifest.json'), '{"format": "sieve-checkpoint", ');
    const e1 = await loadError(bad);
    expect(e1.message).toMatch(/manifest\.json is not valid JSON/);
    expect(e1.where).toBe(path.join(bad, 'manifest.json'));

    const noParam = await savedCopy('noparam');
    const mf = path.join(noParam, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(mf, 'utf8')) as { params: { name: string }[] };
    manifest.params = manifest.params.filter((p) => p.name !== 'layers.1.mlp.down');
    fs.writeFileSync(mf, JSON.stringify(manifest));
    expect((await loadError(noParam)).message).toMatch(/parameter layers\.1\.mlp\.down is missing/);

    const missing = await savedCopy('missing');
    fs.rmSync(path.join(missing, 'tokenizer.json'));
    const e3 = await loadError(missing);
    expect(e3.message).toMatch(/missing file tokenizer\.json/);
    expect(e3.where).toBe(path.join(missing, 'tokenizer.json'));

    const e4 = await loadError(path.join(root, 'nowhere'));
    expect(e4.message).toMatch(/checkpoint folder not found/);
  });
});
