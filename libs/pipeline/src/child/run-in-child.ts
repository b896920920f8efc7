/**
 * The executor of `sieve run --jobs N`: an instance that runs beside others runs in a child process
 * of its own (its own wasm instance and store connection), so a crash or kill of one is reported
 * with its stage id while the others finish; an instance that runs alone runs in this process (no
 * start-up cost). SIGINT/SIGTERM while children run stops them all and exits with 130: their
 * records stay 'running', so the next `sieve run` resumes them.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { rebuildError, SieveError, type StageProgress } from '@sieve/core';
import { activeBackend } from '@sieve/model';
import type { RunEnv } from '@sieve/store';
import type { PipelineConfig } from '../config';
import { runInProcess, type InstanceExecutor, type InstanceTask } from '../runner';
import type { ChildMessage, ChildStart } from './protocol';

const BOOTSTRAP = fileURLToPath(new URL('./bootstrap.mjs', import.meta.url));
/** The repo's tsconfig (path aliases) for the child's TypeScript loader. */
const tsconfigPath = (): string => process.env['TSX_TSCONFIG_PATH'] ?? fileURLToPath(new URL('../../../../tsconfig.base.json', import.meta.url));

export interface ChildExecutorOptions {
  config: PipelineConfig;
  ignoreMemory?: boolean;
  /** Where a stop by signal is announced. */
  log?: (line: string) => void;
}

/** Forwards a stream's text to `line` one whole line at a time. */
function eachLine(stream: NodeJS.ReadableStream | null, line: (l: string) => void): void {
  let rest = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (d: string) => {
    const parts = (rest + d).split('\n');
    rest = parts.pop() ?? '';
    for (const p of parts) if (p.trim()) line(p);
  });
  stream?.on('end', () => {
    if (rest.trim()) line(rest);
  });
}

/** An executor that runs instances side by side in child processes (see the file comment). */
export function childExecutor(o: ChildExecutorOptions): InstanceExecutor {
  const children = new Map<string, ChildProcess>();
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    const ids = [...children.keys()];
    o.log?.(`${signal}: stopping ${ids.join(', ')}; run again to resume them`);
    const exits = [...children.values()].map((c) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((res) => c.once('exit', () => res()))));
    for (const c of children.values()) c.kill('SIGTERM');
    void Promise.all(exits).then(() => process.exit(130));
  };
  const watchSignals = (on: boolean): void => {
    for (const s of ['SIGINT', 'SIGTERM'] as const) {
      if (on) process.on(s, onSignal);
      else process.off(s, onSignal);
    }
  };

  const inChild = (env: RunEnv, task: InstanceTask): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const { inst } = task;
      const backend = activeBackend();
      if (!backend) throw new SieveError('no backend is active', { where: 'sieve run --jobs', hint: 'call initBackend() before running stages' });
      // The instance id on the command line tells the processes apart in `ps`.
      const child = fork(BOOTSTRAP, [tsconfigPath(), `--stage=${inst.id}`], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
      if (children.size === 0) watchSignals(true);
      children.set(inst.id, child);
      eachLine(child.stdout, task.log);
      eachLine(child.stderr, task.log);
      const bars = new Map<number, StageProgress>();
      let result: { ok: true; info: Record<string, unknown> } | { ok: false; err: Error } | null = null;
      child.on('message', (m: ChildMessage) => {
        if (m.type === 'log') task.log(m.line);
        else if (m.type === 'progress') bars.set(m.bar, task.progress(m.label, m.total));
        else if (m.type === 'update') bars.get(m.bar)?.update(m.done, m.info);
        else if (m.type === 'stop') {
          bars.get(m.bar)?.stop();
          bars.delete(m.bar);
        }
        else if (m.type === 'done') result = { ok: true, info: m.info };
        else if (m.type === 'error') result = { ok: false, err: rebuildError(m.error, `stage ${inst.id}`) };
      });
      child.on('error', (err) => {
        result ??= { ok: false, err: new SieveError(`stage ${inst.id}: its process could not run`, { cause: err }) };
      });
      child.on('exit', (code, signal) => {
        children.delete(inst.id);
        if (children.size === 0) watchSignals(false);
        for (const b of bars.values()) b.stop();
        if (result?.ok) return resolve(result.info);
        reject(
          result?.err ??
            new SieveError(`stage ${inst.id}: its process ended (${signal ? `killed by ${signal}` : `exit code ${code}`}) before finishing`, {
              hint: 'the other stages were left to finish; run again to run this one again (look for a crash above, or memory running out)',
            }),
        );
      });
      const start: ChildStart = {
        type: 'start',
        config: o.config,
        dbPath: env.store.path,
        runDir: env.runDir,
        id: inst.id,
        fingerprint: inst.fingerprint,
        resume: task.resume,
        ...(task.threads === undefined ? {} : { threads: task.threads }),
        ...(o.ignoreMemory ? { ignoreMemory: true } : {}),
        backend: backend.name,
      };
      child.send(start);
    });

  return (env, task) => (task.alone ? runInProcess(env, task) : inChild(env, task));
}
