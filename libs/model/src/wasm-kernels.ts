/**
 * Kernels that replace slow paths of the wasm backend (tfjs 4.22): a faster batched matMul, and
 * an Identity that shares its input's memory instead of copying it.
 *
 * Identity: the engine clones every tensor a gradient saves (`customGrad`'s `save`, the built-in
 * kernels' saved inputs/outputs) through the Identity kernel, and the stock wasm kernel copies the
 * data; a training step of the 4×256 model copies ~300 MB that way. Tensor data is immutable in
 * tfjs (kernels write only their outputs; `Variable.assign` swaps data ids), so the clone can
 * share the data id with a reference count, as the cpu backend's Identity and every backend's
 * Reshape already do.
 *
 * The wasm BatchMatMul kernel only uses XNNPACK's fast GEMM when the batch is 1; for a batch
 * it falls back to a loop that reaches ~3 GFLOP/s instead of ~40. This kernel runs one
 * XNNPACK GEMM per batch item on *views* of the input/output memory: it registers temporary
 * tensor ids that point inside the operands (no copies), calls the stock kernel with batch 1,
 * then unregisters them (which also frees XNNPACK's cached operator for that id). Where
 * wasm-gemm.ts's NN kernel applies it replaces both (sums in k order; see wasm-gemm.ts for the floats).
 *
 * It depends on BackendWasm internals, so it feature-detects them and registers nothing if
 * they are missing; `ops.bmm` then falls back to `tf.matMul`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerAdamWKernel } from './wasm-adamw';
import { registerDecodeAttentionKernels } from './wasm-attention';
import { gemmNNAt, registerGemmKernels } from './wasm-gemm';
import { registerPointwiseKernels } from './wasm-pointwise';
import { registerRopeKernels } from './wasm-rope';

export const FAST_BMM_KERNEL = 'SieveBatchMatMul';
export const GATHER_ROWS_KERNEL = 'SieveGatherRows';

/** Below this many FLOPs per batch item the per-call overhead (~20 µs) beats the loop kernel. */
const MIN_FLOPS_PER_ITEM = 65_536;

interface WasmModule {
  cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
  tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
}
interface WasmBackendInternals {
  wasm: WasmModule;
  incRef(dataId: object): void;
  dataIdNextNumber: number;
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

function internalsOf(backend: unknown): WasmBackendInternals | null {
  const b = backend as Partial<WasmBackendInternals> | null;
  if (!b || typeof b.makeOutput !== 'function' || typeof b.typedArrayFromHeap !== 'function' || typeof b.dataIdNextNumber !== 'number' || typeof b.incRef !== 'function') return null;
  const w = b.wasm;
  if (!w || typeof w.cwrap !== 'function') return null;
  if (typeof w.tfjs?.registerTensor !== 'function' || typeof w.tfjs.disposeData !== 'function') return null;
  if (!b.dataIdMap || typeof b.dataIdMap.get !== 'function') return null;
  return b as WasmBackendInternals;
}

let registered = false;

/** Registers the wasm kernels once (after the wasm backend is initialised). Returns whether they are available. */
export function registerWasmKernels(): boolean {
  if (registered) return true;
  const internals = internalsOf(tf.findBackend('wasm'));
  if (!internals) return false;
  const batchMatMul = internals.wasm.cwrap('BatchMatMul', null, [
    'number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number',
  ]);
  const shapeBytes = (shape: number[]): Uint8Array => new Uint8Array(new Int32Array(shape).buffer);

  tf.registerKernel({
    kernelName: FAST_BMM_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const be = backend as unknown as WasmBackendInternals;
      const a = inputs['a'] as tf.TensorInfo; // [n, m, k]
      const b = inputs['b'] as tf.TensorInfo; // [n, k, p]
      const [n, m, k] = a.shape as [number, number, number];
      const p = b.shape[2] as number;
      const out = be.makeOutput([n, m, p], 'float32'); // [n, m, p]
      const aData = be.dataIdMap.get(a.dataId);
      const bData = be.dataIdMap.get(b.dataId);
      const oData = be.dataIdMap.get(out.dataId);
      if (!aData || !bData || !oData) throw new Error(`${FAST_BMM_KERNEL}: operand not on the wasm backend`);
      if (n === 0 || m === 0 || p === 0) return out;
      const small = n > 1 && 2 * m * k * p < MIN_FLOPS_PER_ITEM; // the stock loop kernel, whose sums are ordered otherwise
      // Otherwise the NN kernel (wasm-gemm.ts): no XNNPACK operator to create and pack per item.
      if (!small && gemmNNAt(be, aData.memoryOffset, bData.memoryOffset, oData.memoryOffset, n, m, k, p)) return out;
      if (small || n === 1) {
        batchMatMul(aData.id, shapeBytes([n, m, k]), 3, bData.id, shapeBytes([n, k, p]), 3, false, false, oData.id);
        return out;
      }
      const aItem = shapeBytes([1, m, k]);
      const bItem = shapeBytes([1, k, p]);
      for (let i = 0; i < n; i++) {
        const ia = be.dataIdNextNumber++;
        const ib = be.dataIdNextNumber++;
        const io = be.dataIdNextNumber++;
        be.wasm.tfjs.registerTensor(ia, m * k, aData.memoryOffset + i * m * k * 4);
        be.wasm.tfjs.registerTensor(ib, k * p, bData.memoryOffset + i * k * p * 4);
        be.wasm.tfjs.registerTensor(io, m * p, oData.memoryOffset + i * m * p * 4);
        try {
          batchMatMul(ia, aItem, 3, ib, bItem, 3, false, false, io);
        } finally {
          be.wasm.tfjs.disposeData(ia);
          be.wasm.tfjs.disposeData(ib);
          be.wasm.tfjs.disposeData(io);
        }
      }
      return out;
    },
  });
  // Rows of x [B, ...] by index along axis 0 → [R, ...]: one memcpy per row (the stock GatherV2
  // copies element by element, ~25 ns each: a KV-cache compaction cost milliseconds per layer).
  tf.registerKernel({
    kernelName: GATHER_ROWS_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const be = backend as unknown as WasmBackendInternals;
      const x = inputs['x'] as tf.TensorInfo;
      const rows = (attrs as unknown as { rows: readonly number[] }).rows;
      const rowSize = x.shape.slice(1).reduce((a, b) => a * b, 1);
      const out = be.makeOutput([rows.length, ...x.shape.slice(1)], x.dtype);
      // Views taken after makeOutput: allocating may grow (and so replace) the wasm memory.
      const src = be.typedArrayFromHeap(x);
      const dst = be.typedArrayFromHeap(out);
      rows.forEach((r, i) => dst.set(src.subarray(r * rowSize, (r + 1) * rowSize), i * rowSize));
      return out;
    },
  });
  // Replaces the stock Identity (a copy): the output shares the input's data id.
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs['x'] as tf.TensorInfo;
      (backend as unknown as WasmBackendInternals).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
  registerDecodeAttentionKernels(tf.findBackend('wasm'));
  registerGemmKernels(tf.findBackend('wasm'));
  registerRopeKernels(tf.findBackend('wasm'));
  registerPointwiseKernels(tf.findBackend('wasm'));
  registerAdamWKernel(tf.findBackend('wasm'));
  registered = true;
  return true;
}

/**
 * Rows `rows` of x [B, ...] along axis 0 → [R, ...] (rows may repeat); the same values as
 * `tf.gather(x, rows)`, by row copies on wasm. Throws on a row outside [0, B).
 */
export function gatherRows<T extends tf.Tensor>(x: T, rows: readonly number[]): T {
  const b = x.shape[0] ?? 0;
  const bad = rows.find((r) => !Number.isInteger(r) || r < 0 || r >= b);
  if (bad !== undefined) throw new RangeError(`gatherRows: row ${bad} out of range (batch size ${b})`);
  if (fastBmmAvailable() && x.dtype !== 'string') return tf.engine().runKernel(GATHER_ROWS_KERNEL, { x }, { rows: [...rows] } as unknown as tf.NamedAttrMap) as T;
  return tf.tidy(() => tf.gather(x, tf.tensor1d(Int32Array.from(rows), 'int32')) as T);
}

/**
 * Copies t's values (float32) into `out` from `offset`: straight from the wasm heap where t lives
 * there (one copy; `dataSync` copies out of the heap first), else via `dataSync`.
 */
export function copyTensorInto(t: tf.Tensor, out: Float32Array, offset: number): void {
  const be = registered && tf.getBackend() === 'wasm' && t.dtype === 'float32' ? internalsOf(tf.findBackend('wasm')) : null;
  if (be?.dataIdMap.get(t.dataId)) out.set(be.typedArrayFromHeap(t) as Float32Array, offset);
  else out.set(t.dataSync() as Float32Array, offset);
}

/**
 * A float32 tensor [shape] of `values`, which may be a view of memory that changes later (shared
 * memory): the wasm backend copies them into its heap at once; elsewhere they are copied here first.
 */
export function tensorFromView(values: Float32Array, shape: number[]): tf.Tensor {
  return tf.tensor(registered && tf.getBackend() === 'wasm' ? values : values.slice(), shape, 'float32');
}

/**
 * Whether the batched matMul of n items [m, k]·[k, p] runs as GEMMs summing in k order (the
 * NN kernel or XNNPACK itself) rather than the stock loop kernel, whose sums are ordered otherwise.
 */
export function bmmItemsUseGemm(n: number, m: number, k: number, p: number): boolean {
  return n === 1 || 2 * m * k * p >= MIN_FLOPS_PER_ITEM;
}

/** Whether the fast batched matMul can run on the active backend. */
export function fastBmmAvailable(): boolean {
  return registered && tf.getBackend() === 'wasm';
}
