import type { Command } from 'commander';
import { verifySamples } from '@sieve/dataset';
import { listVerifiers } from '@sieve/verify';
import { withStore } from '../context';
import { intOption } from '../parse';
import { createProgress } from '../progress';
import { printTable } from '../table';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      'give every sample of a sample run a verdict (extracted answer, reason, step check); resumable,\n' +
        'and re-verifying with another verifier keeps both verdicts',
    )
    .requiredOption('--samples <run>', 'sample run name (see `sieve runs`)')
    .option('--verifier <name>', `grade every sample with this verifier (${listVerifiers().join(', ')}); default: each question's set's own, recorded at import (else numeric)`)
    .option('--batch-size <n>', 'samples per transaction', intOption('--batch-size', 1), 500)
    .action(async (opts: { samples: string; verifier?: string; batchSize: number }, cmd: Command) => {
      await withStore(cmd, (store) => {
        let progress: ReturnType<typeof createProgress> | undefined;
        const res = verifySamples(store, {
          runName: opts.samples,
          ...(opts.verifier ? { verifier: opts.verifier } : {}),
          batchSize: opts.batchSize,
          onProgress: (done, total) => {
            progress ??= createProgress('verifying', total);
            progress.update(done);
          },
        });
        progress?.stop();
        const total = res.counts.correct + res.counts.incorrect + res.counts.unparseable;
        printTable([{ run: opts.samples, verifier: opts.verifier ?? 'own (per question set)', verified: res.verified, alreadyDone: res.skipped, ...res.counts, accuracy: total ? res.counts.correct / total : 0 }]);
      });
    });
}
