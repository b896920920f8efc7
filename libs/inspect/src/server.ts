import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { InputError } from '@sieve/core';
import { createViewerApp } from './app';
import { openReadonlyStore } from './open-store';
import { TokenProbService } from './token-probs';

export interface ViewerServerOptions {
  dbPath: string;
  runDir: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 = any free port. Default 8787. */
  port?: number;
  verifier?: string;
  pageSize?: number;
}

export interface ViewerServer {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Opens the store read-only and serves the viewer until close(). */
export async function startViewer(o: ViewerServerOptions): Promise<ViewerServer> {
  const host = o.host ?? '127.0.0.1';
  const wanted = o.port ?? 8787;
  if (!Number.isInteger(wanted) || wanted < 0 || wanted > 65535) {
    throw new InputError(`port must be an integer in 0..65535, got ${wanted}`, { where: '--port', hint: '0 picks any free port' });
  }
  const store = openReadonlyStore(o.dbPath);
  const tokens = new TokenProbService(store, o.runDir);
  let allowed: ReadonlySet<string> | null = null;
  const app = createViewerApp({
    store,
    runDir: o.runDir,
    tokens,
    allowedHosts: () => allowed,
    ...(o.verifier !== undefined ? { verifier: o.verifier } : {}),
    ...(o.pageSize !== undefined ? { pageSize: o.pageSize } : {}),
  });
  let server: ServerType;
  const port = await new Promise<number>((resolve, reject) => {
    server = serve({ fetch: app.fetch, hostname: host, port: wanted }, (info: AddressInfo) => resolve(info.port));
    server.once('error', (err: NodeJS.ErrnoException) => {
      store.close();
      reject(
        new InputError(`cannot listen on ${host}:${wanted}: ${err.code ?? err.message}`, {
          where: '--host/--port',
          hint: err.code === 'EADDRINUSE' ? 'pick another --port, or --port 0 for any free one' : 'check the host address',
          cause: err,
        }),
      );
    });
  });
  // On a loopback address only requests naming it are served: a web page elsewhere cannot reach the viewer by DNS rebinding.
  if (LOOPBACK.has(host)) allowed = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    host,
    port,
    close: async () => {
      await new Promise<void>((resolve) => {
        (server as ServerType & { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      });
      await tokens.dispose();
      store.close();
    },
  };
}
