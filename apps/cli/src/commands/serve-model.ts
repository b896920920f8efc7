import type { Command } from 'commander';
import { InputError } from '@sieve/core';
import { resolveModelDir, startModelServer } from '@sieve/sample';
import { withStore } from '../context';
import { intOption } from '../parse';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
const isSampler = (s: string): s is 'llama.cpp' | 'sieve' => s === 'llama.cpp' || s === 'sieve';

interface ServeModelFlags {
  model: string;
  port: number;
  host: string;
  engine: string;
  batchSize: number;
  batchWaitMs: number;
  llamaSampler?: string;
  llamaThreads?: number;
  llamaSequences?: number;
}

export function registerServeModel(program: Command): void {
  program
    .command('serve-model')
    .description(
      'an OpenAI-compatible server for one of the run\'s checkpoints (tfjs or llama.cpp engine): /v1/models, /v1/completions\n' +
        '(prompt or list, n, temperature, top_p, top_k, seed, max_tokens, stop, logprobs) and /v1/chat/completions',
    )
    .requiredOption('--model <id>', 'model id in the run (see `sieve inspect`); clients pass it as "model"')
    .option('--port <n>', 'port to listen on (0 = any free port)', intOption('--port', 0, 65535), 8000)
    .option('--host <address>', 'address to bind; anything but loopback exposes the model to the network', '127.0.0.1')
    .option('--engine <kind>', 'tfjs (sieve\'s own forward) or llama.cpp (the checkpoint exported to GGUF once, requests in flight decoded in parallel)', 'tfjs')
    .option('--batch-size <n>', 'tfjs: most sequences per generation batch; concurrent requests with the same settings and prompt length share batches', intOption('--batch-size', 1), 64)
    .option('--batch-wait-ms <ms>', 'tfjs: most milliseconds a request waits for others to fill its batch (0 = start at once; tfjs generates on the main thread, one core)', intOption('--batch-wait-ms', 0, 60_000), 5)
    .option('--llama-sampler <which>', "llama.cpp: llama.cpp (default: its own seeded sampler, fast) or sieve (the tfjs engine's exact tokens)")
    .option('--llama-threads <n>', 'llama.cpp: CPU threads (default all cores)', intOption('--llama-threads', 1, 1024))
    .option('--llama-sequences <n>', 'llama.cpp: samples in flight, one llama.cpp context each (default 8)', intOption('--llama-sequences', 1, 1024))
    .action(async (opts: ServeModelFlags, cmd: Command) => {
      if (opts.engine !== 'tfjs' && opts.engine !== 'llama.cpp') throw new InputError(`--engine must be tfjs or llama.cpp, got "${opts.engine}"`, { where: '--engine' });
      const sampler = opts.llamaSampler;
      if (sampler !== undefined && !isSampler(sampler)) throw new InputError(`--llama-sampler must be llama.cpp or sieve, got "${sampler}"`, { where: '--llama-sampler' });
      const checkpointDir = await withStore(cmd, (store, ctx) => resolveModelDir(store, opts.model, ctx.runDir));
      const llama = {
        ...(sampler !== undefined ? { sampler } : {}),
        ...(opts.llamaThreads !== undefined ? { threads: opts.llamaThreads } : {}),
        ...(opts.llamaSequences !== undefined ? { sequences: opts.llamaSequences } : {}),
        log: (line: string) => process.stderr.write(`${line}\n`),
      };
      const server = await startModelServer({ checkpointDir, modelName: opts.model, host: opts.host, port: opts.port, engine: opts.engine, batchSize: opts.batchSize, batchWaitMs: opts.batchWaitMs, llama });
      if (!LOOPBACK.has(opts.host)) process.stderr.write(`warning: listening on ${opts.host}: anyone who can reach it can use the model\n`);
      process.stdout.write(`serving ${server.model} (${server.description}) at ${server.url} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    });
}
