/**
 * One `sieve serve-model` replica for `sieve bench sample --engine openai`, in its own process:
 * serves a checkpoint on 127.0.0.1 (any free port) with the tfjs engine on its main thread (the wasm
 * backend computes on one thread in Node: one core's worth, standing in for a replica on its own
 * machine) and prints `{"url": …}` once listening. On SIGTERM it prints what it used while serving,
 * `{"cpuSeconds", "wallSeconds", "batches", "sequences"}`, and exits. It also exits when its stdin
 * closes (the benchmark is gone): replicas run in their own session and would outlive it.
 * Usage: node --import tsx serve-child.ts <checkpoint dir> <model name> [batch size [batch wait ms]]
 */
import { serializeError } from '@sieve/core';
import type { BatchedTfjsEngine } from '../serve/batched-tfjs';
import { startModelServer } from '../serve/server';

const [checkpointDir, modelName, batch, wait] = process.argv.slice(2);
if (!checkpointDir || !modelName) throw new Error('usage: serve-child.ts <checkpoint dir> <model name> [batch size]');
try {
  const server = await startModelServer({ checkpointDir, modelName, port: 0, ...(batch ? { batchSize: Number(batch) } : {}), ...(wait ? { batchWaitMs: Number(wait) } : {}) });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  process.stdin.once('end', () => process.exit(0)).resume();
  process.once('SIGTERM', () => {
    const cpu = process.cpuUsage(cpu0);
    const { stats } = server.engine as BatchedTfjsEngine;
    const report = { cpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds: (performance.now() - t0) / 1000, batches: stats.batches, sequences: stats.items };
    void server.close().then(() => process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0)));
  });
} catch (err) {
  process.stdout.write(`${JSON.stringify({ error: serializeError(err) })}\n`);
  process.exitCode = 1;
}
