/** `sieve serve-model`: the OpenAI-compatible app over a checkpoint's tfjs or llama.cpp engine, on a node HTTP server. */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { InputError } from '@sieve/core';
import type { LocalSamplingEngine } from '../engines/engine';
import { openLlamaCppEngine, type LlamaCppEngineOptions } from '../engines/llamacpp';
import { openTfjsEngine } from '../engines/tfjs';
import { createModelApp } from './app';
import { batchedTfjsEngine } from './batched-tfjs';

export interface ModelServerOptions {
  checkpointDir: string;
  /** The name clients pass as `model` (default: the checkpoint folder's name). */
  modelName?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 = any free port. Default 8000. */
  port?: number;
  /** Which engine generates (default tfjs). */
  engine?: 'tfjs' | 'llama.cpp';
  /** tfjs: the TensorFlow.js backend. */
  backend?: string;
  /** tfjs: most sequences per generation batch, merged from concurrent requests (default 64). */
  batchSize?: number;
  /** tfjs: most milliseconds a request waits for others to share its batch (default 5). */
  batchWaitMs?: number;
  /** llama.cpp: its options (GGUF dtype, sampler, threads, sequences decoded together, cache folder, progress lines). */
  llama?: Omit<LlamaCppEngineOptions, 'checkpointDir' | 'modelName'>;
}

export interface ModelServer {
  /** Base URL of the API, ending in /v1. */
  url: string;
  host: string;
  port: number;
  model: string;
  engine: LocalSamplingEngine;
  /** What generates, for a startup line: "tfjs, wasm" or "llama.cpp, <GGUF>, sampler llama.cpp". */
  description: string;
  close(): Promise<void>;
}

/**
 * Loads the checkpoint and serves it until close(). tfjs generates in this thread (top log-probs
 * need it; the wasm backend computes on one thread in Node, so a server uses about one core) and
 * merges the sequences of concurrent requests into shared batches (batched-tfjs.ts); llama.cpp
 * decodes the requests in flight together, up to its `sequences` at once.
 */
export async function startModelServer(o: ModelServerOptions): Promise<ModelServer> {
  const host = o.host ?? '127.0.0.1';
  const wanted = o.port ?? 8000;
  if (!Number.isInteger(wanted) || wanted < 0 || wanted > 65535) {
    throw new InputError(`port must be an integer in 0..65535, got ${wanted}`, { where: '--port', hint: '0 picks any free port' });
  }
  if (o.batchSize !== undefined && (!Number.isInteger(o.batchSize) || o.batchSize < 1)) {
    throw new InputError(`batch size must be an integer ≥ 1, got ${o.batchSize}`, { where: '--batch-size' });
  }
  const batchWaitMs = o.batchWaitMs ?? 5;
  if (!(batchWaitMs >= 0) || !Number.isFinite(batchWaitMs)) throw new InputError(`batch wait must be a number of milliseconds ≥ 0, got ${batchWaitMs}`, { where: '--batch-wait-ms' });
  let engine: LocalSamplingEngine;
  let description: string;
  if (o.engine === 'llama.cpp') {
    const llama = await openLlamaCppEngine({ ...o.llama, checkpointDir: o.checkpointDir, ...(o.modelName !== undefined ? { modelName: o.modelName } : {}) });
    engine = llama;
    description = `llama.cpp, ${llama.ggufPath}, sampler ${o.llama?.sampler ?? 'llama.cpp'}, ${llama.slots()} sequences`;
  } else {
    const tfjs = await openTfjsEngine({
      checkpointDir: o.checkpointDir,
      workers: 0,
      ...(o.modelName !== undefined ? { modelName: o.modelName } : {}),
      ...(o.backend !== undefined ? { backend: o.backend } : {}),
    });
    const batchSize = o.batchSize ?? 64;
    engine = batchedTfjsEngine(tfjs, { batchSize, maxDelayMs: batchWaitMs });
    description = `tfjs, ${tfjs.engine.backend}, concurrent requests batched up to ${batchSize} sequences, waiting ≤ ${batchWaitMs} ms`;
  }
  const app = createModelApp(engine);
  let server: ServerType;
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      server = serve({ fetch: app.fetch, hostname: host, port: wanted }, (info: AddressInfo) => resolve(info.port));
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new InputError(`cannot listen on ${host}:${wanted}: ${err.code ?? err.message}`, {
            where: '--host/--port',
            hint: err.code === 'EADDRINUSE' ? 'pick another --port, or --port 0 for any free one' : 'check the host address',
            cause: err,
          }),
        ),
      );
    });
  } catch (err) {
    await engine.close();
    throw err;
  }
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/v1`,
    host,
    port,
    model: engine.model,
    engine,
    description,
    close: async () => {
      await new Promise<void>((resolve) => {
        (server as ServerType & { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      });
      await engine.close();
    },
  };
}
