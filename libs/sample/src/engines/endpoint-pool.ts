/**
 * Several base URLs (one per replica of a fleet), each with its own concurrency limit: a request
 * waits for a free slot on any of them, the least busy first, in arrival order. Requests with the
 * same affinity key (the same prompt) go where that key already has requests in flight while it has
 * a free slot, and a freed slot goes to the first waiter whose key is there or nowhere — the prefix-aware routing of vLLM/SGLang routers in its simplest form: a server that
 * batches concurrent requests of one prompt (sieve serve-model) or caches its prefix then sees them
 * together instead of split across replicas.
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
  private readonly waiting: { affinity: string | undefined; resolve: (s: Slot) => void }[] = [];
  /** Affinity key → where its requests in flight are, and how many. */
  private readonly sticky = new Map<string, { slot: Slot; inFlight: number }>();

  constructor(endpoints: readonly Endpoint[]) {
    this.slots = endpoints.map((e) => ({ baseUrl: e.baseUrl.replace(/\/+$/, ''), limit: e.concurrency ?? 8, busy: 0, sent: 0 }));
  }

  /** Requests sent to each base URL so far (attempts, retries included). */
  counts(): Record<string, number> {
    return Object.fromEntries(this.slots.map((s) => [s.baseUrl, s.sent]));
  }

  /** Waits for a free slot (the affinity key's, when it has one free); call release() with the URL and key when done. */
  acquire(affinity?: string): Promise<string> {
    const own = affinity === undefined ? undefined : this.sticky.get(affinity)?.slot;
    const free = own && own.busy < own.limit ? own : this.freeSlot();
    if (free) return Promise.resolve(this.take(free, affinity));
    return new Promise((resolve) => this.waiting.push({ affinity, resolve: (s) => resolve(this.take(s, affinity)) }));
  }

  release(baseUrl: string, affinity?: string): void {
    const s = this.slots.find((x) => x.baseUrl === baseUrl);
    if (!s) return;
    s.busy--;
    const st = affinity === undefined ? undefined : this.sticky.get(affinity);
    if (st && --st.inFlight === 0) this.sticky.delete(affinity as string);
    if (this.waiting.length === 0) return;
    // the first waiter whose key is at this endpoint or nowhere, else the first in line
    const at = this.waiting.findIndex((w) => {
      const st = w.affinity === undefined ? undefined : this.sticky.get(w.affinity);
      return !st || st.slot === s;
    });
    const [next] = this.waiting.splice(Math.max(0, at), 1);
    next?.resolve(s);
  }

  private take(s: Slot, affinity: string | undefined): string {
    s.busy++;
    s.sent++;
    if (affinity !== undefined) {
      const st = this.sticky.get(affinity);
      if (st) st.inFlight++;
      else this.sticky.set(affinity, { slot: s, inFlight: 1 });
    }
    return s.baseUrl;
  }

  private freeSlot(): Slot | undefined {
    let best: Slot | undefined;
    for (const s of this.slots) if (s.busy < s.limit && (!best || s.busy / s.limit < best.busy / best.limit)) best = s;
    return best;
  }
}
