/**
 * LLaMA-Factory: `llamafactory-cli train sft-dft.yaml`, run from the export folder (dataset_dir: ".").
 * Data: alpaca JSON (`instruction`/`input`/`output`) for plain prompts, sharegpt with OpenAI-style
 * `messages` for chat; preference data with `chosen`/`rejected` and `"ranking": true`, all registered in
 * `dataset_info.json`. DFT is `use_dft_loss: true` with `stage: sft`.
 */
import type { PromptStyle, TrainerItem } from './items';
import type { TrainerFile, TrainerHyper } from './hyper';
import { toYaml, type YamlLine } from './yaml';

const SHAREGPT_TAGS = { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant', system_tag: 'system' };

export function llamafactorySftRow(it: TrainerItem, style: PromptStyle): Record<string, unknown> {
  if (style.kind === 'plain') return { instruction: it.prompt, input: '', output: it.response };
  return { messages: [...style.messages(it), { role: 'assistant', content: it.response }] };
}

export function llamafactoryPairRow(it: TrainerItem, style: PromptStyle): Record<string, unknown> {
  const rejected = it.rejected ?? '';
  if (style.kind === 'plain') return { instruction: it.prompt, input: '', chosen: it.response, rejected };
  return { messages: style.messages(it), chosen: { role: 'assistant', content: it.response }, rejected: { role: 'assistant', content: rejected } };
}

/** The dataset_info.json entry of the exported file. */
export function datasetInfoEntry(file: string, pairs: boolean, style: PromptStyle): Record<string, unknown> {
  if (style.kind === 'plain') {
    return {
      file_name: file,
      formatting: 'alpaca',
      ...(pairs ? { ranking: true } : {}),
      columns: pairs ? { prompt: 'instruction', query: 'input', chosen: 'chosen', rejected: 'rejected' } : { prompt: 'instruction', query: 'input', response: 'output' },
    };
  }
  return {
    file_name: file,
    formatting: 'sharegpt',
    ...(pairs ? { ranking: true } : {}),
    columns: pairs ? { messages: 'messages', chosen: 'chosen', rejected: 'rejected' } : { messages: 'messages' },
    tags: SHAREGPT_TAGS,
  };
}

function config(h: TrainerHyper, style: PromptStyle, o: { stage: 'sft' | 'dpo'; dataset: string; outputDir: string; lr: number; header: string }): YamlLine[] {
  return [
    { comment: `${o.header}\nRun from this folder: llamafactory-cli train ${o.outputDir.replace(/^out\//, '')}.yaml` },
    { key: 'model_name_or_path', value: h.baseModel },
    { key: 'stage', value: o.stage },
    { key: 'do_train', value: true },
    { key: 'finetuning_type', value: 'full' },
    { key: 'dataset', value: o.dataset },
    { key: 'dataset_dir', value: '.' },
    ...(style.kind === 'plain'
      ? [{ comment: 'plain prompts: sieve\'s own "Q: …\\nA: " text with no chat template around it' }, { key: 'template', value: 'empty' }]
      : [{ key: 'template', value: h.llamafactoryTemplate }]),
    { key: 'cutoff_len', value: h.maxLength },
    { key: 'output_dir', value: o.outputDir },
    { key: 'learning_rate', value: o.lr },
    { key: 'lr_scheduler_type', value: 'cosine' },
    { key: 'warmup_ratio', value: 0.1 },
    { key: 'num_train_epochs', value: h.epochs },
    { key: 'per_device_train_batch_size', value: h.batchSize },
    { key: 'gradient_accumulation_steps', value: h.gradientAccumulation },
    { key: 'bf16', value: true },
    { key: 'report_to', value: 'none' },
  ];
}

/** dataset_info.json, the data file and the training YAMLs (DFT + RFT for SFT data, DPO for pairs). */
export function llamafactoryFiles(items: readonly TrainerItem[], pairs: boolean, style: PromptStyle, h: TrainerHyper): TrainerFile[] {
  const name = pairs ? 'sieve_dpo' : 'sieve_sft';
  const file = `${name}.json`;
  const rows = items.map((it) => (pairs ? llamafactoryPairRow(it, style) : llamafactorySftRow(it, style)));
  const data: TrainerFile[] = [
    { path: file, content: `${JSON.stringify(rows, null, 1)}\n` },
    { path: 'dataset_info.json', content: `${JSON.stringify({ [name]: datasetInfoEntry(file, pairs, style) }, null, 2)}\n` },
  ];
  if (pairs) {
    const dpo = config(h, style, { stage: 'dpo', dataset: name, outputDir: 'out/dpo', lr: h.dpoLearningRate, header: 'DPO on sieve preference pairs.' });
    return [...data, { path: 'dpo.yaml', content: toYaml([...dpo, { key: 'pref_beta', value: h.dpoBeta }, { key: 'pref_loss', value: 'sigmoid' }]) }];
  }
  const sft = (dft: boolean): string =>
    toYaml([
      ...config(h, style, {
        stage: 'sft',
        dataset: name,
        outputDir: dft ? 'out/sft-dft' : 'out/sft-rft',
        lr: h.learningRate,
        header: dft ? 'Dynamic Fine-Tuning (Wu et al. 2025) on the sieve RFT dataset.' : 'The RFT baseline: plain SFT on the same data, same settings.',
      }),
      { key: 'use_dft_loss', value: dft },
    ]);
  return [...data, { path: 'sft-dft.yaml', content: sft(true) }, { path: 'sft-rft.yaml', content: sft(false) }];
}
