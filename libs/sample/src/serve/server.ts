/** `sieve serve-model`: the OpenAI-compatible app over a checkpoint's tfjs engine, on a node HTTP server. */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { InputError } from '@sieve/core';
import { openTfjsEngine, type TfjsSamplingEngine } from '../engines/tfjs';
import { createModelApp } from './app';

export interface ModelServerOptions {
  checkpointDir: string;
  /** The name clients pass as `model` (default: the checkpoint folder's name). */
  modelName?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 = any free port. Default 8000. */
  port?: number;
  backend?: string;
  /** Sequences per generation batch (default 64). */
  batchSize?: number;
}

export interface ModelServer {
  /** Base URL of the API, ending in /v1. */
  url: string;
  host: string;
  port: number;
  model: string;
  engine: TfjsSamplingEngine;
  close(): Promise<void>;
}

/** Loads the checkpoint and serves it until close(). Generation runs in this thread (top log-probs need it). */
export async function startModelServer(o: ModelServerOptions): Promise<ModelServer> {
  const host = o.host ?? '127.0.0.1';
  const wanted = o.port ?? 8000;
  if (!Number.isInteger(wanted) || wanted < 0 || wanted > 65535) {
    throw new InputError(`port must be an integer in 0..65535, got ${wanted}`, { where: '--port', hint: '0 picks any free port' });
  }
  const engine = await openTfjsEngine({
    checkpointDir: o.checkpointDir,
    workers: 0,
    ...(o.modelName !== undefined ? { modelName: o.modelName } : {}),
    ...(o.backend !== undefined ? { backend: o.backend } : {}),
    ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}),
  });
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
    close: async () => {
      await new Promise<void>((resolve) => {
        (server as ServerType & { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      });
      await engine.close();
    },
  };
}
