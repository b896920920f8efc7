/**
 * A sampling worker thread: its own backend instance and its own copy of the checkpoint; runs
 * generation jobs one at a time and posts the results back (the main thread writes the store).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, loadCheckpoint } from '@sieve/model';
import { generate } from './generate';
import { serializeError } from '@sieve/core';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol';

const port = parentPort;
if (!port) throw new Error('sample-worker.ts must run in a worker thread (see engine.ts)');
const post = (m: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
const init = workerData as WorkerInit;

try {
  const info = await initBackend(init.backend ? { prefer: init.backend } : {});
  const ck = await loadCheckpoint(init.checkpointDir);
  port.on('message', (m: ToWorker) => {
    if (m.type === 'close') {
      ck.model.dispose();
      port.close();
      return;
    }
    try {
      const results = generate(ck.model, ck.tokenizer, m.requests, m.params);
      post({ type: 'result', id: m.id, results }, results.map((r) => r.logprobs.buffer as ArrayBuffer));
    } catch (err) {
      post({ type: 'error', id: m.id, error: serializeError(err) });
    }
  });
  post({ type: 'ready', config: ck.config, tokenizer: ck.tokenizer.toJSON(), backend: info.name });
} catch (err) {
  post({ type: 'error', id: null, error: serializeError(err) });
}
