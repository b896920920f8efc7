/**
 * GGUF v3 writer. Hand-written: no maintained npm package writes GGUF (`@huggingface/gguf`
 * parses and edits metadata only). Layout (spec: ggml's docs/gguf.md): magic "GGUF", version
 * u32 = 3, tensor count u64, metadata count u64, typed key/values, tensor infos (name, n_dims,
 * dims fastest-varying first, ggml type, offset into the data section), padding to the
 * alignment (32), then each tensor's data, each aligned to 32. All little-endian.
 */
import { SieveError } from '@sieve/core';
import { f32ToF16 } from './dtypes';
import { writeAtomically, writeFully } from './atomic-write';

export const GGUF_ALIGNMENT = 32;

/** Metadata value with its GGUF type. */
export type GgufValue =
  | { type: 'u32'; value: number }
  | { type: 'i32'; value: number }
  | { type: 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'string[]'; value: readonly string[] }
  | { type: 'i32[]'; value: readonly number[] };

export type GgmlType = 'F32' | 'F16';
const GGML_TYPE: Record<GgmlType, number> = { F32: 0, F16: 1 };
const VT = { u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9 } as const;

export interface GgufTensor {
  name: string;
  /** ggml dims, fastest-varying first: an HF [out, in] matrix is [in, out]. */
  dims: number[];
  type: GgmlType;
  /** Row-major float32 values, produced when written. */
  data: () => Float32Array;
}

/** A growable little-endian byte buffer for the header. */
class Bytes {
  private buf = Buffer.alloc(1 << 16);
  length = 0;
  private need(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  u32(v: number): void {
    this.need(4);
    this.buf.writeUInt32LE(v, this.length);
    this.length += 4;
  }
  i32(v: number): void {
    this.need(4);
    this.buf.writeInt32LE(v, this.length);
    this.length += 4;
  }
  u64(v: number): void {
    this.need(8);
    this.buf.writeBigUInt64LE(BigInt(v), this.length);
    this.length += 8;
  }
  f32(v: number): void {
    this.need(4);
    this.buf.writeFloatLE(v, this.length);
    this.length += 4;
  }
  u8(v: number): void {
    this.need(1);
    this.buf.writeUInt8(v, this.length);
    this.length += 1;
  }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.need(b.length);
    b.copy(this.buf, this.length);
    this.length += b.length;
  }
  pad(align: number): void {
    const n = (align - (this.length % align)) % align;
    this.need(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
  }
  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

function writeValue(b: Bytes, v: GgufValue): void {
  switch (v.type) {
    case 'u32':
      b.u32(VT.u32);
      b.u32(v.value);
      return;
    case 'i32':
      b.u32(VT.i32);
      b.i32(v.value);
      return;
    case 'f32':
      b.u32(VT.f32);
      b.f32(v.value);
      return;
    case 'bool':
      b.u32(VT.bool);
      b.u8(v.value ? 1 : 0);
      return;
    case 'string':
      b.u32(VT.string);
      b.str(v.value);
      return;
    case 'string[]':
      b.u32(VT.array);
      b.u32(VT.string);
      b.u64(v.value.length);
      for (const s of v.value) b.str(s);
      return;
    case 'i32[]':
      b.u32(VT.array);
      b.u32(VT.i32);
      b.u64(v.value.length);
      for (const x of v.value) b.i32(x);
      return;
  }
}

const bytesOf = (t: GgufTensor): number => t.dims.reduce((a, b) => a * b, 1) * (t.type === 'F32' ? 4 : 2);
const align = (n: number): number => Math.ceil(n / GGUF_ALIGNMENT) * GGUF_ALIGNMENT;

/**
 * Writes a GGUF v3 file atomically (temp file + fsync + rename; on error nothing is left).
 * Tensors are converted and written one at a time.
 */
export function writeGguf(file: string, metadata: readonly (readonly [string, GgufValue])[], tensors: readonly GgufTensor[]): void {
  const h = new Bytes();
  h.u32(0x46554747); // "GGUF"
  h.u32(3);
  h.u64(tensors.length);
  h.u64(metadata.length);
  for (const [key, value] of metadata) {
    h.str(key);
    writeValue(h, value);
  }
  let offset = 0;
  for (const t of tensors) {
    h.str(t.name);
    h.u32(t.dims.length);
    for (const d of t.dims) h.u64(d);
    h.u32(GGML_TYPE[t.type]);
    h.u64(offset);
    offset = align(offset + bytesOf(t));
  }
  h.pad(GGUF_ALIGNMENT);

  writeAtomically(file, (fd) => {
    writeFully(fd, h.bytes());
    for (const t of tensors) {
      const v = t.data();
      const n = t.dims.reduce((a, b) => a * b, 1);
      if (v.length !== n) throw new SieveError(`GGUF tensor ${t.name}: ${v.length} values for dims [${t.dims}]`, { where: file });
      const bytes = t.type === 'F32' ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array(f32ToF16(v).buffer);
      writeFully(fd, bytes);
      const pad = align(bytes.length) - bytes.length;
      if (pad) writeFully(fd, new Uint8Array(pad));
    }
  });
}
