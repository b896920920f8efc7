/**
 * Data-parallel gradients: the main thread (replica 0) and R−1 worker threads, each with its own
 * backend instance and model replica, compute the gradients of an update's shards. A worker's shard
 * gradient lands in its own slot of a SharedArrayBuffer (the main thread keeps its own as tensors)
 * and the main thread sums them in shard order — the same left fold of float32 adds as
 * `accumulateGrads` — so R replicas give the same sum, bit for bit, as one. The main thread then
 * clips and steps as usual; the replicas read the new parameters from shared memory at the start
 * of the next update.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InputError, SieveError } from '@sieve/core';
import { activeBackend, fastGradsEnabled, type ModelConfig } from '@sieve/model';
import type { TokenBatch } from '../batch';
import { addGrads, disposeGrads, type Grads } from '../clip';
import { microGrads, unitsOf, type MicroOutput, type ObjectiveContext } from '../objective';
import { rebuildError } from '@sieve/core';
import { flatLayout, tensorsFromFlat, writeFlat, type FlatLayout, type FromWorker, type ShardJob, type WorkerInit } from './protocol';

/**
 * Shards to replicas, largest first, each to the least loaded replica (ties: the lowest index,
 * replica 0 = this thread), so the update waits for the slowest replica as little as it can. The
 * cost of a shard of B rows padded to T: B·T·(1 + 2·T·dim / layer parameters), the GEMMs plus
 * attention (q·kᵀ and p·v) per token. Which replica computes a shard never changes the result: its
 * gradient goes to its own slot, summed in slot order.
 */
export function assignShards(jobs: readonly ShardJob[], replicas: number, config: ModelConfig): ShardJob[][] {
  const layerParams = config.dim * (config.dim + (2 * config.kvHeads * config.dim) / config.heads) + config.dim * config.dim + 3 * config.dim * config.mlpDim;
  const cost = (b: TokenBatch): number => b.rows * b.length * (1 + (2 * b.length * config.dim) / Math.max(layerParams, 1));
  const out: ShardJob[][] = Array.from({ length: replicas }, () => []);
  const load = new Array<number>(replicas).fill(0);
  const bySize = jobs.map((j) => ({ j, c: cost(j.batch) })).sort((a, b) => b.c - a.c || a.j.slot - b.j.slot);
  for (const { j, c } of bySize) {
    let r = 0;
    for (let k = 1; k < replicas; k++) if ((load[k] as number) < (load[r] as number)) r = k;
    out[r]?.push(j);
    load[r] = (load[r] as number) + c;
  }
  for (const list of out) list.sort((a, b) => a.slot - b.slot);
  return out;
}

/** The repo's tsconfig (path aliases) for the worker's TypeScript loader. */
function tsconfigPath(): string {
  return process.env['TSX_TSCONFIG_PATH'] ?? fileURLToPath(new URL('../../../../tsconfig.base.json', import.meta.url));
}

interface Pending {
  version: number;
  resolve: (outs: { slot: number; out: MicroOutput }[]) => void;
  reject: (err: unknown) => void;
}

function shared(floats: number): SharedArrayBuffer {
  return new SharedArrayBuffer(Math.max(1, floats) * 4);
}

export class ReplicaPool {
  private readonly pending = new Map<Worker, Pending>();
  private readonly params: Float32Array;
  private readonly control: Int32Array;
  private grads: SharedArrayBuffer = shared(0);
  private version = 0;
  private failure: SieveError | null = null;
  private closing = false;
  /** Live tensors each worker reported after its last step (for leak tests). */
  readonly workerTensors: number[] = [];

  private constructor(
    private readonly ctx: ObjectiveContext,
    private readonly layout: FlatLayout,
    private readonly workers: Worker[],
    paramsBuffer: SharedArrayBuffer,
    controlBuffer: SharedArrayBuffer,
  ) {
    this.params = new Float32Array(paramsBuffer);
    this.control = new Int32Array(controlBuffer);
    workers.forEach((w, i) => {
      w.on('message', (m: FromWorker) => this.onMessage(w, i, m));
      w.on('error', (err) => this.fail(new SieveError(`a training worker crashed: ${err.message}`, { cause: err })));
      w.on('exit', (code) => {
        if (!this.closing) this.fail(new SieveError(`a training worker exited unexpectedly (code ${code})`, { hint: 'out of memory? try a smaller --batch-size or more --shards' }));
      });
    });
  }

  /** Replicas in all, the main thread included. */
  get replicas(): number {
    return this.workers.length + 1;
  }

  /**
   * Starts `replicas − 1` worker threads holding copies of ctx's model (and reference) on the
   * active backend. @throws SieveError when a worker cannot start (its error as cause).
   */
  static async open(ctx: ObjectiveContext, replicas: number): Promise<ReplicaPool> {
    if (!Number.isInteger(replicas) || replicas < 2) throw new InputError(`a replica pool needs at least 2 replicas, got ${replicas}`, { where: '--workers' });
    const backend = activeBackend();
    if (!backend) throw new SieveError('no backend is active', { where: '@sieve/train ReplicaPool', hint: 'call initBackend() before training' });
    const layout = flatLayout(ctx.model.params);
    const params = shared(layout.size);
    writeFlat(layout, ctx.model.params, new Float32Array(params));
    let ref: SharedArrayBuffer | null = null;
    if (ctx.ref) {
      ref = shared(layout.size);
      writeFlat(layout, ctx.ref.params, new Float32Array(ref));
    }
    const control = new SharedArrayBuffer(4 * (1 + replicas));
    const bootstrap = new URL('./worker-bootstrap.mjs', import.meta.url);
    const workers = Array.from({ length: replicas - 1 }, (_, i) => {
      const init: WorkerInit = {
        replica: i + 1,
        config: ctx.model.config,
        method: ctx.method,
        opts: ctx.opts,
        backend: backend.name,
        fastGrads: fastGradsEnabled(),
        layout,
        params,
        ref,
        control,
        tsconfig: tsconfigPath(),
        entry: new URL('./grad-worker.ts', import.meta.url).href,
      };
      return new Worker(bootstrap, { workerData: init });
    });
    const ready = workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          const onMessage = (m: FromWorker): void => {
            w.off('message', onMessage);
            if (m.type === 'ready') resolve();
            else if (m.type === 'error') reject(rebuildError(m.error, 'a training worker could not start'));
          };
          w.on('message', onMessage);
          w.once('error', (err) => reject(new SieveError(`a training worker could not start: ${err.message}`, { cause: err })));
          w.once('exit', (code) => reject(new SieveError(`a training worker exited while starting (code ${code})`)));
        }),
    );
    try {
      await Promise.all(ready);
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
    return new ReplicaPool(ctx, layout, workers, params, control);
  }

  /**
   * Σ_i (units_i / Σ units) · ∇loss_i over `batches` (the update's shards) at ctx.model's current
   * parameters, summed in batch order; shards go to replicas by `assignShards` (shards without a loss
   * unit are skipped, as in `accumulateGrads`). The caller owns the returned gradients
   * (undefined: no loss unit at all). @throws the first error of any replica.
   */
  async accumulate(batches: readonly TokenBatch[]): Promise<{ grads: Grads | undefined; outs: MicroOutput[] }> {
    if (this.failure) throw this.failure;
    if (this.closing) throw new SieveError('the training workers are closed');
    const { ctx, layout } = this;
    const units = batches.map((b) => unitsOf(ctx.method, b));
    const total = units.reduce((a, u) => a + u, 0);
    const live = batches.flatMap((batch, i) => ((units[i] as number) > 0 ? [{ batch, weight: (units[i] as number) / total }] : []));
    if (live.length === 0) return { grads: undefined, outs: [] };
    if (this.grads.byteLength < live.length * layout.size * 4) this.grads = shared(live.length * layout.size);
    const slots = new Float32Array(this.grads);
    const slot = (k: number): Float32Array => slots.subarray(k * layout.size, (k + 1) * layout.size); // a worker's shard k

    writeFlat(layout, ctx.model.params, this.params);
    Atomics.store(this.control, 0, ++this.version); // publishes the parameter writes above
    const jobs = assignShards(live.map((s, k) => ({ slot: k, ...s })), this.replicas, ctx.model.config);
    const remote = this.workers.map((w, i) => this.send(w, jobs[i + 1] ?? []));
    const outs: (MicroOutput | undefined)[] = new Array(live.length);
    const local = new Map<number, Grads>(); // this thread's shards' gradients, by slot: kept as tensors, never copied out
    let acc: Grads | undefined;
    try {
      let localError: unknown = null;
      try {
        for (const job of jobs[0] ?? []) {
          const { grads, out } = microGrads(ctx, job.batch, job.weight);
          local.set(job.slot, grads);
          outs[job.slot] = out;
        }
      } catch (err) {
        localError = err;
      }
      // Wait for every replica even when this one failed: no worker is left writing to the slots.
      const settled = await Promise.allSettled(remote);
      if (localError !== null) throw localError;
      for (const s of settled) if (s.status === 'rejected') throw s.reason;
      this.workers.forEach((_, i) => {
        // Atomics.load pairs with the worker's Atomics.store after it wrote its gradients.
        if (Atomics.load(this.control, i + 1) !== this.version) throw new SieveError(`training worker ${i + 1} did not publish its gradients`, { where: '@sieve/train ReplicaPool' });
      });
      for (const s of settled) if (s.status === 'fulfilled') for (const { slot: k, out } of s.value) outs[k] = out;
      // The fixed-order sum: acc = g_0; acc += g_1; … (float32 adds, as in accumulateGrads).
      for (let k = 0; k < live.length; k++) {
        const g = local.get(k) ?? tensorsFromFlat(layout, slot(k));
        local.delete(k);
        if (acc === undefined) {
          acc = g;
          continue;
        }
        let sum: Grads;
        try {
          sum = addGrads(acc, g);
        } finally {
          disposeGrads(g);
        }
        disposeGrads(acc);
        acc = sum;
      }
    } catch (err) {
      disposeGrads(acc);
      throw err;
    } finally {
      for (const g of local.values()) disposeGrads(g);
    }
    return { grads: acc, outs: outs as MicroOutput[] };
  }

  private send(w: Worker, jobs: ShardJob[]): Promise<{ slot: number; out: MicroOutput }[]> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(w, { version: this.version, resolve, reject });
      w.postMessage({ type: 'step', version: this.version, grads: this.grads, jobs });
    });
  }

  private onMessage(w: Worker, index: number, m: FromWorker): void {
    const p = this.pending.get(w);
    if (m.type === 'ready' || !p) return;
    this.pending.delete(w);
    if (m.type === 'error') p.reject(rebuildError(m.error, `training worker ${index + 1} failed`));
    else if (m.version !== p.version) p.reject(new SieveError(`training worker ${index + 1} answered step ${m.version}, expected ${p.version}`));
    else {
      this.workerTensors[index] = m.numTensors;
      p.resolve(m.outs);
    }
  }

  /** A dead worker fails the step in progress and every later one. */
  private fail(err: SieveError): void {
    if (this.failure) return;
    this.failure = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** Stops the workers (idempotent). */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.fail(new SieveError('the training workers were closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

