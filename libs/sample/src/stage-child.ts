/**
 * For tests only: runs the sample stage in a child process so a test can SIGKILL it mid-run.
 * Usage: node --import tsx stage-child.ts <sqlite path> <SampleStageOptions as JSON> [kill-after-samples]
 * With kill-after-samples N the process SIGKILLs itself as soon as N samples are stored (a kill
 * at a known point, with other chunks still in flight, however fast the engine is).
 */
import { Store } from '@sieve/store';
import { sampleStage, type SampleStageOptions } from './sample-stage';

const [dbPath, json, killAfter] = process.argv.slice(2);
if (!dbPath || !json) throw new Error('usage: stage-child.ts <sqlite path> <options JSON> [kill-after-samples]');
const killAt = killAfter === undefined ? null : Number(killAfter);
const store = Store.open(dbPath);
try {
  const opts = JSON.parse(json) as SampleStageOptions;
  const res = await sampleStage(store, killAt === null ? opts : { ...opts, onProgress: (p) => void (p.samples >= killAt && process.kill(process.pid, 'SIGKILL')) });
  process.stdout.write(`${JSON.stringify(res)}\n`);
} finally {
  store.close();
}
