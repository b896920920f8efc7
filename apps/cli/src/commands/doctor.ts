import type { Command } from 'commander';
import { probeBackends } from '@sieve/model';
import { printTable } from '../table';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check the machine: Node version, which TensorFlow.js backends load (and why not), which sieve picks')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const node = process.versions.node;
      const major = Number(node.split('.')[0]);
      const backends = await probeBackends();
      const chosen = process.env['SIEVE_BACKEND'] ?? backends.find((b) => b.ok)?.name ?? 'none';
      const report = { node, nodeOk: major >= 20, platform: `${process.platform}-${process.arch}`, backends, chosen };
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      process.stdout.write(`node ${node} ${report.nodeOk ? 'ok' : '(needs >= 20)'} on ${report.platform}\n`);
      printTable(backends.map((b) => ({ backend: b.name, loads: b.ok ? 'yes' : 'no', detail: b.reason })));
      process.stdout.write(
        `sieve will use: ${chosen}${process.env['SIEVE_BACKEND'] ? ' (forced by SIEVE_BACKEND)' : ' (first that loads)'}\n`,
      );
    });
}
