/**
 * Where generation runs: in this thread (`workers: 0`) or in a pool of worker threads, each
 * with its own backend and checkpoint copy (`workers: N`). Jobs are whole batches; a batch's
 * results do not depend on which worker ran it, so any worker count gives the same samples.
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { InputError, rebuildError, SieveError } from '@sieve/core';
import { initBackend, loadCheckpoint, tokenizerFromJSON, type ModelConfig, type Tokenizer } from '@sieve/model';
import { generate, type GenerateHooks } from './generate';
import type { GenRequest, GenResult, GenerateParams } from './sequence';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol';

export interface EngineOptions {
  checkpointDir: string;
  /** 0 = generate in this thread; N ≥ 1 = N worker threads. */
  workers: number;
  /** Force a backend (see @sieve/model initBackend); default: SIEVE_BACKEND or the fallback order. */
  backend?: string;
}

export interface Engine {
  readonly config: ModelConfig;
  readonly tokenizer: Tokenizer;
  /** Worker threads in use (0 = this thread). */
  readonly workers: number;
  /** The backend that runs generation. */
  readonly backend: string;
  /**
   * Generates one batch (on the next free worker). `hooks` (e.g. onLogits for top log-probs) run in
   * this thread only: a worker pool rejects them.
   */
  run(requests: GenRequest[], params: GenerateParams, hooks?: GenerateHooks): Promise<GenResult[]>;
  close(): Promise<void>;
}

export async function openEngine(opts: EngineOptions): Promise<Engine> {
  if (!Number.isInteger(opts.workers) || opts.workers < 0) {
    throw new InputError(`workers must be an integer ≥ 0, got ${opts.workers}`, { where: '--workers', hint: '0 runs in the main thread; use at most the number of cores' });
  }
  return opts.workers === 0 ? openInProcess(opts) : WorkerPool.open(opts);
}

async function openInProcess(opts: EngineOptions): Promise<Engine> {
  const info = await initBackend(opts.backend ? { prefer: opts.backend } : {});
  const ck = await loadCheckpoint(opts.checkpointDir);
  return {
    config: ck.config,
    tokenizer: ck.tokenizer,
    workers: 0,
    backend: info.name,
    async run(requests, params, hooks) {
      await new Promise((r) => setImmediate(r)); // let the caller's I/O (progress, store) run between batches
      return generate(ck.model, ck.tokenizer, requests, params, hooks);
    },
    async close() {
      ck.model.dispose();
    },
  };
}


interface Pending {
  id: number;
  message: ToWorker;
  resolve: (r: GenResult[]) => void;
  reject: (e: unknown) => void;
}

/** The repo's tsconfig (path aliases) for the worker's TypeScript loader. */
function tsconfigPath(): string {
  return process.env['TSX_TSCONFIG_PATH'] ?? fileURLToPath(new URL('../../../tsconfig.base.json', import.meta.url));
}

class WorkerPool implements Engine {
  private readonly queue: Pending[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly idle: Worker[] = [];
  private failure: SieveError | null = null;
  private nextId = 1;
  private closing = false;

  private constructor(
    private readonly pool: Worker[],
    readonly config: ModelConfig,
    readonly tokenizer: Tokenizer,
    readonly backend: string,
  ) {
    this.idle.push(...pool);
    for (const w of pool) {
      w.on('message', (m: FromWorker) => this.onMessage(w, m));
      w.on('error', (err) => this.fail(new SieveError(`a sampling worker crashed: ${err.message}`, { cause: err })));
      w.on('exit', (code) => {
        if (!this.closing) this.fail(new SieveError(`a sampling worker exited unexpectedly (code ${code})`, { hint: 'out of memory? try a smaller --batch-size' }));
      });
    }
  }

  get workers(): number {
    return this.pool.length;
  }

  static async open(opts: EngineOptions): Promise<WorkerPool> {
    const init: WorkerInit = {
      checkpointDir: opts.checkpointDir,
      tsconfig: tsconfigPath(),
      entry: new URL('./sample-worker.ts', import.meta.url).href,
      ...(opts.backend ? { backend: opts.backend } : {}),
    };
    const bootstrap = new URL('./worker-bootstrap.mjs', import.meta.url);
    const workers = Array.from({ length: opts.workers }, () => new Worker(bootstrap, { workerData: init }));
    const ready = workers.map(
      (w) =>
        new Promise<Extract<FromWorker, { type: 'ready' }>>((resolve, reject) => {
          const onMessage = (m: FromWorker): void => {
            w.off('message', onMessage);
            if (m.type === 'ready') resolve(m);
            else if (m.type === 'error') reject(rebuildError(m.error, 'sampling worker could not start'));
          };
          w.on('message', onMessage);
          w.once('error', (err) => reject(new SieveError(`sampling worker could not start: ${err.message}`, { cause: err })));
          w.once('exit', (code) => reject(new SieveError(`sampling worker exited while starting (code ${code})`)));
        }),
    );
    try {
      const infos = await Promise.all(ready);
      const first = infos[0] as (typeof infos)[number];
      return new WorkerPool(workers, first.config, tokenizerFromJSON(first.tokenizer), first.backend);
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
  }

  run(requests: GenRequest[], params: GenerateParams, hooks?: GenerateHooks): Promise<GenResult[]> {
    if (hooks) return Promise.reject(new SieveError('generation hooks (top log-probs) need workers: 0', { hint: 'open the engine with workers: 0' }));
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new SieveError('the sampling engine is closed'));
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.queue.push({ id, message: { type: 'job', id, requests, params }, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.shift() as Worker;
      const job = this.queue.shift() as Pending;
      this.busy.set(w, job);
      w.postMessage(job.message);
    }
  }

  private onMessage(w: Worker, m: FromWorker): void {
    const job = this.busy.get(w);
    if (m.type === 'ready' || !job || m.id !== job.id) return;
    this.busy.delete(w);
    this.idle.push(w);
    if (m.type === 'result') job.resolve(m.results);
    else job.reject(rebuildError(m.error, 'sampling failed'));
    this.dispatch();
  }

  /** A dead worker fails every job still waiting or running: the caller stops and can resume later. */
  private fail(err: SieveError): void {
    if (this.failure) return;
    this.failure = err;
    for (const job of [...this.busy.values(), ...this.queue]) job.reject(err);
    this.busy.clear();
    this.queue.length = 0;
  }

  /** Stops the workers; jobs still waiting or running are rejected. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.fail(new SieveError('the sampling engine was closed while jobs were still running'));
    await Promise.all(this.pool.map((w) => w.terminate()));
  }
}
