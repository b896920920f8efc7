import * as tf from '@tensorflow/tfjs-core';

// tfjs-core 4.22 has no tf.stopGradient: identity forward, zero gradient backward.
let sg: ((x: tf.Tensor) => tf.Tensor) | undefined;

/** Returns a copy of `x` that the gradient tape treats as a constant. */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  sg ??= tf.customGrad((input) => {
    const t = input as tf.Tensor;
    // Capture shape and dtype only: the input may be disposed by a tidy before backprop runs.
    const { shape, dtype } = t;
    return { value: tf.clone(t), gradFunc: () => tf.zeros(shape, dtype) };
  }) as (x: tf.Tensor) => tf.Tensor;
  return sg(x) as T;
}
