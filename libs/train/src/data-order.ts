/**
 * The order examples are seen in. Epoch e visits every example once, in a permutation drawn
 * from (dataSeed, e); global position g is example order(⌊g/N⌋)[g mod N]. Step s (1-based)
 * with A micro-batches of B reads positions ((s−1)·A + m)·B … + B − 1 for micro-batch m, so
 * the whole data order — the only randomness of the loop — is a pure function of
 * (dataSeed, step): resuming needs no saved RNG stream, and A micro-batches of B/A read
 * exactly the examples of one batch of B.
 */
import { createRng, mixSeed, shuffleInPlace } from '@sieve/core';

export interface DataPosition {
  epoch: number;
  /** Global position of the next example to read. */
  position: number;
}

export class DataOrder {
  private cache = new Map<number, number[]>();

  constructor(
    readonly size: number,
    readonly dataSeed: number,
  ) {}

  /** The permutation of epoch e. */
  epochOrder(epoch: number): number[] {
    let order = this.cache.get(epoch);
    if (!order) {
      order = shuffleInPlace(
        Array.from({ length: this.size }, (_, i) => i),
        createRng(mixSeed(this.dataSeed, 0x0da7a, epoch)),
      );
      if (this.cache.size > 4) this.cache.clear();
      this.cache.set(epoch, order);
    }
    return order;
  }

  /** Example indices at global positions [start, start + count). */
  indicesAt(start: number, count: number): number[] {
    const out: number[] = [];
    for (let g = start; g < start + count; g++) {
      const epoch = Math.floor(g / this.size);
      out.push(this.epochOrder(epoch)[g - epoch * this.size] as number);
    }
    return out;
  }

  /** Indices of micro-batch `micro` (0-based) of update `step` (1-based). */
  microBatch(step: number, micro: number, gradAccum: number, batchSize: number): number[] {
    return this.indicesAt(((step - 1) * gradAccum + micro) * batchSize, batchSize);
  }

  /** Where the stream stands after `step` updates. */
  positionAfter(step: number, gradAccum: number, batchSize: number): DataPosition {
    const position = step * gradAccum * batchSize;
    return { epoch: Math.floor(position / this.size), position };
  }
}
