/**
 * A gradient worker thread: its own backend instance and its own replica of the model (and of the
 * frozen reference). Each step it loads the parameters the main thread wrote to shared memory,
 * computes the gradients of the shards it was given and writes each into its slot.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, setFastGrads, Transformer } from '@sieve/model';
import '../gradients';
import { disposeGrads } from '../clip';
import { microGrads, type ObjectiveContext } from '../objective';
import { serializeError } from '@sieve/core';
import { tensorsFromFlat, readFlat, writeFlat, type FromWorker, type ToWorker, type WorkerInit } from './protocol';

const port = parentPort;
if (!port) throw new Error('grad-worker.ts must run in a worker thread (see replica-pool.ts)');
const post = (m: FromWorker): void => port.postMessage(m);
const init = workerData as WorkerInit;

try {
  await initBackend({ prefer: init.backend });
  setFastGrads(init.fastGrads);
  const control = new Int32Array(init.control);
  const params = new Float32Array(init.params);
  const model = new Transformer(init.config, readFlat(init.layout, params));
  const ref = init.ref ? new Transformer(init.config, readFlat(init.layout, new Float32Array(init.ref))) : null;
  const ctx: ObjectiveContext = { model, ref, method: init.method, opts: init.opts };
  let loaded = -1;

  const load = (version: number): void => {
    if (version === loaded) return;
    // Atomics.load pairs with the main thread's Atomics.store after it wrote the parameters.
    if (Atomics.load(control, 0) !== version) throw new Error(`parameters of version ${version} expected, shared memory holds ${Atomics.load(control, 0)}`);
    const values = tensorsFromFlat(init.layout, params);
    for (const [name, v] of Object.entries(model.params)) v.assign(values[name] as tf.Tensor);
    tf.dispose(Object.values(values));
    loaded = version;
  };

  port.on('message', (m: ToWorker) => {
    if (m.type === 'close') {
      model.dispose();
      ref?.dispose();
      port.close();
      return;
    }
    try {
      load(m.version);
      const grads = new Float32Array(m.grads);
      const outs: { slot: number; out: ReturnType<typeof microGrads>['out'] }[] = [];
      for (const job of m.jobs) {
        const { grads: g, out } = microGrads(ctx, job.batch, job.weight);
        try {
          writeFlat(init.layout, g, grads.subarray(job.slot * init.layout.size, (job.slot + 1) * init.layout.size));
        } finally {
          disposeGrads(g);
        }
        outs.push({ slot: job.slot, out });
      }
      Atomics.store(control, init.replica, m.version); // publishes the gradient writes above
      post({ type: 'done', version: m.version, outs, numTensors: tf.memory().numTensors });
    } catch (err) {
      post({ type: 'error', error: serializeError(err) });
    }
  });
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'error', error: serializeError(err) });
}
