/**
 * ms-swift: `messages` JSONL (`rejected_response` added for DPO pairs) and shell scripts with the
 * command lines: `swift sft … --enable_dft_loss true` (DFT), the same without it (the RFT baseline),
 * `swift rlhf --rlhf_type dpo …` for pairs. Run the scripts from the export folder.
 */
import type { PromptStyle, TrainerItem, ChatMessage } from './items';
import { jsonl, type TrainerFile, type TrainerHyper } from './hyper';

function promptOf(it: TrainerItem, style: PromptStyle): ChatMessage[] {
  return style.kind === 'plain' ? [{ role: 'user', content: it.prompt }] : style.messages(it);
}

export function swiftSftRow(it: TrainerItem, style: PromptStyle): Record<string, unknown> {
  return { messages: [...promptOf(it, style), { role: 'assistant', content: it.response }] };
}

export function swiftDpoRow(it: TrainerItem, style: PromptStyle): Record<string, unknown> {
  return { ...swiftSftRow(it, style), rejected_response: it.rejected ?? '' };
}

/** POSIX single-quoting: safe for any argument. */
const shq = (s: string): string => (/^[A-Za-z0-9_./:=+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The argument list of a swift command, as [flag, value] pairs. */
export type SwiftArgs = [string, string][];

export function swiftArgs(h: TrainerHyper, o: { dataset: string; outputDir: string; lr: number }): SwiftArgs {
  return [
    ['--model', h.baseModel],
    ['--train_type', 'full'],
    ['--dataset', o.dataset],
    ['--learning_rate', String(o.lr)],
    ['--lr_scheduler_type', 'cosine'],
    ['--warmup_ratio', '0.1'],
    ['--num_train_epochs', String(h.epochs)],
    ['--per_device_train_batch_size', String(h.batchSize)],
    ['--gradient_accumulation_steps', String(h.gradientAccumulation)],
    ['--max_length', String(h.maxLength)],
    ['--torch_dtype', 'bfloat16'],
    ['--output_dir', o.outputDir],
  ];
}

function script(comment: string, command: string, args: SwiftArgs): string {
  const lines = [command, ...args.map(([k, v]) => `  ${k} ${shq(v)}`)];
  return `#!/bin/sh\n# ${comment}\n# ms-swift renders the messages with the model's chat template.\nset -e\ncd "$(dirname "$0")"\n${lines.join(' \\\n')}\n`;
}

/** The data file and one script per run: DFT + RFT for an SFT dataset, DPO for pairs. */
export function swiftFiles(items: readonly TrainerItem[], pairs: boolean, style: PromptStyle, h: TrainerHyper): TrainerFile[] {
  if (pairs) {
    const args: SwiftArgs = [['--rlhf_type', 'dpo'], ...swiftArgs(h, { dataset: 'dpo.jsonl', outputDir: 'out/dpo', lr: h.dpoLearningRate }), ['--beta', String(h.dpoBeta)]];
    return [
      { path: 'dpo.jsonl', content: jsonl(items.map((it) => swiftDpoRow(it, style))) },
      { path: 'train-dpo.sh', content: script('DPO on sieve preference pairs.', 'swift rlhf', args) },
    ];
  }
  const sft = (dft: boolean): string =>
    script(
      dft ? 'Dynamic Fine-Tuning (Wu et al. 2025) on the sieve RFT dataset.' : 'The RFT baseline: plain SFT on the same data, same settings.',
      'swift sft',
      [...swiftArgs(h, { dataset: 'sft.jsonl', outputDir: dft ? 'out/sft-dft' : 'out/sft-rft', lr: h.learningRate }), ['--enable_dft_loss', dft ? 'true' : 'false']],
    );
  return [
    { path: 'sft.jsonl', content: jsonl(items.map((it) => swiftSftRow(it, style))) },
    { path: 'train-dft.sh', content: sft(true) },
    { path: 'train-rft.sh', content: sft(false) },
  ];
}
