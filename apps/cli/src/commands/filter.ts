import type { Command } from 'commander';
import { InputError } from '@sieve/core';
import { buildDataset, type FilterRulesInput } from '@sieve/dataset';
import { withStore } from '../context';
import { floatOption, intOption } from '../parse';
import { printTable } from '../table';

interface FilterOptions {
  samples: string;
  name: string;
  kind: string;
  verifier?: string;
  requireSteps?: boolean;
  dedup: string;
  maxPerQuestion?: number;
  minLength?: number;
  maxLength?: number;
  keepTruncated?: boolean;
  minPassRate?: number;
  maxPassRate?: number;
  includeGold?: boolean;
}

export function registerFilter(program: Command): void {
  program
    .command('filter')
    .description(
      'sieve verified samples into a named dataset (a new version each time, never overwriting).\n' +
        'Keeps correct samples, drops exact/normalised duplicates per question, then applies the rules;\n' +
        'every dropped sample keeps its reason.',
    )
    .requiredOption('--samples <run>', 'sample run to filter')
    .requiredOption('--name <dataset>', 'dataset name')
    .option('--kind <kind>', 'rft (kept samples) or pairs (kept + a rejected sample of the same question, for DPO)', 'rft')
    .option('--verifier <name>', "whose verdicts decide correctness (default: each question's set's own verifier)")
    .option('--require-steps', 'drop samples with a wrong calculator step <<a*b=c>>')
    .option('--dedup <mode>', 'none, or equations: one response per distinct list of equations (RFT paper)', 'none')
    .option('--max-per-question <n>', 'keep at most N samples per question', intOption('--max-per-question', 1))
    .option('--min-length <chars>', 'drop shorter responses', intOption('--min-length'))
    .option('--max-length <chars>', 'drop longer responses', intOption('--max-length', 1))
    .option('--keep-truncated', 'keep samples cut at the token limit (dropped by default)')
    .option('--min-pass-rate <r>', 'keep only questions whose pass rate is at least r', floatOption('--min-pass-rate', 0, 1))
    .option('--max-pass-rate <r>', 'keep only questions whose pass rate is at most r', floatOption('--max-pass-rate', 0, 1))
    .option('--include-gold', "also keep each sampled question's gold solution (RFT trains on them plus the sampled paths)")
    .action(async (opts: FilterOptions, cmd: Command) => {
      if (opts.kind !== 'rft' && opts.kind !== 'pairs') throw new InputError(`unknown kind "${opts.kind}"`, { where: '--kind', hint: 'use rft or pairs' });
      if (opts.dedup !== 'none' && opts.dedup !== 'equations') throw new InputError(`unknown dedup "${opts.dedup}"`, { where: '--dedup', hint: 'use none or equations' });
      const rules: FilterRulesInput = {
        requireSteps: opts.requireSteps ?? false,
        ...(opts.includeGold ? { includeGold: true } : {}),
        dedup: opts.dedup,
        finish: opts.keepTruncated ? 'any' : 'stop',
        ...(opts.maxPerQuestion !== undefined ? { maxPerQuestion: opts.maxPerQuestion } : {}),
        ...(opts.minLength !== undefined ? { minLength: opts.minLength } : {}),
        ...(opts.maxLength !== undefined ? { maxLength: opts.maxLength } : {}),
        ...(opts.minPassRate !== undefined || opts.maxPassRate !== undefined
          ? { passRate: [opts.minPassRate ?? 0, opts.maxPassRate ?? 1] as [number, number] }
          : {}),
      };
      await withStore(cmd, (store) => {
        const { dataset, counts, gold } = buildDataset(store, { runName: opts.samples, name: opts.name, rules, ...(opts.verifier ? { verifier: opts.verifier } : {}), kind: opts.kind as 'rft' | 'pairs' });
        process.stdout.write(`dataset ${dataset.name} v${dataset.version} (${dataset.kind}) from ${opts.samples}: kept ${counts.kept} of ${counts.total}${gold ? `, plus ${gold} gold solutions` : ''}\n`);
        const drops = Object.entries(counts.dropped).filter(([, n]) => n > 0).map(([reason, n]) => ({ reason, dropped: n }));
        if (drops.length) printTable(drops);
      });
    });
}
