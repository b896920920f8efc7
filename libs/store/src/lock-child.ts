/**
 * For tests only: takes a run folder's lock in a separate process, prints "locked", and holds
 * it until stdin closes (then exits through process.exit, which must release it).
 * Usage: node --import tsx lock-child.ts <run folder>
 */
import { acquireRunLock } from './run-lock';

const [runDir] = process.argv.slice(2);
if (!runDir) throw new Error('usage: lock-child.ts <run folder>');
acquireRunLock(runDir, { command: 'lock-child test' });
process.stdout.write('locked\n');
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
