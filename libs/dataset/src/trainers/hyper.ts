/**
 * The training settings written into every exported config. DFT and its RFT baseline (plain SFT on
 * the same data) get the same ones, so the two runs differ only in the loss. Defaults follow the DFT
 * paper's SFT setting (Wu et al. 2025, §4: AdamW, lr 5e-5, cosine schedule with 10% warm-up).
 */
export interface TrainerHyper {
  /** A Hugging Face model id or local path to start from. */
  baseModel: string;
  learningRate: number;
  epochs: number;
  /** Per-device batch size. */
  batchSize: number;
  gradientAccumulation: number;
  /** Most tokens per example (prompt + response). */
  maxLength: number;
  /** learning rate of the DPO config (preference datasets). */
  dpoLearningRate: number;
  /** DPO's β. */
  dpoBeta: number;
  /** LLaMA-Factory's template name for chat prompts (plain prompts use its `empty` template). */
  llamafactoryTemplate: string;
}

export const DEFAULT_TRAINER_HYPER: TrainerHyper = {
  baseModel: 'Qwen/Qwen2.5-Math-1.5B',
  learningRate: 5e-5,
  epochs: 1,
  batchSize: 8,
  gradientAccumulation: 4,
  maxLength: 2048,
  dpoLearningRate: 5e-7,
  dpoBeta: 0.1,
  llamafactoryTemplate: 'qwen',
};

/** A file of an export: its path relative to the output folder, and its text. */
export interface TrainerFile {
  path: string;
  content: string;
}

export const jsonl = (rows: readonly unknown[]): string => rows.map((r) => `${JSON.stringify(r)}\n`).join('');
