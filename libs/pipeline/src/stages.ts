/**
 * The pipeline's stages, in run order. Each is declared, with its options schema, in the lib that
 * owns it: questions (libs/tasks/src/stages/questions.ts), pretrain and train
 * (libs/train/src/stages/), sample (libs/sample/src/stages/sample.ts), verify, filter and pairs
 * (libs/dataset/src/stages/), eval and report (libs/eval/src/stages/).
 */
import { QUESTIONS_STAGE } from '@sieve/tasks';
import { FILTER_STAGE, PAIRS_STAGE, VERIFY_STAGE } from '@sieve/dataset';
import { SAMPLE_STAGE } from '@sieve/sample';
import { PRETRAIN_STAGE, TRAIN_STAGE } from '@sieve/train';
import { EVAL_STAGE, REPORT_STAGE } from '@sieve/eval';
import type { AnyStage } from './runner';

export const PIPELINE_STAGES: readonly AnyStage[] = [QUESTIONS_STAGE, PRETRAIN_STAGE, SAMPLE_STAGE, VERIFY_STAGE, FILTER_STAGE, PAIRS_STAGE, TRAIN_STAGE, EVAL_STAGE, REPORT_STAGE];

/** Stage names, in run order (for --only, --from and --until). */
export const STAGES: readonly string[] = PIPELINE_STAGES.map((s) => s.name);

export function isStageName(s: string): boolean {
  return STAGES.includes(s);
}
