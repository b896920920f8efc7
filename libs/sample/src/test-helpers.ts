/** For tests only: backend, a tiny char tokenizer and model. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CharTokenizer, createModel, initBackend, saveCheckpoint, type ModelConfigInput, type Transformer } from '@sieve/model';

export async function useTestBackend(): Promise<void> {
  try {
    await initBackend({ prefer: 'wasm' });
  } catch {
    await initBackend({ prefer: 'cpu' });
  }
}

export const tinyTokenizer = CharTokenizer.fromCorpus(['0123456789 +-*/=.,#:?QA\nabcdefghijklmnopqrstuvwxyz']);

export function tinyConfig(over: Partial<ModelConfigInput> = {}): ModelConfigInput {
  return { vocabSize: tinyTokenizer.vocabSize, dim: 16, layers: 2, heads: 4, kvHeads: 2, mlpDim: 24, contextLength: 64, ...over };
}

/**
 * A random tiny model whose weights are scaled up (q/k by 8, the rest by 3) so attention is peaked
 * and logits spread out: with the default small init, attention is nearly uniform and a position
 * or mask bug would barely move the logits.
 */
export function tinyModel(seed = 1, over: Partial<ModelConfigInput> = {}): Transformer {
  const m = createModel(tinyConfig(over), { seed });
  for (const [name, v] of Object.entries(m.params)) {
    if (name.endsWith('norm')) continue;
    const scale = /attn\.w[qk]$/.test(name) ? 8 : 3;
    tf.tidy(() => v.assign(tf.mul(v, scale)));
  }
  return m;
}

/** Saves a tiny scaled random model as a checkpoint in a fresh temp folder; returns the folder. */
export async function tinyCheckpoint(seed = 1, over: Partial<ModelConfigInput> = {}): Promise<string> {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-sample-')), 'model');
  const m = tinyModel(seed, over);
  try {
    await saveCheckpoint(dir, { config: m.config, tokenizer: tinyTokenizer, params: m.params });
  } finally {
    m.dispose();
  }
  return dir;
}

/** What the fault-injecting proxy does with one request. */
export type Fault = 'pass' | 'drop' | 'error500' | 'rate429' | 'slow' | 'truncate' | 'noLogprobs';

export interface FaultProxy {
  /** Base URL to give clients (ends in /v1 when the target does). */
  url: string;
  /** Requests seen, by what the proxy did with them. */
  counts: Record<Fault, number>;
  /** The Authorization headers received. */
  authorizations: string[];
  /** Most requests in flight at once. */
  maxInFlight: number;
  close(): Promise<void>;
}

/**
 * An HTTP proxy on 127.0.0.1 in front of `target` (a base URL) that breaks requests on purpose:
 * `plan(i)` decides for the i-th request — drop the connection, answer 500, answer 429 with
 * `Retry-After: retryAfter`, answer after `slowMs`, cut the body in half, pass it through without
 * the choices' `logprobs` (a server that returns none), or pass it through.
 */
export async function startFaultProxy(target: string, plan: (i: number) => Fault, o: { retryAfter?: string; slowMs?: number } = {}): Promise<FaultProxy> {
  const http = await import('node:http');
  const counts: Record<Fault, number> = { pass: 0, drop: 0, error500: 0, rate429: 0, slow: 0, truncate: 0, noLogprobs: 0 };
  const authorizations: string[] = [];
  const targetUrl = new URL(target);
  let seen = 0;
  let inFlight = 0;
  const proxy: FaultProxy = { url: '', counts, authorizations, maxInFlight: 0, close: async () => undefined };
  const forward = async (req: import('node:http').IncomingMessage, body: string): Promise<{ status: number; text: string }> => {
    const path = (req.url ?? '/').replace(/^\/v1/, '');
    const res = await fetch(`${target.replace(/\/+$/, '')}${path}`, { method: req.method ?? 'GET', headers: { 'content-type': 'application/json' }, ...(req.method === 'POST' ? { body } : {}) });
    return { status: res.status, text: await res.text() };
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const fault = plan(seen++);
      counts[fault]++;
      authorizations.push(req.headers.authorization ?? '');
      inFlight++;
      proxy.maxInFlight = Math.max(proxy.maxInFlight, inFlight);
      res.on('close', () => inFlight--);
      const body = Buffer.concat(chunks).toString('utf8');
      const json = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(payload));
      };
      const run = async (): Promise<void> => {
        if (fault === 'drop') return void req.socket.destroy();
        if (fault === 'error500') return json(500, { error: { message: 'injected failure', type: 'server_error', param: null, code: null } });
        if (fault === 'rate429') return json(429, { error: { message: 'slow down', type: 'rate_limit', param: null, code: null } }, { 'retry-after': o.retryAfter ?? '0.001' });
        if (fault === 'slow') await new Promise((r) => setTimeout(r, o.slowMs ?? 200));
        const up = await forward(req, body);
        if (res.destroyed) return;
        if (fault === 'truncate') {
          const bytes = Buffer.from(up.text, 'utf8');
          res.writeHead(up.status, { 'content-type': 'application/json', 'content-length': String(bytes.length) });
          res.write(bytes.subarray(0, bytes.length >> 1), () => req.socket.destroy());
          return;
        }
        let text = up.text;
        if (fault === 'noLogprobs') {
          const body = JSON.parse(text) as { choices?: Record<string, unknown>[] };
          for (const c of body.choices ?? []) delete c['logprobs'];
          text = JSON.stringify(body);
        }
        res.writeHead(up.status, { 'content-type': 'application/json' });
        res.end(text);
      };
      run().catch(() => req.socket.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as import('node:net').AddressInfo).port;
  proxy.url = `http://127.0.0.1:${port}${targetUrl.pathname.replace(/\/+$/, '')}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
