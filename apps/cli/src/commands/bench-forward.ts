import * as os from 'node:os';
import { Option, type Command } from 'commander';
import { benchForward, type BenchForwardResult, type ForwardSideResult } from '@sieve/model';
import { intOption } from '../parse';
import { printResult } from '../table';

const MB = 1024 ** 2;

function row(s: ForwardSideResult, ratio: BenchForwardResult['ratio'] | null): Record<string, string | number | null> {
  return {
    engine: s.engine,
    threads: s.threads,
    loadSeconds: s.loadSeconds.toFixed(1),
    peakRssMB: Math.round(s.peakRssBytes / MB),
    prefillTokensPerSec: s.prefillTokensPerSecond.toFixed(1),
    decodeTokensPerSec: s.decodeTokensPerSecond.toFixed(2),
    'ratio prefill/decode': ratio ? `${ratio.prefill.toFixed(3)} / ${ratio.decode.toFixed(3)}` : null,
  };
}

function rows(r: BenchForwardResult): Record<string, string | number | null>[] {
  return [row(r.sieve, r.ratio), row(r.llamaCpp, null)];
}

/** `sieve bench forward`: sieve's forward vs llama.cpp on the GGUF export of the same weights. */
export function registerBenchForward(bench: Command): void {
  bench
    .command('forward')
    .description(
      "prefill and decode tokens/s (batch 1, greedy) of sieve's forward (prefill + KV-cached steps) and of llama.cpp (CPU)\n" +
        'on the GGUF export of the same weights, with the ratio sieve/llama.cpp, loading time and peak RSS; each side\n' +
        'runs in its own process. SIEVE_BACKEND picks the tfjs backend (cpu for models past ~2 GB of float32)',
    )
    .requiredOption('--model <path>', 'Hugging Face model folder, hf:PATH, or a sieve checkpoint folder (any, the char model too: exported to GGUF)')
    .option('--prompt-tokens <n>', 'prompt tokens prefilled', intOption('--prompt-tokens', 3), 64)
    .option('--decode-tokens <n>', 'tokens decoded after the prompt', intOption('--decode-tokens', 1), 32)
    .option('--threads <n>', "llama.cpp threads (tfjs in Node uses one)", intOption('--threads', 1), os.cpus().length)
    .addOption(new Option('--gguf-dtype <dtype>', 'type of the GGUF export llama.cpp runs').choices(['f32', 'f16']).default('f32'))
    .option('--json', 'print JSON')
    .action(async (o: { model: string; promptTokens: number; decodeTokens: number; threads: number; ggufDtype: 'f32' | 'f16'; json?: boolean }) => {
      const r = await benchForward({
        model: o.model,
        promptTokens: o.promptTokens,
        decodeTokens: o.decodeTokens,
        threads: o.threads,
        ggufDtype: o.ggufDtype === 'f16' ? 'F16' : 'F32',
        log: (l) => process.stderr.write(`${l}\n`),
      });
      if (!o.json) {
        const la = (v: number[]): string => v.map((x) => x.toFixed(2)).join(' ');
        process.stdout.write(`${r.model}: load average before ${la(r.loadAverage.before)}, after ${la(r.loadAverage.after)}; GGUF ${r.ggufDtype}\n`);
      }
      printResult(o.json, r, () => rows(r));
    });
}
