/**
 * Matrix products on the wasm backend as hand-encoded WebAssembly SIMD kernels
 * (wasm-gemm-code.ts): the plain product a·b (in front of the stock BatchMatMul and in
 * `ops.bmm`), and xᵀ·dy read in place (`gemmTN`: the weight gradient of a linear layer, and the
 * key/value gradients of attention).
 *
 * Why: XNNPACK (the stock wasm matMul) packs its right operand into its own layout on every call
 * with a new tensor there, which in training is every call; xᵀ had to be materialised by a
 * transpose; and the split-K weight gradient of `ops.weightGrad` summed its chunks in another
 * kernel. All of that cost as much as the products themselves (~40% of a linear layer's
 * backward on the default preset's model). These kernels read both operands where they lie.
 *
 * Floats: where the runtime has wasm relaxed SIMD (Node 20 after `relaxedSimdAvailable` turns its
 * flag on; Node ≥ 22 by default) the kernels use fused multiply-adds, one rounding per product in
 * k order, and no longer reproduce XNNPACK's two roundings (`gemmUsesFma`). Results stay
 * deterministic on a machine and identical for any number of workers; they can differ in the last
 * bits between CPUs with and without FMA. Without relaxed SIMD they are XNNPACK's floats exactly.
 * gemmTN adds the chunks' partial sums in chunk order as `tf.sum(parts, 0)` does. Tests compare
 * bits with an exactly rounded fma reference and with the wasm binary's own BatchMatMul.
 */
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, instantiateOnBackend, relaxedSimdAvailable, type WasmBackendHeap, type WasmKernelFn } from './wasm-encoder';
import { nnFn, tnFn } from './wasm-gemm-code';

export const GEMM_TN_KERNEL = 'SieveGemmTN';

type WasmBackend = WasmBackendHeap & { disposeData(dataId: object): void };

/** From this many rows of a, the NN kernel first packs b into 8-column panels (see nnFn): below, too few row tiles reuse them. */
const PACK_MIN_ROWS = 24;

/** nn on a backend: a [batch, M, K]·b [batch, K, N] into out (byte offsets), packing b when M is large enough. */
function nnOn(be: WasmBackend, a: number, b: number, out: number, batch: number, m: number, k: number, n: number, bStride: number): void {
  const scratch = m >= PACK_MIN_ROWS && n >= 8 && k > 0 ? be.makeOutput([k * n], 'float32') : null;
  try {
    (nn as WasmKernelFn)(a, b, out, batch, m, k, n, bStride, scratch ? offsetOf(be, scratch, 'BatchMatMul') : 0);
  } finally {
    if (scratch) be.disposeData(scratch.dataId);
  }
}

/**
 * Largest right operand (K·N floats, 1 MB: this machine's L2 cache) the NN kernel takes, and the
 * largest output of gemmTN. They read that operand in place, row segment by row segment, so a large
 * one is streamed again for every tile of rows; XNNPACK packs it once into contiguous panels and,
 * for a weight that does not change (inference), keeps the packing: 3× faster on a 151,936-word
 * output head, while the NN kernel is 1.0–1.3× faster than XNNPACK up to this size in training.
 */
const MAX_IN_PLACE_FLOATS = 1 << 18;
let tn: WasmKernelFn | null = null;
let fused = false;
let nn: WasmKernelFn | null = null;
const offsetOf = heapOffset;

/**
 * Compiles the module against the wasm backend's memory, registers `SieveGemmTN` and puts the
 * NN product in front of the stock BatchMatMul wherever that would call XNNPACK (no transposes,
 * batch 1) with b up to MAX_IN_PLACE_FLOATS; false when unavailable.
 */
export function registerGemmKernels(backend: unknown): boolean {
  if (tn) return true;
  const fma = relaxedSimdAvailable();
  const exports = instantiateOnBackend(backend, [tnFn(fma), nnFn(fma)]);
  if (!exports) return false; // not the wasm backend, or no wasm SIMD: the stock kernels stay in use
  fused = fma;
  tn = exports['tn'] as WasmKernelFn;
  nn = exports['nn'] as WasmKernelFn;
  tf.registerKernel({
    kernelName: GEMM_TN_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend: b, attrs }) => {
      const be = b as unknown as WasmBackend;
      const x = inputs['x'] as tf.TensorInfo; // [N, I] or [B, N, I]
      const dy = inputs['dy'] as tf.TensorInfo; // [N, J] or [B, N, J]
      const chunks = (attrs as unknown as { chunks: number }).chunks;
      const [n, inDim] = x.shape.slice(-2) as [number, number];
      const outDim = dy.shape[dy.shape.length - 1] as number;
      const batch = x.shape.length === 3 ? (x.shape[0] as number) : 1;
      const out = be.makeOutput([...x.shape.slice(0, -2), inDim, outDim], 'float32'); // [(B,) I, J]
      (tn as WasmKernelFn)(offsetOf(be, x, GEMM_TN_KERNEL), offsetOf(be, dy, GEMM_TN_KERNEL), offsetOf(be, out, GEMM_TN_KERNEL), n / chunks, chunks, inDim, outDim, batch);
      return out;
    },
  });
  const stock = tf.getKernel('BatchMatMul', 'wasm');
  if (stock) {
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel({
      ...stock,
      kernelFunc: (args) => {
        const a = args.inputs['a'] as tf.TensorInfo; // [..., M, K]
        const b = args.inputs['b'] as tf.TensorInfo; // [..., K, N]
        const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
        const [m, k] = a.shape.slice(-2) as [number, number];
        const n = b.shape[b.shape.length - 1] as number;
        const single = (t: tf.TensorInfo): boolean => t.shape.slice(0, -2).every((d) => d === 1);
        if (transposeA || transposeB || a.dtype !== 'float32' || b.dtype !== 'float32' || !single(a) || !single(b) || b.shape[b.shape.length - 2] !== k || k * n > MAX_IN_PLACE_FLOATS) {
          return stock.kernelFunc(args);
        }
        const be = args.backend as unknown as WasmBackend;
        const outShape = [...tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)), m, n];
        const out = be.makeOutput(outShape, 'float32');
        nnOn(be, offsetOf(be, a, 'BatchMatMul'), offsetOf(be, b, 'BatchMatMul'), offsetOf(be, out, 'BatchMatMul'), 1, m, k, n, 0);
        return out;
      },
    });
  }
  return true;
}

/**
 * Batched a [batch, M, K] · b [batch, K, N] into out at these byte offsets of `backend`'s memory,
 * summed in k order like every product of the NN kernel (see wasm-gemm-code.ts); false (nothing
 * written) when unavailable or b is larger than the kernel takes.
 */
export function gemmNNAt(backend: unknown, a: number, b: number, out: number, batch: number, m: number, k: number, n: number): boolean {
  if (!nn || k * n > MAX_IN_PLACE_FLOATS) return false;
  nnOn(backend as WasmBackend, a, b, out, batch, m, k, n, k * n * 4);
  return true;
}

/** Whether `gemmTN` runs here for these sizes: wasm backend, out % 8 = 0, in·out ≤ 2^18, N > 0 and N divisible by chunks. */
export function gemmTNApplies(n: number, inDim: number, outDim: number, chunks: number): boolean {
  return tn !== null && tf.getBackend() === 'wasm' && n > 0 && outDim % 8 === 0 && inDim * outDim <= MAX_IN_PLACE_FLOATS && n % chunks === 0;
}

/**
 * xᵀ·dy for x [N, in], dy [N, out] → [in, out], N cut into `chunks` equal row chunks whose
 * products are summed in order; or item by item for x [B, N, in], dy [B, N, out] → [B, in, out].
 */
export function gemmTN<T extends tf.Tensor2D | tf.Tensor3D>(x: T, dy: T, chunks = 1): T {
  return tf.engine().runKernel(GEMM_TN_KERNEL, { x, dy }, { chunks } as unknown as tf.NamedAttrMap) as T;
}

/** Whether the GEMM kernels run with fused multiply-adds (relaxed SIMD; see wasm-gemm-code.ts). */
export function gemmUsesFma(): boolean {
  return fused;
}
