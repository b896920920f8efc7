/**
 * safetensors reader and writer. Hand-written: no maintained npm package reads or writes the
 * format, and it is small: an 8-byte little-endian header length N, N bytes of JSON
 * (`{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}`,
 * offsets relative to the data section), then the raw little-endian tensor data.
 * Spec: https://github.com/huggingface/safetensors#format
 *
 * Reading holds only the header in memory; each tensor's byte range is read on demand with
 * fs.readSync and widened to float32, so a checkpoint is never held twice.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { InputError, SieveError } from '@sieve/core';
import { writeAtomically, writeFully } from './atomic-write';
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from './dtypes';

export type FloatDtype = 'F32' | 'F16' | 'BF16';
const BYTES: Record<FloatDtype, number> = { F32: 4, F16: 2, BF16: 2 };
const MAX_HEADER = 100 * 1024 * 1024;

const EntrySchema = z.object({
  dtype: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  data_offsets: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
});

export interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Absolute byte range in the file. */
  begin: number;
  end: number;
}

const isFloatDtype = (d: string): d is FloatDtype => d === 'F32' || d === 'F16' || d === 'BF16';
const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** An open safetensors file: header parsed, data read tensor by tensor. Call `close()`. */
export class SafetensorsFile {
  private constructor(
    readonly file: string,
    private readonly fd: number,
    readonly entries: Map<string, TensorEntry>,
    readonly metadata: Record<string, string>,
  ) {}

  /** Opens `file` and validates its header (offsets inside the file, sizes matching dtype × shape). */
  static open(file: string): SafetensorsFile {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (err) {
      throw new InputError(`cannot open safetensors file ${file}`, { where: file, cause: err, hint: 'check the path' });
    }
    try {
      return SafetensorsFile.parse(file, fd);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  private static parse(file: string, fd: number): SafetensorsFile {
    const bad = (msg: string): InputError =>
      new InputError(`${path.basename(file)} is not a valid safetensors file: ${msg}`, {
        where: file,
        hint: 'the file is truncated or corrupted; download or export it again',
      });
    const size = fs.fstatSync(fd).size;
    if (size < 8) throw bad(`only ${size} bytes (truncated)`);
    const lenBuf = Buffer.alloc(8);
    fs.readSync(fd, lenBuf, 0, 8, 0);
    const n = Number(lenBuf.readBigUInt64LE(0));
    if (n > MAX_HEADER) throw bad(`header length ${n} is implausible`);
    if (8 + n > size) throw bad(`header needs ${n} bytes, the file has ${size - 8} after the length (truncated)`);
    const headerBuf = Buffer.alloc(n);
    fs.readSync(fd, headerBuf, 0, n, 8);
    let raw: unknown;
    try {
      raw = JSON.parse(headerBuf.toString('utf8'));
    } catch (err) {
      throw bad(`header is not JSON (${(err as Error).message})`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('header is not a JSON object');
    const dataStart = 8 + n;
    const entries = new Map<string, TensorEntry>();
    let metadata: Record<string, string> = {};
    let dataEnd = 0;
    for (const [name, value] of Object.entries(raw)) {
      if (name === '__metadata__') {
        const m = z.record(z.string(), z.string()).safeParse(value);
        if (!m.success) throw bad('__metadata__ must map strings to strings');
        metadata = m.data;
        continue;
      }
      const e = EntrySchema.safeParse(value);
      if (!e.success) throw bad(`entry ${name}: ${e.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      const [b, en] = e.data.data_offsets;
      if (en < b) throw bad(`tensor ${name}: data_offsets [${b}, ${en}] are reversed`);
      if (isFloatDtype(e.data.dtype) && en - b !== sizeOf(e.data.shape) * BYTES[e.data.dtype]) {
        throw bad(`tensor ${name}: ${en - b} bytes for ${e.data.dtype} [${e.data.shape}]`);
      }
      dataEnd = Math.max(dataEnd, en);
      entries.set(name, { name, dtype: e.data.dtype, shape: e.data.shape, begin: dataStart + b, end: dataStart + en });
    }
    if (dataStart + dataEnd > size) {
      throw bad(`the header's tensors need ${dataEnd} bytes of data, the file has ${size - dataStart} (truncated)`);
    }
    return new SafetensorsFile(file, fd, entries, metadata);
  }

  /**
   * Tensor `name` widened to float32 (row-major, the file's shape). `expectShape` is checked first.
   * Errors name the tensor and the file: missing, wrong shape, or a non-float dtype.
   */
  read(name: string, expectShape?: readonly number[]): Float32Array {
    const e = this.entries.get(name);
    if (!e) throw new InputError(`tensor ${name} is missing from ${path.basename(this.file)}`, { where: this.file, hint: 'the checkpoint does not match its config.json' });
    if (expectShape && e.shape.join(',') !== expectShape.join(',')) {
      throw new InputError(`tensor ${name} has shape [${e.shape}] in ${path.basename(this.file)}, config.json implies [${expectShape}]`, {
        where: this.file,
        hint: 'the checkpoint does not match its config.json',
      });
    }
    if (!isFloatDtype(e.dtype)) {
      throw new InputError(`tensor ${name} in ${path.basename(this.file)} has dtype ${e.dtype}; only F32, F16 and BF16 are read`, { where: this.file });
    }
    const count = sizeOf(e.shape);
    const out = new Float32Array(count);
    if (e.dtype === 'F32') {
      readFully(this.fd, new Uint8Array(out.buffer), e.begin, this.file);
    } else {
      const half = new Uint16Array(count);
      readFully(this.fd, new Uint8Array(half.buffer), e.begin, this.file);
      if (e.dtype === 'BF16') bf16ToF32(half, out);
      else f16ToF32(half, out);
    }
    return out;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

function readFully(fd: number, into: Uint8Array, position: number, file: string): void {
  let done = 0;
  while (done < into.length) {
    const n = fs.readSync(fd, into, done, into.length - done, position + done);
    if (n === 0) throw new InputError(`${path.basename(file)} ended early (truncated)`, { where: file });
    done += n;
  }
}

export interface TensorToWrite {
  name: string;
  shape: number[];
  /** Row-major float32 values, produced when the tensor is written (so not all are held at once). */
  data: () => Float32Array;
}

/**
 * Writes `tensors` to `file` as `dtype` (float32 values narrowed with round-to-nearest-even).
 * Atomic: a temp sibling is written and fsynced, then renamed over `file`; on any error the
 * temp file is removed and `file` is untouched.
 */
export function writeSafetensors(
  file: string,
  tensors: readonly TensorToWrite[],
  opts: { dtype: FloatDtype; metadata?: Record<string, string> },
): void {
  const header: Record<string, unknown> = {};
  if (opts.metadata) header['__metadata__'] = opts.metadata;
  let offset = 0;
  for (const t of tensors) {
    const bytes = sizeOf(t.shape) * BYTES[opts.dtype];
    header[t.name] = { dtype: opts.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - (json.length % 8)) % 8; // the data section starts 8-byte aligned, padded with spaces
  if (pad) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));

  writeAtomically(file, (fd) => {
    fs.writeSync(fd, len);
    fs.writeSync(fd, json);
    for (const t of tensors) {
      const v = t.data();
      if (v.length !== sizeOf(t.shape)) throw new SieveError(`tensor ${t.name}: ${v.length} values for shape [${t.shape}]`, { where: file });
      const bytes =
        opts.dtype === 'F32' ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array((opts.dtype === 'BF16' ? f32ToBf16(v) : f32ToF16(v)).buffer);
      writeFully(fd, bytes);
    }
  });
}

