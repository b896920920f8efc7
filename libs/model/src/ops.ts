/**
 * The model's differentiable building blocks, with hand-written gradients.
 *
 * Why: on the wasm backend `tf.matMul` with a transpose flag is 10–30× slower than an explicit
 * transpose followed by a plain matMul, and the built-in matMul gradients use those flags;
 * `tf.gather` has no gradient there (no UnsortedSegmentSum); reductions over the first axis
 * (bias-style gradients) are slow. Each op below has a `tf.customGrad` backward that uses only
 * plain matMuls, cheap transposes and last-axis reductions. The same code runs on every backend.
 *
 * `setFastGrads(false)` switches every op to the plain tfjs composition with built-in gradients
 * (the "before" of the benchmark, and the reference the gradient tests compare against).
 */
import * as tf from '@tensorflow/tfjs-core';
import './gradients';
import { bmmItemsUseGemm, FAST_BMM_KERNEL, fastBmmAvailable } from './wasm-kernels';
import { gemmTN, gemmTNApplies } from './wasm-gemm';
import { pointwiseApplies, rmsNormGradKernel, rmsNormKernel, swigluGradKernel, swigluKernel } from './wasm-pointwise';

type Save = (tensors: tf.Tensor[]) => void;
type GradFn<Y> = (dy: Y, saved: tf.Tensor[]) => tf.Tensor[];
type CustomFn = Parameters<typeof tf.customGrad>[0];

/** Typed wrapper over tf.customGrad for two-input ops. */
function custom2<A extends tf.Tensor, B extends tf.Tensor, Y extends tf.Tensor>(
  f: (a: A, b: B, save: Save) => { value: Y; gradFunc: GradFn<Y> },
): (a: A, b: B) => Y {
  const g = tf.customGrad(((a: A, b: B, save: Save) => f(a, b, save)) as unknown as CustomFn);
  return (a, b) => g(a, b) as Y;
}

/** Typed wrapper over tf.customGrad for one-input ops. */
function custom1<A extends tf.Tensor, Y extends tf.Tensor>(
  f: (a: A, save: Save) => { value: Y; gradFunc: GradFn<Y> },
): (a: A) => Y {
  const g = tf.customGrad(((a: A, save: Save) => f(a, save)) as unknown as CustomFn);
  return (a) => g(a) as Y;
}

let fast = true;

/** Turns the custom gradients (and the wasm batched-matMul kernel) on or off; default on. */
export function setFastGrads(enabled: boolean): void {
  fast = enabled;
}

export function fastGradsEnabled(): boolean {
  return fast;
}

/**
 * Up to this vocabulary size the embedding lookup and its gradient are one-hot matMuls: on wasm
 * gather runs at ~25 ns per element, a one-hot GEMM costs 2·V FLOPs per element at ~40 GFLOP/s.
 */
const ONE_HOT_MAX_VOCAB = 256;

/** [n, d] → [d, n]. On wasm a big 2-D transpose is cache-hostile; two small-block transposes are ~4× faster. */
export function transpose2d(x: tf.Tensor2D): tf.Tensor2D {
  const [n, d] = x.shape;
  const block = [8, 4, 2].find((b) => n % b === 0 && n > b);
  if (!fast || n * d < 4096 || block === undefined) return tf.transpose(x);
  return tf.tidy(() => {
    const a = tf.transpose(tf.reshape(x, [n / block, block, d]), [0, 2, 1]); // [n/b, d, b]
    return tf.reshape(tf.transpose(a, [1, 0, 2]), [d, n]); // [d, n/b, b] = [d, n]
  });
}

/** [n, a, b] → [n, b, a]. */
export function transpose3(x: tf.Tensor3D): tf.Tensor3D {
  return tf.transpose(x, [0, 2, 1]);
}

/** Plain batched matMul [n, m, k]·[n, k, p] → [n, m, p] without transpose flags; fast kernel on wasm. */
function rawBmm(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  if (fast && fastBmmAvailable()) return tf.engine().runKernel(FAST_BMM_KERNEL, { a, b }) as tf.Tensor3D;
  return tf.matMul(a, b);
}

/** aᵀ·b per item, a [n, r, m] and b [n, r, p] → [n, m, p]: the floats of rawBmm(transpose3(a), b), read in place when the GEMM kernel applies. */
function rawBmmTN(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const [n, r, m] = a.shape;
  const p = b.shape[2];
  if (fast && fastBmmAvailable() && bmmItemsUseGemm(n, m, r, p) && gemmTNApplies(r, m, p, 1)) return gemmTN(a, b);
  return rawBmm(transpose3(a), b);
}

/** Rows per chunk of the split-K weight gradient (512 was the fastest of 128–2048 for 4096 rows). */
const SPLIT_K_ROWS = 512;

/** The number of equal row chunks for a split-K product over N rows: the divisor of N nearest N/512 within [N/1024, N/256], or 1. */
function splitKChunks(n: number): number {
  let best = 1;
  for (let k = Math.max(2, Math.ceil(n / (2 * SPLIT_K_ROWS))); k <= Math.floor(n / (SPLIT_K_ROWS / 2)); k++) {
    if (n % k === 0 && (best === 1 || Math.abs(n / k - SPLIT_K_ROWS) < Math.abs(n / best - SPLIT_K_ROWS))) best = k;
  }
  return best;
}

/**
 * dW = xᵀ·dy for x [N, in], dy [N, out] → [in, out]. With N in the thousands (every token of
 * the batch) one GEMM with K = N runs at half XNNPACK's speed on wasm (CPU time of 256×4096 ·
 * 4096×688: 160 vs 81 ms; 688×4096 · 4096×256: 120 vs 100 ms, and 219 ms for the transposed
 * product (dyᵀ·x)ᵀ the code used for in > out). So N is cut into c chunks of ~512 rows: c GEMMs
 * [in, N/c]·[N/c, out] as one batched product on views of x and dy (x is transposed chunk by
 * chunk), then the c partial products are summed in a fixed order (deterministic). Without equal
 * chunks, or off wasm, one GEMM. On wasm `gemmTN` computes exactly these floats in one kernel
 * that reads x and dy in place (no transposed chunks, no packing of dy, no separate sum).
 */
function weightGrad(x: tf.Tensor2D, dy: tf.Tensor2D): tf.Tensor2D {
  const [n, inDim] = x.shape;
  const outDim = dy.shape[1];
  const c = splitKChunks(n);
  if (fast && gemmTNApplies(n, inDim, outDim, c)) return gemmTN(x, dy, c); // the same floats, no copies (wasm-gemm.ts)
  if (c === 1 || !fastBmmAvailable()) return tf.matMul(transpose2d(x), dy) as tf.Tensor2D; // [in, N]·[N, out]
  return tf.tidy(() => {
    const xt = transpose3(tf.reshape(x, [c, n / c, inDim]) as tf.Tensor3D); // [c, in, N/c]
    const parts = rawBmm(xt, tf.reshape(dy, [c, n / c, outDim]) as tf.Tensor3D); // [c, in, out]
    return tf.sum(parts, 0) as tf.Tensor2D;
  });
}

const linearFast = custom2((x: tf.Tensor2D, w: tf.Tensor2D, save) => {
  save([x, w]); // x [N, in], w [in, out]
  return {
    value: tf.matMul(x, w) as tf.Tensor2D, // [N, out]
    gradFunc: (dy: tf.Tensor2D, saved) => {
      const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dx = tf.matMul(dy, transpose2d(sw)); // [N, out]·[out, in]
      return [dx, weightGrad(sx, dy)];
    },
  };
});

/** x [N, in] · w [in, out] → [N, out]. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return fast ? linearFast(x, w) : (tf.matMul(x, w) as tf.Tensor2D);
}

const bmmFast = custom2((a: tf.Tensor3D, b: tf.Tensor3D, save) => {
  save([a, b]); // a [n, m, k], b [n, k, p]
  return {
    value: rawBmm(a, b), // [n, m, p]
    gradFunc: (dy: tf.Tensor3D, saved) => {
      const [sa, sb] = saved as [tf.Tensor3D, tf.Tensor3D];
      return [rawBmm(dy, transpose3(sb)), rawBmmTN(sa, dy)];
    },
  };
});

/** Batched a [n, m, k] · b [n, k, p] → [n, m, p]. */
export function bmm(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  return fast ? bmmFast(a, b) : (tf.matMul(a, b) as tf.Tensor3D);
}

const bmmNTFast = custom2((a: tf.Tensor3D, b: tf.Tensor3D, save) => {
  save([a, b]); // a [n, m, k], b [n, p, k]
  return {
    value: rawBmm(a, transpose3(b)), // [n, m, p]
    gradFunc: (dy: tf.Tensor3D, saved) => {
      const [sa, sb] = saved as [tf.Tensor3D, tf.Tensor3D];
      return [rawBmm(dy, sb), rawBmmTN(dy, sa)];
    },
  };
});

/** Batched a [n, m, k] · bᵀ where b is [n, p, k] → [n, m, p] (attention scores q·kᵀ). */
export function bmmNT(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  return fast ? bmmNTFast(a, b) : (tf.matMul(a, b, false, true) as tf.Tensor3D);
}

/**
 * Float one-hot [N, depth] of int32 ids. Use this rather than `tf.oneHot(ids, d, 1, 0, 'float32')`:
 * on the wasm backend (tfjs 4.22) that call returns all zeros (the int32 one-hot is fine).
 */
export function oneHotFloat(ids: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(ids, depth), 'float32') as tf.Tensor2D;
}

const embeddingFast = custom2((ids: tf.Tensor1D, table: tf.Tensor2D, save) => {
  const vocab = table.shape[0];
  save([ids]); // ids must be an input (not a closure): the caller's tidy may dispose it before backward.
  return {
    value: (vocab <= ONE_HOT_MAX_VOCAB
      ? tf.matMul(oneHotFloat(ids, vocab), table) // [N, V]·[V, D]
      : tf.gather(table, ids)) as tf.Tensor2D,
    gradFunc: (dy: tf.Tensor2D, saved) => {
      const [sids] = saved as [tf.Tensor1D];
      // dTable = onehot(ids)ᵀ·dy, a scatter-add: one plain matMul for small vocabularies or where
      // UnsortedSegmentSum is missing (wasm); the segment sum otherwise. ids get no gradient.
      const useSegmentSum = vocab > ONE_HOT_MAX_VOCAB && tf.getKernel('UnsortedSegmentSum', tf.getBackend()) !== undefined;
      const dTable = useSegmentSum
        ? tf.unsortedSegmentSum(dy, sids, vocab)
        : weightGrad(oneHotFloat(sids, vocab), dy); // [V, N]·[N, D]
      return [tf.zeros(sids.shape, 'float32'), dTable];
    },
  };
});

/** Rows of `table` [V, D] for `ids` [N] int32 → [N, D]. Differentiable in `table` on every backend. */
export function embedding(ids: tf.Tensor1D, table: tf.Tensor2D): tf.Tensor2D {
  if (!fast) return tf.matMul(oneHotFloat(ids, table.shape[0]), table) as tf.Tensor2D;
  return embeddingFast(ids, table);
}

/** Sum over the rows of z [N, D] → [D] as a ones-vector matMul (reductions over axis 0 are slow on wasm). */
function colSum(z: tf.Tensor2D): tf.Tensor1D {
  return tf.reshape(tf.matMul(tf.ones([1, z.shape[0]]), z), [z.shape[1]]);
}

function rmsNormPlain(x: tf.Tensor2D, g: tf.Tensor1D, eps: number): tf.Tensor2D {
  const r = tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps));
  return tf.mul(tf.mul(x, r), g);
}

/** Composed RMSNorm forward: x [N, D], g [D] → [out, x̂] [N, D] and r [N, 1]. */
function rmsNormForward(x: tf.Tensor2D, g: tf.Tensor1D, eps: number): [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D] {
  const r = tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps)) as tf.Tensor2D; // [N, 1]
  const xhat = tf.mul(x, r) as tf.Tensor2D; // [N, D]
  return [tf.mul(xhat, g), xhat, r];
}

/** Composed RMSNorm backward → [dx [N, D], dg [D]]. */
function rmsNormBackward(dy: tf.Tensor2D, xhat: tf.Tensor2D, r: tf.Tensor2D, g: tf.Tensor1D): [tf.Tensor2D, tf.Tensor1D] {
  const dxhat = tf.mul(dy, g);
  const proj = tf.mean(tf.mul(dxhat, xhat), -1, true); // [N, 1]
  return [tf.mul(r, tf.sub(dxhat, tf.mul(xhat, proj))), colSum(tf.mul(dy, xhat))];
}

/**
 * RMSNorm over the last axis: x [N, D] · rsqrt(mean(x²) + eps) · g [D]. On wasm (D % 4 = 0) each
 * direction is one kernel with the composed ops' floats (wasm-pointwise.ts).
 */
export function rmsNorm(x: tf.Tensor2D, g: tf.Tensor1D, eps: number): tf.Tensor2D {
  if (!fast) return rmsNormPlain(x, g, eps);
  const fused = pointwiseApplies(x.shape[1]);
  const f = custom2((xi: tf.Tensor2D, gi: tf.Tensor1D, save) => {
    const [out, xhat, r] = fused ? rmsNormKernel(xi, gi, eps) : rmsNormForward(xi, gi, eps);
    save([xhat, r, gi]);
    return {
      value: out,
      gradFunc: (dy: tf.Tensor2D, saved) => {
        const [sxhat, sr, sg] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
        return fused ? rmsNormGradKernel(dy, sxhat, sr, sg) : rmsNormBackward(dy, sxhat, sr, sg);
      },
    };
  });
  return f(x, g);
}

/**
 * SwiGLU with custom gradients: s = sigmoid(g) from tfjs, then gs = g·s, out = gs·u; backward
 * dsilu = s + gs·(1 − s). On wasm the products and the backward are one kernel each with these
 * ops' floats (wasm-pointwise.ts).
 */
function swigluProducts(g: tf.Tensor2D, s: tf.Tensor2D, u: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
  const gs = tf.mul(g, s) as tf.Tensor2D; // silu(g)
  return [gs, tf.mul(gs, u) as tf.Tensor2D];
}

function swigluCustom(fused: boolean): (g: tf.Tensor2D, u: tf.Tensor2D) => tf.Tensor2D {
  return custom2((g: tf.Tensor2D, u: tf.Tensor2D, save) => {
    const s = tf.sigmoid(g) as tf.Tensor2D;
    const [gs, out] = fused ? swigluKernel(g, s, u) : swigluProducts(g, s, u);
    save([u, s, gs]);
    return {
      value: out,
      gradFunc: (dy: tf.Tensor2D, saved) => {
        const [su, ss, sgs] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        if (fused) return swigluGradKernel(dy, su, ss, sgs);
        const dsilu = tf.add(ss, tf.mul(sgs, tf.sub(1, ss))); // silu'(g) = s + g·s·(1 − s)
        return [tf.mul(tf.mul(dy, su), dsilu), tf.mul(dy, sgs)];
      },
    };
  });
}
const swigluFused = swigluCustom(true);
const swigluComposed = swigluCustom(false);

/** SwiGLU gate: silu(g) · u, elementwise, [N, M]. */
export function swiglu(g: tf.Tensor2D, u: tf.Tensor2D): tf.Tensor2D {
  if (!fast) return tf.mul(tf.mul(g, tf.sigmoid(g)), u) as tf.Tensor2D;
  return pointwiseApplies(g.size) ? swigluFused(g, u) : swigluComposed(g, u);
}

/** [hd, hd] matrix R with x·R = rotateHalf(x) = [−x2, x1] for x = [x1, x2]. */
function rotateHalfMatrix(hd: number): tf.Tensor2D {
  const half = hd / 2;
  const r = new Float32Array(hd * hd);
  for (let i = 0; i < half; i++) {
    r[(i + half) * hd + i] = -1; // out[i] = −x[i + half]
    r[i * hd + i + half] = 1; // out[i + half] = x[i]
  }
  return tf.tensor2d(r, [hd, hd]);
}

/**
 * rotateHalf(x) = [−x2, x1] over the last axis of x [..., hd], as one small GEMM (tf.reverse and
 * last-axis slices are slow on wasm). R is a rotation by 90°, so the gradient is dy·Rᵀ = −(dy·R).
 */
export function rotateHalf(x: tf.Tensor): tf.Tensor {
  const hd = x.shape[x.rank - 1] as number;
  const rows = x.size / hd;
  if (!fast) {
    const [x1, x2] = tf.split(x, 2, -1) as [tf.Tensor, tf.Tensor];
    return tf.concat([tf.neg(x2), x1], -1);
  }
  const f = custom1((xi: tf.Tensor) => {
    const r = rotateHalfMatrix(hd);
    return {
      value: tf.reshape(tf.matMul(tf.reshape(xi, [rows, hd]), r), xi.shape),
      gradFunc: (dy: tf.Tensor) => [tf.neg(tf.reshape(tf.matMul(tf.reshape(dy, [rows, hd]), rotateHalfMatrix(hd)), dy.shape))],
    };
  });
  return f(x);
}
