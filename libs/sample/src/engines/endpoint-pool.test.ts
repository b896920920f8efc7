import { describe, expect, it } from 'vitest';
import { EndpointPool } from './endpoint-pool';

describe('EndpointPool', () => {
  it('without affinity: the least busy endpoint first', async () => {
    const pool = new EndpointPool([{ baseUrl: 'http://a/v1', concurrency: 2 }, { baseUrl: 'http://b/v1/', concurrency: 2 }]);
    expect([await pool.acquire(), await pool.acquire(), await pool.acquire()]).toEqual(['http://a/v1', 'http://b/v1', 'http://a/v1']);
  });

  it('requests of one affinity key go where the key has requests in flight, while it has a free slot', async () => {
    const pool = new EndpointPool([{ baseUrl: 'http://a/v1', concurrency: 3 }, { baseUrl: 'http://b/v1', concurrency: 3 }]);
    const q1 = [await pool.acquire('q1'), await pool.acquire('q1')];
    const q2 = [await pool.acquire('q2'), await pool.acquire('q2')];
    expect(q1).toEqual(['http://a/v1', 'http://a/v1']);
    expect(q2).toEqual(['http://b/v1', 'http://b/v1']); // a new key goes to the least busy
    expect(await pool.acquire('q1')).toBe('http://a/v1'); // a is full now (3/3)
    expect(await pool.acquire('q1')).toBe('http://b/v1'); // its endpoint full: anywhere free
    // once a key has nothing in flight it starts over at the least busy endpoint
    for (let i = 0; i < 3; i++) pool.release('http://a/v1', 'q1');
    pool.release('http://b/v1', 'q1');
    expect(await pool.acquire('q1')).toBe('http://a/v1');
    expect(pool.counts()).toEqual({ 'http://a/v1': 4, 'http://b/v1': 3 });
  });

  it('a freed slot goes to the first waiter whose key is at that endpoint or nowhere', async () => {
    const pool = new EndpointPool([{ baseUrl: 'http://a/v1', concurrency: 1 }, { baseUrl: 'http://b/v1', concurrency: 1 }]);
    expect([await pool.acquire('q1'), await pool.acquire('q2')]).toEqual(['http://a/v1', 'http://b/v1']);
    const order: string[] = [];
    const waiters = ['q1', 'q3', 'q2'].map((k) => pool.acquire(k).then((url) => order.push(`${k}@${url}`)));
    pool.release('http://b/v1', 'q2'); // q2 has nothing in flight now: q1 (still at a) waits for a, q3 takes b
    await Promise.resolve();
    pool.release('http://b/v1', 'q3'); // q1 still waits for a; q2 is nowhere: b
    pool.release('http://a/v1', 'q1'); // q1 at last
    await Promise.all(waiters);
    expect(order).toEqual(['q3@http://b/v1', 'q2@http://b/v1', 'q1@http://a/v1']);
  });

  it('a request waiting for a slot gets the first one freed', async () => {
    const pool = new EndpointPool([{ baseUrl: 'http://a/v1', concurrency: 1 }]);
    await pool.acquire('k');
    const waiting = pool.acquire('k');
    pool.release('http://a/v1', 'k');
    expect(await waiting).toBe('http://a/v1');
  });
});
