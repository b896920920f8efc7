/**
 * Gradient definitions for the common tfjs kernels.
 *
 * `@tensorflow/tfjs-core` registers no gradients by itself (the umbrella `@tensorflow/tfjs`
 * package does, through an ESM-only module that Node cannot import from tfjs-core's dist).
 * These mirror tfjs-core 4.22's own definitions (Apache-2.0) for the kernels the model, the
 * losses and the optimizers use. A kernel that already has a gradient is left alone.
 */
import * as tf from '@tensorflow/tfjs-core';
import { softmaxGradKernel } from './wasm-pointwise';

type Grads = Record<string, () => tf.Tensor>;
type Attrs = Record<string, unknown>;
type GradFunc = (dy: tf.Tensor, saved: tf.Tensor[], attrs: Attrs) => Grads;

const { getReductionAxes, assertAndGetBroadcastShape } = tf.broadcast_util;

/** Sums `g` over the axes `shape` was broadcast along, then reshapes to `shape`. */
function unbroadcast(g: tf.Tensor, shape: number[], outShape: number[]): tf.Tensor {
  const axes = getReductionAxes(shape, outShape);
  return tf.reshape(axes.length > 0 ? tf.sum(g, axes) : g, shape);
}

type Side = (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor, y: tf.Tensor | undefined) => tf.Tensor;

/** Gradient of a broadcasting binary op from its two (unreduced) partial derivatives. */
function binary(ga: Side, gb: Side): GradFunc {
  return (dy, saved) => {
    const [a, b, y] = saved as [tf.Tensor, tf.Tensor, tf.Tensor | undefined];
    const out = assertAndGetBroadcastShape(a.shape, b.shape);
    return {
      a: () => unbroadcast(ga(dy, a, b, y), a.shape, out),
      b: () => unbroadcast(gb(dy, a, b, y), b.shape, out),
    };
  };
}

function unary(grad: (dy: tf.Tensor, x: tf.Tensor, y: tf.Tensor) => tf.Tensor): GradFunc {
  return (dy, saved) => ({ x: () => grad(dy, saved[0] as tf.Tensor, saved[1] as tf.Tensor) });
}

/** Gradient of a reduction whose result broadcasts back over the reduced axes. */
function expandOverAxes(dy: tf.Tensor, x: tf.Tensor, axis: unknown): tf.Tensor {
  const axes = tf.util.parseAxisParam(axis as number | number[], x.shape);
  const shape = x.shape.slice();
  for (const a of axes) shape[a] = 1;
  return tf.mul(tf.reshape(dy, shape), tf.ones(x.shape, 'float32'));
}

function minMax(dy: tf.Tensor, saved: tf.Tensor[], attrs: Attrs): Grads {
  const [x, y] = saved as [tf.Tensor, tf.Tensor];
  // Max names its axes `reductionIndices`, Min names them `axis`.
  const axes = tf.util.parseAxisParam((attrs['reductionIndices'] ?? attrs['axis']) as number | number[], x.shape);
  const keep = tf.backend_util.expandShapeToKeepDim;
  const yk = y.rank < x.rank ? tf.reshape(y, keep(y.shape, axes)) : y;
  const dk = dy.rank < x.rank ? tf.reshape(dy, keep(dy.shape, axes)) : dy;
  return { x: () => tf.mul(dk, tf.cast(tf.equal(x, yk), dy.dtype)) };
}

const f32 = (t: tf.Tensor): tf.Tensor => tf.cast(t, 'float32');

interface Def {
  kernelName: string;
  inputsToSave?: string[];
  outputsToSave?: boolean[];
  saveAllInputs?: boolean;
  /** For SplitV/Unpack `dy` is really a list of tensors. */
  gradFunc: GradFunc;
}

const AB = ['a', 'b'];
const X = ['x'];

const DEFS: Def[] = [
  { kernelName: 'Add', inputsToSave: AB, gradFunc: binary((dy) => dy, (dy) => dy) },
  { kernelName: 'Sub', inputsToSave: AB, gradFunc: binary((dy) => dy, (dy) => tf.neg(dy)) },
  { kernelName: 'Multiply', inputsToSave: AB, gradFunc: binary((dy, _a, b) => tf.mul(dy, f32(b)), (dy, a) => tf.mul(dy, f32(a))) },
  {
    kernelName: 'RealDiv',
    inputsToSave: AB,
    gradFunc: binary(
      (dy, _a, b) => tf.div(dy, f32(b)),
      (dy, a, b) => tf.neg(tf.div(tf.mul(dy, f32(a)), f32(tf.square(b)))),
    ),
  },
  {
    kernelName: 'Maximum',
    inputsToSave: AB,
    gradFunc: binary(
      (dy, a, b) => tf.mul(dy, f32(tf.greaterEqual(a, b))),
      (dy, a, b) => tf.mul(dy, f32(tf.less(a, b))),
    ),
  },
  {
    kernelName: 'Minimum',
    inputsToSave: AB,
    gradFunc: binary(
      (dy, a, b) => tf.mul(dy, f32(tf.lessEqual(a, b))),
      (dy, a, b) => tf.mul(dy, f32(tf.greater(a, b))),
    ),
  },
  {
    kernelName: 'SquaredDifference',
    inputsToSave: AB,
    gradFunc: binary(
      (dy, a, b) => tf.mul(dy, tf.mul(2, tf.sub(a, b))),
      (dy, a, b) => tf.mul(dy, tf.mul(-2, tf.sub(a, b))),
    ),
  },
  {
    kernelName: 'Pow',
    inputsToSave: AB,
    outputsToSave: [true],
    gradFunc: binary(
      (dy, a, b) => tf.mul(dy, tf.mul(f32(b), tf.pow(a, tf.sub(f32(b), 1)))),
      (dy, a, _b, y) => tf.mul(dy, tf.mul(y as tf.Tensor, tf.where(tf.greater(a, 0), tf.log(a), tf.zerosLike(a)))),
    ),
  },
  { kernelName: 'Neg', gradFunc: (dy) => ({ x: () => tf.neg(dy) }) },
  { kernelName: 'Exp', outputsToSave: [true], gradFunc: (dy, saved) => ({ x: () => tf.mul(dy, saved[0] as tf.Tensor) }) },
  { kernelName: 'Log', inputsToSave: X, gradFunc: unary((dy, x) => tf.div(dy, f32(x))) },
  { kernelName: 'Log1p', inputsToSave: X, gradFunc: unary((dy, x) => tf.div(dy, tf.add(x, 1))) },
  { kernelName: 'Sqrt', inputsToSave: X, gradFunc: unary((dy, x) => tf.div(dy, tf.mul(tf.sqrt(f32(x)), 2))) },
  { kernelName: 'Rsqrt', inputsToSave: X, gradFunc: unary((dy, x) => tf.neg(tf.div(dy, tf.mul(tf.pow(x, 1.5), 2)))) },
  { kernelName: 'Square', inputsToSave: X, gradFunc: unary((dy, x) => tf.mul(dy, tf.mul(f32(x), 2))) },
  { kernelName: 'Reciprocal', inputsToSave: X, gradFunc: unary((dy, x) => tf.div(dy, tf.neg(tf.square(x)))) },
  { kernelName: 'Abs', inputsToSave: X, gradFunc: unary((dy, x) => tf.mul(dy, tf.step(f32(x), -1))) },
  { kernelName: 'Sigmoid', outputsToSave: [true], gradFunc: (dy, s) => ({ x: () => tf.mul(dy, tf.mul(s[0] as tf.Tensor, tf.sub(1, s[0] as tf.Tensor))) }) },
  { kernelName: 'Tanh', outputsToSave: [true], gradFunc: (dy, s) => ({ x: () => tf.mul(tf.sub(1, tf.square(s[0] as tf.Tensor)), dy) }) },
  { kernelName: 'Relu', inputsToSave: X, gradFunc: unary((dy, x) => tf.mul(dy, f32(tf.step(x)))) },
  { kernelName: 'Softplus', inputsToSave: X, gradFunc: unary((dy, x) => tf.mul(dy, tf.sigmoid(x))) },
  { kernelName: 'Erf', inputsToSave: X, gradFunc: unary((dy, x) => tf.mul(dy, tf.mul(tf.exp(tf.neg(tf.square(x))), 2 / Math.sqrt(Math.PI)))) },
  { kernelName: 'Sin', inputsToSave: X, gradFunc: unary((dy, x) => tf.mul(tf.cos(f32(x)), dy)) },
  { kernelName: 'Cos', inputsToSave: X, gradFunc: unary((dy, x) => tf.mul(tf.neg(tf.sin(f32(x))), dy)) },
  ...['Floor', 'Ceil', 'Round', 'Sign', 'Step', 'ZerosLike', 'OnesLike'].map(
    (kernelName): Def => ({ kernelName, gradFunc: (dy) => ({ x: () => tf.zerosLike(dy) }) }),
  ),
  // Comparisons and logic carry no gradient, but sit on the tape when a mask is computed from x.
  ...['Greater', 'GreaterEqual', 'Less', 'LessEqual', 'Equal', 'NotEqual', 'LogicalAnd', 'LogicalOr'].map(
    (kernelName): Def => ({ kernelName, inputsToSave: AB, gradFunc: (_dy, s) => ({ a: () => f32(tf.zerosLike(s[0] as tf.Tensor)), b: () => f32(tf.zerosLike(s[1] as tf.Tensor)) }) }),
  ),
  { kernelName: 'LogicalNot', inputsToSave: X, gradFunc: (_dy, s) => ({ x: () => f32(tf.zerosLike(s[0] as tf.Tensor)) }) },
  { kernelName: 'OneHot', gradFunc: (dy) => ({ indices: () => tf.zeros(dy.shape.slice(0, -1), 'float32') }) },
  { kernelName: 'Identity', gradFunc: (dy) => ({ x: () => f32(dy) }) },
  { kernelName: 'Cast', gradFunc: (dy) => ({ x: () => dy.clone() }) },
  {
    kernelName: 'ClipByValue',
    inputsToSave: X,
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0] as tf.Tensor;
      const ok = tf.logicalAnd(tf.greaterEqual(x, attrs['clipValueMin'] as number), tf.lessEqual(x, attrs['clipValueMax'] as number));
      return { x: () => tf.where(ok, dy, tf.zerosLike(dy)) };
    },
  },
  {
    kernelName: 'Select',
    inputsToSave: ['condition'],
    gradFunc: (dy, saved) => {
      const c = saved[0] as tf.Tensor;
      return {
        condition: () => f32(tf.zerosLike(c)),
        t: () => tf.mul(dy, tf.cast(c, dy.dtype)),
        e: () => tf.mul(dy, tf.cast(tf.logicalNot(c), dy.dtype)),
      };
    },
  },
  { kernelName: 'Sum', inputsToSave: X, gradFunc: (dy, s, attrs) => ({ x: () => expandOverAxes(dy, s[0] as tf.Tensor, attrs['axis']) }) },
  {
    kernelName: 'Mean',
    inputsToSave: X,
    gradFunc: (dy, s, attrs) => {
      const x = s[0] as tf.Tensor;
      const axes = tf.util.parseAxisParam(attrs['axis'] as number | number[], x.shape);
      const count = axes.reduce((n, a) => n * (x.shape[a] ?? 1), 1);
      return { x: () => tf.div(expandOverAxes(dy, x, attrs['axis']), count) };
    },
  },
  { kernelName: 'Max', inputsToSave: X, outputsToSave: [true], gradFunc: minMax },
  { kernelName: 'Min', inputsToSave: X, outputsToSave: [true], gradFunc: minMax },
  {
    kernelName: 'Softmax',
    outputsToSave: [true],
    gradFunc: (dy, s, attrs) => {
      const y = s[0] as tf.Tensor;
      const dim = attrs['dim'] as number;
      const last = dim === -1 || dim === y.rank - 1;
      return {
        logits: () => {
          const fused = last ? softmaxGradKernel(dy, y) : null; // one wasm pass, the same floats
          if (fused) return fused;
          const dyy = tf.mul(dy, y);
          return tf.sub(dyy, tf.mul(tf.sum(dyy, [dim], true), y));
        },
      };
    },
  },
  {
    kernelName: 'LogSoftmax',
    outputsToSave: [true],
    gradFunc: (dy, s, attrs) => ({
      logits: () => tf.sub(dy, tf.mul(tf.sum(dy, attrs['axis'] as number, true), tf.exp(s[0] as tf.Tensor))),
    }),
  },
  {
    kernelName: 'BatchMatMul',
    inputsToSave: AB,
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      const ta = attrs['transposeA'] === true;
      const tb = attrs['transposeB'] === true;
      if (!ta && !tb) return { a: () => tf.matMul(dy, b, false, true), b: () => tf.matMul(a, dy, true, false) };
      if (!ta && tb) return { a: () => tf.matMul(dy, b), b: () => tf.matMul(dy, a, true, false) };
      if (ta && !tb) return { a: () => tf.matMul(b, dy, false, true), b: () => tf.matMul(a, dy) };
      return { a: () => tf.matMul(b, dy, true, true), b: () => tf.matMul(dy, a, true, true) };
    },
  },
  { kernelName: 'Reshape', inputsToSave: X, gradFunc: (dy, s) => ({ x: () => tf.reshape(dy, (s[0] as tf.Tensor).shape) }) },
  { kernelName: 'ExpandDims', inputsToSave: ['input'], gradFunc: (dy, s) => ({ input: () => tf.reshape(dy, (s[0] as tf.Tensor).shape) }) },
  {
    kernelName: 'Transpose',
    gradFunc: (dy, _s, attrs) => ({ x: () => tf.transpose(dy, tf.backend_util.getUndoAxesPermutation(attrs['perm'] as number[])) }),
  },
  { kernelName: 'Reverse', gradFunc: (dy, _s, attrs) => ({ x: () => tf.reverse(dy, tf.util.parseAxisParam(attrs['dims'] as number[], dy.shape)) }) },
  {
    kernelName: 'Concat',
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs) => {
      const first = saved[0] as tf.Tensor;
      const axis = tf.util.parseAxisParam(attrs['axis'] as number, first.shape)[0] as number;
      const parts = tf.split(dy as tf.Tensor, saved.map((t) => t.shape[axis] as number), axis);
      return Object.fromEntries(parts.map((p, i) => [String(i), () => p]));
    },
  },
  { kernelName: 'SplitV', gradFunc: (dy, _s, attrs) => ({ x: () => tf.concat(dy as unknown as tf.Tensor[], attrs['axis'] as number) }) },
  {
    kernelName: 'Pack',
    saveAllInputs: true,
    gradFunc: (dy, _s, attrs) => Object.fromEntries(tf.unstack(dy as tf.Tensor, attrs['axis'] as number).map((t, i) => [String(i), () => t])),
  },
  { kernelName: 'Unpack', gradFunc: (dy, _s, attrs) => ({ value: () => tf.stack(dy as unknown as tf.Tensor[], attrs['axis'] as number) }) },
  {
    kernelName: 'Slice',
    inputsToSave: X,
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0] as tf.Tensor;
      const [begin, size] = tf.slice_util.parseSliceParams(x, attrs['begin'] as number[], attrs['size'] as number[]) as [number[], number[]];
      const pads = x.shape.map((d, i) => [begin[i] ?? 0, d - (begin[i] ?? 0) - (size[i] ?? 0)] as [number, number]);
      return { x: () => tf.pad(dy, pads) };
    },
  },
  {
    kernelName: 'PadV2',
    inputsToSave: X,
    gradFunc: (dy, saved, attrs) => ({
      x: () => tf.slice(dy, (attrs['paddings'] as [number, number][]).map((p) => p[0]), (saved[0] as tf.Tensor).shape),
    }),
  },
  {
    kernelName: 'Tile',
    inputsToSave: X,
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0] as tf.Tensor;
      const reps = attrs['reps'] as number[];
      // dy viewed as [r0, x0, r1, x1, …]: sum over the repeat axes.
      const view = reps.flatMap((r, i) => [r, x.shape[i] as number]);
      return { x: () => tf.sum(tf.reshape(dy, view), reps.map((_, i) => 2 * i)) };
    },
  },
  {
    kernelName: 'BroadcastTo',
    gradFunc: (dy, _s, attrs) => {
      const inShape = attrs['inputShape'] as number[];
      const outShape = attrs['shape'] as number[];
      const offset = outShape.length - inShape.length;
      const axes = outShape.map((d, i) => i).filter((i) => i < offset || (inShape[i - offset] === 1 && (outShape[i] as number) > 1));
      return { x: () => tf.reshape(tf.sum(dy, axes), inShape) };
    },
  },
  { kernelName: 'AddN', saveAllInputs: true, gradFunc: (dy, saved) => Object.fromEntries(saved.map((_, i) => [String(i), () => dy.clone()])) },
  {
    kernelName: 'GatherV2',
    inputsToSave: ['x', 'indices'],
    gradFunc: (dy, saved, attrs) => {
      const [x, indices] = saved as [tf.Tensor, tf.Tensor];
      const axis = tf.util.parseAxisParam(attrs['axis'] as number, x.shape)[0] as number;
      if (axis !== 0 || (attrs['batchDims'] as number | undefined)) throw new Error('gather gradient: only axis 0 without batchDims is supported');
      return {
        x: () => tf.unsortedSegmentSum(tf.reshape(dy, [indices.size, ...x.shape.slice(1)]), tf.reshape(indices, [indices.size]) as tf.Tensor1D, x.shape[0] as number),
        indices: () => f32(tf.zerosLike(indices)),
      };
    },
  },
];

let done = false;

/** Registers the definitions above once for kernels that have no gradient yet. */
export function registerGradients(): void {
  if (done) return;
  done = true;
  for (const d of DEFS) {
    if (tf.getGradient(d.kernelName) == null) tf.registerGradient(d as unknown as tf.GradConfig);
  }
}

registerGradients();
