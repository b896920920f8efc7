/**
 * Several base URLs (one per replica of a fleet), each with its own concurrency limit: a request
 * waits for a free slot on any of them, the least busy first, in arrival order.
 */
export interface Endpoint {
  /** Up to and including /v1, e.g. http://127.0.0.1:8000/v1. */
  baseUrl: string;
  /** Requests in flight at once on this URL (default 8). */
  concurrency?: number;
}

interface Slot {
  baseUrl: string;
  limit: number;
  busy: number;
  sent: number;
}

export class EndpointPool {
  private readonly slots: Slot[];
  private readonly waiting: ((s: Slot) => void)[] = [];

  constructor(endpoints: readonly Endpoint[]) {
    this.slots = endpoints.map((e) => ({ baseUrl: e.baseUrl.replace(/\/+$/, ''), limit: e.concurrency ?? 8, busy: 0, sent: 0 }));
  }

  /** Requests sent to each base URL so far (attempts, retries included). */
  counts(): Record<string, number> {
    return Object.fromEntries(this.slots.map((s) => [s.baseUrl, s.sent]));
  }

  /** Waits for a free slot; call release() with the URL when done. */
  acquire(): Promise<string> {
    const free = this.freeSlot();
    if (free) return Promise.resolve(this.take(free));
    return new Promise((resolve) => this.waiting.push((s) => resolve(this.take(s))));
  }

  release(baseUrl: string): void {
    const s = this.slots.find((x) => x.baseUrl === baseUrl);
    if (!s) return;
    s.busy--;
    const next = this.waiting.shift();
    if (next) next(this.freeSlot() as Slot);
  }

  private take(s: Slot): string {
    s.busy++;
    s.sent++;
    return s.baseUrl;
  }

  private freeSlot(): Slot | undefined {
    let best: Slot | undefined;
    for (const s of this.slots) if (s.busy < s.limit && (!best || s.busy / s.limit < best.busy / best.limit)) best = s;
    return best;
  }
}
