import type { Command } from 'commander';
import { startViewer } from '@sieve/inspect';
import { runContext } from '../context';
import { intOption } from '../parse';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('a local web page to inspect the run (stages, datasets, questions, samples, token probabilities, training), read only')
    .option('--port <n>', 'port to listen on (0 = any free port)', intOption('--port', 0, 65535), 8787)
    .option('--host <address>', 'address to bind; anything but loopback exposes the run to the network', '127.0.0.1')
    .action(async (opts: { port: number; host: string }, cmd: Command) => {
      const { dbPath, runDir } = runContext(cmd);
      const server = await startViewer({ dbPath, runDir, host: opts.host, port: opts.port });
      if (!LOOPBACK.has(opts.host)) process.stderr.write(`warning: listening on ${opts.host}: anyone who can reach it can read this run\n`);
      process.stdout.write(`viewing ${runDir} at ${server.url} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    });
}
