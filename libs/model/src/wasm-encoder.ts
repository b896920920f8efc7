/**
 * A minimal WebAssembly binary encoder for the hand-written SIMD kernels (wasm-attention.ts,
 * wasm-gemm-code.ts, wasm-rope.ts, wasm-pointwise.ts). Why by hand: no kept library compiles wasm
 * at run time without a large toolchain (binaryen, wabt), the repo has no wasm build step, and the
 * kernels are a few loops. Each helper returns the bytes of one instruction or construct
 * (WebAssembly core spec 2.0, binary format; the fixed-width and relaxed SIMD proposals' opcodes).
 */
import * as tf from '@tensorflow/tfjs-core';

export const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
export const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
};
export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
export const str = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));

export const I32 = 0x7f;
export const V128 = 0x7b;
export const F32 = 0x7d;
export const get = (l: number): number[] => [0x20, ...uleb(l)];
export const set = (l: number): number[] => [0x21, ...uleb(l)];
export const i32 = (n: number): number[] => [0x41, ...sleb(n)];
export const add = [0x6a];
export const sub = [0x6b];
export const mul = [0x6c];
export const ltU = [0x49];
export const leU = [0x4d];
export const geU = [0x4f];
/** select(a, b, cond): a if cond ≠ 0 else b. */
export const select = [0x1b];
export const f32Load = [0x2a, 2, 0];
export const f32Store = [0x38, 2, 0];
export const f32Add = [0x92];
export const f32Sub = [0x93];
export const f32Mul = [0x94];
export const f32Zero = [0x43, 0, 0, 0, 0];
export const f32One = [0x43, 0x00, 0x00, 0x80, 0x3f];
export const f32Div = [0x95];
export const f32Sqrt = [0x91];
export const f32ConvertI32U = [0xb3];
/** f32.reinterpret_i32: an f32 from its bits (how a float parameter reaches an i32-only signature). */
export const f32FromBits = [0xbe];
/** i32.and */
export const and = [0x71];
/** i32.rem_u */
export const remU = [0x70];
export const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
export const v128Load = simd(0x00, 0, 0);
export const v128Store = simd(0x0b, 0, 0);
export const v128LoadAt = (offset: number): number[] => simd(0x00, 0, offset);
export const v128StoreAt = (offset: number): number[] => simd(0x0b, 0, offset);
export const v128Zero = simd(0x0c, ...new Array<number>(16).fill(0));
export const f32x4Splat = simd(0x13);
export const f32x4ExtractLane = (lane: number): number[] => simd(0x1f, lane);
/** i8x16.shuffle of two f32x4 by float lanes (0–3 first operand, 4–7 second). */
export const shuffle = (l: number[]): number[] => simd(0x0d, ...l.flatMap((f) => [4 * f, 4 * f + 1, 4 * f + 2, 4 * f + 3]));
export const f32x4Add = simd(0xe4);
export const f32x4Sub = simd(0xe5);
export const f32x4Mul = simd(0xe6);
export const f32x4Neg = simd(0xe1);
export const f32x4Sqrt = simd(0xe3);
export const f32x4Div = simd(0xe7);
/** f32x4.relaxed_madd(a, b, c) = a·b + c (relaxed SIMD): one rounding where the CPU has FMA, else two. */
export const f32x4RelaxedMadd = simd(0x105);
/** while (cond) body — cond leaves an i32. */
export const whileLoop = (cond: number[], body: number[]): number[] => [0x02, 0x40, 0x03, 0x40, ...cond, 0x45, 0x0d, 1, ...body, 0x0c, 0, 0x0b, 0x0b];
/** local += step */
export const inc = (l: number, step: number[]): number[] => [...get(l), ...step, ...add, ...set(l)];

export interface WasmFunction {
  name: string;
  /** Number of i32 parameters (every kernel takes byte addresses and sizes). */
  params: number;
  /** Local declarations after the parameters: [count, type] runs. */
  locals: [number, number][];
  code: number[];
}

/** A module importing `env.memory` (the tfjs wasm backend's) and exporting `fns` (no results). */
export function moduleBytes(fns: readonly WasmFunction[]): Uint8Array<ArrayBuffer> {
  const types = [...new Set(fns.map((f) => f.params))];
  const fnType = (params: number): number[] => [0x60, ...vec(new Array<number[]>(params).fill([I32])), 0];
  const body = (f: WasmFunction): number[] => {
    const b = [...vec(f.locals.map(([n, t]) => [...uleb(n), t])), ...f.code, 0x0b];
    return [...uleb(b.length), ...b];
  };
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, vec(types.map(fnType))),
    ...section(2, vec([[...str('env'), ...str('memory'), 0x02, 0x00, 0x01]])), // memory, min 1 page, no max
    ...section(3, vec(fns.map((f) => uleb(types.indexOf(f.params))))),
    ...section(7, vec(fns.map((f, i) => [...str(f.name), 0, ...uleb(i)]))),
    ...section(10, vec(fns.map(body))),
  ]);
}

/** What the kernels use of tfjs-backend-wasm's BackendWasm (feature-detected: tfjs is pinned exactly). */
export interface WasmBackendHeap {
  wasm: { asm?: { memory?: unknown } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): { dataId: object; shape: number[]; dtype: 'float32' };
}

/** The smallest module with one SIMD instruction: whether this runtime has wasm SIMD. */
const SIMD_PROBE = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, V128, 3, 2, 1, 0, 10, 22, 1, 20, 0, ...v128Zero, 0x0b]);

/** A function returning f32x4.relaxed_madd of three zero vectors: whether this runtime has relaxed SIMD. */
const RELAXED_SIMD_PROBE = ((): Uint8Array<ArrayBuffer> => {
  const body = [0, ...v128Zero, ...v128Zero, ...v128Zero, ...f32x4RelaxedMadd, 0x0b];
  return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, V128, 3, 2, 1, 0, 10, body.length + 2, 1, body.length, ...body]);
})();

/**
 * Whether wasm relaxed SIMD (f32x4.relaxed_madd) compiles here. Node 20's V8 (11.3) has it behind
 * `--experimental-wasm-relaxed-simd`, which this turns on (a wasm feature flag, read when a
 * module is validated; Node 22's V8 has it on by default); in other runtimes it only probes.
 */
export function relaxedSimdAvailable(): boolean {
  if (WebAssembly.validate(RELAXED_SIMD_PROBE)) return true;
  const node = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process;
  const v8 = node?.getBuiltinModule?.('node:v8') as { setFlagsFromString(flags: string): void } | undefined;
  v8?.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(RELAXED_SIMD_PROBE);
}

export type WasmKernelFn = (...args: number[]) => void;

/**
 * Compiles `fns` against the wasm backend's own memory and returns their exports by name; null when
 * `backend` is not a BackendWasm with the expected internals or the runtime has no wasm SIMD (the
 * callers then keep the stock kernels). A module that fails to compile is a bug here and throws.
 */
export function instantiateOnBackend(backend: unknown, fns: readonly WasmFunction[]): Record<string, WasmKernelFn> | null {
  const be = backend as Partial<WasmBackendHeap> | null;
  const memory = be?.wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory) || typeof be?.makeOutput !== 'function' || typeof be.dataIdMap?.get !== 'function') return null;
  if (!WebAssembly.validate(SIMD_PROBE)) return null;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes(fns)), { env: { memory } });
  return Object.fromEntries(fns.map((f) => [f.name, instance.exports[f.name] as WasmKernelFn]));
}

/**
 * Registers `kernelName` on the wasm backend with `run`, which gets the backend, the inputs, `at`
 * (a tensor's byte offset in the wasm memory) and the attributes, and returns the output(s).
 */
export function registerHeapKernel(
  kernelName: string,
  run: (be: WasmBackendHeap, inputs: tf.NamedTensorInfoMap, at: (t: tf.TensorInfo) => number, attrs: Record<string, unknown>) => tf.TensorInfo | tf.TensorInfo[],
): void {
  tf.registerKernel({
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const be = backend as unknown as WasmBackendHeap;
      return run(be, inputs, (t) => heapOffset(be, t, kernelName), attrs as Record<string, unknown>);
    },
  });
}

/** Byte offset of a tensor's data in the wasm memory; throws when it is not on the wasm backend. */
export function heapOffset(be: WasmBackendHeap, t: { dataId: object }, kernel: string): number {
  const d = be.dataIdMap.get(t.dataId);
  if (!d) throw new Error(`${kernel}: operand not on the wasm backend`);
  return d.memoryOffset;
}
