/**
 * For tests only: runs the sample stage in a child process so a test can SIGKILL it mid-run.
 * Usage: node --import tsx stage-child.ts <sqlite path> <SampleStageOptions as JSON>
 */
import { Store } from '@sieve/store';
import { sampleStage, type SampleStageOptions } from './sample-stage';

const [dbPath, json] = process.argv.slice(2);
if (!dbPath || !json) throw new Error('usage: stage-child.ts <sqlite path> <options JSON>');
const store = Store.open(dbPath);
try {
  const res = await sampleStage(store, JSON.parse(json) as SampleStageOptions);
  process.stdout.write(`${JSON.stringify(res)}\n`);
} finally {
  store.close();
}
