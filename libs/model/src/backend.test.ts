import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { SieveError } from '@sieve/core';
import { describeBackend, initBackend, probeBackends } from './backend';

describe('backend selection', () => {
  const outside = process.env['SIEVE_BACKEND'];
  beforeEach(() => {
    delete process.env['SIEVE_BACKEND'];
  });
  afterAll(() => {
    if (outside === undefined) delete process.env['SIEVE_BACKEND'];
    else process.env['SIEVE_BACKEND'] = outside;
  });

  it('picks the first backend that loads, says why the others did not, and is idempotent', async () => {
    const lines: string[] = [];
    const info = await initBackend({ log: (l) => lines.push(l) });
    expect(['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']).toContain(info.name);
    expect(tf.getBackend()).toBe(info.tfBackend);
    expect(info.forced).toBe(false);
    // Everything before the winner was skipped with a one-line reason.
    const order = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];
    expect(info.skipped.map((s) => s.name)).toEqual(order.slice(0, order.indexOf(info.name)));
    for (const s of info.skipped) expect(s.reason).toMatch(/^[^\n]+$/);
    expect(lines).toEqual([describeBackend(info)]);
    expect(lines[0]).toMatch(new RegExp(`^backend: ${info.name}`));
    expect(await initBackend({ log: (l) => lines.push(l) })).toBe(info);
    expect(lines).toHaveLength(1);
  });

  it('SIEVE_BACKEND forces a backend, and an unknown one fails with a hint', async () => {
    process.env['SIEVE_BACKEND'] = 'cpu';
    const cpu = await initBackend();
    expect(cpu).toMatchObject({ name: 'cpu', tfBackend: 'cpu', forced: true });
    expect(describeBackend(cpu)).toBe('backend: cpu (forced)');
    process.env['SIEVE_BACKEND'] = 'tpu';
    const err = await initBackend().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SieveError);
    expect((err as SieveError).message).toMatch(/unknown backend "tpu"/);
    expect((err as SieveError).hint).toMatch(/tfjs-node-gpu, tfjs-node, wasm, cpu/);
  });

  it('a forced backend that cannot load is an error naming why', async () => {
    const probes = await probeBackends();
    const broken = probes.find((p) => !p.ok);
    if (!broken) return; // every backend loads on this machine: nothing to force into failure
    const err = await initBackend({ prefer: broken.name }).then(() => null, (e: unknown) => e);
    expect((err as SieveError).message).toContain(`backend ${broken.name} could not be loaded: ${broken.reason}`);
    expect((err as SieveError).hint).toMatch(/sieve doctor/);
  });

  it('probeBackends reports all four and leaves the active backend as it was', async () => {
    await initBackend({ prefer: 'cpu' });
    const probes = await probeBackends();
    expect(probes.map((p) => p.name)).toEqual(['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']);
    expect(probes.find((p) => p.name === 'cpu')).toEqual({ name: 'cpu', ok: true, reason: 'loads' });
    expect(probes.find((p) => p.name === 'wasm')).toEqual({ name: 'wasm', ok: true, reason: 'loads; GEMMs with wasm relaxed SIMD (fused multiply-adds where the CPU has FMA)' }); // Node ≥ 20
    for (const p of probes) expect(p.reason.length).toBeGreaterThan(0);
    expect(tf.getBackend()).toBe('cpu');
  });
});
