/** `sieve serve-model` replicas in child processes for the engine benchmark (started, awaited, stopped). */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { rebuildError, SieveError, type SerializedError } from '@sieve/core';

export interface Replicas {
  urls: string[];
  close(): Promise<void>;
}

function startOne(checkpointDir: string, modelName: string, batchSize: number): { child: ChildProcess; url: Promise<string> } {
  const entry = fileURLToPath(new URL('./serve-child.ts', import.meta.url));
  const tsconfig = process.env['TSX_TSCONFIG_PATH'] ?? fileURLToPath(new URL('../../../../tsconfig.base.json', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', entry, checkpointDir, modelName, String(batchSize)], {
    env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (!out.includes('\n') || !line) return;
      const msg = JSON.parse(line) as { url?: string; error?: SerializedError };
      if (msg.url) resolve(msg.url);
      else if (msg.error) reject(rebuildError(msg.error, 'serve-model replica'));
    });
    child.once('exit', (code) => reject(new SieveError(`a serve-model replica exited with code ${code} before listening`, { cause: err.trim() || undefined })));
  });
  return { child, url };
}

/** Starts `n` replicas of the checkpoint, each its own process on 127.0.0.1, and waits until all listen. */
export async function startReplicas(n: number, checkpointDir: string, modelName: string, batchSize: number): Promise<Replicas> {
  const started = Array.from({ length: n }, () => startOne(checkpointDir, modelName, batchSize));
  const close = async (): Promise<void> => {
    await Promise.all(
      started.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
  };
  try {
    return { urls: await Promise.all(started.map((s) => s.url)), close };
  } catch (err) {
    await close();
    throw err;
  }
}
