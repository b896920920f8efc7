/**
 * Batching of concurrent requests for `sieve serve-model` (a simple form of vLLM's continuous
 * batching, at batch rather than step granularity, with the queue delay of TF Serving's
 * `batch_timeout_micros` / Triton's `max_queue_delay_microseconds`): the items (sequences) of every
 * request in flight wait in one FIFO queue, grouped by batch key. Whenever the generator has a free
 * slot, the first group (by its oldest item) that is full — `batchSize` items — or whose oldest item
 * has waited `maxDelayMs` is generated as one batch, its items in arrival order. Items that arrive
 * while a batch runs join the next one; the delay lets a burst whose requests arrive over a few
 * milliseconds (each needs event-loop turns to be received and parsed) share a batch. While the
 * generator is busy the delay costs nothing: the waiting items are past it when it frees up. Each
 * request gets exactly its own results back.
 *
 * Errors stay with the request that causes them: a batch that fails while holding items of several
 * requests is run again once per request (their items alone, never merged again), so only the
 * failing request is rejected. This is only valid because an item's result does not depend on the
 * rest of its batch — the caller's batch key must ensure that.
 *
 * Written by hand: no kept library schedules tfjs generation batches; the queue is ~100 lines.
 */
import { SieveError } from '@sieve/core';

export interface BatchSchedulerOptions<G, T, R> {
  /** Most items per batch (≥ 1). */
  batchSize: number;
  /** Batches generated at once (default 1: a generator on this thread runs one at a time). */
  slots?: number;
  /** Most milliseconds an item waits for its batch to fill before the batch starts anyway (default 0). */
  maxDelayMs?: number;
  /** Generates one batch: results in item order. `group` is what the items' key stands for. */
  run(group: G, items: readonly T[]): Promise<R[]>;
}

export interface BatchStats {
  /** Batches started (re-runs after a failure included). */
  batches: number;
  /** Items generated in them. */
  items: number;
  /** Largest batch, in items. */
  largest: number;
  /** Batches whose items came from more than one request. */
  merged: number;
}

interface Caller<R> {
  results: R[];
  left: number;
  settled: boolean;
  resolve(r: R[]): void;
  reject(e: unknown): void;
}

interface Entry<G, T, R> {
  key: string;
  group: G;
  item: T;
  caller: Caller<R>;
  index: number;
  /** performance.now() when queued. */
  at: number;
}

export class BatchScheduler<G, T, R> {
  private queue: Entry<G, T, R>[] = [];
  private inFlight = 0;
  private pumpScheduled = false;
  private isolated = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly slots: number;
  readonly stats: BatchStats = { batches: 0, items: 0, largest: 0, merged: 0 };

  constructor(private readonly o: BatchSchedulerOptions<G, T, R>) {
    if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new SieveError(`batch size must be an integer ≥ 1, got ${o.batchSize}`);
    this.slots = Math.max(1, o.slots ?? 1);
  }

  /**
   * Queues one request's items (all of one batch key) and resolves with their results in order,
   * or rejects with the error of a batch that failed with only this request's items in it.
   */
  submit(key: string, group: G, items: readonly T[]): Promise<R[]> {
    if (items.length === 0) return Promise.resolve([]);
    return new Promise<R[]>((resolve, reject) => {
      const caller: Caller<R> = { results: new Array<R>(items.length), left: items.length, settled: false, resolve, reject };
      const at = performance.now();
      items.forEach((item, index) => this.queue.push({ key, group, item, caller, index, at }));
      this.schedule();
    });
  }

  /** Rejects every request still waiting for a batch (batches running finish) and stops the delay timer. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const waiting = new Set(this.queue.map((e) => e.caller));
    this.queue = [];
    for (const c of waiting) {
      if (c.settled) continue;
      c.settled = true;
      c.reject(new SieveError('the server closed while the request was waiting for a generation batch'));
    }
  }

  /** Forms batches on a later turn of the event loop, so requests parsed meanwhile join them. */
  private schedule(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const delay = this.o.maxDelayMs ?? 0;
    while (this.inFlight < this.slots && this.queue.length > 0) {
      // groups in the order of their oldest item
      const groups = new Map<string, Entry<G, T, R>[]>();
      for (const e of this.queue) {
        const g = groups.get(e.key);
        if (!g) groups.set(e.key, [e]);
        else if (g.length < this.o.batchSize) g.push(e);
      }
      const now = performance.now();
      const ready = [...groups.values()].find((g) => g.length >= this.o.batchSize || now - (g[0] as Entry<G, T, R>).at >= delay);
      if (!ready) {
        const oldest = Math.min(...[...groups.values()].map((g) => (g[0] as Entry<G, T, R>).at));
        this.timer = setTimeout(() => this.pump(), Math.max(0, oldest + delay - now));
        return;
      }
      const taken = new Set(ready);
      this.queue = this.queue.filter((e) => !taken.has(e));
      this.start(ready);
    }
  }

  private start(batch: Entry<G, T, R>[]): void {
    this.inFlight++;
    const callers = new Set(batch.map((e) => e.caller));
    this.stats.batches++;
    this.stats.items += batch.length;
    this.stats.largest = Math.max(this.stats.largest, batch.length);
    if (callers.size > 1) this.stats.merged++;
    const first = batch[0] as Entry<G, T, R>;
    this.o
      .run(first.group, batch.map((e) => e.item))
      .then((results) => {
        if (results.length !== batch.length) throw new SieveError(`the generator returned ${results.length} results for a batch of ${batch.length}`);
        batch.forEach((e, i) => this.deliver(e, results[i] as R));
      })
      .catch((err: unknown) => this.failed(batch, callers, err))
      .finally(() => {
        this.inFlight--;
        this.schedule();
      });
  }

  private deliver(e: Entry<G, T, R>, result: R): void {
    const c = e.caller;
    if (c.settled) return;
    c.results[e.index] = result;
    if (--c.left === 0) {
      c.settled = true;
      c.resolve(c.results);
    }
  }

  /** One request alone: it gets the error. Several: each request's items run again alone, first in line. */
  private failed(batch: Entry<G, T, R>[], callers: Set<Caller<R>>, err: unknown): void {
    if (callers.size === 1) {
      const c = batch[0]?.caller as Caller<R>;
      if (!c.settled) {
        c.settled = true;
        c.reject(err);
      }
      this.queue = this.queue.filter((e) => e.caller !== c);
      return;
    }
    const again = [...callers].flatMap((c) => {
      const key = `\u0000alone ${this.isolated++}`; // matches no other request's key
      return batch.filter((e) => e.caller === c && !c.settled).map((e) => ({ ...e, key }));
    });
    this.queue = [...again, ...this.queue];
  }
}
