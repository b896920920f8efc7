/**
 * TRL (Hugging Face): `trl sft --config sft-dft.yaml` / `trl dpo --config dpo.yaml`, run from the
 * export folder. Data: `{"prompt","completion"}` (plain) or `{"messages"}` (chat) for SFT;
 * `{"prompt","chosen","rejected"}` for DPO (conversational: prompt messages, one-turn chosen/rejected).
 * DFT is `SFTConfig(loss_type="dft")`; the RFT baseline is the default `loss_type: nll`.
 */
import type { TrainerItem, PromptStyle } from './items';
import { jsonl, type TrainerFile, type TrainerHyper } from './hyper';
import { toYaml, type YamlLine } from './yaml';

const assistant = (content: string) => [{ role: 'assistant' as const, content }];

export function trlSftRow(it: TrainerItem, style: PromptStyle): Record<string, unknown> {
  if (style.kind === 'plain') return { prompt: it.prompt, completion: it.response };
  return { messages: [...style.messages(it), ...assistant(it.response)] };
}

export function trlDpoRow(it: TrainerItem, style: PromptStyle): Record<string, unknown> {
  const rejected = it.rejected ?? '';
  if (style.kind === 'plain') return { prompt: it.prompt, chosen: it.response, rejected };
  return { prompt: style.messages(it), chosen: assistant(it.response), rejected: assistant(rejected) };
}

function common(h: TrainerHyper, dataDir: string, outputDir: string, lr: number): YamlLine[] {
  return [
    { key: 'model_name_or_path', value: h.baseModel },
    { comment: `a folder of JSONL files: datasets.load_dataset reads ${dataDir}/train.jsonl as the train split` },
    { key: 'dataset_name', value: dataDir },
    { key: 'output_dir', value: outputDir },
    { key: 'learning_rate', value: lr },
    { key: 'lr_scheduler_type', value: 'cosine' },
    { key: 'warmup_ratio', value: 0.1 },
    { key: 'num_train_epochs', value: h.epochs },
    { key: 'per_device_train_batch_size', value: h.batchSize },
    { key: 'gradient_accumulation_steps', value: h.gradientAccumulation },
    { key: 'max_length', value: h.maxLength },
    { key: 'bf16', value: true },
    { key: 'report_to', value: 'none' },
  ];
}

/** The TRL files for an SFT dataset (data + DFT and RFT configs) or a pairs dataset (data + DPO config). */
export function trlFiles(items: readonly TrainerItem[], pairs: boolean, style: PromptStyle, h: TrainerHyper): TrainerFile[] {
  if (pairs) {
    return [
      { path: 'dpo/train.jsonl', content: jsonl(items.map((it) => trlDpoRow(it, style))) },
      {
        path: 'dpo.yaml',
        content: toYaml([
          { comment: 'DPO on sieve preference pairs (accepted vs rejected response of one question).\nRun from this folder: trl dpo --config dpo.yaml' },
          ...common(h, 'dpo', 'out/dpo', h.dpoLearningRate),
          { key: 'beta', value: h.dpoBeta },
          { key: 'loss_type', value: 'sigmoid' },
        ]),
      },
    ];
  }
  const config = (loss: 'dft' | 'nll', what: string): string =>
    toYaml([
      { comment: `${what}\nRun from this folder: trl sft --config sft-${loss === 'dft' ? 'dft' : 'rft'}.yaml` },
      ...common(h, 'sft', `out/sft-${loss === 'dft' ? 'dft' : 'rft'}`, h.learningRate),
      { key: 'loss_type', value: loss },
      ...(style.kind === 'plain'
        ? [{ key: 'completion_only_loss', value: true }]
        : [{ comment: '{"messages"} rows: the loss covers the whole conversation unless the chat template marks assistant turns\n(then add assistant_only_loss: true)' }]),
    ]);
  return [
    { path: 'sft/train.jsonl', content: jsonl(items.map((it) => trlSftRow(it, style))) },
    { path: 'sft-dft.yaml', content: config('dft', 'Dynamic Fine-Tuning (Wu et al. 2025) on the sieve RFT dataset: SFT loss weighted by each token\'s own probability.') },
    { path: 'sft-rft.yaml', content: config('nll', 'The RFT baseline: plain SFT (negative log-likelihood) on the same data, same settings.') },
  ];
}
