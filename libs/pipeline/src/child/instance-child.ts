/**
 * A child process of `sieve run --jobs N`: runs one stage instance (its own wasm instance, its own
 * store connection; the parent holds the run folder's lock, the child never takes it) and reports
 * its log lines, progress and result to the parent over IPC. Started by run-in-child.ts.
 */
import { serializeError, SieveError, type StageProgress } from '@sieve/core';
import { initBackend } from '@sieve/model';
import { Store } from '@sieve/store';
import type { PipelineConfig } from '../config';
import { pipelineEnv } from '../env';
import { planStages, stageContext } from '../runner';
import { PIPELINE_STAGES } from '../stages';
import type { ChildMessage, ChildStart } from './protocol';

const send = (m: ChildMessage): void => {
  process.send?.(m);
};
/** Sends the last message, then exits once it is written (worker threads must not keep the child alive). */
const finish = (m: ChildMessage, code: number): void => {
  finished = true;
  if (!process.send) process.exit(code);
  process.send(m, () => process.exit(code));
};
let finished = false;

async function runInstance(m: ChildStart): Promise<Record<string, unknown>> {
  process.env['SIEVE_BACKEND'] = m.backend;
  await initBackend();
  const config = m.config as PipelineConfig;
  const plan = planStages(PIPELINE_STAGES, config);
  const inst = plan.find((i) => i.id === m.id);
  if (!inst || inst.fingerprint !== m.fingerprint) {
    throw new SieveError(`stage ${m.id} planned differently in its child process`, { hint: 'a bug: parent and child must plan the same config the same way' });
  }
  const byId = new Map(plan.map((i) => [i.id, i]));
  const inputs = Object.fromEntries(Object.entries(inst.inputs).map(([role, dep]) => [role, byId.get(dep)?.outputs ?? {}]));
  const store = Store.open(m.dbPath);
  try {
    let bars = 0;
    const progress = (label: string, total: number): StageProgress => {
      const bar = bars++;
      send({ type: 'progress', bar, label, total });
      return {
        update: (done, info) => send({ type: 'update', bar, done, ...(info ? { info } : {}) }),
        stop: () => send({ type: 'stop', bar }),
      };
    };
    const env = pipelineEnv(store, m.runDir, config, m.ignoreMemory ?? false);
    return await inst.def.run(
      stageContext(env, { inst, inputs, resume: m.resume, ...(m.threads === undefined ? {} : { threads: m.threads }), log: (line) => send({ type: 'log', line }), progress }),
    );
  } finally {
    store.close();
  }
}

// The parent died or stopped us: nothing is left to report to, and the stage record stays
// 'running', so the next `sieve run` resumes this instance.
process.on('disconnect', () => {
  if (!finished) process.exit(1);
});
process.once('message', (m: ChildStart) => {
  runInstance(m).then(
    (info) => finish({ type: 'done', info }, 0),
    (err: unknown) => finish({ type: 'error', error: serializeError(err) }, 1),
  );
});
