/**
 * One `sieve serve-model` replica for `sieve bench sample --engine openai`, in its own process:
 * serves a checkpoint on 127.0.0.1 (any free port) and prints `{"url": …}` once listening.
 * Usage: node --import tsx serve-child.ts <checkpoint dir> <model name> <batch size>
 */
import { serializeError } from '@sieve/core';
import { startModelServer } from '../serve/server';

const [checkpointDir, modelName, batch] = process.argv.slice(2);
if (!checkpointDir || !modelName) throw new Error('usage: serve-child.ts <checkpoint dir> <model name> [batch size]');
try {
  const server = await startModelServer({ checkpointDir, modelName, port: 0, ...(batch ? { batchSize: Number(batch) } : {}) });
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
} catch (err) {
  process.stdout.write(`${JSON.stringify({ error: serializeError(err) })}\n`);
  process.exitCode = 1;
}
