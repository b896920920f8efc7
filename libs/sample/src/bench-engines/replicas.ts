/**
 * `sieve serve-model` replicas in child processes for the engine benchmark (started, awaited,
 * stopped). Each runs in its own session (setsid): with Linux autogroup scheduling
 * (/proc/sys/kernel/sched_autogroup_enabled = 1) every session gets a fair share of the CPU
 * however many processes it runs, so replicas inside the benchmark's session would split one
 * share between them — the opposite of replicas on separate machines, which is what they stand
 * in for. A replica exits when its stdin closes, so none outlives the benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { rebuildError, SieveError, type SerializedError } from '@sieve/core';

/** What one replica used between listening and being stopped (serve-child.ts prints it). */
export interface ReplicaUsage {
  /** Process CPU time (user + system). */
  cpuSeconds: number;
  wallSeconds: number;
  /** Generation batches run and sequences generated in them. */
  batches: number;
  sequences: number;
}

export interface Replicas {
  urls: string[];
  /** Stops the replicas; each one's usage, or null when it exited without saying. */
  close(): Promise<(ReplicaUsage | null)[]>;
}

function startOne(checkpointDir: string, modelName: string, batchSize: number, batchWaitMs: number | undefined): { child: ChildProcess; url: Promise<string>; lines: string[] } {
  const entry = fileURLToPath(new URL('./serve-child.ts', import.meta.url));
  const tsconfig = process.env['TSX_TSCONFIG_PATH'] ?? fileURLToPath(new URL('../../../../tsconfig.base.json', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', entry, checkpointDir, modelName, String(batchSize), ...(batchWaitMs !== undefined ? [String(batchWaitMs)] : [])], {
    env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  const lines: string[] = [];
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const parts = out.split('\n');
      out = parts.pop() ?? '';
      for (const line of parts) {
        if (!line) continue;
        lines.push(line);
        if (lines.length > 1) continue;
        const msg = JSON.parse(line) as { url?: string; error?: SerializedError };
        if (msg.url) resolve(msg.url);
        else if (msg.error) reject(rebuildError(msg.error, 'serve-model replica'));
      }
    });
    child.once('exit', (code) => reject(new SieveError(`a serve-model replica exited with code ${code} before listening`, { cause: err.trim() || undefined })));
  });
  return { child, url, lines };
}

/** Starts `n` replicas of the checkpoint, each its own process on 127.0.0.1, and waits until all listen. */
export async function startReplicas(n: number, checkpointDir: string, modelName: string, batchSize: number, batchWaitMs?: number): Promise<Replicas> {
  const started = Array.from({ length: n }, () => startOne(checkpointDir, modelName, batchSize, batchWaitMs));
  const close = async (): Promise<(ReplicaUsage | null)[]> =>
    Promise.all(
      started.map(
        ({ child, lines }) =>
          new Promise<ReplicaUsage | null>((resolve) => {
            const usage = (): ReplicaUsage | null => (lines[1] ? (JSON.parse(lines[1]) as ReplicaUsage) : null);
            if (child.exitCode !== null || child.signalCode !== null) return resolve(usage());
            child.once('close', () => resolve(usage())); // after stdout is drained
            child.kill('SIGTERM');
          }),
      ),
    );
  try {
    return { urls: await Promise.all(started.map((s) => s.url)), close };
  } catch (err) {
    await close();
    throw err;
  }
}
