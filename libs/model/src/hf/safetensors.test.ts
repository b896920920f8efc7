import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from './dtypes';
import { SafetensorsFile, writeSafetensors } from './safetensors';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-st-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A safetensors file built byte by byte from the spec, independent of the writer. */
function handMade(file: string, header: object, data: Buffer): void {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  fs.writeFileSync(file, Buffer.concat([len, json, data]));
}

describe('16-bit conversions', () => {
  it('match hand-computed bit patterns', () => {
    // 1.0 = 0x3f800000 → bf16 0x3f80, f16 0x3c00; -2.5 → bf16 0xc020, f16 0xc100; 65504 = max half
    expect([...f32ToBf16(new Float32Array([1, -2.5]))]).toEqual([0x3f80, 0xc020]);
    expect([...f32ToF16(new Float32Array([1, -2.5, 65504, 1e6, 2 ** -24, 0]))]).toEqual([0x3c00, 0xc100, 0x7bff, 0x7c00, 0x0001, 0]);
    // 1 + 2^-8 is a bf16 tie: rounds to even (1.0); 1 + 3·2^-9 rounds up to 1 + 2^-7
    expect([...f32ToBf16(new Float32Array([1 + 2 ** -8, 1 + 3 * 2 ** -9]))]).toEqual([0x3f80, 0x3f81]);
    expect([...bf16ToF32(new Uint16Array([0x3f80, 0xc020]))]).toEqual([1, -2.5]);
    expect([...f16ToF32(new Uint16Array([0x3c00, 0xc100, 0x0001]))]).toEqual([1, -2.5, 2 ** -24]);
  });

  it('widen then narrow is bit-identical for every 16-bit pattern that is not NaN', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const finiteBf = all.filter((b) => (b & 0x7f80) !== 0x7f80 || (b & 0x7f) === 0);
    expect([...f32ToBf16(bf16ToF32(finiteBf))]).toEqual([...finiteBf]);
    const finiteF16 = all.filter((b) => (b & 0x7c00) !== 0x7c00 || (b & 0x3ff) === 0);
    expect([...f32ToF16(f16ToF32(finiteF16))]).toEqual([...finiteF16]);
  });
});

describe('safetensors', () => {
  it('reads a hand-made file (F32, BF16, F16) and its metadata', () => {
    const file = path.join(dir, 'hand.safetensors');
    const a = Buffer.alloc(16);
    [1, 2, 3, -4].forEach((v, i) => a.writeFloatLE(v, i * 4));
    const b = Buffer.from([0x80, 0x3f, 0x20, 0xc0]); // bf16 1.0, -2.5
    const c = Buffer.from([0x00, 0x3c, 0x00, 0xc1]); // f16 1.0, -2.5
    handMade(
      file,
      {
        __metadata__: { format: 'pt' },
        a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
        b: { dtype: 'BF16', shape: [2], data_offsets: [16, 20] },
        c: { dtype: 'F16', shape: [2], data_offsets: [20, 24] },
      },
      Buffer.concat([a, b, c]),
    );
    const f = SafetensorsFile.open(file);
    expect(f.metadata).toEqual({ format: 'pt' });
    expect([...f.read('a', [2, 2])]).toEqual([1, 2, 3, -4]);
    expect([...f.read('b')]).toEqual([1, -2.5]);
    expect([...f.read('c')]).toEqual([1, -2.5]);
    expect(() => f.read('d')).toThrow(/tensor d is missing from hand\.safetensors/);
    expect(() => f.read('a', [4])).toThrow(/tensor a has shape \[2,2\] in hand\.safetensors, config\.json implies \[4\]/);
    f.close();
  });

  it('writes F32 and BF16 that read back exactly, with an 8-byte aligned header', () => {
    const vals = new Float32Array([0.1, -3, 1e-20, 7.25, 65536.5, -0]);
    for (const dtype of ['F32', 'BF16'] as const) {
      const file = path.join(dir, `w-${dtype}.safetensors`);
      writeSafetensors(file, [{ name: 'x', shape: [2, 3], data: () => vals }], { dtype, metadata: { format: 'pt' } });
      const bytes = fs.readFileSync(file);
      expect(Number(bytes.readBigUInt64LE(0)) % 8).toBe(0);
      const f = SafetensorsFile.open(file);
      const back = f.read('x', [2, 3]);
      f.close();
      expect([...back]).toEqual(dtype === 'F32' ? [...vals] : [...bf16ToF32(f32ToBf16(vals))]);
      expect(fs.readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
    }
  });

  it('a truncated file is a clear error naming the file', () => {
    const file = path.join(dir, 'w-F32.safetensors');
    const cut = path.join(dir, 'cut.safetensors');
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 3));
    expect(() => SafetensorsFile.open(cut)).toThrow(/cut\.safetensors is not a valid safetensors file: .*truncated/);
    fs.writeFileSync(cut, bytes.subarray(0, 20));
    expect(() => SafetensorsFile.open(cut)).toThrow(/cut\.safetensors .*truncated/);
  });

  it('a failing writer leaves no file behind and the old file intact', () => {
    const file = path.join(dir, 'w-F32.safetensors');
    const before = fs.readFileSync(file);
    const boom = (): Float32Array => {
      throw new Error('boom');
    };
    expect(() => writeSafetensors(file, [{ name: 'x', shape: [1], data: boom }], { dtype: 'F32' })).toThrow();
    expect(Buffer.compare(fs.readFileSync(file), before)).toBe(0);
    expect(fs.readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});
