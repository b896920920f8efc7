import type { Command } from 'commander';
import { resolveModelDir, startModelServer } from '@sieve/sample';
import { withStore } from '../context';
import { intOption } from '../parse';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function registerServeModel(program: Command): void {
  program
    .command('serve-model')
    .description(
      'an OpenAI-compatible server for one of the run\'s checkpoints (tfjs engine): /v1/models, /v1/completions\n' +
        '(prompt or list, n, temperature, top_p, top_k, seed, max_tokens, stop, logprobs) and /v1/chat/completions',
    )
    .requiredOption('--model <id>', 'model id in the run (see `sieve inspect`); clients pass it as "model"')
    .option('--port <n>', 'port to listen on (0 = any free port)', intOption('--port', 0, 65535), 8000)
    .option('--host <address>', 'address to bind; anything but loopback exposes the model to the network', '127.0.0.1')
    .option('--batch-size <n>', 'sequences per generation batch', intOption('--batch-size', 1), 64)
    .action(async (opts: { model: string; port: number; host: string; batchSize: number }, cmd: Command) => {
      const checkpointDir = await withStore(cmd, (store, ctx) => resolveModelDir(store, opts.model, ctx.runDir));
      const server = await startModelServer({ checkpointDir, modelName: opts.model, host: opts.host, port: opts.port, batchSize: opts.batchSize });
      if (!LOOPBACK.has(opts.host)) process.stderr.write(`warning: listening on ${opts.host}: anyone who can reach it can use the model\n`);
      process.stdout.write(`serving ${server.model} (tfjs, ${server.engine.engine.backend}) at ${server.url} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    });
}
